import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  durationFromMillis,
  durationToMillis,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
  type Duration,
} from './duration.ts';

const parsed = (text: string): Duration => {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(result.problem);
  return result.duration;
};

/** Any valid Duration: same sign on both parts, |nanos| < 1e9. */
const arbDuration: fc.Arbitrary<Duration> = fc
  .tuple(fc.integer({ min: 0, max: MAX_DURATION_SECONDS }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean())
  .map(([s, n, negative]) => ({
    seconds: negative && s !== 0 ? -s : s,
    nanos: negative && n !== 0 ? -n : n,
  }));

describe('parseDuration', () => {
  it('reads the goAway values Gemini has sent (docs/gemini-live.md §1.4, §1.5)', () => {
    expect(parsed('50s')).toEqual({ seconds: 50, nanos: 0 });
    expect(parsed('30s')).toEqual({ seconds: 30, nanos: 0 });
  });

  it('reads fractions of 1 to 9 digits and negative values', () => {
    expect(parsed('0.5s')).toEqual({ seconds: 0, nanos: 500_000_000 });
    expect(parsed('1.000000001s')).toEqual({ seconds: 1, nanos: 1 });
    expect(parsed('-2.25s')).toEqual({ seconds: -2, nanos: -250_000_000 });
    expect(parsed('-0.000001s')).toEqual({ seconds: 0, nanos: -1000 });
    expect(parsed('-0s')).toEqual({ seconds: 0, nanos: 0 });
  });

  it.each(['', '50', 's', '.5s', '1.s', '+1s', '1e3s', '1.0000000001s', ' 1s', '1s ', '1 s', '1,5s', '0x10s', 'NaNs', '1S'])(
    'refuses %j, saying what a Duration is',
    (text) => {
      const result = parseDuration(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toContain('Duration');
    },
  );

  it('refuses values beyond the protobuf range', () => {
    expect(parseDuration(`${MAX_DURATION_SECONDS}s`).ok).toBe(true);
    expect(parseDuration(`${MAX_DURATION_SECONDS + 1}s`).ok).toBe(false);
    expect(parseDuration('99999999999999999999s').ok).toBe(false);
  });
});

describe('formatDuration', () => {
  it('writes the canonical form: no fraction, or 3, 6 or 9 digits', () => {
    expect(formatDuration({ seconds: 50, nanos: 0 })).toBe('50s');
    expect(formatDuration({ seconds: 0, nanos: 500_000_000 })).toBe('0.500s');
    expect(formatDuration({ seconds: 1, nanos: 1 })).toBe('1.000000001s');
    expect(formatDuration({ seconds: 0, nanos: 1_500 })).toBe('0.000001500s');
    expect(formatDuration({ seconds: 0, nanos: 120_000 })).toBe('0.000120s');
    expect(formatDuration({ seconds: -1, nanos: -500_000_000 })).toBe('-1.500s');
    expect(formatDuration({ seconds: 0, nanos: -1 })).toBe('-0.000000001s');
  });

  it('refuses mixed signs and out-of-range nanos', () => {
    expect(() => formatDuration({ seconds: 1, nanos: -1 })).toThrow(RangeError);
    expect(() => formatDuration({ seconds: 0, nanos: 1_000_000_000 })).toThrow(RangeError);
    expect(() => formatDuration({ seconds: 0.5, nanos: 0 })).toThrow(RangeError);
  });
});

describe('Duration round trips (properties)', () => {
  it('parse(format(d)) is d', () => {
    fc.assert(fc.property(arbDuration, (d) => {
      expect(parsed(formatDuration(d))).toEqual(d);
    }));
  });

  it('format(parse(s)) is s for every canonical string', () => {
    fc.assert(fc.property(arbDuration, (d) => {
      const text = formatDuration(d);
      expect(formatDuration(parsed(text))).toBe(text);
    }));
  });

  it('any accepted spelling (1–9 fractional digits) parses to the value it denotes', () => {
    const arbSpelling = fc
      .tuple(fc.integer({ min: 0, max: 10_000 }), fc.stringMatching(/^\d{1,9}$/))
      .map(([s, digits]) => ({ text: `${s}.${digits}s`, expected: { seconds: s, nanos: Number(digits.padEnd(9, '0')) } }));
    fc.assert(fc.property(arbSpelling, ({ text, expected }) => {
      expect(parsed(text)).toEqual(expected);
    }));
  });

  it('whole milliseconds survive Duration and back', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
      const d = durationFromMillis(ms);
      expect(durationToMillis(d)).toBe(ms);
      expect(durationToMillis(parsed(formatDuration(d)))).toBe(ms);
    }));
  });
});
