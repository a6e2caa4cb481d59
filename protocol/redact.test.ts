import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, redactText, SecretRedactor } from './redact.ts';

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

  it('redacts as redactText does, secret for secret (fast-check: texts of words, secrets and their encoded forms)', () => {
    const secret = fc.tuple(fc.nat({ max: 999 }), fc.string({ unit: fc.constantFrom(...'abcXYZ019-_/+= '), minLength: 6, maxLength: 30 })).map(([n, body]) => `S${n}_${body}`);
    fc.assert(fc.property(fc.uniqueArray(secret, { maxLength: 40, selector: (s) => s.split('_')[0] }), fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.nat()), { maxLength: 30 }), (secrets, parts) => {
      const r = new SecretRedactor();
      for (const s of secrets) r.add(s);
      const text = parts.map((p) => (typeof p === 'number' && secrets.length > 0 ? (p % 2 === 0 ? secrets[p % secrets.length]! : encodeURIComponent(secrets[p % secrets.length]!)) : String(p))).join(' ');
      const encodedForms = secrets.flatMap((s) => (encodeURIComponent(s) !== s ? [[encodeURIComponent(s), fingerprint(s)] as const] : []));
      let expected = redactText(text, secrets);
      for (const [form, print] of encodedForms) expected = expected.split(form).join(print);
      expect(r.redact(text)).toBe(expected);
      for (const s of secrets) expect(r.redact(text)).not.toContain(s);
    }), { seed: 3, numRuns: 300 });
  });

  it('replaces exactly what a bucket lookup at every position replaces (the hash table only skips; fast-check, secrets sharing prefixes, tables grown)', () => {
    /** The redactor before its hash table: a slice and a map lookup at every position, longest form first. */
    function everyPosition(secrets: readonly string[], minLength: number, text: string): string {
      const forms = [...new Set(secrets.filter((s) => s.length >= minLength))].flatMap((s) => [...new Set([s, encodeURIComponent(s)])].map((form) => [form, fingerprint(s)] as const));
      let out = '';
      let copied = 0;
      for (let i = 0; i + minLength <= text.length; ) {
        const prefix = text.slice(i, i + minLength);
        const hit = forms.filter(([form]) => form.startsWith(prefix) && text.startsWith(form, i)).sort((a, b) => b[0].length - a[0].length)[0];
        if (hit === undefined) {
          i += 1;
          continue;
        }
        out += text.slice(copied, i) + hit[1];
        i += hit[0].length;
        copied = i;
      }
      return copied === 0 ? text : out + text.slice(copied);
    }
    const unit = fc.constantFrom(...'abAB01-_ /é');
    fc.assert(fc.property(
      fc.constantFrom(4, 8),
      fc.array(fc.string({ unit, minLength: 3, maxLength: 14 }), { maxLength: 150 }),
      fc.array(fc.oneof(fc.string({ unit, maxLength: 10 }), fc.nat()), { maxLength: 40 }),
      (minLength, secrets, parts) => {
        const r = new SecretRedactor(minLength);
        for (const s of secrets) r.add(s);
        const text = parts.map((p) => (typeof p === 'number' && secrets.length > 0 ? secrets[p % secrets.length]!.slice(p % 3) : String(p))).join('');
        expect(r.redact(text)).toBe(everyPosition(secrets, minLength, text));
      },
    ), { seed: 11, numRuns: 500 });
    // A secret of exactly minLength right after another, at the very end: the window after a replacement is hashed anew.
    const r = new SecretRedactor(4);
    r.add('abcd');
    r.add('wxyz');
    expect(r.redact('abcdwxyz')).toBe(`${fingerprint('abcd')}${fingerprint('wxyz')}`);
  });

  it('holds thousands of secrets (a client that opens a session after session): each one redacted, the rest of the text kept', () => {
    // Regression (mock-server fuzz): every text was searched once per secret and every add sorted them all.
    const r = new SecretRedactor();
    const secrets = Array.from({ length: 20_000 }, (_, i) => `st_${i.toString(16).padStart(8, '0')}${'f'.repeat(24)}`);
    for (const s of secrets) r.add(s);
    const line = `open ${secrets[0]} then ${secrets[19_999]} and ${secrets[7_777]}.`;
    expect(r.redact(line)).toBe(`open ${fingerprint(secrets[0]!)} then ${fingerprint(secrets[19_999]!)} and ${fingerprint(secrets[7_777]!)}.`);
    expect(r.secrets()).toHaveLength(20_000);
  });
});
