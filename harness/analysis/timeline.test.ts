/**
 * The timeline with a server under test in front of the face (TimelineOptions.serverFallbackWindowMs):
 * the server's own fallback session, opened right after Gemini refused a resume, belongs to the
 * client attempt that presented the handle — one attempt, ending on the fallback session.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../mock-server/index.ts';
import { buildTimeline } from './timeline.ts';

function open(conn: number, t: number, presented: string | null, resume: 'none' | 'resumed' | 'rejected'): JournalEvent {
  return { kind: 'open', t, conn, ordinal: conn, conversationId: 'c1', presented, handle: null, resume, contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] };
}
const close = (conn: number, t: number, code: number, by: 'client' | 'server' | 'network'): JournalEvent => ({ kind: 'close', t, conn, code, reason: '', by });

/** Connection 1 fresh and dropped; connection 2 presents its handle and is refused (1008); connection 3 is fresh `gap` ms later. */
const refusedThenFresh = (gap: number): JournalEvent[] => [
  open(1, 0, null, 'none'),
  close(1, 10_000, 1006, 'network'),
  open(2, 10_500, '‹h1›', 'rejected'),
  close(2, 10_500, 1008, 'server'),
  open(3, 10_500 + gap, null, 'none'),
];

describe('a server fallback session (serverFallbackWindowMs)', () => {
  it('right after a refused resume: one client attempt, that ended on the fallback session', () => {
    const timeline = buildTimeline(refusedThenFresh(50), 20_000, { serverFallbackWindowMs: 250 });
    expect(timeline.segments.map((s) => s.conn)).toEqual([1, 2, 3]);
    expect(timeline.attempts.map((a) => [a.t, a.handle, a.state === 'opened' ? a.segment.conn : null])).toEqual([[0, null, 1], [10_500, '‹h1›', 3]]);
  });

  it('later than the window, or without the option: two attempts, as a client retry would be', () => {
    expect(buildTimeline(refusedThenFresh(2_000), 20_000, { serverFallbackWindowMs: 250 }).attempts).toHaveLength(3);
    expect(buildTimeline(refusedThenFresh(50), 20_000).attempts).toHaveLength(3);
  });

  it('a fresh session after a resume that was accepted, or closed by the client, is never folded', () => {
    const accepted = refusedThenFresh(50).map((e) => (e.kind === 'open' && e.conn === 2 ? { ...e, resume: 'resumed' as const } : e));
    expect(buildTimeline(accepted, 20_000, { serverFallbackWindowMs: 250 }).attempts).toHaveLength(3);
    const byClient = refusedThenFresh(50).map((e) => (e.kind === 'close' && e.conn === 2 ? { ...e, by: 'client' as const } : e));
    expect(buildTimeline(byClient, 20_000, { serverFallbackWindowMs: 250 }).attempts).toHaveLength(3);
  });
});

describe('upstreams by the client connection that caused them (clientConnectionOf)', () => {
  it('one client connection, two upstreams: one attempt, whatever the gap (a server that gave up on a slow resume at its own deadline)', () => {
    // The server closed the resume itself (by: client, from the face's side) and opened its fallback 2 s later: the window could not tell.
    const slow = refusedThenFresh(2_000).map((e) => (e.kind === 'close' && e.conn === 2 ? { ...e, by: 'client' as const } : e));
    const timeline = buildTimeline(slow, 20_000, { clientConnectionOf: new Map([[1, 1], [2, 2], [3, 2]]) });
    expect(timeline.attempts.map((a) => (a.state === 'opened' ? a.segment.conn : null))).toEqual([1, 3]);
  });

  it('two client connections: two attempts, however close together', () => {
    expect(buildTimeline(refusedThenFresh(50), 20_000, { clientConnectionOf: new Map([[1, 1], [2, 2], [3, 3]]), serverFallbackWindowMs: 250 }).attempts).toHaveLength(3);
  });
});
