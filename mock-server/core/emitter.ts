/**
 * A typed, synchronous event emitter in the style of msw's `strict-event-emitter`: the event
 * map names each event and the arguments its listeners get. Listeners run at once, in the
 * order they subscribed, so an emit is exactly as ordered as the direct call it replaces
 * (frames, journal entries and timers keep their order).
 */
export type EventMap = { [event: string]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

export class Emitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Listener<unknown[]>[]>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as unknown as Listener<unknown[]>);
    this.listeners.set(event, list);
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    const i = list.indexOf(listener as unknown as Listener<unknown[]>);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    // A listener added or removed while emitting takes effect from the next emit.
    for (const listener of [...list]) listener(...args);
    return true;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
