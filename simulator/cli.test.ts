import { describe, expect, it } from 'vitest';
import { SutEnv } from '../protocol/sut-result.ts';
import { clockFor, parseCliConfig, resultForFile, UsageError } from './cli.ts';

const env = {
  [SutEnv.httpUrl]: 'http://127.0.0.1:4000',
  [SutEnv.wsUrl]: 'ws://127.0.0.1:4000/ws/ai-voice',
  [SutEnv.shareToken]: 'share_abc123456',
  [SutEnv.maxTurns]: '12',
  [SutEnv.seed]: '7',
  [SutEnv.timeScale]: '0.01',
  [SutEnv.result]: '/tmp/result.json',
};

describe('cli configuration', () => {
  it('reads the sut-contract variables', () => {
    const config = parseCliConfig([], env);
    expect(config.options).toMatchObject({
      httpUrl: 'http://127.0.0.1:4000',
      wsUrl: 'ws://127.0.0.1:4000/ws/ai-voice',
      shareToken: 'share_abc123456',
      maxTurns: 12,
      seed: 7,
    });
    expect(config.timeScale).toBe(0.01);
    expect(config.resultPath).toBe('/tmp/result.json');
    expect(config.includeEvents).toBe(false);
  });

  it('falls back to flags where a variable is unset', () => {
    const config = parseCliConfig(
      ['--http-url', 'http://h.test', '--ws-url', 'ws://h.test/ws/ai-voice', '--share-token', 'tok12345', '--max-turns', '3', '--seed', '9', '--events', '--fallback', 'new-session'],
      {},
    );
    expect(config.options).toMatchObject({ httpUrl: 'http://h.test', maxTurns: 3, seed: 9, policy: { fallback: 'new-session' } });
    expect(config.includeEvents).toBe(true);
    expect(config.timeScale).toBeUndefined();
    expect(config.resultPath).toBeUndefined();
  });

  it.each([
    [SutEnv.httpUrl],
    [SutEnv.wsUrl],
    [SutEnv.shareToken],
    [SutEnv.maxTurns],
  ])('names the missing variable %s', (name) => {
    const partial: Record<string, string> = { ...env };
    delete partial[name];
    expect(() => parseCliConfig([], partial)).toThrow(UsageError);
    expect(() => parseCliConfig([], partial)).toThrow(name);
  });

  it('refuses malformed numbers, scales and URLs, and unknown flags', () => {
    expect(() => parseCliConfig([], { ...env, [SutEnv.maxTurns]: 'twelve' })).toThrow(SutEnv.maxTurns);
    expect(() => parseCliConfig([], { ...env, [SutEnv.timeScale]: '0' })).toThrow(SutEnv.timeScale);
    expect(() => parseCliConfig([], { ...env, [SutEnv.wsUrl]: 'not a url' })).toThrow(SutEnv.wsUrl);
    expect(() => parseCliConfig(['--bogus'], env)).toThrow(UsageError);
  });

  it('scales protocol time when a time scale is given', () => {
    expect(clockFor(undefined).now()).toBeGreaterThan(1e12);
    expect(clockFor(0.01).now()).toBeLessThan(1000);
  });

  it('writes the result without the event log unless asked', () => {
    const result = { status: 'completed' as const, turns: 2, reconnects: 0, contextLost: false, events: [{ t: 0, kind: 'x' }] };
    expect(resultForFile(result, false)).toEqual({ status: 'completed', turns: 2, reconnects: 0, contextLost: false });
    expect(resultForFile(result, true)).toHaveProperty('events');
  });
});
