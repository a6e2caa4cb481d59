/**
 * The choices the Gemini Live reference client makes about resumption, as one object the
 * mutants override one entry of (GEMINI_MUTANTS). DEFAULT_GEMINI_DECISIONS is the correct
 * behaviour (docs/gemini-live.md §1.4–§1.6, field-failures.md); each alternative in the
 * comments is a failure seen in the field.
 */

/** A `sessionResumptionUpdate` as it arrived (docs/gemini-live.md §1.4). */
export interface HandleUpdate {
  readonly newHandle: string | undefined;
  readonly resumable: boolean | undefined;
}

/** What the client knows when a handle update arrives. */
export interface HandleUpdateContext {
  /** The handle kept so far (null: none yet). */
  readonly kept: string | null;
  readonly update: HandleUpdate;
  /** The update arrived before `connect()` resolved (queued by the SDK with setupComplete). */
  readonly beforeConnectResolved: boolean;
  /** Turns the model completed on this connection so far. */
  readonly turnsOnConnection: number;
}

/** One exchange the prospect had with the model (its message and the model's answer). */
export interface GeminiExchange {
  readonly prospect: string;
  readonly model: string;
}

export interface GeminiDecisions {
  /**
   * The handle to keep after an update. Reference: the newest non-empty handle of an update
   * with `resumable: true`; anything else leaves the kept one (§1.4: `resumable:false` with an
   * empty handle while the model generates).
   */
  keepHandle(ctx: HandleUpdateContext): string | null;
  /**
   * Wait for `setupComplete` at most this long (protocol ms), and take a close before it as
   * the connection's answer. null: await `connect()` alone, which in @google/genai 2.32.0
   * never settles when the server closes before setupComplete (§1.8, §7.4).
   */
  connectTimeoutMs(policyTimeoutMs: number): number | null;
  /** Whether to reconnect after a close the client did not ask for. */
  reconnectAfterAbnormalClose(code: number): boolean;
  /** Whether a goAway makes the client rotate to a new connection before the deadline. */
  rotateOnGoAway(): boolean;
  /**
   * Turns to write into a resumed session as history (clientContent without turnComplete).
   * Reference: none — the resumed context holds them already, replaying doubles them.
   */
  historyOnResume(answered: readonly GeminiExchange[]): readonly GeminiExchange[];
  /** Whether the message whose answer had not completed is sent again after a reconnect. */
  resendInFlight(): boolean;
}

export const DEFAULT_GEMINI_DECISIONS: Readonly<GeminiDecisions> = Object.freeze({
  keepHandle: ({ kept, update }: HandleUpdateContext) =>
    update.resumable === true && typeof update.newHandle === 'string' && update.newHandle.length > 0 ? update.newHandle : kept,
  connectTimeoutMs: (policyTimeoutMs: number) => policyTimeoutMs,
  reconnectAfterAbnormalClose: () => true,
  rotateOnGoAway: () => true,
  historyOnResume: () => [],
  resendInFlight: () => true,
});

export function resolveGeminiDecisions(overrides: Partial<GeminiDecisions> = {}): GeminiDecisions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<GeminiDecisions>;
  return { ...DEFAULT_GEMINI_DECISIONS, ...defined };
}
