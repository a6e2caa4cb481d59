import { describe, expect, it } from 'vitest';
import { overallOf, passes } from './verdict.ts';

describe('overall verdict priority', () => {
  it('is the worst axis, FAILED above UNKNOWN above NON-STRICT above OK', () => {
    expect(overallOf(['OK', 'NON-STRICT', 'OK'])).toBe('NON-STRICT');
    expect(overallOf(['OK', 'UNKNOWN', 'NON-STRICT'])).toBe('UNKNOWN');
    expect(overallOf(['UNKNOWN', 'FAILED'])).toBe('FAILED');
  });
  it('ignores INFORMATIONAL axes unless every axis is informational', () => {
    expect(overallOf(['OK', 'INFORMATIONAL'])).toBe('OK');
    expect(overallOf(['INFORMATIONAL', 'INFORMATIONAL'])).toBe('INFORMATIONAL');
  });
  it('never passes UNKNOWN, and fails NON-STRICT only under --strict', () => {
    expect(passes('UNKNOWN', false)).toBe(false);
    expect(passes('NON-STRICT', false)).toBe(true);
    expect(passes('NON-STRICT', true)).toBe(false);
    expect(passes('OK', true)).toBe(true);
  });
});
