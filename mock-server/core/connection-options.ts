/** The plain option shapes of a Connection: its agent's phase, per-frame fault rules, an expiry. */
import type { ServerScript } from '../script/schema.ts';

export type AgentPhase = 'waiting-greeting' | 'idle' | 'generating' | 'ended';

/** A fault on the n-th frame of one direction (delayMessage, duplicateMessage, dropMessage). */
export interface MessageRule {
  readonly direction: 'in' | 'out';
  readonly nth: number;
  readonly effect: { delayMs: number } | 'duplicate' | 'drop';
}

/** One expiry of a connection (spec §6): the notice now, the close or drop at the deadline. */
export interface ExpireOptions {
  timeLeft: number;
  closeAfterMs: number;
  closeCode: number;
  closeReason: string;
  drop: boolean;
  silent: boolean;
  resendHandle: boolean;
}

/** The scripted connection lifetime (`expiry`): when the notice comes, and what it does. */
export function lifetimeExpiry(expiry: ServerScript['expiry']): { noticeAtMs: number; options: ExpireOptions } {
  return {
    noticeAtMs: Math.max(0, expiry.lifetime - expiry.timeLeft) * 1000,
    options: {
      timeLeft: expiry.timeLeft,
      closeAfterMs: (expiry.closeAfter ?? expiry.timeLeft) * 1000,
      closeCode: expiry.closeCode,
      closeReason: expiry.closeReason,
      drop: expiry.dropAtDeadline,
      silent: expiry.silentAfterNotice,
      resendHandle: expiry.resendHandle,
    },
  };
}

/**
 * What one model session was opened with, as its face agreed it with the client. The AI-voice
 * face's sessions are all alike; a Gemini session's terms come from its `setup`
 * (docs/gemini-live.md §1.3, §1.4).
 */
export interface SessionTerms {
  /** Handle updates go to this client (Gemini sends them only when the setup asked, §1.3). */
  readonly handles: boolean;
  /** A fresh session's agent speaks first (the AI-voice agent greets; Gemini's model waits to be spoken to). */
  readonly greets: boolean;
  /** `resumable: false` while the agent generates, whatever the script says (Gemini does, §1.4). */
  readonly nonResumableWhileGenerating: boolean;
}

export const DEFAULT_TERMS: SessionTerms = { handles: true, greets: true, nonResumableWhileGenerating: false };
