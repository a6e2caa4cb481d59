import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../protocol/clock.ts';
import { SutEnv } from '../../protocol/sut-result.ts';
import { GeminiLiveServer, startWsServer } from '../../mock-server/index.ts';
import { UsageError } from '../cli-support.ts';
import { GeminiEnv, parseGeminiCliConfig } from './cli.ts';

const env = {
  [GeminiEnv.baseUrl]: 'http://127.0.0.1:4000',
  [GeminiEnv.apiKey]: 'AIzaTestKey123',
  [SutEnv.maxTurns]: '5',
  [SutEnv.seed]: '7',
  [SutEnv.timeScale]: '0.01',
  [SutEnv.result]: '/tmp/result.json',
};

describe('gemini cli configuration', () => {
  it('reads GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY and the RESUME_HARNESS_* variables', () => {
    const config = parseGeminiCliConfig([], env);
    expect(config.options).toEqual({ baseUrl: 'http://127.0.0.1:4000', apiKey: 'AIzaTestKey123', maxTurns: 5, seed: 7 });
    expect(config.timeScale).toBe(0.01);
    expect(config.resultPath).toBe('/tmp/result.json');
  });

  it('falls back to flags, and takes --sdk, --fallback and --mutant', () => {
    const config = parseGeminiCliConfig(['--base-url', 'http://h.test', '--api-key', 'k1234567', '--max-turns', '3', '--sdk', 'web', '--fallback', 'new-session', '--mutant', 'g6-ignores-goaway'], {});
    expect(config.options).toMatchObject({ baseUrl: 'http://h.test', maxTurns: 3, seed: 0, sdk: 'web', policy: { fallback: 'new-session' } });
    expect(config.mutant).toBe('g6-ignores-goaway');
  });

  it.each([[GeminiEnv.baseUrl], [GeminiEnv.apiKey], [SutEnv.maxTurns]])('names the missing variable %s', (name) => {
    const partial: Record<string, string> = { ...env };
    delete partial[name];
    expect(() => parseGeminiCliConfig([], partial)).toThrow(UsageError);
    expect(() => parseGeminiCliConfig([], partial)).toThrow(name);
  });

  it('refuses bad values', () => {
    expect(() => parseGeminiCliConfig([], { ...env, [GeminiEnv.baseUrl]: 'nope' })).toThrow(GeminiEnv.baseUrl);
    expect(() => parseGeminiCliConfig([], { ...env, [SutEnv.timeScale]: '-1' })).toThrow(SutEnv.timeScale);
    expect(() => parseGeminiCliConfig(['--sdk', 'deno'], env)).toThrow('--sdk');
    expect(() => parseGeminiCliConfig(['--mutant', 'g99'], env)).toThrow('--mutant');
  });
});

describe('gemini cli as an external process', () => {
  it('completes a conversation with a goAway against the mock and writes the result (exit 0)', async () => {
    const server = new GeminiLiveServer({ clock: scaledClock(0.01), seed: 5, script: { expiry: { lifetime: 12, timeLeft: 6 } } });
    const running = await startWsServer(server);
    const dir = await mkdtemp(join(tmpdir(), 'gemini-cli-'));
    try {
      const resultPath = join(dir, 'result.json');
      const code = await new Promise<number>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', 'simulator/gemini/cli.ts', '--quiet'],
          { env: { ...process.env, [GeminiEnv.baseUrl]: running.httpUrl, [GeminiEnv.apiKey]: server.apiKey, [SutEnv.maxTurns]: '4', [SutEnv.seed]: '5', [SutEnv.timeScale]: '0.01', [SutEnv.result]: resultPath } },
          () => undefined,
        );
        child.on('exit', (c) => resolve(c ?? -1));
      });
      expect(code).toBe(0);
      const result = JSON.parse(await readFile(resultPath, 'utf8')) as Record<string, unknown>;
      expect(result).toMatchObject({ status: 'completed', turns: 4, contextLost: false });
      // Four prospect messages answered (a turn cut by the deadline under load is asked again: still four).
      expect(new Set(server.journal.of('agent-turn').filter((e) => !e.greeting).map((e) => e.answers)).size).toBe(4);
      expect(server.journal.of('expiring').length).toBeGreaterThan(0);
      expect((result.reconnects as number)).toBeGreaterThan(0);
    } finally {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
