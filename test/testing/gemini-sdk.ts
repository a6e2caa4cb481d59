/**
 * What the Gemini face's acceptance tests share: a GeminiLiveServer on 127.0.0.1, the real
 * @google/genai 2.32.0 pointed at it, raw `ws` clients for what the SDK never sends, and
 * queues to wait on. No timers: every wait is on an event or a promise.
 */
import { GoogleGenAI, type LiveConnectConfig, type LiveServerMessage, type Session } from '@google/genai';
import { WebSocket, type RawData } from 'ws';
import { relativeClock, type Clock, type TimerHandle } from '../../protocol/clock.ts';
import { GeminiLiveServer, startWsServer, type EventOf, type Journal, type JournalEvent, type RunningServer, type ServerScriptInput } from '../../mock-server/index.ts';

type JournalEventKind = JournalEvent['kind'];

export const MODEL = 'gemini-2.0-flash-live-001';

/** Script delays small enough that a turn takes a few real milliseconds. */
export const FAST_AGENT: { replyDelay: [number, number]; chunkGap: number } = { replyDelay: [0.01, 0.02], chunkGap: 0.01 };

/**
 * A FIFO that hands items to whoever waits for the next one. Once ended (the socket closed),
 * a wait for an item that will never come fails with the reason instead of hanging the test.
 */
export class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (item: T) => void; reject: (error: Error) => void }[] = [];
  private ended: Error | null = null;
  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }
  end(reason: Error): void {
    this.ended = reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  /** The next item that matches, dropping (and returning) the ones before it. */
  async until(match: (item: T) => boolean): Promise<{ item: T; skipped: T[] }> {
    const skipped: T[] = [];
    for (;;) {
      const item = await this.next();
      if (match(item)) return { item, skipped };
      skipped.push(item);
    }
  }
  /** What is queued now, taken. */
  drain(): T[] {
    return this.items.splice(0);
  }
  get size(): number {
    return this.items.length;
  }
}

/**
 * Real time whose `now()` can be pushed forward: a handle's TTL is judged on `now()`, so
 * two hours pass in one call. Timers stay on the real clock (short script delays only).
 */
export interface JumpClock extends Clock {
  jump(ms: number): void;
}
export function jumpClock(base: Clock = relativeClock()): JumpClock {
  let offset = 0;
  return {
    now: () => base.now() + offset,
    setTimeout: (fn: () => void, ms: number): TimerHandle => base.setTimeout(fn, ms),
    clearTimeout: (handle: TimerHandle) => base.clearTimeout(handle),
    jump: (ms) => { offset += ms; },
  };
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export interface GeminiRig {
  readonly server: GeminiLiveServer;
  readonly running: RunningServer;
  /** ws://127.0.0.1:PORT */
  readonly wsOrigin: string;
  /** An SDK client pointed at the mock with its key. */
  readonly ai: GoogleGenAI;
  close(): Promise<void>;
}

export async function startGemini(script: ServerScriptInput = {}, options: { clock?: Clock; seed?: number; apiKey?: string } = {}): Promise<GeminiRig> {
  const fast: ServerScriptInput = { ...script, agent: { ...FAST_AGENT, ...script.agent } };
  const server = new GeminiLiveServer({
    clock: options.clock ?? relativeClock(),
    seed: options.seed ?? 1,
    script: fast,
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
  });
  const running = await startWsServer(server);
  const ai = new GoogleGenAI({ apiKey: server.apiKey, httpOptions: { baseUrl: running.httpUrl } });
  return {
    server,
    running,
    wsOrigin: running.httpUrl.replace(/^http/, 'ws'),
    ai,
    close: async () => {
      server.dispose();
      await running.close();
    },
  };
}

/** One `ai.live.connect()` with its callbacks as queues; `connecting` is never awaited blindly. */
export interface SdkSession {
  readonly connecting: Promise<Session>;
  readonly messages: Queue<LiveServerMessage>;
  /** Every message, in arrival order (also the ones a test already took from `messages`). */
  readonly log: LiveServerMessage[];
  readonly closed: Promise<Closed>;
  /** Whether `connecting` has settled, and how. */
  readonly settled: () => 'pending' | 'resolved' | 'rejected';
}

export function sdkConnect(ai: GoogleGenAI, config: LiveConnectConfig, model = MODEL): SdkSession {
  const messages = new Queue<LiveServerMessage>();
  const log: LiveServerMessage[] = [];
  let onClosed!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => { onClosed = resolve; });
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  const connecting = ai.live.connect({
    model,
    config,
    callbacks: {
      onmessage: (m: LiveServerMessage) => { log.push(m); messages.push(m); },
      onclose: (e: { code: number; reason: string }) => {
        messages.end(new Error(`the socket closed: ${e.code} ${e.reason}`));
        onClosed({ code: e.code, reason: e.reason });
      },
      onerror: () => {},
    },
  });
  connecting.then(() => { state = 'resolved'; }, () => { state = 'rejected'; });
  return { connecting, messages, log, closed, settled: () => state };
}

/** Messages up to and including the next turnComplete. */
export async function untilTurnComplete(messages: Queue<LiveServerMessage>): Promise<LiveServerMessage[]> {
  const { item, skipped } = await messages.until((m) => m.serverContent?.turnComplete === true);
  return [...skipped, item];
}

/** The next sessionResumptionUpdate that carries a handle. */
export async function nextHandle(messages: Queue<LiveServerMessage>): Promise<string> {
  const { item } = await messages.until((m) => m.sessionResumptionUpdate?.resumable === true && !!m.sessionResumptionUpdate.newHandle);
  return item.sessionResumptionUpdate!.newHandle!;
}

export interface RawFrame {
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly text: string;
}

/** A bare `ws` client: for what the SDK never sends (snake_case, garbage, a first frame that is not setup). */
export interface RawClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly frames: Queue<RawFrame>;
  readonly closed: Promise<Closed>;
  /** The HTTP status of a refused upgrade. */
  readonly refused: Promise<number>;
  send(message: unknown): void;
}

export function rawClient(url: string, headers: Record<string, string> = {}): RawClient {
  const ws = new WebSocket(url, { headers });
  const frames = new Queue<RawFrame>();
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    frames.push({ data: buffer, isBinary, text: buffer.toString('utf8') });
  });
  ws.on('error', () => {});
  ws.once('close', (code: number, reason: Buffer) => frames.end(new Error(`the socket closed: ${code} ${reason.toString('utf8')}`)));
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const closed = new Promise<Closed>((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })));
  const refused = new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); }));
  return {
    ws,
    opened,
    frames,
    closed,
    refused,
    send: (message) => { ws.send(typeof message === 'string' ? message : JSON.stringify(message)); },
  };
}

/** The path the SDK builds (§1.8), for a raw client: `/ws/google.ai.generativelanguage.VERSION.GenerativeService.METHOD`. */
export const geminiPath = (version = 'v1beta', method = 'BidiGenerateContent'): string => `/ws/google.ai.generativelanguage.${version}.GenerativeService.${method}`;

const WAITERS = Symbol('journal waiters');

/**
 * The next journal event that matches, recorded now or later: the journal is wrapped once so
 * that every `record` also wakes the waiters. Resolves at once if one is already there.
 */
export function whenJournaled<K extends JournalEventKind>(journal: Journal, kind: K, match: (event: EventOf<K>) => boolean = () => true): Promise<EventOf<K>> {
  const found = journal.of(kind).find(match);
  if (found) return Promise.resolve(found);
  const watched = journal as Journal & { [WAITERS]?: Array<(event: JournalEvent) => boolean> };
  if (!watched[WAITERS]) {
    const waiters: Array<(event: JournalEvent) => boolean> = [];
    watched[WAITERS] = waiters;
    const record = journal.record.bind(journal);
    journal.record = (event) => {
      record(event);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!(event)) waiters.splice(i, 1);
    };
  }
  return new Promise((resolve) => {
    watched[WAITERS]!.push((event) => {
      if (event.kind !== kind || !match(event as EventOf<K>)) return false;
      resolve(event as EventOf<K>);
      return true;
    });
  });
}
