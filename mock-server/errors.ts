/**
 * The mock server's errors, each with a stable prefixed code (what a caller matches on) and
 * its message text as it always was (what people read). Defined here only.
 */
export const MOCK_ERROR_CODES = {
  /** A server script given raw (by `serve`, a user, a test) failed ServerScript's validation. */
  MOCK_SCRIPT_INVALID: 'MOCK_SCRIPT_INVALID',
  /** The ws transport's HTTP server is listening but has no TCP address to report. */
  MOCK_NO_TCP_ADDRESS: 'MOCK_NO_TCP_ADDRESS',
} as const;

export type MockErrorCode = keyof typeof MOCK_ERROR_CODES;

export class MockServerError extends Error {
  constructor(readonly code: MockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MockServerError';
  }
}

export const isMockServerError = (error: unknown, code?: MockErrorCode): error is MockServerError =>
  error instanceof MockServerError && (code === undefined || error.code === code);
