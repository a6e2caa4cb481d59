/**
 * The hostile inputs of the mock-server fuzz, drawn by fast-check from one seed: the same seed
 * gives the same inputs, in the same order. Each input says how many "inputs" it counts for
 * (a flood of 40 frames is 40 hostile frames).
 */
import fc from 'fast-check';

export type HostileInput =
  /** A text frame that is not JSON. */
  | { readonly kind: 'invalid-json'; readonly text: string }
  /** JSON that is no message of the face (any value, a near-miss of a real message). */
  | { readonly kind: 'wrong-shape'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array }
  /** A text frame whose payload is not UTF-8 (RFC 6455 §8.1: the server closes 1007). */
  | { readonly kind: 'bad-utf8'; readonly bytes: Uint8Array }
  /** A frame `extra` bytes over the server's maxPayload (1 MiB): closed 1009. */
  | { readonly kind: 'oversize'; readonly extra: number }
  /** Many frames in one burst, no waiting between them. */
  | { readonly kind: 'flood'; readonly frames: readonly string[] }
  /** An upgrade whose request arrives a few bytes at a time, with bad credentials. */
  | { readonly kind: 'slow-loris'; readonly query: string; readonly chunk: number }
  /** An upgrade with missing, garbled or wrong credentials. */
  | { readonly kind: 'bad-token'; readonly query: string }
  /** A resume with a handle minted under another share token (API key). */
  | { readonly kind: 'foreign-handle' }
  /** A client that opens a connection and never closes it (until the run ends). */
  | { readonly kind: 'never-close' }
  /** A frame that carries the client's own secrets (its share token or API key, a handle it holds): the journal must hold only their fingerprints. */
  | { readonly kind: 'secret-in-frame'; readonly prefix: string }
  /** A TCP reset on an open connection, optionally in the middle of a frame. */
  | { readonly kind: 'reset'; readonly midFrame: boolean };

export type HostileKind = HostileInput['kind'];
export type Face = 'ai-voice' | 'gemini-live';

export const weightOf = (input: HostileInput): number => (input.kind === 'flood' ? input.frames.length : 1);

const notJson = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !parses(s)),
  fc.string({ maxLength: 60 }).map((s) => `{${s}`),
  fc.constantFrom('{', '[', '{"type":', 'null,', '{"type":"prospect_message","text":"unterminated', '\u0000\u0001', 'NaN', '{"a":1}}'),
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Near misses of the face's real messages: right keys with wrong types, extra keys, deep nesting. */
function nearMiss(face: Face): fc.Arbitrary<string> {
  const anyValue = fc.jsonValue({ maxDepth: 3 });
  const aiVoice = fc.oneof(
    fc.record({ type: fc.constantFrom('prospect_message', 'end_conversation', 'session:resumed', 'PROSPECT_MESSAGE', ''), text: anyValue }),
    fc.record({ type: anyValue, text: fc.string() }),
    fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 6 }),
  );
  const gemini = fc.oneof(
    fc.record({ setup: anyValue }),
    fc.record({ clientContent: fc.record({ turns: anyValue, turnComplete: anyValue }) }),
    fc.record({ realtimeInput: fc.record({ turnComplete: fc.boolean(), text: anyValue }) }),
    fc.record({ toolResponse: anyValue, clientContent: anyValue }),
    fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 6 }),
  );
  return fc.oneof(face === 'ai-voice' ? aiVoice : gemini, anyValue, fc.constant('x'.repeat(10_000))).map((v) => JSON.stringify(v) ?? 'null');
}

/** A valid message of the face, repeated in a flood (each is journaled as a frame). */
function floodFrame(face: Face): fc.Arbitrary<string> {
  if (face === 'ai-voice') return fc.oneof(fc.string({ maxLength: 80 }).map((text) => JSON.stringify({ type: 'prospect_message', text })), notJson);
  // Audio chunks carry no words: a flood that keeps the Gemini connection open frame after frame.
  return fc.base64String({ minLength: 4, maxLength: 64 }).map((data) => JSON.stringify({ realtimeInput: { audio: { data, mimeType: 'audio/pcm;rate=16000' } } }));
}

function badQuery(face: Face): fc.Arbitrary<string> {
  const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(''), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 64 }));
  const param = (name: string) => fc.option(junk.map((v) => `${name}=${encodeURIComponent(v)}`), { nil: undefined });
  const parts = face === 'ai-voice'
    ? fc.tuple(fc.option(fc.constantFrom('mode=sales_agent', 'mode=other', 'mode='), { nil: undefined }), param('sessionToken'), param('shareToken'), param('resumeHandle'))
    : fc.tuple(param('key'), param('access_token'), fc.constant(undefined), fc.constant(undefined));
  return parts.map((p) => p.filter((x): x is string => x !== undefined).join('&'));
}

export function hostileInput(face: Face): fc.Arbitrary<HostileInput> {
  return fc.oneof(
    { weight: 25, arbitrary: notJson.map((text) => ({ kind: 'invalid-json' as const, text })) },
    { weight: 18, arbitrary: nearMiss(face).map((text) => ({ kind: 'wrong-shape' as const, text })) },
    { weight: 10, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 512 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
    { weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => ({ kind: 'bad-utf8' as const, bytes: new Uint8Array([...b, 0xc3, 0x28, 0xff]) })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4096 }).map((extra) => ({ kind: 'oversize' as const, extra })) },
    { weight: 2, arbitrary: fc.array(floodFrame(face), { minLength: 20, maxLength: 80 }).map((frames) => ({ kind: 'flood' as const, frames })) },
    { weight: 2, arbitrary: fc.tuple(badQuery(face), fc.integer({ min: 1, max: 16 })).map(([query, chunk]) => ({ kind: 'slow-loris' as const, query, chunk })) },
    { weight: 10, arbitrary: badQuery(face).map((query) => ({ kind: 'bad-token' as const, query })) },
    { weight: 3, arbitrary: fc.constant({ kind: 'foreign-handle' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'never-close' as const }) },
    { weight: 4, arbitrary: fc.boolean().map((midFrame) => ({ kind: 'reset' as const, midFrame })) },
    { weight: 3, arbitrary: fc.string({ maxLength: 20 }).map((prefix) => ({ kind: 'secret-in-frame' as const, prefix })) },
  );
}

/** Inputs drawn until they count for at least `count`, the same for the same seed. */
export function drawInputs(face: Face, count: number, seed: number): HostileInput[] {
  const out: HostileInput[] = [];
  let total = 0;
  let round = 0;
  while (total < count) {
    const batch = fc.sample(hostileInput(face), { seed: seed + round * 7919, numRuns: 500 });
    for (const input of batch) {
      if (total >= count) break;
      out.push(input);
      total += weightOf(input);
    }
    round += 1;
  }
  return out;
}
