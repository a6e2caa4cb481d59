/**
 * The journal, reorganised per connection and per attempt: the facts every axis judges from.
 */
import type { EventOf, HandleRef, JournalEvent } from '../../mock-server/index.ts';

export interface Segment {
  readonly conn: number;
  readonly ordinal: number;
  readonly conversationId: string;
  readonly open: EventOf<'open'>;
  readonly openedAt: number;
  close: EventOf<'close'> | null;
  readonly prospectTurns: EventOf<'prospect-turn'>[];
  readonly agentTurns: EventOf<'agent-turn'>[];
  readonly expiring: EventOf<'expiring'>[];
  readonly handlesIssued: EventOf<'handle-issued'>[];
  readonly framesIn: EventOf<'frame-in'>[];
  /** History the client wrote into the context without asking for an answer (Gemini clientContent, F9). */
  readonly history: EventOf<'history'>[];
  resumedSentAt: number | null;
  conversationEndAt: number | null;
  /** The server stopped reading and writing (half-open, Toxiproxy `timeout`): its close time says nothing of the client. */
  blackHoled: boolean;
  readonly faults: EventOf<'fault'>[];
}

export type Attempt =
  | { readonly state: 'opened'; readonly t: number; readonly segment: Segment; readonly conversationId: string; readonly handle: string | null }
  | { readonly state: 'refused'; readonly t: number; readonly status: number; readonly conversationId: string | null; readonly handle: string | null };

export interface Timeline {
  readonly sessions: EventOf<'http-session'>[];
  readonly segments: Segment[];
  readonly attempts: Attempt[];
  readonly events: readonly JournalEvent[];
  /** Conversations in creation order (a second one means a new HTTP session). */
  readonly conversations: string[];
  readonly end: number;
}

export interface TimelineOptions {
  /**
   * A server under test stands in front of the face (server-contract.md §2, "A rejected resume"):
   * an upstream it opens without a handle within this many protocol ms of a resume the face
   * refused (closed by the server side before anything else) is its fallback for the same client
   * connection — one client attempt that ended on the fallback session, not two attempts. The
   * window is a real-time reaction (a few ms) expressed in protocol time by the caller.
   */
  readonly serverFallbackWindowMs?: number;
  /**
   * A server under test's upstream connections by the client connection that caused them, as the
   * recording proxy saw the client's side (judge/server/server-history.ts). When it is given, an
   * upstream opened for the same client connection as the attempt before it is the server's own
   * fallback within that one client attempt — whatever the timing, which under load can put the
   * server's fallback after its own connect deadline (the window above would miss it).
   */
  readonly clientConnectionOf?: ReadonlyMap<number, number>;
}

export function buildTimeline(events: readonly JournalEvent[], endTime: number, options: TimelineOptions = {}): Timeline {
  const segments: Segment[] = [];
  const byConn = new Map<number, Segment>();
  const attempts: Attempt[] = [];
  const sessions: EventOf<'http-session'>[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'http-session':
        sessions.push(e);
        break;
      case 'open': {
        const segment: Segment = {
          conn: e.conn, ordinal: e.ordinal, conversationId: e.conversationId, open: e, openedAt: e.t, close: null,
          prospectTurns: [], agentTurns: [], expiring: [], handlesIssued: [], framesIn: [], history: [], resumedSentAt: null, conversationEndAt: null, blackHoled: false, faults: [],
        };
        segments.push(segment);
        byConn.set(e.conn, segment);
        const previous = attempts.at(-1);
        const window = options.serverFallbackWindowMs;
        const causes = options.clientConnectionOf;
        const sameClient = causes !== undefined && previous?.state === 'opened' && causes.get(previous.segment.conn) !== undefined && causes.get(previous.segment.conn) === causes.get(e.conn);
        if (sameClient || (causes === undefined && window !== undefined && e.resume === 'none' && previous?.state === 'opened' && isServerFallback(previous.segment, segment, window))) {
          attempts[attempts.length - 1] = { ...previous, segment };
          break;
        }
        attempts.push({ state: 'opened', t: e.t, segment, conversationId: e.conversationId, handle: e.presented });
        break;
      }
      case 'upgrade-rejected':
        attempts.push({ state: 'refused', t: e.t, status: e.status, conversationId: e.conversationId ?? null, handle: e.handle ?? null });
        break;
      case 'close': { const s = byConn.get(e.conn); if (s) s.close = e; break; }
      case 'prospect-turn': byConn.get(e.conn)?.prospectTurns.push(e); break;
      case 'agent-turn': byConn.get(e.conn)?.agentTurns.push(e); break;
      case 'expiring': byConn.get(e.conn)?.expiring.push(e); break;
      case 'handle-issued': byConn.get(e.conn)?.handlesIssued.push(e); break;
      case 'frame-in': byConn.get(e.conn)?.framesIn.push(e); break;
      case 'history': byConn.get(e.conn)?.history.push(e); break;
      case 'resumed-sent': { const s = byConn.get(e.conn); if (s && s.resumedSentAt === null) s.resumedSentAt = e.t; break; }
      case 'conversation-end': { const s = byConn.get(e.conn); if (s) s.conversationEndAt = e.t; break; }
      case 'fault': {
        const s = e.conn === undefined ? undefined : byConn.get(e.conn);
        if (s) {
          s.faults.push(e);
          if (e.action === 'halfOpen' || (e.action === 'toxic' && /^timeout\b/.test(e.detail ?? '') && !(e.detail ?? '').includes('spared'))) s.blackHoled = true;
        }
        break;
      }
      default:
        break;
    }
  }
  const conversations = [...new Set(sessions.filter((s) => s.conversationId).map((s) => s.conversationId as string))];
  return { sessions, segments, attempts, events, conversations, end: endTime };
}

/** `fresh` is what a server in front opened at once when the face refused the resume of `rejected`. */
function isServerFallback(rejected: Segment, fresh: Segment, windowMs: number): boolean {
  const close = rejected.close;
  return rejected.open.resume === 'rejected' && rejected.conversationId === fresh.conversationId && close !== null && close.by === 'server' && fresh.openedAt - close.t <= windowMs;
}

/** The time a segment stopped existing for the client: its close, or the end of the run. */
export const segmentEnd = (s: Segment, timeline: Timeline): number => s.close?.t ?? timeline.end;

/** A segment that carried a full agent turn after it opened (what resets a client's attempt count). */
export const carriedFullTurn = (s: Segment): boolean => s.agentTurns.some((t) => !t.greeting || s.open.resume === 'none');

/** The newest handle delivered before `t`: issued at least `graceMs` before its connection closed. */
export function newestDeliveredHandle(timeline: Timeline, conversationId: string, before: number, graceMs: number): HandleRef | null {
  let newest: HandleRef | null = null;
  for (const s of timeline.segments) {
    if (s.conversationId !== conversationId) continue;
    const closedAt = s.close?.t ?? Number.POSITIVE_INFINITY;
    for (const h of s.handlesIssued) {
      if (h.t >= before) continue;
      if (closedAt - h.t < graceMs && closedAt <= before) continue;
      if (!newest || h.handle.seq > newest.seq) newest = h.handle;
    }
  }
  return newest;
}
