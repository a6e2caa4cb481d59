import { describe, expect, it } from 'vitest';
import { isSendableCloseCode } from '../close-codes.ts';
import {
  GeminiCloses,
  HANDLE_REJECTION_CLOSES,
  MAX_CLOSE_REASON_BYTES,
  modelNotFoundClose,
  truncateCloseReason,
  type GeminiClose,
} from './close-codes.ts';

const all = Object.entries(GeminiCloses) as [string, GeminiClose][];

describe('GeminiCloses', () => {
  it.each(all)('%s can be sent in a close frame and cites a research section', (_name, close) => {
    expect(isSendableCloseCode(close.code)).toBe(true);
    expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(close.source).toMatch(/§\d|cookbook/);
  });

  it('follows the gRPC mapping: INVALID_ARGUMENT 1007, NOT_FOUND/ABORTED/UNIMPLEMENTED 1008, INTERNAL/UNAVAILABLE/DEADLINE 1011', () => {
    const expected: Record<GeminiClose['status'], number> = {
      OK: 1000,
      INVALID_ARGUMENT: 1007,
      NOT_FOUND: 1008,
      ABORTED: 1008,
      UNIMPLEMENTED: 1008,
      PERMISSION_DENIED: 1008,
      INTERNAL: 1011,
      UNAVAILABLE: 1011,
      DEADLINE_EXCEEDED: 1011,
    };
    for (const [, close] of all) expect(close.code).toBe(expected[close.status]);
  });

  it('carries the goAway-overrun reason cut at exactly 123 bytes, as seen in the field', () => {
    expect(GeminiCloses.goAwayOverrun.code).toBe(1008);
    expect(Buffer.byteLength(GeminiCloses.goAwayOverrun.reason)).toBe(123);
    expect(GeminiCloses.goAwayOverrun.reason.endsWith('session durat')).toBe(true);
  });

  it('offers every handle rejection §1.6 saw before setupComplete, as 1007 or 1008', () => {
    const pairs = HANDLE_REJECTION_CLOSES.map((n) => [GeminiCloses[n].code, GeminiCloses[n].reason]);
    expect(pairs).toEqual([
      [1008, 'BidiGenerateContent session not found'],
      [1008, 'Requested entity was not found.'],
      [1007, 'Invalid session handle'],
      [1007, 'Request contains an invalid argument.'],
    ]);
  });

  it('names the model and API version when the model is not found', () => {
    const close = modelNotFoundClose('models/no-such-model', 'v1beta');
    expect(close.code).toBe(1008);
    expect(close.reason.startsWith('models/no-such-model is not found for API version v1beta')).toBe(true);
    expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(123);
  });
});

describe('truncateCloseReason', () => {
  it('leaves short reasons alone and cuts long ones to 123 bytes', () => {
    expect(truncateCloseReason('Invalid session handle')).toBe('Invalid session handle');
    const full = `${GeminiCloses.goAwayOverrun.reason}ion limit was reached`;
    expect(truncateCloseReason(full)).toBe(GeminiCloses.goAwayOverrun.reason);
  });

  it('never splits a multi-byte character', () => {
    const reason = 'é'.repeat(100); // 200 bytes
    const cut = truncateCloseReason(reason);
    expect(Buffer.byteLength(cut)).toBe(122);
    expect(cut).toBe('é'.repeat(61));
    expect(truncateCloseReason(`x${'€'.repeat(60)}`)).toBe(`x${'€'.repeat(40)}`);
  });
});
