import { describe, expect, it } from 'vitest';
import { relayLagOf } from './relay-lag.ts';
import type { ClientConn, ServerHistory, UpstreamConn } from './server-history.ts';

function client(frames: ClientConn['frames'], close: ClientConn['close']): ClientConn {
  return { wc: 1, party: 'client', requestedAt: 0, openedAt: 1, refusedWith: null, resumeHandle: null, shareToken: '‹s›', frames, close, upstreams: [] };
}

function upstream(cause: ClientConn | null, goAwayAt: number | null, close: UpstreamConn['close']): UpstreamConn {
  return {
    conn: 7, t: 2, conversationId: 'g1', presented: null, resume: 'none', setup: null, setupCompleteAt: 2, updates: [],
    goAways: goAwayAt === null ? [] : [{ t: goAwayAt, seq: 10, timeLeft: 5 }], prospectTurns: [], close, faulted: false, cause,
  };
}

const history = (upstreams: UpstreamConn[]): ServerHistory => ({ clients: [], upstreams, endedAt: 100_000 } as unknown as ServerHistory);

describe('relayLagOf: what the server added to the deadline the client saw', () => {
  it('the notice relayed 300 ms after the goAway, the client close passed upstream 200 ms later: 500 ms', () => {
    const c = client([{ t: 1300, dir: 'to-client', binary: false, json: true, type: 'session_expiring' }], { t: 5000, by: 'client', code: 1000, reason: '' });
    expect(relayLagOf(history([upstream(c, 1000, { t: 5200, code: 1000, by: 'client' })])).get(7)).toBe(500);
  });

  it('nothing to add without a goAway, without a known client, or when the server, not the client, closed first', () => {
    const c = client([{ t: 1300, dir: 'to-client', binary: false, json: true, type: 'session_expiring' }], { t: 5000, by: 'server', code: 1000, reason: '' });
    expect(relayLagOf(history([upstream(c, null, null)])).size).toBe(0);
    expect(relayLagOf(history([upstream(null, 1000, null)])).size).toBe(0);
    // Only the notice's relay counts when the server closed the client itself.
    expect(relayLagOf(history([upstream(c, 1000, { t: 4990, code: 1000, by: 'server' })])).get(7)).toBe(300);
  });

  it('a notice the server never relayed adds nothing: the expiry-relay axis holds that against the server', () => {
    const c = client([], { t: 5000, by: 'client', code: 1000, reason: '' });
    expect(relayLagOf(history([upstream(c, 1000, { t: 5000, code: 1000, by: 'client' })])).size).toBe(0);
  });
});
