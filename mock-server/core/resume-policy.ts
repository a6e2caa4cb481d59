/**
 * The script's resume rules as pure functions: whether a presented handle resumes (spec §5.1,
 * §5.2) and what model state a resumed connection starts with (`resume.state`).
 */
import { fingerprint } from '../../protocol/redact.ts';
import type { ServerScript } from '../script/schema.ts';
import type { HandleRecord, HandleStore } from './handle-store.ts';
import type { RejectReason } from './journal.ts';
import { emptyState, type ModelState } from './sales-agent.ts';

export interface Presentation {
  readonly presented: string;
  readonly shareToken: string;
  readonly conversationId: string;
  readonly now: number;
  /** The issue order of the conversation's newest handle (0: none yet). */
  readonly newestSeq: number;
  /** Another connection of the conversation is still open. */
  readonly oldSocketOpen: boolean;
}

export function validatePresented(script: ServerScript, handles: HandleStore, p: Presentation): { ok: true; record: HandleRecord } | { ok: false; reason: RejectReason } {
  if (script.validation.rejectAll) return { ok: false, reason: 'forced' };
  if (script.validation.refuseWhileOldSocketOpen && p.oldSocketOpen) return { ok: false, reason: 'old-socket-open' };
  const { ttl, ttlFromIssue, onlyNewestValid } = script.handles;
  const result = handles.validate(p.presented, p.shareToken, p.conversationId, p.now, { ttlMs: ttl * 1000, ttlFromIssue, onlyNewestValid }, p.newestSeq);
  return result.ok ? result : { ok: false, reason: result.reason };
}

export function restoredState(script: ServerScript, captured: ModelState): ModelState {
  const policy = script.resume.state;
  if (policy === 'reset') return emptyState();
  if (typeof policy === 'object') {
    return { greeting: captured.greeting, exchanges: captured.exchanges.slice(0, Math.max(0, captured.exchanges.length - policy.rollback)) };
  }
  return captured;
}

/** Fingerprints of the prospect messages in a state, in order (the journal's `contextIds`). */
export const idsOf = (state: ModelState): string[] => state.exchanges.map((e) => fingerprint(e.prospect));
