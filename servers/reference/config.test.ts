import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

const AGENTS = JSON.stringify([{ shareToken: 'share_secret_1', model: 'gemini-live-2.5-flash-preview', systemInstruction: 'You are Riley.' }]);
const env = (over: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
  RESUME_HARNESS_PORT: '41235',
  GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:41236',
  GEMINI_API_KEY: 'rh-test-key',
  RESUME_HARNESS_AGENTS: AGENTS,
  RESUME_HARNESS_TIME_SCALE: '0.01',
  ...over,
});

describe('readConfig (server-contract.md §1)', () => {
  it('reads the contract variables by their exact names', () => {
    const config = readConfig(env());
    expect(config).toMatchObject({ port: 41235, baseUrl: 'http://127.0.0.1:41236', apiKey: 'rh-test-key', timeScale: 0.01 });
    expect(config.agents.get('share_secret_1')).toEqual({ shareToken: 'share_secret_1', model: 'gemini-live-2.5-flash-preview', systemInstruction: 'You are Riley.' });
  });

  it('time scale 1 when unset; an agent without an instruction gets an empty one', () => {
    const config = readConfig(env({ RESUME_HARNESS_TIME_SCALE: undefined, RESUME_HARNESS_AGENTS: '[{"shareToken":"s","model":"m"}]' }));
    expect(config.timeScale).toBe(1);
    expect(config.agents.get('s')?.systemInstruction).toBe('');
  });

  it.each([
    ['RESUME_HARNESS_PORT', 'x', /RESUME_HARNESS_PORT/],
    ['RESUME_HARNESS_PORT', '70000', /RESUME_HARNESS_PORT/],
    ['GEMINI_API_KEY', undefined, /GEMINI_API_KEY is not set/],
    ['RESUME_HARNESS_TIME_SCALE', '0', /RESUME_HARNESS_TIME_SCALE/],
    ['RESUME_HARNESS_AGENTS', 'not json', /not JSON/],
    ['RESUME_HARNESS_AGENTS', '[]', /RESUME_HARNESS_AGENTS/],
    ['RESUME_HARNESS_AGENTS', '[{"shareToken":"a","model":"m"},{"shareToken":"a","model":"n"}]', /twice/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => readConfig(env({ [name]: value }))).toThrow(ConfigError);
    expect(() => readConfig(env({ [name]: value }))).toThrow(message);
  });

  it('never repeats a share token in its error', () => {
    const broken = JSON.stringify([{ shareToken: 'share_secret_1', model: 42 }]);
    expect(() => readConfig(env({ RESUME_HARNESS_AGENTS: broken }))).toThrow(expect.objectContaining({ message: expect.not.stringContaining('share_secret_1') }));
  });
});
