import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstJsonErrorOffset } from './json-position.ts';
import { jsonErrorText } from './loader.ts';

const errorOf = (text: string): Error => {
  try {
    JSON.parse(text);
  } catch (error) {
    return error as Error;
  }
  throw new Error('parsed');
};

describe('where a text stops being JSON', () => {
  it('says -1 for JSON, and the offending offset otherwise', () => {
    expect(firstJsonErrorOffset('{"a": [1, 2.5e3, "x\\n", true, null]}')).toBe(-1);
    expect(firstJsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(firstJsonErrorOffset('{"a" 1}')).toBe(5);
    expect(firstJsonErrorOffset('{"a": NaN}')).toBe(6);
    expect(firstJsonErrorOffset('{"a": "open')).toBe(11);
    expect(firstJsonErrorOffset('[1] x')).toBe(4);
    expect(firstJsonErrorOffset('[1, 01]')).toBe(5);
  });

  it('agrees with JSON.parse on what is JSON (fast-check: JSON texts and texts with a byte cut out)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.nat(), (value, cut) => {
      const text = JSON.stringify(value, null, 1) ?? 'null';
      expect(firstJsonErrorOffset(text)).toBe(-1);
      const at = cut % text.length;
      const broken = text.slice(0, at) + text.slice(at + 1);
      let valid = true;
      try { JSON.parse(broken); } catch { valid = false; }
      expect(firstJsonErrorOffset(broken) === -1).toBe(valid);
    }), { seed: 5, numRuns: 500 });
  });
});

describe('jsonErrorText (regression: the scenario-file fuzz found messages without a place)', () => {
  it('gives a line and column when V8 names no position ("Unexpected token …, "…" is not valid JSON")', () => {
    const text = '{\n  "id": "x",\n  "limit": NaN\n}';
    const error = errorOf(text);
    expect(error.message).not.toMatch(/position/);
    expect(jsonErrorText(text, error)).toBe("Unexpected token 'N' at line 3, column 12");
    // One line: V8's snippet of the file (with its line breaks) is not repeated.
    expect(jsonErrorText('{\n"a":\n[1,\nNo]}', errorOf('{\n"a":\n[1,\nNo]}'))).toBe("Unexpected token 'N' at line 4, column 1");
  });
});
