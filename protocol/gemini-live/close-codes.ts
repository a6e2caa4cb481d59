/**
 * The WebSocket closes Gemini Live has been seen to send, with their reason texts exactly
 * as they arrive on the wire. Nothing here is documented by Google: every entry is
 * field-observed and cites where (docs/gemini-live.md §1.6 bad handles, §1.7
 * close codes). The code seems to follow the gRPC status of the error (§0 item 6,
 * [inference]): INVALID_ARGUMENT → 1007; NOT_FOUND, ABORTED, UNIMPLEMENTED → 1008;
 * INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED → 1011.
 */

/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

export const GeminiCloseCode = {
  /** Normal close; Vertex lists "1000 or 1006" for context overrun or expiry (§1.7). */
  normal: 1000,
  /** INVALID_ARGUMENT (§1.7). */
  invalidArgument: 1007,
  /** NOT_FOUND, ABORTED, UNIMPLEMENTED, and the goAway overrun (§1.7). */
  policy: 1008,
  /** INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, quota (§1.7). */
  internal: 1011,
} as const;
export type GeminiCloseCode = (typeof GeminiCloseCode)[keyof typeof GeminiCloseCode];

export interface GeminiClose {
  readonly code: GeminiCloseCode;
  /** The reason as it arrives: already at most 123 UTF-8 bytes, truncated where Gemini truncates. */
  readonly reason: string;
  /** The gRPC status the pair seems to map from ([inference], §0 item 6). */
  readonly status: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ABORTED' | 'UNIMPLEMENTED' | 'PERMISSION_DENIED' | 'INTERNAL' | 'UNAVAILABLE' | 'DEADLINE_EXCEEDED' | 'OK';
  /** When Gemini was seen to send it. */
  readonly when: string;
  /** Research section and the field sources it cites. */
  readonly source: string;
}

/** Every close Gemini has been seen to send, by name. */
export const GeminiCloses = {
  normal: {
    code: 1000,
    reason: '',
    status: 'OK',
    when: 'context-limit overrun or connection expiry (Vertex docs: "1000 or 1006")',
    source: '§1.7: Vertex troubleshooting docs; ADK run_live retries 1000/1006/1011',
  },
  // — 1007 INVALID_ARGUMENT —
  invalidArgument: {
    code: 1007,
    reason: 'Request contains an invalid argument.',
    status: 'INVALID_ARGUMENT',
    when: 'a malformed or mis-ordered client message (turnComplete in realtimeInput, functionCall parts in clientContent, late clientContent on 3.1); also a resume after a server-side cutoff',
    source: '§1.3 ordering rules (pipecat 258e83c90, ec11fef12; livekit/agents #5985); §1.6 (forum 186392; field 66485890464); §1.7',
  },
  apiKeyInvalid: {
    code: 1007,
    reason: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    when: 'an unknown API key (also an ephemeral token sent as ?key=)',
    source: '§1.7 ([field] 70941654251); js-genai #600 ("Session closed. API key not valid…" for an auth_tokens/ key)',
  },
  invalidSessionHandle: {
    code: 1007,
    reason: 'Invalid session handle',
    status: 'INVALID_ARGUMENT',
    when: 'resume with a malformed or expired handle, before setupComplete',
    source: '§1.6 ([field] 71568456016, 55159499633)',
  },
  // — 1008 NOT_FOUND / ABORTED / UNIMPLEMENTED / PERMISSION_DENIED —
  sessionNotFound: {
    code: 1008,
    reason: 'BidiGenerateContent session not found',
    status: 'NOT_FOUND',
    when: 'resume with an expired or forgotten handle (also after ~2 h idle), right after setup',
    source: '§1.6 (yeyu2/Youtube_demos #5; [field] 57412015005 and others); §1.5 idle row',
  },
  entityNotFound: {
    code: 1008,
    reason: 'Requested entity was not found.',
    status: 'NOT_FOUND',
    when: 'resume with a dead handle (other wording)',
    source: '§1.6 ([field] 57412015005)',
  },
  goAwayOverrun: {
    code: 1008,
    // Exactly 123 bytes: the wire cuts it mid-word (§1.7 "Reason truncation"; reachy #357;
    // identical in several field logs).
    reason: 'Connection aborted because the client failed to close the connection after receiving a GoAway signal once the session durat',
    status: 'ABORTED',
    when: 'at the goAway deadline when the client kept the socket (since about May 2026)',
    source: '§1.7 (reachy #357; [field] 69824877968: goAway at 540.5 s "50s", close at 591.3 s); F1',
  },
  aborted: {
    code: 1008,
    reason: 'The operation was aborted.',
    status: 'ABORTED',
    when: 'realtimeInput while a blocking toolCall is unanswered; a proxy path\'s fixed 150 s ceiling; mid-conversation aborts',
    source: '§1.3 (autonomous-os #231, #238; livekit/agents #4545; adk #4679); §1.7',
  },
  unimplemented: {
    code: 1008,
    reason: 'Operation is not implemented, or supported, or enabled.',
    status: 'UNIMPLEMENTED',
    when: 'realtimeInput while a blocking toolCall is unanswered (other wording)',
    source: '§1.3 (autonomous-os PR #237; livekit/agents #4545); §1.7',
  },
  unregisteredCaller: {
    code: 1008,
    reason: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API.",
    status: 'PERMISSION_DENIED',
    when: 'an access_token on BidiGenerateContent (not …Constrained), i.e. no usable credential; the close code is [inference] (the report gives only the text)',
    source: 'not in the research: google-gemini/cookbook #821 (2025-06); code by the §0 item 6 mapping',
  },
  // — 1011 INTERNAL / UNAVAILABLE / DEADLINE_EXCEEDED —
  internal: {
    code: 1011,
    reason: 'Internal error occurred.',
    status: 'INTERNAL',
    when: 'setupComplete, then this close in a loop, for a handle from another model; also a resume while the old socket is open',
    source: '§1.6 ([field] 57412015005; aicc2025/sip-to-ai PR #14); §1.7 (livekit/agents #2274)',
  },
  internalEncountered: {
    code: 1011,
    reason: 'Internal error encountered.',
    status: 'INTERNAL',
    when: 'backend failure mid-session',
    source: '§1.7',
  },
  unavailable: {
    code: 1011,
    reason: 'The service is currently unavailable.',
    status: 'UNAVAILABLE',
    when: 'backend outage mid-session; resumes may fail again for a while',
    source: '§1.7; F16 (kazunori279/adk-streaming-guide #11; adk #5525)',
  },
  deadlineExpired: {
    code: 1011,
    reason: 'Deadline expired before operation could complete.',
    status: 'DEADLINE_EXCEEDED',
    when: 'the goAway-expiry close in early-2026 logs (wasClean:true); the 58:00 cap with compression',
    source: '§1.7 (kizuna-ai-lab/sokuji #179); §1.5 (forum 186392); F4',
  },
} as const satisfies Record<string, GeminiClose>;
export type GeminiCloseName = keyof typeof GeminiCloses;

/** The closes Gemini was seen to answer a rejected resumption handle with (§1.6). */
export const HANDLE_REJECTION_CLOSES = ['sessionNotFound', 'entityNotFound', 'invalidSessionHandle', 'invalidArgument'] as const satisfies readonly GeminiCloseName[];

/** "models/X is not found for API version v1beta, or is not supported for bidiGenerateContent…" (§1.7, 1008 NOT_FOUND). */
export function modelNotFoundClose(model: string, apiVersion: string): GeminiClose {
  return {
    code: 1008,
    reason: truncateCloseReason(
      `${model} is not found for API version ${apiVersion}, or is not supported for bidiGenerateContent. Call ListModels to see the list of available models and their supported methods.`,
    ),
    status: 'NOT_FOUND',
    when: 'setup names a model the API version does not serve',
    source: '§1.7 (livekit/agents _get_1008_error_hint); the text after "bidiGenerateContent" is the usual Google wording, [inference]',
  };
}

/**
 * Cut a reason to 123 UTF-8 bytes as Gemini does (§1.7: "…session durat"), never splitting
 * a character.
 */
export function truncateCloseReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
