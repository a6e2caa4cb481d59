/**
 * The real @google/genai 2.32.0 is the acceptance test of the Gemini Live face
 * (docs/gemini-live.md §1.8, §7): a GeminiLiveServer on 127.0.0.1 must carry the SDK through
 * setup, text and audio turns, handle updates, goAway and a resume, and the journal must say
 * what happened. Raw `ws` clients check what the SDK hides (frame type, snake_case).
 * No timers: every wait is on an event or a promise; script delays are hundredths of a second.
 */
import { Modality, type LiveServerMessage } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { GeminiCloses } from '../../protocol/gemini-live/close-codes.ts';
import { parseDuration } from '../../protocol/gemini-live/duration.ts';
import { geminiPath, nextHandle, rawClient, sdkConnect, startGemini, untilTurnComplete, type GeminiRig, type RawClient, type RawFrame } from '../testing/gemini-sdk.ts';

let rig: GeminiRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const say = (text: string) => ({ turns: [{ role: 'user', parts: [{ text }] }] });
const textOf = (messages: readonly LiveServerMessage[]): string => messages.map((m) => m.text ?? '').join('');
/** What each message is, by its first key (serverContent by its own first key). */
const kinds = (messages: readonly LiveServerMessage[]): string[] =>
  messages.map((m) => {
    if (m.serverContent) return Object.keys(m.serverContent).filter((k) => (m.serverContent as Record<string, unknown>)[k] !== undefined)[0]!;
    return Object.entries(m as object).filter(([, v]) => v !== undefined)[0]![0];
  });

/** A raw client's frames up to turnComplete, as the model's words. */
async function rawTurn(raw: RawClient): Promise<string> {
  const isDone = (f: RawFrame): boolean => (JSON.parse(f.text) as LiveServerMessage).serverContent?.turnComplete === true;
  const { skipped, item } = await raw.frames.until(isDone);
  return [...skipped, item].map((f) => JSON.parse(f.text) as LiveServerMessage).map((m) => m.serverContent?.modelTurn?.parts?.[0]?.text ?? '').join('');
}

describe('@google/genai 2.32.0 against GeminiLiveServer: a session', () => {
  it('connect() resolves on setupComplete, which arrives as a binary frame of pretty-printed JSON (§1.2)', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT] });
    const session = await sdk.connecting;
    expect(await sdk.messages.next()).toEqual({ setupComplete: {} });
    session.close();
    expect((await sdk.closed).code).toBe(1005);

    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}?key=${rig.server.apiKey}`);
    await raw.opened;
    raw.send({ setup: { model: 'models/x' } });
    const frame = await raw.frames.next();
    expect(frame.isBinary).toBe(true);
    expect(frame.text).toBe(`${JSON.stringify({ setupComplete: {} }, null, 2)}\n`);
    raw.ws.close();
    await raw.closed;

    const setupIn = rig.server.journal.of('frame-in').find((f) => f.type === 'setup');
    expect(setupIn).toMatchObject({ decoded: 'valid', binary: false });
    expect(rig.server.journal.of('frame-out').filter((f) => f.type === 'setupComplete').every((f) => f.binary)).toBe(true);
  });

  it('a TEXT turn: modelTurn text parts, then generationComplete, then turnComplete with usageMetadata (§1.4)', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT] });
    const session = await sdk.connecting;
    expect(await sdk.messages.next()).toEqual({ setupComplete: {} });
    session.sendClientContent(say("Hi, I'm Dana from Acme."));
    const turn = await untilTurnComplete(sdk.messages);
    const k = kinds(turn);
    const parts = turn.filter((m) => m.serverContent?.modelTurn);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(k).toEqual([...parts.map(() => 'modelTurn'), 'generationComplete', 'turnComplete']);
    for (const m of parts) expect(m.serverContent?.modelTurn?.parts?.every((p) => typeof p.text === 'string')).toBe(true);
    // A fresh model, spoken to first, answers the introduction it just heard (sales-agent.ts).
    expect(textOf(parts)).toMatch(/^Nice to meet you, Dana\. I'm \w+ from the /);
    expect(rig.server.journal.of('frame-out').filter((f) => f.type === 'serverContent' && f.text?.includes('"modelTurn"'))).toHaveLength(parts.length);
    const done = turn.at(-1)!;
    expect(done.usageMetadata).toMatchObject({ responseTokenCount: expect.any(Number), totalTokenCount: expect.any(Number) });
    expect(done.usageMetadata!.totalTokenCount).toBe(done.usageMetadata!.promptTokenCount! + done.usageMetadata!.responseTokenCount!);
    session.close();
    await sdk.closed;

    const j = rig.server.journal;
    expect(j.of('prospect-turn')).toHaveLength(1);
    expect(j.of('agent-turn')).toMatchObject([{ turn: 1, greeting: false }]);
    expect(j.of('frame-in').map((f) => f.type)).toEqual(['setup', 'clientContent']);
    expect(j.of('close').at(-1)).toMatchObject({ code: 1005, by: 'client' });
  });

  it('an AUDIO turn: inlineData audio parts and outputTranscription text (§1.4)', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.AUDIO], outputAudioTranscription: {} });
    const session = await sdk.connecting;
    await sdk.messages.next();
    session.sendClientContent(say("Hi, I'm Dana from Acme."));
    const turn = await untilTurnComplete(sdk.messages);
    const audio = turn.filter((m) => m.serverContent?.modelTurn);
    expect(audio.length).toBeGreaterThanOrEqual(1);
    for (const m of audio) {
      const part = m.serverContent!.modelTurn!.parts![0]!;
      expect(part.text).toBeUndefined();
      expect(part.inlineData?.mimeType).toBe('audio/pcm;rate=24000');
      expect(Buffer.from(m.data!, 'base64').byteLength).toBeGreaterThan(0);
    }
    const transcript = turn.filter((m) => m.serverContent?.outputTranscription).map((m) => m.serverContent!.outputTranscription!.text).join('');
    expect(transcript).toMatch(/^Nice to meet you, Dana\./);
    // Each audio chunk is followed by its words (§1.4: transcription beside the audio).
    expect(kinds(turn).slice(0, 2)).toEqual(['modelTurn', 'outputTranscription']);
    expect(turn.filter((m) => m.serverContent?.outputTranscription)).toHaveLength(audio.length);
    expect(kinds(turn).slice(-2)).toEqual(['generationComplete', 'turnComplete']);
    session.close();
    await sdk.closed;
  });

  it('realtimeInput {text} is answered as a turn', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT] });
    const session = await sdk.connecting;
    await sdk.messages.next();
    session.sendRealtimeInput({ text: "I'm Dana from Acme." });
    expect(textOf(await untilTurnComplete(sdk.messages)).length).toBeGreaterThan(0);
    session.sendRealtimeInput({ text: 'What does it cost?' });
    // The second answer knows the first message: it entered the context as a user turn.
    expect(textOf(await untilTurnComplete(sdk.messages))).toContain('Thanks, Dana.');
    session.close();
    await sdk.closed;
    expect(rig.server.journal.of('frame-in').map((f) => f.type)).toEqual(['setup', 'realtimeInput', 'realtimeInput']);
    expect(rig.server.journal.of('prospect-turn').map((t) => t.turn)).toEqual([1, 2]);
  });

  it('snake_case client frames are accepted as camelCase ones are (§1.2)', async () => {
    rig = await startGemini();
    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}?key=${rig.server.apiKey}`);
    await raw.opened;
    raw.send({ setup: { model: 'models/x', generation_config: { response_modalities: ['TEXT'] } } });
    expect(JSON.parse((await raw.frames.next()).text)).toEqual({ setupComplete: {} });
    raw.send({ client_content: { turns: [{ role: 'user', parts: [{ text: "I'm Dana from Acme." }] }], turn_complete: true } });
    await rawTurn(raw);
    raw.send({ realtime_input: { text: 'What does it cost?' } });
    expect(await rawTurn(raw)).toContain('Thanks, Dana.');
    raw.ws.close();
    await raw.closed;
    expect(rig.server.journal.of('frame-in').map((f) => [f.type, f.decoded])).toEqual([
      ['setup', 'valid'],
      ['clientContent', 'valid'],
      ['realtimeInput', 'valid'],
    ]);
    expect(rig.server.journal.of('prospect-turn')).toHaveLength(2);
  });
});

describe('session resumption (§1.3, §1.4, §1.6)', () => {
  it('without sessionResumption in the setup no sessionResumptionUpdate comes at all', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT] });
    const session = await sdk.connecting;
    session.sendClientContent(say("Hi, I'm Dana from Acme."));
    await untilTurnComplete(sdk.messages);
    session.sendClientContent(say('What does it cost?'));
    await untilTurnComplete(sdk.messages);
    session.close();
    await sdk.closed;
    expect(sdk.log.filter((m) => m.sessionResumptionUpdate)).toEqual([]);
    expect(rig.server.journal.of('handle-issued')).toEqual([]);
    expect(rig.server.journal.of('frame-out').filter((f) => f.type === 'sessionResumptionUpdate')).toEqual([]);
  });

  it('with sessionResumption: {} handles come, and resumable:false with an empty newHandle while the model generates', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT], sessionResumption: {} });
    const session = await sdk.connecting;
    session.sendClientContent(say("Hi, I'm Dana from Acme."));
    await untilTurnComplete(sdk.messages);
    const after = await nextHandle(sdk.messages);
    session.close();
    await sdk.closed;
    const updates = sdk.log.map((m, i) => ({ i, u: m.sessionResumptionUpdate })).filter((x) => x.u);
    const firstModel = sdk.log.findIndex((m) => m.serverContent?.modelTurn);
    const lastModel = sdk.log.findLastIndex((m) => m.serverContent?.turnComplete);
    // Before the turn: a handle; as it starts: not resumable; after it: a new handle.
    const notResumable = updates.filter((x) => x.u!.resumable === false);
    expect(notResumable).toHaveLength(1);
    expect(notResumable[0]!.u).toEqual({ newHandle: '', resumable: false });
    expect(notResumable[0]!.i).toBeLessThan(firstModel);
    expect(updates.filter((x) => x.u!.resumable === true && x.i > lastModel).map((x) => x.u!.newHandle)).toContain(after);
    expect(rig.server.journal.of('not-resumable')).toHaveLength(1);
    expect(rig.server.journal.of('handle-issued').length).toBe(updates.filter((x) => x.u!.resumable).length);
  });

  it('goAway {timeLeft: "<n>s"} arrives before the deadline; a client that stays is closed 1008 with the overrun reason (§1.5, §1.7)', async () => {
    rig = await startGemini({ expiry: { lifetime: 0.3, timeLeft: 0.2 } });
    const sdk = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT], sessionResumption: {} });
    await sdk.connecting;
    const closed = await sdk.closed;
    expect(closed).toEqual({ code: 1008, reason: GeminiCloses.goAwayOverrun.reason });
    const goAways = sdk.log.filter((m) => m.goAway);
    expect(goAways).toHaveLength(1);
    const timeLeft = goAways[0]!.goAway!.timeLeft!;
    expect(typeof timeLeft).toBe('string');
    const parsed = parseDuration(timeLeft);
    expect(parsed).toMatchObject({ ok: true });
    if (parsed.ok) expect(parsed.duration.seconds + parsed.duration.nanos / 1e9).toBeCloseTo(0.2, 6);
    const expiring = rig.server.journal.of('expiring');
    const close = rig.server.journal.of('close');
    expect(expiring).toHaveLength(1);
    expect(close).toMatchObject([{ code: 1008, by: 'server' }]);
    expect(expiring[0]!.t).toBeLessThan(close[0]!.t);
    expect(close[0]!.t).toBeGreaterThanOrEqual(expiring[0]!.deadline);
  });

  it('a second connect() with the handle resumes: setupComplete, and the model remembers turn 1 (§1.6)', async () => {
    rig = await startGemini();
    const first = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT], sessionResumption: {} });
    const s1 = await first.connecting;
    s1.sendClientContent(say("Hi, I'm Dana from Acme."));
    await untilTurnComplete(first.messages);
    s1.sendClientContent(say('We need better call routing.'));
    await untilTurnComplete(first.messages);
    const handle = await nextHandle(first.messages);
    s1.close();
    await first.closed;

    const second = sdkConnect(rig.ai, { responseModalities: [Modality.TEXT], sessionResumption: { handle } });
    const s2 = await second.connecting;
    expect(await second.messages.next()).toEqual({ setupComplete: {} });
    s2.sendClientContent(say('What would it cost us?'));
    const reply = textOf(await untilTurnComplete(second.messages));
    expect(reply).toContain('Dana');
    expect(reply).toContain('Acme');
    s2.close();
    await second.closed;

    const opens = rig.server.journal.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'resumed']);
    expect(opens[1]).toMatchObject({ ordinal: 2, contextTurns: 2 });
    expect(rig.server.journal.of('agent-turn').map((t) => t.turn)).toEqual([1, 2, 3]);
  });
});
