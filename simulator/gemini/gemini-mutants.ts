/**
 * The Gemini Live mutants: the reference client (GeminiProspect) with exactly one decision
 * overridden, each a failure seen in the field (docs/field-failures.md). Ids start with `g`.
 */
import { DEFAULT_GEMINI_DECISIONS, type GeminiDecisions } from './gemini-decisions.ts';
import { GeminiProspect, type GeminiProspectOptions } from './gemini-prospect.ts';

export interface GeminiMutant {
  /** Stable id (`g1-…`), as `--sut mutant:<id>` names it; `g1` alone works too (findGeminiMutant). */
  readonly id: string;
  /** The field failure it reproduces (docs/field-failures.md). */
  readonly trap: string;
  /** The bug, in one sentence. */
  readonly bug: string;
  readonly decisions: Partial<GeminiDecisions>;
  create(options: GeminiProspectOptions): GeminiProspect;
}

const mutant = (id: string, trap: string, bug: string, decisions: Partial<GeminiDecisions>): GeminiMutant => ({
  id,
  trap,
  bug,
  decisions,
  create: (options) => new GeminiProspect({ ...options, decisions: { ...options.decisions, ...decisions } }),
});

export const GEMINI_MUTANTS: readonly GeminiMutant[] = Object.freeze([
  mutant('g1-no-reconnect-after-abnormal-close', 'F14', 'No reconnect after an abnormal close (1006/1011/1008): the run ends with the connection.', {
    reconnectAfterAbnormalClose: () => false,
  }),
  mutant('g2-replays-history-on-resume', 'F9', 'History replayed on every resume: prior turns sent as clientContent (turnComplete:false) into a context that holds them already.', {
    historyOnResume: (answered) => answered,
  }),
  mutant('g3-loses-handle-after-setup', 'F10', 'Handle updates ignored on a connection until its first turn completes: the handle that comes with setupComplete is lost.', {
    keepHandle: (ctx) => (ctx.turnsOnConnection === 0 ? ctx.kept : DEFAULT_GEMINI_DECISIONS.keepHandle(ctx)),
  }),
  mutant('g4-waits-on-connect-forever', 'F20', 'connect() awaited alone: after a handle is rejected before setupComplete the SDK never settles and the client hangs.', {
    connectTimeoutMs: () => null,
  }),
  mutant('g5-presents-stale-handle', 'F5', 'A stale handle on every retry: the first handle ever received is kept and never updated.', {
    keepHandle: (ctx) => ctx.kept ?? DEFAULT_GEMINI_DECISIONS.keepHandle(ctx),
  }),
  mutant('g6-ignores-goaway', 'F1', 'goAway ignored: the client stays past the deadline and is closed 1008.', {
    rotateOnGoAway: () => false,
  }),
  mutant('g7-keeps-not-resumable-handle', 'F11', 'resumable:false updates stored as handles: the empty handle is kept and presented.', {
    keepHandle: (ctx) => (ctx.update.newHandle !== undefined ? ctx.update.newHandle : ctx.kept),
  }),
  mutant('g8-never-resends-in-flight', 'F12', 'The in-flight turn is never re-sent after a resume: its answer is lost and the prospect moves on.', {
    resendInFlight: () => false,
  }),
]);

/** By id, or by its short form (`g4` for `g4-waits-on-connect-forever`). */
export function findGeminiMutant(id: string): GeminiMutant | undefined {
  return GEMINI_MUTANTS.find((m) => m.id === id || m.id.startsWith(`${id}-`));
}
