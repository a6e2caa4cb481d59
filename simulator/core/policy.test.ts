import { describe, expect, it } from 'vitest';
import { DEFAULT_RESUME_POLICY, resolvePolicy } from './policy.ts';

describe('resolvePolicy', () => {
  it('uses the spec defaults', () => {
    expect(resolvePolicy()).toEqual({
      maxAttempts: 3,
      baseDelayMs: 2000,
      maxDelayMs: 30000,
      jitter: 0.2,
      resumeConfirmTimeoutMs: 10000,
      inactivityTimeoutMs: 30000,
      expiryMarginMs: 10000,
      maxAcceptThenClose: 2,
      fallback: 'fail',
      endTimeoutMs: 10000,
    });
    expect(Object.isFrozen(DEFAULT_RESUME_POLICY)).toBe(true);
  });

  it('overrides only what is given (undefined keeps the default)', () => {
    expect(resolvePolicy({ maxAttempts: 5, jitter: undefined })).toMatchObject({ maxAttempts: 5, jitter: 0.2 });
  });

  it('refuses values that would make the run unbounded or meaningless', () => {
    expect(() => resolvePolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolvePolicy({ maxAttempts: Infinity })).toThrow(/maxAttempts/);
    expect(() => resolvePolicy({ inactivityTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(/inactivityTimeoutMs/);
    expect(() => resolvePolicy({ jitter: 1 })).toThrow(/jitter/);
    expect(() => resolvePolicy({ fallback: 'retry' as never })).toThrow(/fallback/);
  });
});
