/**
 * The resume handle the simulator would present next, and what it knows about each one.
 *
 * Only the newest handle is worth presenting: an older one restores an older state, i.e. a
 * rolled-back conversation. So when the newest is rejected there is nothing to fall back to,
 * and a rejected handle is remembered so that it is never taken again (spec §7, 4003).
 */
import { fingerprint } from '../../protocol/redact.ts';

export interface KeptHandle {
  readonly value: string;
  /** Short, stable, non-secret name for logs and events. */
  readonly fingerprint: string;
  /** Protocol time at which the handle first arrived. */
  readonly receivedAt: number;
  /**
   * Prospect messages whose answers the state captured by this handle holds (spec §5.1: up to
   * and including the agent turn just completed). Resuming with it brings the conversation back
   * to exactly this point; anything sent later has to be sent again.
   */
  readonly coveredThrough: number;
  /** Prospect messages sent when it arrived (for the post-mortem; may exceed `coveredThrough` mid-turn). */
  readonly sentAtArrival: number;
  /** Agent final transcripts seen before it arrived: tells whether it is newer than the last agent turn. */
  readonly finalsBefore: number;
}

export interface HandleArrival {
  receivedAt: number;
  coveredThrough: number;
  sentAtArrival: number;
  finalsBefore: number;
}

export type OfferOutcome =
  | { kind: 'kept-new'; handle: KeptHandle }
  | { kind: 'same-as-current'; handle: KeptHandle }
  | { kind: 'kept-previous'; handle: KeptHandle | null; why: 'not-resumable' | 'empty-handle' | 'rejected-before' };

export class HandleKeeper {
  private current: KeptHandle | null = null;
  private readonly rejected = new Set<string>();
  private readonly acceptThenClose = new Map<string, number>();

  newest(): KeptHandle | null {
    return this.current;
  }

  /** A `session_resumption_update` arrived (spec §6.1): keep it only if it is a usable, new handle. */
  offer(handle: string, resumable: boolean, arrival: HandleArrival): OfferOutcome {
    if (!resumable) return { kind: 'kept-previous', handle: this.current, why: 'not-resumable' };
    if (handle.length === 0) return { kind: 'kept-previous', handle: this.current, why: 'empty-handle' };
    if (this.rejected.has(handle)) return { kind: 'kept-previous', handle: this.current, why: 'rejected-before' };
    // The server repeats the latest handle right before session_expiring: it still captures the
    // state of when it first arrived, so the first arrival's bookkeeping must survive.
    if (this.current?.value === handle) return { kind: 'same-as-current', handle: this.current };
    this.current = { value: handle, fingerprint: fingerprint(handle), ...arrival };
    return { kind: 'kept-new', handle: this.current };
  }

  /** The server refused the handle, or it proved unusable: never present it again. */
  reject(handle: string): void {
    this.rejected.add(handle);
    if (this.current?.value === handle) this.current = null;
  }

  isRejected(handle: string): boolean {
    return this.rejected.has(handle);
  }

  /** Counts a resumed connection that closed before carrying a full agent turn; returns the new count. */
  noteAcceptThenClose(handle: string): number {
    const count = (this.acceptThenClose.get(handle) ?? 0) + 1;
    this.acceptThenClose.set(handle, count);
    return count;
  }

  acceptThenCloseCount(handle: string): number {
    return this.acceptThenClose.get(handle) ?? 0;
  }

  /** A new session starts (fallback): handles of the old one describe another conversation. */
  forgetAll(): void {
    if (this.current) this.rejected.add(this.current.value);
    this.current = null;
  }
}
