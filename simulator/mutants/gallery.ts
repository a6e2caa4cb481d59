/**
 * The mutant gallery: the reference simulator with exactly one trap re-introduced each, as an
 * override of its decisions (core/decisions.ts). They are the harness's proof as a measuring
 * instrument — every one must be caught by at least one scenario, and the reference by none
 * (resume-harness matrix).
 */
import { DEFAULT_DECISIONS } from '../core/decisions.ts';
import { CATALOG_MUTANTS } from './catalog-mutants.ts';
import { overrideMutant as m, type Mutant } from './mutant.ts';

export type { Mutant } from './mutant.ts';

export const MUTANTS: readonly Mutant[] = [
  m('t1-no-reconnect-on-1000', 'T1', 'skips the reconnect when the close code is 1000 (the seed plan)', {
    decisions: { shouldReconnect: (close, ctx) => close.code !== 1000 && DEFAULT_DECISIONS.shouldReconnect(close, ctx) },
  }),
  m('t2-resume-on-open', 'T2', 'takes an open socket as a confirmed resume', { decisions: { confirmsResume: () => true } }),
  m('t3-acts-on-replaced-sockets', 'T3', 'acts on events of sockets it has replaced, their late close included', {
    decisions: { isCurrent: () => true },
  }),
  m('t4-no-backoff', 'T4', 'retries at once, with no delay between attempts', { decisions: { reconnectDelayMs: () => 0 } }),
  {
    ...m('t4-fixed-delay', 'T4', 'waits a fixed 2 s between attempts (the seed plan\'s code)', { decisions: { reconnectDelayMs: () => 2000 } }),
    detectedAs: 'NON-STRICT',
  },
  m('t4-unbounded', 'T4', 'never stops retrying', { decisions: { exceedsAttemptBudget: () => false } }),
  m('t4-reset-on-resumed', 'T4', 'resets the attempt count on session:resumed (the seed plan)', {
    decisions: { resetAttemptsAfter: (kind) => kind !== 'open' },
  }),
  m('t5-clears-handle-on-not-resumable', 'T5', 'drops its handle on resumable:false', {
    decisions: { handleUpdate: (update, ctx) => (!update.resumable && ctx.newestHandle ? 'drop-newest-then-offer' : 'offer') },
  }),
  m('t6-waits-for-server-close', 'T6', 'ignores session_expiring and waits for the server to close', {
    decisions: { expiringResponse: () => 'ignore' },
  }),
  m('t7-no-resend', 'T7', 'does not re-send the in-flight prospect message after a resume', { decisions: { messageToResend: () => null } }),
  m('t7-resends-always', 'T7', 're-sends its last prospect message after every resume, answered or not', {
    decisions: {
      messageToResend: (_handle, lastSent) => (lastSent > 0 ? lastSent : null),
      maySendProspect: (_index, ctx) => ctx.current !== null && ctx.current.usable && ctx.pendingReply === null,
    },
  }),
  m('t8-silent-new-session', 'T8', 'recovers with a new HTTP session and reports the context as intact', {
    policy: { fallback: 'new-session' },
    // Forget that the fallback lost the context, as the seed's "recover silently" would.
    decisions: { reportsContextLost: () => false },
  }),
  m('t9-no-half-open-detection', 'T9', 'never notices a connection that went silent', { decisions: { inactivityTimeoutMs: () => 1e12 } }),
  m('t10-never-ends', 'T10', 'never ends when every attempt failed', { decisions: { givesUp: () => false } }),
  m('t11-ignores-conversation-end', 'T11', 'ignores conversation_end and reconnects after it', {
    decisions: { honoursConversationEnd: () => false },
  }),
  // spec §5.1 words it SHOULD NOT: NON-STRICT (harness/judge/judge-rules.ts, secrets.leaked), failed under --strict.
  { ...m('t12-logs-secrets', 'T12', 'logs full handles and tokens', { decisions: { redactSecrets: (text) => text } }), detectedAs: 'NON-STRICT' },
  m('t13-reconnects-without-handle', 'T13', 'reconnects with no handle and carries on as if nothing was lost', {
    decisions: { withoutHandle: () => 'fresh-connection' },
  }),
  m('t14-keeps-rejected-handle', 'T14', 'presents a handle again after 4003', { decisions: { rejectsHandle: () => false } }),
  // Within its attempt budget the protocol allows it (spec §6.4); two cycles already prove the
  // handle poisoned (F6): NON-STRICT (judge-rules.ts, reconnect.accept-then-close-repeated).
  {
    ...m('t14-never-abandons-handle', 'T14', 'keeps presenting a handle that is accepted then closed every time, until its attempt budget is spent', {
      decisions: { shouldAbandonHandle: () => false },
    }),
    detectedAs: 'NON-STRICT',
  },
  m('reconnects-after-4001', 'T14', 'reconnects after 4001 unauthorised', { decisions: { shouldReconnect: () => true } }),
  ...CATALOG_MUTANTS,
];

export function findMutant(id: string): Mutant | undefined {
  return MUTANTS.find((mutant) => mutant.id === id);
}
