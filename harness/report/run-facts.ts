/**
 * What happened in one run, shaped for the reader from the server's journal and the run's
 * analysis (the timeline and conversation facts the judge graded, not rebuilt here):
 * connections as segments, attempts with their gaps, fault windows to shade, where turns or
 * context were lost. Facts only, no verdicts: the judge grades, the report shows why.
 */
import type { EventOf, JournalEvent } from '../../mock-server/index.ts';
import type { RunAnalysis } from '../analysis/run-analysis.ts';
import { carriedFullTurn, type Segment, type Timeline } from '../analysis/timeline.ts';
import type {
  ReportAttempt, ReportComparison, ReportConnection, ReportFaultWindow, ReportHappened, ReportLoss, ReportTurnEvent, ReportWireFrame,
} from './scenario-report-schema.ts';

export interface RunFacts {
  readonly end: number;
  readonly connections: ReportConnection[];
  readonly attempts: ReportAttempt[];
  readonly happened: ReportHappened[];
  readonly windows: ReportFaultWindow[];
  readonly turnEvents: ReportTurnEvent[];
  readonly perConnection: Array<{ conn: number; ordinal: number; prospect: number; agent: number }>;
  readonly losses: ReportLoss[];
  readonly wire: ReportWireFrame[];
  readonly server: ReportComparison['server'];
  readonly events: Array<{ kind: string; t: number } & Record<string, unknown>>;
}

export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Fault actions whose effect lasts until the connection they hit is gone. */
const UNTIL_CLOSE = new Set(['drop', 'close', 'halfOpen', 'silence', 'toxic']);

export function runFacts(journal: readonly JournalEvent[], analysis: RunAnalysis, maxTurns: number): RunFacts {
  const { timeline } = analysis;
  const { end } = timeline;
  const framesOut = new Map<number, number>();
  for (const e of journal) if (e.kind === 'frame-out') framesOut.set(e.conn, (framesOut.get(e.conn) ?? 0) + 1);
  const { facts } = analysis;
  const turnEvents = turnEventsOf(journal);
  return {
    end,
    connections: timeline.segments.map((s) => connectionOf(s, framesOut.get(s.conn) ?? 0, end)),
    attempts: attemptsOf(timeline),
    happened: happenedOf(journal),
    windows: faultWindows(journal, timeline),
    turnEvents,
    perConnection: timeline.segments.map((s) => ({ conn: s.conn, ordinal: s.ordinal, prospect: s.prospectTurns.length, agent: s.agentTurns.filter((a) => !a.greeting).length })),
    losses: lossesOf(journal, timeline, facts.answeredTurns, maxTurns),
    wire: wireOf(journal),
    server: {
      turnsAnswered: facts.answeredTurns,
      connections: timeline.segments.length,
      reconnects: Math.max(0, timeline.attempts.length - 1),
      resumed: timeline.segments.filter((s) => s.open.resume === 'resumed').length,
      rejected: timeline.segments.filter((s) => s.open.resume === 'rejected').length,
      conversations: new Set(timeline.segments.map((s) => s.conversationId)).size,
      conversationEnded: timeline.segments.some((s) => s.conversationEndAt !== null),
      finalContextTurns: facts.finalState.length,
      lostSlots: facts.lostSlots,
    },
    events: journal.filter((e) => e.kind !== 'frame-in' && e.kind !== 'frame-out').map((e) => ({ ...e })),
  };
}

function connectionOf(s: Segment, framesOut: number, end: number): ReportConnection {
  const closedAt = s.close?.t ?? null;
  return {
    conn: s.conn,
    ordinal: s.ordinal,
    conversationId: s.conversationId,
    openedAt: s.openedAt,
    closedAt,
    durationMs: (closedAt ?? end) - s.openedAt,
    close: s.close ? { code: s.close.code, reason: s.close.reason, by: s.close.by, cause: s.close.cause ?? null } : null,
    handlePresented: s.open.presented,
    handleSeq: s.open.handle?.seq ?? null,
    latestIssuedSeq: s.open.latestIssued?.seq ?? null,
    resume: s.open.resume,
    rejection: s.open.rejection ?? s.open.rejectReason ?? null,
    resumedSentAt: s.resumedSentAt,
    contextTurns: s.open.contextTurns,
    conversationTurns: s.open.conversationTurns,
    contextLostTurns: Math.max(0, s.open.conversationTurns - s.open.contextTurns),
    prospectTurns: s.prospectTurns.length,
    agentTurns: s.agentTurns.filter((a) => !a.greeting).length,
    greeting: s.agentTurns.some((a) => a.greeting),
    handlesIssued: s.handlesIssued.map((h) => ({ t: h.t, handle: h.handle.id, seq: h.handle.seq, turns: h.handle.turns, reason: h.reason })),
    expiring: s.expiring.map((x) => ({ t: x.t, timeLeftS: x.timeLeft, deadline: x.deadline })),
    framesIn: s.framesIn.length,
    framesOut,
    blackHoled: s.blackHoled,
    conversationEndAt: s.conversationEndAt,
  };
}

/**
 * Outages as the reconnect axis counts them: consecutive attempts until one carries a full
 * agent turn. The idle gap runs from the previous attempt's end, so a connection that lived
 * a while before failing does not read as a long backoff.
 */
function attemptsOf(timeline: Timeline): ReportAttempt[] {
  let outage = 0;
  return timeline.attempts.map((a, i) => {
    const prev = i > 0 ? timeline.attempts[i - 1]! : null;
    if (prev && (i === 1 || (prev.state === 'opened' && carriedFullTurn(prev.segment)))) outage += 1;
    const prevEnd = prev === null ? null : prev.state === 'opened' ? (prev.segment.close?.t ?? prev.t) : prev.t;
    return {
      n: i + 1,
      t: a.t,
      state: a.state,
      conn: a.state === 'opened' ? a.segment.conn : null,
      status: a.state === 'refused' ? a.status : null,
      handle: a.handle,
      outage,
      sincePreviousMs: prev === null ? null : a.t - prev.t,
      idleGapMs: prevEnd === null ? null : Math.max(0, a.t - prevEnd),
    };
  });
}

function happenedOf(journal: readonly JournalEvent[]): ReportHappened[] {
  const out: ReportHappened[] = [];
  const add = (t: number, kind: ReportHappened['kind'], conn: number | null, label: string, more: Partial<Pick<ReportHappened, 'rule' | 'code' | 'by'>> = {}): void => {
    out.push({ t, kind, conn, label, rule: more.rule ?? null, code: more.code ?? null, by: more.by ?? null });
  };
  for (const e of journal) {
    switch (e.kind) {
      case 'fault':
        add(e.t, 'fault', e.conn ?? null, `fault (${source(e)}): ${e.action}${e.detail ? ` — ${e.detail}` : ''}`, { rule: e.rule });
        break;
      case 'expiring':
        add(e.t, 'expiring', e.conn, `session_expiring on connection ${e.conn}: timeLeft ${e.timeLeft} s, deadline ${secs(e.deadline)}${e.hasHandle ? '' : ', no handle issued yet'}`);
        break;
      case 'close':
        add(e.t, 'close', e.conn, `connection ${e.conn} closed ${e.code}${e.reason ? ` "${e.reason}"` : ''} by ${e.by}${e.cause ? ` (${e.cause})` : ''}`, { code: e.code, by: e.by });
        break;
      case 'upgrade-rejected':
        add(e.t, 'upgrade-rejected', null, `connection attempt refused: HTTP ${e.status} (${e.reason})`, { code: e.status });
        break;
      case 'restart':
        add(e.t, 'restart', null, 'server restart');
        break;
      case 'conversation-end':
        add(e.t, 'conversation-end', e.conn, `conversation ended (${e.reason})`);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Intervals during which a fault was in force, shaded on the timeline like Jepsen's nemesis
 * activity: the expiry notice to its deadline (or the late close), a fault until the
 * connection it hit is gone, an outage until the last attempt it refused.
 */
export function faultWindows(journal: readonly JournalEvent[], timeline: Timeline): ReportFaultWindow[] {
  const byConn = new Map(timeline.segments.map((s) => [s.conn, s]));
  const windows: ReportFaultWindow[] = [];
  journal.forEach((e, index) => {
    if (e.kind === 'expiring') {
      const close = byConn.get(e.conn)?.close;
      const to = close && close.cause === 'expiry-deadline' ? Math.max(close.t, e.deadline) : e.deadline;
      windows.push({ kind: 'expiry', from: e.t, to, conn: e.conn, label: `session_expiring (timeLeft ${e.timeLeft} s) → deadline ${secs(e.deadline)}` });
      return;
    }
    if (e.kind !== 'fault' || e.action === 'expire') return;
    // A toxic whose toxicity spared this connection did nothing to it.
    if (e.action === 'toxic' && (e.detail ?? '').includes('spared')) return;
    const label = `${e.action}${e.detail ? `: ${e.detail}` : ''} (${source(e)})`;
    if (e.action === 'outage') {
      windows.push({ kind: 'outage', from: e.t, to: outageEnd(journal, index, byConn), conn: null, label });
      return;
    }
    const down = e.action === 'toxic' ? null : /down for (\d+(?:\.\d+)?)ms/.exec(e.detail ?? '');
    if (down) {
      windows.push({ kind: 'down', from: e.t, to: e.t + Number(down[1]), conn: null, label });
      return;
    }
    const seg = e.conn === undefined ? undefined : byConn.get(e.conn);
    const to = seg && UNTIL_CLOSE.has(e.action) ? (seg.close?.t ?? timeline.end) : e.t;
    windows.push({ kind: 'fault', from: e.t, to: Math.max(e.t, to), conn: e.conn ?? null, label });
  });
  return windows;
}

/** Which part of the script a fault event came from: a rule, or a standing toxic (rule -1). */
const source = (e: EventOf<'fault'>): string => {
  const toxic = (e as EventOf<'fault'> & { toxic?: number }).toxic;
  return e.rule < 0 && toxic !== undefined ? `toxic ${toxic}` : `rule ${e.rule}`;
};

function outageEnd(journal: readonly JournalEvent[], from: number, byConn: ReadonlyMap<number, Segment>): number {
  let last = journal[from]!.t;
  for (let i = from + 1; i < journal.length; i++) {
    const e = journal[i]!;
    if (e.kind === 'upgrade-rejected' && e.reason.includes('outage')) last = e.t;
    else if (e.kind === 'close' && e.cause === 'fault: outage') last = e.t;
    else if (e.kind === 'open' && byConn.get(e.conn)?.close?.cause !== 'fault: outage') break;
  }
  return last;
}

function turnEventsOf(journal: readonly JournalEvent[]): ReportTurnEvent[] {
  const out: ReportTurnEvent[] = [];
  for (const e of journal) {
    if (e.kind === 'prospect-turn') out.push({ t: e.t, conn: e.conn, side: 'prospect', turn: e.turn, greeting: false, duplicate: e.duplicate ?? null });
    else if (e.kind === 'agent-turn') out.push({ t: e.t, conn: e.conn, side: 'agent', turn: e.turn, greeting: e.greeting, duplicate: null });
  }
  return out;
}

/** Where context or turns were lost, each at the moment a reader should look at. */
function lossesOf(journal: readonly JournalEvent[], timeline: Timeline, answered: number, maxTurns: number): ReportLoss[] {
  const losses: ReportLoss[] = [];
  const sessions = timeline.sessions.filter((s) => s.conversationId);
  sessions.slice(1).forEach((s) => {
    losses.push({ kind: 'new-session', t: s.t, conn: null, turn: null, turns: 0, label: `new HTTP session at ${secs(s.t)}: the conversation started over` });
  });
  const lastOf = new Map(timeline.segments.map((s) => [s.conversationId, s]));
  const prospects = journal.filter((e): e is EventOf<'prospect-turn'> => e.kind === 'prospect-turn' && !e.duplicate);
  for (const seg of timeline.segments) {
    const lost = seg.open.conversationTurns - seg.open.contextTurns;
    // A connection refused at once (an outage) carried nothing: its empty context lost nothing
    // unless it was where the conversation went on, or ended.
    const carried = seg.agentTurns.length > 0 || seg.prospectTurns.length > 0 || seg === lastOf.get(seg.conversationId);
    if (lost > 0 && carried) {
      losses.push({
        kind: 'context', t: seg.openedAt, conn: seg.conn, turn: seg.open.contextTurns + 1, turns: lost,
        label: `connection ${seg.conn} started with ${seg.open.contextTurns} of ${seg.open.conversationTurns} turns of context (${seg.open.resume}${seg.open.rejection ? `: ${seg.open.rejection}` : ''})`,
      });
    }
    for (const p of seg.prospectTurns) {
      if (p.duplicate) {
        losses.push({ kind: 'duplicate', t: p.t, conn: seg.conn, turn: p.turn, turns: 1, label: `turn ${p.turn}: duplicate prospect message (${p.duplicate})` });
        continue;
      }
      if (seg.agentTurns.some((a) => a.t >= p.t && a.answers === p.textId)) continue;
      // Re-sent after a resume (spec §5.1): the next message the server saw is this one again.
      const next = prospects[prospects.indexOf(p) + 1];
      if (next && next.textId === p.textId) continue;
      if (seg.conversationEndAt !== null) continue;
      const at = seg.close?.t ?? timeline.end;
      losses.push({ kind: 'unanswered', t: at, conn: seg.conn, turn: p.turn, turns: 1, label: `turn ${p.turn}: the prospect message sent at ${secs(p.t)} was never answered (in flight when connection ${seg.conn} ${seg.close ? 'closed' : 'stopped'})` });
    }
  }
  const completed = journal.some((e) => e.kind === 'conversation-end' && e.reason === 'completed');
  if (!completed && answered < maxTurns) {
    const last = timeline.segments.at(-1);
    const lastAttempt = timeline.attempts.at(-1)?.t ?? 0;
    const t = Math.max(last?.close?.t ?? (last ? timeline.end : 0), lastAttempt);
    const first = answered + 1;
    losses.push({
      kind: 'unfinished', t, conn: last?.conn ?? null, turn: first, turns: maxTurns - answered,
      label: `${first === maxTurns ? `turn ${first} never happened` : `turns ${first}–${maxTurns} never happened`}: ${answered} of ${maxTurns} answered`,
    });
  }
  return losses.sort((a, b) => a.t - b.t);
}

function wireOf(journal: readonly JournalEvent[]): ReportWireFrame[] {
  const out: ReportWireFrame[] = [];
  for (const e of journal) {
    if (e.kind === 'frame-in') {
      out.push({ n: out.length + 1, t: e.t, conn: e.conn, dir: 'in', type: e.type ?? null, bytes: e.bytes, binary: e.binary, text: e.text ?? null, decoded: e.decoded, problem: e.problem ?? null, dropped: false });
    } else if (e.kind === 'frame-out') {
      out.push({ n: out.length + 1, t: e.t, conn: e.conn, dir: 'out', type: e.type ?? null, bytes: e.bytes, binary: e.binary, text: e.text ?? null, decoded: null, problem: null, dropped: e.dropped ?? false });
    }
  }
  return out;
}
