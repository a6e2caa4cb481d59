import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiVoiceServer } from '../faces/ai-voice/ai-voice-server.ts';
import { manualClock } from '../testing/fake-port.ts';
import { acceptScript, isValidScript, ServerScript } from './schema.ts';

describe('a script is validated once', () => {
  it('what ServerScript.parse produced is recognised and taken as it is', () => {
    const parsed = ServerScript.parse({ expiry: { lifetime: 30 } });
    expect(isValidScript(parsed)).toBe(true);
    expect(acceptScript(parsed)).toBe(parsed);
    expect(new AiVoiceServer({ clock: manualClock(), seed: 1, script: parsed }).script).toBe(parsed);
  });

  it('a script parsed inside a larger schema (the scenario loader) is recognised too', () => {
    const File = z.strictObject({ server: ServerScript.prefault({}) });
    expect(isValidScript(File.parse({}).server)).toBe(true);
    expect(isValidScript(File.parse({ server: { toxics: [] } }).server)).toBe(true);
  });

  it('raw input, even shaped like a parsed script, is validated: defaults filled, errors thrown', () => {
    const raw = { expiry: { lifetime: 30 } };
    const accepted = acceptScript(raw);
    expect(accepted).not.toBe(raw);
    expect(accepted.expiry.timeLeft).toBe(60);
    const lookalike = structuredClone(ServerScript.parse({}));
    expect(isValidScript(lookalike)).toBe(false);
    expect(acceptScript(lookalike)).not.toBe(lookalike);
    expect(() => acceptScript({ expiry: { lifetime: -1 } })).toThrow(expect.objectContaining({ name: 'MockServerError', code: 'MOCK_SCRIPT_INVALID' }));
    expect(() => acceptScript({ expiry: { lifetime: -1 } })).toThrow(ServerScript.safeParse({ expiry: { lifetime: -1 } }).error!.message);
    expect(() => new AiVoiceServer({ clock: manualClock(), script: { nonsense: true } as never })).toThrow();
    expect(acceptScript(undefined)).toEqual(ServerScript.parse({}));
  });
});
