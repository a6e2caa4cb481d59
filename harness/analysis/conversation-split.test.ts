import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../mock-server/index.ts';
import { splitByConversation } from './conversation-split.ts';

const open = (t: number, conn: number, conversationId: string): JournalEvent => ({ kind: 'open', t, conn, ordinal: 1, conversationId, presented: null, handle: null, resume: 'none', contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] });

describe('a journal split by conversation', () => {
  it('gives each conversation its own events and its connections\', and every conversation a restart', () => {
    const events: JournalEvent[] = [
      { kind: 'http-session', t: 0, status: 201, conversationId: 'a' },
      { kind: 'http-session', t: 0, status: 404, problem: 'unknown share token' },
      open(1, 1, 'a'),
      { kind: 'http-session', t: 1, status: 201, conversationId: 'b' },
      open(2, 2, 'b'),
      { kind: 'frame-in', t: 3, conn: 2, bytes: 2, binary: false, decoded: 'not-json', text: '{' },
      { kind: 'restart', t: 4 },
      { kind: 'close', t: 4, conn: 1, code: 1012, reason: '', by: 'server' },
      { kind: 'upgrade-rejected', t: 5, status: 401, reason: 'x', conversationId: 'b' },
      { kind: 'upgrade-rejected', t: 5, status: 401, reason: 'no session' },
    ];
    const split = splitByConversation(events);
    expect([...split.keys()].sort()).toEqual(['a', 'b']);
    expect(split.get('a')!.map((e) => e.kind)).toEqual(['http-session', 'open', 'restart', 'close']);
    expect(split.get('b')!.map((e) => e.kind)).toEqual(['http-session', 'open', 'frame-in', 'restart', 'upgrade-rejected']);
  });
});
