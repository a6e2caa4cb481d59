import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../protocol/redact.ts';
import { redactDeep } from './redaction.ts';

describe('redactDeep', () => {
  const secret = 'bearer-handle-0123456789';
  const longer = `${secret}-and-more`;

  it('replaces secrets in every string, keys included, at any depth', () => {
    const out = redactDeep({ a: [`x ${secret} y`, { [secret]: longer }], n: 3, b: true, z: null }, [secret, longer]);
    expect(out).toEqual({ a: [`x ${fingerprint(secret)} y`, { [fingerprint(secret)]: fingerprint(longer) }], n: 3, b: true, z: null });
  });

  it('returns a copy and leaves the input alone', () => {
    const input = { line: secret };
    const out = redactDeep(input, [secret]);
    expect(input.line).toBe(secret);
    expect(out).not.toBe(input);
    expect(redactDeep(input, [])).not.toBe(input);
  });

  it('ignores strings too short to be a secret, as redactText does', () => {
    expect(redactDeep({ s: 'abc' }, ['abc'])).toEqual({ s: 'abc' });
  });
});

describe('redactDeep and redactText agree', () => {
  it('on any text with secrets embedded, nested or overlapping', async () => {
    const fc = (await import('fast-check')).default;
    const { redactText } = await import('../../protocol/redact.ts');
    const secret = fc.string({ minLength: 6, maxLength: 20, unit: fc.constantFrom('a', 'b', 'c', '.', '*', '(', '‹') });
    fc.assert(
      fc.property(fc.array(secret, { minLength: 1, maxLength: 6 }), fc.array(fc.oneof(fc.string({ maxLength: 5 }), secret), { maxLength: 8 }), (secrets, pieces) => {
        const text = pieces.join('');
        expect(redactDeep({ text }, secrets).text).toBe(redactText(text, secrets));
      }),
      { numRuns: 500 },
    );
  });
});
