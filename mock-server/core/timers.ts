import type { Clock, TimerHandle } from '../../protocol/clock.ts';

/** Timers owned by one object, cancelled together when it goes away. */
export class TimerGroup {
  private readonly handles = new Set<TimerHandle>();
  private disposed = false;

  constructor(private readonly clock: Clock) {}

  after(ms: number, fn: () => void): TimerHandle | null {
    if (this.disposed) return null;
    const handle = this.clock.setTimeout(() => {
      this.handles.delete(handle);
      if (!this.disposed) fn();
    }, ms);
    this.handles.add(handle);
    return handle;
  }

  cancel(handle: TimerHandle | null): void {
    if (handle === null) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(handle);
  }

  dispose(): void {
    this.disposed = true;
    for (const handle of this.handles) this.clock.clearTimeout(handle);
    this.handles.clear();
  }
}
