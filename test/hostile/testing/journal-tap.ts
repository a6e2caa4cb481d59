/**
 * A journal the fuzz can wait on: every record is counted per connection as it happens, and a
 * waiter resolves on the record that satisfies it (no polling, no sleeping). The counts are the
 * fuzz's evidence that each hostile input reached the journal.
 */
import { Journal, type JournalEvent } from '../../../mock-server/index.ts';

interface Waiter {
  readonly done: () => boolean;
  readonly resolve: (ok: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export class TappedJournal extends Journal {
  /** frame-in events per connection id. */
  readonly framesIn = new Map<number, number>();
  /** Closes per connection id (code and who). */
  readonly closes = new Map<number, { code: number; by: string; cause?: string }>();
  /** Open events by conversation id, in order. */
  readonly opens = new Map<string, Array<Extract<JournalEvent, { kind: 'open' }>>>();
  upgradesRejected = 0;
  httpSessions = 0;
  private waiters: Waiter[] = [];

  override record(event: JournalEvent): void {
    super.record(event);
    switch (event.kind) {
      case 'frame-in': this.framesIn.set(event.conn, (this.framesIn.get(event.conn) ?? 0) + 1); break;
      case 'close': this.closes.set(event.conn, { code: event.code, by: event.by, ...(event.cause !== undefined ? { cause: event.cause } : {}) }); break;
      case 'open': {
        const list = this.opens.get(event.conversationId) ?? [];
        list.push(event);
        this.opens.set(event.conversationId, list);
        break;
      }
      case 'upgrade-rejected': this.upgradesRejected += 1; break;
      case 'http-session': this.httpSessions += 1; break;
      default: break;
    }
    if (this.waiters.length > 0) this.settle();
  }

  /**
   * Resolves true once `done()` holds after some record, false after `timeoutMs` of real time
   * without it (a bound on a lost input, never a pause: the usual case resolves on the record).
   */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        done,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(done());
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  frameCount(conn: number): number {
    return this.framesIn.get(conn) ?? 0;
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.done()) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else still.push(waiter);
    }
    this.waiters = still;
  }
}
