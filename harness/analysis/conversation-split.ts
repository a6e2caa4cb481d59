/**
 * One server's journal, split by conversation in one pass: each conversation's own events and
 * its connections' (a load run judges each of its conversations on its own, as a run of one).
 * A restart concerns every conversation, so each gets it.
 */
import type { JournalEvent } from '../../mock-server/index.ts';

export function splitByConversation(events: readonly JournalEvent[]): Map<string, JournalEvent[]> {
  const byConversation = new Map<string, JournalEvent[]>();
  const conversationOfConn = new Map<number, string>();
  const push = (id: string, event: JournalEvent): void => {
    const list = byConversation.get(id);
    if (list) list.push(event);
    else byConversation.set(id, [event]);
  };
  const restarts: JournalEvent[] = [];
  for (const event of events) {
    if (event.kind === 'restart') {
      restarts.push(event);
      for (const list of byConversation.values()) list.push(event);
      continue;
    }
    if (event.kind === 'open') {
      conversationOfConn.set(event.conn, event.conversationId);
      if (!byConversation.has(event.conversationId)) byConversation.set(event.conversationId, [...restarts.filter((r) => r.t <= event.t)]);
      push(event.conversationId, event);
      continue;
    }
    if (event.kind === 'http-session' || event.kind === 'upgrade-rejected') {
      if (event.conversationId !== undefined) push(event.conversationId, event);
      continue;
    }
    const conn = 'conn' in event ? event.conn : undefined;
    const id = conn === undefined ? undefined : conversationOfConn.get(conn);
    if (id !== undefined) push(id, event);
  }
  return byConversation;
}
