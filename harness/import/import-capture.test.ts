/**
 * `import` on hand-written captures: each format detected by content and turned into a valid
 * scenario holding what the capture showed; bad input named by entry or line with exit 2;
 * and no secret of a capture full of tokens and handles in the written scenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import type { CliIo } from '../cli/run-command.ts';
import { loadImported, tempDir } from './testing/capture-run.ts';
import { aiVoiceHar, aiVoiceJsonl, SECRETS, write } from './testing/captures.ts';
import { importCapture } from './import-capture.ts';

function io(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream,
    stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream,
    cwd,
    out: () => out,
    err: () => err,
  };
}

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

const ALL_SECRETS = [SECRETS.sessionToken, SECRETS.shareToken, SECRETS.apiKey, SECRETS.bearer, ...SECRETS.handles];

describe.each([
  ['har', () => write(dir, 'field.har', aiVoiceHar())],
  ['frames-jsonl', () => write(dir, 'field.jsonl', aiVoiceJsonl())],
])('a %s capture of an AI-voice server', (format, make) => {
  it('becomes a valid scenario with the drop, the resume, the malformed frame and the turns', async () => {
    const file = make();
    const out = join(dir, `${format}.scenario.json`);
    const result = await importCapture(file, out);
    expect(result.format).toBe(format);
    const scenario = loadImported(out);
    expect(scenario.conversation.maxTurns).toBe(3);
    expect(scenario.server.expiry.enabled).toBe(false);
    const drop = scenario.server.faults.find((f) => JSON.stringify(f.do).includes('"drop"'));
    expect(drop?.when).toEqual({ turn: 2, phase: 'mid-turn' });
    const raw = scenario.server.faults.find((f) => JSON.stringify(f.do).includes('sendRaw'));
    expect(raw?.when).toEqual({ event: 'agent-final' });
    expect(scenario.expect.outcome).toBe('completes');
    expect(scenario.provenance[0]).toMatch(/sha256:[0-9a-f]{64}$/);
    expect(scenario.description).toMatch(/Inferred: .*Assumed: /);
    expect(JSON.parse(readFileSync(out, 'utf8')).$schema).toMatch(/scenario\.schema\.json$/);
  });

  it('writes none of the tokens, keys and handles it holds', async () => {
    const file = make();
    const out = join(dir, `${format}-secrets.scenario.json`);
    const result = await importCapture(file, out);
    const written = readFileSync(out, 'utf8');
    expect(readFileSync(file, 'utf8')).toContain(SECRETS.handles[1]);
    for (const secret of ALL_SECRETS) {
      if (format === 'har' || secret !== SECRETS.bearer) expect(result.secrets.some((s) => s === secret) || !readFileSync(file, 'utf8').includes(secret)).toBe(true);
      expect(written, secret).not.toContain(secret);
      expect(written, secret).not.toContain(encodeURIComponent(secret));
    }
  });
});

describe('bad input: exit 2, naming the entry or line', () => {
  const cases: Array<[string, string, string | Record<string, unknown>, RegExp]> = [
    ['a truncated HAR', 'truncated.har', JSON.stringify(aiVoiceHar()).slice(0, 900), /truncated\.har: not a complete HAR: .*truncated/],
    ['a HAR with no WebSocket entry', 'plain.har', { log: { version: '1.2', creator: { name: 'x' }, entries: [{ request: { url: 'https://a.test/' } }] } }, /no WebSocket entry: none of its 1 entries/],
    ['binary-only frames', 'audio.jsonl', `${JSON.stringify({ t: 0, conn: 1, dir: 'out', binary: 4800 })}\n${JSON.stringify({ t: 1, conn: 1, dir: 'out', binary: 'AAECAwQF' })}\n`, /binary frames only \(2\)/],
    ['an unknown message type in a HAR', 'odd.har', { log: { creator: { name: 'x' }, entries: [{ startedDateTime: '2026-01-01T00:00:00Z', request: { url: 'wss://a.test/ws' }, _webSocketMessages: [{ type: 'ping', time: 1, opcode: 9, data: '' }] }] } }, /entries\[0\]\._webSocketMessages\[0\]: unknown message type "ping"/],
    ['an unknown record in a JSONL capture', 'odd.jsonl', `${JSON.stringify({ t: 0, conn: 1, dir: 'out', text: '{"type":"transcript","role":"agent","text":"a","final":true}' })}\n${JSON.stringify({ t: 1, conn: 1, dir: 'sideways', text: 'x' })}\n`, /odd\.jsonl: line 2: unknown record/],
    ['a truncated JSONL line', 'cut.jsonl', `${JSON.stringify({ t: 0, conn: 1, dir: 'out', text: '{"type":"transcript","role":"agent","text":"a","final":true}' })}\n{"t": 1, "conn": 1, "dir": "ou`, /cut\.jsonl: line 2: not a JSON object/],
    ['a capture of another protocol', 'socketio.jsonl', `${JSON.stringify({ t: 0, conn: 1, dir: 'out', text: '{"event":"message","payload":{"text":"hi"}}' })}\n`, /line 1: a capture of another protocol/],
    ['a file that is no capture', 'notes.txt', 'hello world\n', /notes\.txt: line 1: not a capture import knows/],
  ];
  it.each(cases)('%s', async (_name, file, content, message) => {
    const path = write(dir, file, content);
    const cli = io(dir);
    const code = await main(['import', path, '--out', join(dir, 'never.scenario.json')], cli);
    expect(code).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).toContain('[IMPORT_BAD_CAPTURE]');
  });

  it('one bad capture does not stop the others', async () => {
    const good = write(dir, 'good.jsonl', aiVoiceJsonl());
    const bad = write(dir, 'bad.har', '{"log": {"entries": [');
    const outDir = join(dir, 'several');
    const cli = io(dir);
    const code = await main(['import', bad, good, '--out', outDir], cli);
    expect(code).toBe(2);
    expect(cli.err()).toMatch(/bad\.har: not a complete HAR/);
    expect(loadImported(join(outDir, 'imported-good.scenario.json')).conversation.maxTurns).toBe(3);
  });
});

describe('the example captures of examples/captures/', () => {
  const example = (name: string): string => new URL(`../../examples/captures/${name}`, import.meta.url).pathname;

  it('a Gemini Live JSONL capture gives a gemini-live scenario with the accept-then-close rejection', async () => {
    const out = join(dir, 'gemini.scenario.json');
    const result = await importCapture(example('accept-then-close.gemini.frames.jsonl'), out);
    expect(result.protocol).toBe('gemini-live');
    const scenario = loadImported(out);
    expect(scenario.faces).toEqual(['gemini-live']);
    expect(scenario.server.validation).toMatchObject({ reject: 'accept-then-close', rejectAll: true, acceptThenClose: { code: 1011, reason: 'Internal error occurred.', sendResumed: false } });
    expect(scenario.expect.outcome).toBe('reports-loss');
  });

  it('a serve journal gives the 4003 rejection', async () => {
    const out = join(dir, 'journal.scenario.json');
    expect((await importCapture(example('invalid-handle-4003.serve-journal.jsonl'), out)).format).toBe('serve-journal');
    expect(loadImported(out).server.validation).toMatchObject({ reject: 'close-4003', rejectAll: true });
  });

  it('a scenario report written by `run` imports to the same drop', async () => {
    const har = join(dir, 'from-har.scenario.json');
    await importCapture(example('unexpected-close.har'), har);
    const reports = join(dir, 'reports');
    const cli = io(dir);
    expect(await main(['run', har, '--report-dir', reports, '--format', 'json', '--seed', '1'], cli)).toBe(0);
    const report = readdirSync(reports, { recursive: true }).map(String).find((f) => f.endsWith('imported-unexpected-close.json'));
    expect(report).toBeDefined();
    const out = join(dir, 'from-report.scenario.json');
    expect((await importCapture(join(reports, report!), out)).format).toBe('report-json');
    const fromReport = loadImported(out);
    expect(fromReport.server.faults.map((f) => [f.when, f.do])).toEqual(loadImported(har).server.faults.map((f) => [f.when, f.do]));
    expect(fromReport.conversation.maxTurns).toBe(8);
  });
});

describe('inference details', () => {
  const line = (o: unknown): string => JSON.stringify(o);
  const say = (type: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ type, ...extra });

  it('a notice, then silence and a late 1008 close: lifetime, timeLeft, closeAfter, code and silence', async () => {
    const lines = [
      line({ t: 0, conn: 'a', dir: 'out', text: say('transcript', { role: 'agent', text: 'hi', final: true }) }),
      line({ t: 0, conn: 'a', dir: 'out', text: say('session_resumption_update', { handle: 'h-abcdefgh-0001', resumable: true }) }),
      line({ t: 530, conn: 'a', dir: 'in', text: say('prospect_message', { text: 'one' }) }),
      line({ t: 550, conn: 'a', dir: 'out', text: say('session_expiring', { message: 'bye soon', timeLeft: 50, hasHandle: false }) }),
      line({ t: 625, conn: 'a', close: { code: 1008, reason: 'The operation was aborted.', by: 'server' } }),
    ];
    const file = write(dir, 'overrun.jsonl', `${lines.join('\n')}\n`);
    const out = join(dir, 'overrun.scenario.json');
    await importCapture(file, out);
    const scenario = loadImported(out);
    expect(scenario.server.expiry).toMatchObject({ enabled: true, lifetime: 600, timeLeft: 50, closeAfter: 75, closeCode: 1008, closeReason: 'The operation was aborted.', silentAfterNotice: true });
    expect(scenario.group).toBe('expiry');
  });

  it('a DevTools HAR records no close: a connection followed by another is assumed dropped, and the description says so', async () => {
    const har = aiVoiceHar() as { log: { entries: Array<Record<string, unknown>> } };
    for (const entry of har.log.entries) delete entry._webSocketClose;
    const out = join(dir, 'devtools.scenario.json');
    const result = await importCapture(write(dir, 'devtools.har', har), out);
    expect(result.assumed.join(' ')).toMatch(/connection 1 ended with no close .* assumed dropped \(1006\)/);
    const scenario = loadImported(out);
    expect(scenario.server.faults.some((f) => JSON.stringify(f.do) === '{"drop":{"delay":0}}')).toBe(true);
    expect(scenario.description).toContain('assumed dropped (1006)');
  });

  it('a frame holding a handle is kept redacted, not dropped', async () => {
    const out = join(dir, 'kept.scenario.json');
    await importCapture(write(dir, 'kept.jsonl', aiVoiceJsonl()), out);
    const raw = loadImported(out).server.faults.map((f) => JSON.stringify(f.do)).find((d) => d.includes('sendRaw'));
    expect(raw).toMatch(/broken ‹[0-9a-f]{8}›/);
  });
});

describe('a Gemini Live capture full of handles and a key', () => {
  it('writes none of them', async () => {
    const [h0, h1, h2] = SECRETS.handles;
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64');
    const rec = (t: number, conn: string, dir: 'in' | 'out', o: unknown, binary = false): string => JSON.stringify(binary ? { t, conn, dir, binary: b64(o) } : { t, conn, dir, text: JSON.stringify(o) });
    const lines = [
      JSON.stringify({ t: 0, conn: 'g1', open: { url: `wss://generativelanguage.example.test/ws/BidiGenerateContent?key=${SECRETS.apiKey}` } }),
      rec(0, 'g1', 'in', { setup: { model: 'models/x', sessionResumption: {} } }),
      rec(0.1, 'g1', 'out', { setupComplete: {} }, true),
      rec(1, 'g1', 'in', { clientContent: { turns: [{ role: 'user', parts: [{ text: 'hello' }] }], turnComplete: true } }),
      rec(2, 'g1', 'out', { serverContent: { outputTranscription: { text: 'hi' } } }, true),
      rec(2.5, 'g1', 'out', { serverContent: { turnComplete: true } }, true),
      rec(2.5, 'g1', 'out', { sessionResumptionUpdate: { newHandle: h0, resumable: true } }, true),
      rec(3, 'g1', 'out', { goAway: { timeLeft: '50s' } }, true),
      rec(3.1, 'g1', 'out', { sessionResumptionUpdate: { newHandle: h1, resumable: true } }, true),
      rec(3.2, 'g1', 'out', { somethingNew: { handle: h2 } }, true),
      JSON.stringify({ t: 53, conn: 'g1', close: { code: 1011, reason: `Deadline expired ${h1}`, by: 'server' } }),
      JSON.stringify({ t: 54, conn: 'g2', open: { url: `wss://generativelanguage.example.test/ws/BidiGenerateContent?key=${SECRETS.apiKey}` } }),
      rec(54, 'g2', 'in', { setup: { model: 'models/x', sessionResumption: { handle: h1 } } }),
      JSON.stringify({ t: 54.2, conn: 'g2', close: { code: 1008, reason: `BidiGenerateContent session not found: ${h1}`, by: 'server' } }),
    ];
    const file = write(dir, 'gemini-secrets.jsonl', `${lines.join('\n')}\n`);
    const out = join(dir, 'gemini-secrets.scenario.json');
    const result = await importCapture(file, out);
    expect(result.protocol).toBe('gemini-live');
    const written = readFileSync(out, 'utf8');
    for (const secret of [SECRETS.apiKey, h0, h1, h2]) expect(written, secret).not.toContain(secret);
    const scenario = loadImported(out);
    expect(scenario.server.validation).toMatchObject({ reject: 'close', rejectAll: true, rejectClose: { code: 1008, reason: expect.stringMatching(/^BidiGenerateContent session not found: ‹[0-9a-f]{8}›$/) } });
    expect(scenario.server.expiry).toMatchObject({ timeLeft: 50, closeCode: 1011 });
  });
});

describe('the command line', () => {
  it('without a file: one line naming what is missing and where the help is, exit 2', async () => {
    const cli = io(dir);
    expect(await main(['import'], cli)).toBe(2);
    expect(cli.err()).toBe("resume-harness: missing required argument 'files' (see: resume-harness import --help)\n");
  });

  it('without --out: ./imported-<name>.scenario.json, and what was inferred and assumed on stdout', async () => {
    const work = tempDir();
    const file = write(work, 'Field Capture.jsonl', aiVoiceJsonl());
    const cli = io(work);
    expect(await main(['import', file], cli)).toBe(0);
    expect(loadImported(join(work, 'imported-field-capture.scenario.json')).id).toBe('imported-field-capture');
    expect(cli.out()).toMatch(/frames-jsonl, ai-voice → .*imported-field-capture\.scenario\.json[\s\S]*inferred: [\s\S]*assumed: /);
  });
});
