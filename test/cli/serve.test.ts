/**
 * `resume-harness serve`: the mock server alone on 127.0.0.1, printing the sut-contract
 * variables, so a real client can be pointed at it by hand, and judging the conversation
 * (harness/run/serve-session.ts). Time scale 0.02: a few real milliseconds of a loaded machine
 * stay a fraction of a protocol second, so the verdict is the client's, not the machine's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../protocol/clock.ts';
import { serveCommand } from '../../harness/cli/serve-command.ts';
import { GeminiProspect, ProspectSimulator } from '../../simulator/index.ts';

describe('resume-harness serve', () => {
  it('serves a scenario on 127.0.0.1 that a client completes, printing its URLs and redacted journal lines', async () => {
    let text = '';
    const stdout = { write: (s: string) => { text += s; return true; }, isTTY: false } as unknown as NodeJS.WriteStream;
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => { stop = resolve; });
    const serving = serveCommand(['--scenario', 'goaway.early-close', '--seed', '3', '--time-scale', '0.02'], { stdout, stderr: stdout, cwd: process.cwd() }, until);
    for (let i = 0; i < 200 && !text.includes('RESUME_HARNESS_SHARE_TOKEN='); i++) await new Promise((r) => setImmediate(r));
    const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(text)?.[1] ?? '';
    expect(value('RESUME_HARNESS_HTTP_URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(value('RESUME_HARNESS_WS_URL')).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/ai-voice$/);
    const shareToken = value('RESUME_HARNESS_SHARE_TOKEN');
    const result = await new ProspectSimulator({
      httpUrl: value('RESUME_HARNESS_HTTP_URL'),
      wsUrl: value('RESUME_HARNESS_WS_URL'),
      shareToken,
      maxTurns: 12,
      seed: 3,
      clock: scaledClock(0.02),
      WebSocket: WebSocket as never,
    }).run();
    stop();
    // serve judges the conversation now: 0 is its verdict passing (the last lines of its output say why if not).
    expect(await serving, text.slice(-1500)).toBe(0);
    expect(result).toMatchObject({ status: 'completed', turns: 12 });
    expect(result.reconnects).toBeGreaterThanOrEqual(1);
    const journal = text.split('\n').filter((l) => l.startsWith('{'));
    expect(journal.some((l) => l.includes('"kind":"expiring"'))).toBe(true);
    expect(journal.some((l) => l.includes('"resume":"resumed"'))).toBe(true);
    expect(journal.join('\n')).not.toContain(shareToken);
  }, 60_000);

  it('--protocol gemini-live serves the Gemini face: GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY are all a Gemini Live client needs', async () => {
    let text = '';
    const stdout = { write: (s: string) => { text += s; return true; }, isTTY: false } as unknown as NodeJS.WriteStream;
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => { stop = resolve; });
    const serving = serveCommand(['--scenario', 'goaway.early-close', '--protocol', 'gemini-live', '--seed', '3', '--time-scale', '0.02'], { stdout, stderr: stdout, cwd: process.cwd() }, until);
    for (let i = 0; i < 200 && !text.includes('GEMINI_API_KEY='); i++) await new Promise((r) => setImmediate(r));
    const value = (name: string) => new RegExp(`${name}=(\\S+)`).exec(text)?.[1] ?? '';
    expect(text).toContain('on the gemini-live face');
    expect(value('GOOGLE_GEMINI_BASE_URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const apiKey = value('GEMINI_API_KEY');
    const result = await new GeminiProspect({ baseUrl: value('GOOGLE_GEMINI_BASE_URL'), apiKey, maxTurns: 12, seed: 3, clock: scaledClock(0.02) }).run();
    stop();
    // serve judges the conversation now: 0 is its verdict passing (the last lines of its output say why if not).
    expect(await serving, text.slice(-1500)).toBe(0);
    expect(result).toMatchObject({ status: 'completed', turns: 12, contextLost: false });
    const journal = text.split('\n').filter((l) => l.startsWith('{'));
    expect(journal.some((l) => l.includes('"type":"goAway"'))).toBe(true);
    expect(journal.some((l) => l.includes('"resume":"resumed"'))).toBe(true);
    expect(journal.join('\n')).not.toContain(apiKey);
  }, 60_000);

  it('serves a scenario file given by its path from the working directory (not only catalog ids)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-file-'));
    try {
      writeFileSync(join(dir, 'mine.scenario.json'), JSON.stringify({ id: 'mine', title: 't', description: 'd', expectation: 'e', why: 'w', group: 'timing', provenance: ['F15'], conversation: { maxTurns: 2 }, expect: { outcome: 'completes' } }));
      let text = '';
      const stdout = { write: (s: string) => { text += s; return true; }, isTTY: false } as unknown as NodeJS.WriteStream;
      expect(await serveCommand(['--scenario', 'mine.scenario.json'], { stdout, stderr: stdout, cwd: dir }, Promise.resolve())).toBe(0);
      expect(text).toContain('serving scenario mine on the ai-voice face');
      expect(text).toContain('one conversation of 2 turns is judged when it is over');
      expect(text).toContain('no client came; nothing to judge');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a scenario that belongs to the other face, naming it', async () => {
    const io = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
    await expect(serveCommand(['--scenario', 'invalid-handle', '--protocol', 'gemini-live'], { stdout: io, stderr: io, cwd: process.cwd() }, Promise.resolve())).rejects.toThrow(/invalid-handle belongs to ai-voice, not gemini-live/);
  });
});
