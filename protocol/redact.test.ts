import { describe, expect, it } from 'vitest';
import { fingerprint, SecretRedactor } from './redact.ts';

describe('SecretRedactor', () => {
  it('replaces every known secret by its fingerprint', () => {
    const r = new SecretRedactor(4);
    r.add('share_abcdef123456');
    r.add('handle_0123456789abcdef');
    const line = 'url=ws://x?shareToken=share_abcdef123456&resumeHandle=handle_0123456789abcdef again share_abcdef123456';
    const out = r.redact(line);
    expect(out).not.toContain('share_abcdef123456');
    expect(out).not.toContain('handle_0123456789abcdef');
    expect(out).toContain(fingerprint('share_abcdef123456'));
    expect(out).toContain(fingerprint('handle_0123456789abcdef'));
  });

  it('replaces the longer secret whole when one secret contains another', () => {
    const r = new SecretRedactor(4);
    r.add('abcd1234');
    r.add('abcd1234-and-more');
    expect(r.redact('x abcd1234-and-more y')).toBe(`x ${fingerprint('abcd1234-and-more')} y`);
  });

  it('also catches URL-encoded secrets and short (>= 4 chars) tokens', () => {
    const r = new SecretRedactor(4);
    r.add('tok/en+=');
    r.add('s3cr');
    const out = r.redact(`a=${encodeURIComponent('tok/en+=')} b=s3cr`);
    expect(out).not.toContain(encodeURIComponent('tok/en+='));
    expect(out).not.toContain('s3cr');
  });

  it('leaves text alone when no secret is known', () => {
    expect(new SecretRedactor(4).redact('plain line')).toBe('plain line');
  });
});
