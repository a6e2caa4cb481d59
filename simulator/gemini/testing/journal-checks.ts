/**
 * A few verdicts read from the mock Gemini's journal, for the client's own tests: not the
 * harness's judge, only the properties the g-mutants break. Each returns the problems found.
 */
import type { JournalEvent } from '../../../mock-server/index.ts';

type Of<K extends JournalEvent['kind']> = Extract<JournalEvent, { kind: K }>;
const of = <K extends JournalEvent['kind']>(events: readonly JournalEvent[], kind: K): Of<K>[] => events.filter((e): e is Of<K> => e.kind === kind);

export interface JournalVerdict {
  /** Problem → details; empty when every check passed. */
  readonly problems: Record<string, string>;
}

export function checkJournal(events: readonly JournalEvent[], runEnded: boolean, completed: boolean): JournalVerdict {
  const problems: Record<string, string> = {};
  const opens = of(events, 'open');
  const closes = of(events, 'close');
  const prospectConns = new Set(of(events, 'prospect-turn').map((p) => p.conn));
  // Frames a black hole or a toxic swallowed never reached the client: handles issued there do not count.
  const swallowing = new Set(of(events, 'fault').filter((f) => f.conn !== undefined && (f.action === 'halfOpen' || f.action === 'toxic')).map((f) => f.conn!));
  const issued = new Map(of(events, 'handle-issued').map((h) => [h.handle.seq, h]));
  const updatesOut = of(events, 'frame-out').filter((f) => f.type === 'sessionResumptionUpdate' && !f.dropped);
  const reached = (seq: number): boolean => {
    const h = issued.get(seq);
    if (h === undefined || !prospectConns.has(h.conn) || swallowing.has(h.conn)) return false;
    // Journaled as issued is not sent: a silenced agent's frames never leave.
    return updatesOut.some((f) => f.conn === h.conn && f.t >= h.t);
  };
  // A handle the server rejected, or whose resumed connection the server closed before a full
  // answer, may rightly be given up: later opens need not present the newest handle.
  let excused = false;
  for (const open of opens) {
    const latest = open.latestIssued;
    if (open.ordinal > 1 && !excused && latest !== null && reached(latest.seq)) {
      if (open.resume === 'none') problems['newest-handle'] = `connection ${open.ordinal} opened fresh although handle #${latest.seq} was issued`;
      if (open.resume === 'resumed' && open.handle && open.handle.seq < latest.seq && open.handle.turns < latest.turns) {
        problems['newest-handle'] = `connection ${open.ordinal} resumed with handle #${open.handle.seq} (${open.handle.turns} turns) although #${latest.seq} (${latest.turns} turns) was issued`;
      }
    }
    if (open.resume === 'rejected') excused = true;
    if (open.resume === 'resumed') {
      const answered = of(events, 'agent-turn').some((a) => a.conn === open.conn && !a.greeting);
      const serverClose = closes.find((c) => c.conn === open.conn && c.by === 'server');
      if (!answered && serverClose) excused = true;
    }
  }
  const history = of(events, 'history').filter((h) => h.alreadyHeld > 0);
  if (history.length > 0) problems['duplicated-context'] = `${history[0]!.alreadyHeld} turns written again into a context that held them`;
  for (const expiring of of(events, 'expiring')) {
    const close = closes.find((c) => c.conn === expiring.conn);
    // The announced deadline: a server that closes sooner than it said is not the client's overrun.
    const announced = expiring.t + expiring.timeLeft * 1000;
    if (close && close.by !== 'client' && close.t >= announced) problems['goaway-overrun'] = `connection ${expiring.conn} stayed past its goAway deadline (closed ${close.code})`;
  }
  if (completed) {
    const answered = new Set(of(events, 'agent-turn').map((a) => a.answers));
    const unanswered = of(events, 'prospect-turn').filter((p) => !answered.has(p.textId));
    if (unanswered.length > 0) problems['unanswered'] = `${unanswered.length} prospect message(s) never answered`;
  }
  if (!runEnded) problems['hang'] = 'the client never ended';
  return { problems };
}
