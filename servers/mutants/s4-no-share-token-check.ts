/**
 * The handle registry asked only "have I seen it?": a handle issued under one share token (one
 * customer's agent) resumes under another, and a conversation resumes another's. A handle is a
 * bearer credential of its share token (ai-voice-protocol.md §5.1): this is a tenant breach.
 */
import { serverMutant } from './server-mutant.ts';

export const S4_NO_SHARE_TOKEN_CHECK = serverMutant(
  {
    id: 's4-no-share-token-check',
    title: 'handles not bound to their share token',
    axis: 'tenant-binding',
    bug: 'accepts any handle it has seen Gemini issue, whatever share token or conversation presents it',
    standsFor: 'server-contract.md §2, Accepting a resumeHandle: "a handle of another share token MUST be refused"; ai-voice-protocol.md §5.2',
  },
  { acceptsHandle: (verdict) => verdict !== 'unknown' },
);
