/**
 * Delayed deliveries, run in due-time order and, for equal due times, in the order they were
 * queued — what a virtual clock does by itself, and what real timers do not promise: two
 * frames due in the same millisecond on separate Node timers may fire either way round.
 */
import type { TimerHandle } from '../../protocol/clock.ts';
import type { TimerGroup } from './timers.ts';

interface Delivery {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class DeliveryQueue {
  private readonly queue: Delivery[] = [];
  private seq = 0;
  private armed: { at: number; timer: TimerHandle | null } | null = null;

  constructor(private readonly now: () => number, private readonly timers: TimerGroup) {}

  /** Runs `fn` `ms` from now, after everything queued for the same moment or earlier. */
  push(ms: number, fn: () => void): void {
    const delivery: Delivery = { at: this.now() + ms, seq: this.seq++, fn };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > delivery.at) i--;
    this.queue.splice(i, 0, delivery);
    this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) return;
    if (this.armed && this.armed.at <= head.at) return;
    if (this.armed) this.timers.cancel(this.armed.timer);
    this.armed = { at: head.at, timer: this.timers.after(Math.max(0, head.at - this.now()), () => this.drain()) };
  }

  private drain(): void {
    this.armed = null;
    // A scaled clock may wake a hair early: whatever is due runs now, the rest re-arms.
    const now = this.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) this.queue.shift()!.fn();
    this.arm();
  }
}
