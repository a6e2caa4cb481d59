import { describe, expect, it } from 'vitest';
import { HandleStore } from './handle-store.ts';
import { emptyState } from './sales-agent.ts';

describe('the handle store', () => {
  it("starts a handle's TTL when the connection that issued it closes, and only that connection's handles", () => {
    const store = new HandleStore(new Uint8Array(32).fill(7), 24);
    const issue = (connection: number, seq: number) => store.issue({ shareToken: 'share_t', conversationId: 'c', state: emptyState(), connection, now: seq * 10, seq });
    const a1 = issue(1, 1);
    const b1 = issue(2, 2);
    const a2 = issue(1, 3);
    store.connectionClosed(1, 500);
    expect([a1.closedAt, a2.closedAt, b1.closedAt]).toEqual([500, 500, null]);
    // A second close of the same connection changes nothing; the other connection's close is its own.
    store.connectionClosed(1, 900);
    store.connectionClosed(2, 700);
    expect([a1.closedAt, a2.closedAt, b1.closedAt]).toEqual([500, 500, 700]);
    const rules = { ttlMs: 100, ttlFromIssue: false, onlyNewestValid: false };
    expect(store.validate(a1.value, 'share_t', 'c', 600, rules, 3)).toMatchObject({ ok: true });
    expect(store.validate(a1.value, 'share_t', 'c', 601, rules, 3)).toMatchObject({ ok: false, reason: 'expired' });
    expect(store.validate(b1.value, 'share_t', 'c', 790, rules, 3)).toMatchObject({ ok: true });
  });
});
