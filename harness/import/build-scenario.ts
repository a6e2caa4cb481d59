/**
 * The scenario file an import writes: the facts of a capture (infer-scenario.ts) as a server
 * script, with the catalog's fields, and a description that says what was inferred and what
 * was assumed. No handle or token is needed by the script, so none is written; the few texts
 * kept (odd frames, close reasons) go through the redactor.
 */
import type { Action, FaultRule, ServerScriptInput, Trigger } from '../../mock-server/script/schema.ts';
import type { CaptureFacts, ClosedConnection } from './infer-scenario.ts';
import type { ImportRedactor } from './capture-event.ts';

export interface SourceFile {
  readonly shown: string;
  readonly sha256: string;
  readonly format: string;
}

const round = (s: number, digits = 1): number => Math.round(s * 10 ** digits) / 10 ** digits;

/** A resume attempt that never resumed the context, and how the server did it (spec §5.2). */
type Rejection =
  | { how: 'silent-fresh'; greet: boolean }
  | { how: 'close-4003' }
  | { how: 'close'; code: number; reason: string }
  | { how: 'accept-then-close'; after: number; code: number; reason: string };

const QUICK = 1.5;

function serverClosed(c: ClosedConnection): boolean {
  return c.by === 'server' || c.by === 'network' || c.code === 1006;
}

function rejectionOf(c: ClosedConnection, protocol: CaptureFacts['protocol']): Rejection | null {
  if (c.resume !== true) return null;
  const confirmed = protocol === 'ai-voice' ? c.resumed : c.setupCompleteAt !== null;
  if (protocol === 'ai-voice' && !c.resumed && c.code === 4003) return { how: 'close-4003' };
  if (serverClosed(c) && c.code !== null && c.code !== 1006 && c.finals === 0 && c.lived <= QUICK && !confirmed) return { how: 'close', code: c.code, reason: c.reason };
  // A drop (1006) is the network's, not a rejection: accept-then-close closes with a code (F6: 1011).
  if (serverClosed(c) && c.code !== null && c.code !== 1006 && confirmed && c.finals === 0 && c.lived <= 3 && !c.notice) return { how: 'accept-then-close', after: round(c.lived, 2), code: c.code, reason: c.reason };
  if (protocol === 'ai-voice' && !c.resumed && (c.chunks > 0 || c.finals > 0)) return { how: 'silent-fresh', greet: c.chunks > 0 };
  return null;
}

export interface BuiltScenario {
  readonly file: Record<string, unknown>;
  readonly notes: { inferred: string[]; assumed: string[] };
}

export function buildScenario(facts: CaptureFacts, source: SourceFile, id: string, redactor: ImportRedactor): BuiltScenario {
  const inferred: string[] = [];
  const assumed: string[] = [];
  const faults: FaultRule[] = [];
  const script: ServerScriptInput & { faults: FaultRule[] } = { faults };
  const many = facts.conversations > 1;
  const scope = (conversation: number): { conversation?: number } => (many ? { conversation } : {});
  const reason = (text: string): string => redactor.redact(text);
  const gemini = facts.protocol === 'gemini-live';
  if (many) inferred.push(`${facts.conversations} conversations (HTTP sessions): faults are scoped to the one they happened in`);

  // The agent's pace (spec §3): how fast and in how many pieces it spoke.
  const reply = [facts.replyDelays.quantile(0.05), facts.replyDelays.quantile(0.95)];
  const agent: Record<string, unknown> = {};
  if (reply[0] !== null && reply[1] !== null) {
    agent.replyDelay = [round(reply[0]!, 2), round(Math.max(reply[0]!, reply[1]!), 2)];
    inferred.push(`the agent answered ${agent.replyDelay && (agent.replyDelay as number[]).join('–')} s after a prospect message (5th–95th percentile of ${facts.replyDelays.count})`);
  }
  const chunks = facts.chunksPerTurn.quantile(0.5);
  if (chunks !== null) agent.chunks = Math.max(1, chunks);
  const gap = facts.chunkGaps.quantile(0.5);
  if (gap !== null) agent.chunkGap = round(gap, 2);
  const greeting = facts.greetingDelays.quantile(0.5);
  if (greeting !== null) agent.greetingDelay = round(greeting, 2);
  if (Object.keys(agent).length > 0) script.agent = agent;

  // Handles (spec §5, F10, F11).
  const handles: Record<string, unknown> = {};
  if (facts.firstHandleTurn !== null && facts.firstHandleTurn > 0) {
    handles.firstAfterTurn = facts.firstHandleTurn;
    inferred.push(`no handle before agent turn ${facts.firstHandleTurn} had completed`);
  }
  if (facts.nonResumableAfterTurns.length > 0) {
    handles.nonResumableAfterTurns = [...facts.nonResumableAfterTurns];
    inferred.push(`resumable:false instead of a handle after agent turn${facts.nonResumableAfterTurns.length > 1 ? 's' : ''} ${facts.nonResumableAfterTurns.join(', ')} (F11)`);
  }
  if (Object.keys(handles).length > 0) script.handles = handles;

  // Resume confirmation (spec §5.2: session:resumed is the only proof).
  const confirmDelay = facts.resumedDelays.quantile(0.5);
  if (!gemini && confirmDelay !== null && confirmDelay > 0.2) {
    script.resume = { confirm: { after: round(confirmDelay, 2) } };
    inferred.push(`session:resumed came ${round(confirmDelay, 2)} s after a resumed connection opened`);
  }

  if (!gemini && facts.repeatedAfterResume > 0) {
    script.resume = { ...(script.resume as object | undefined), state: 'repeat-last' };
    inferred.push(`after ${facts.repeatedAfterResume} resume${facts.repeatedAfterResume > 1 ? 's' : ''} the agent spoke first, unasked: its last turn sent again (F19)`);
  }

  // Rejections and outages (spec §5.2, F5, F6).
  const byConversation = new Map<number, ClosedConnection[]>();
  for (const c of facts.connections) byConversation.set(c.conversation, [...(byConversation.get(c.conversation) ?? []), c]);
  const rejections: Rejection[] = [];
  const explained = new Set<ClosedConnection>();
  let accepted = 0;
  for (const list of byConversation.values()) {
    list.forEach((c, i) => {
      const later = list.slice(i + 1);
      const rejection = rejectionOf(c, facts.protocol);
      // A quick close of a resume attempt is an outage when a later attempt of the same conversation resumed after all.
      const laterAccepted = later.some((l) => l.resume === true && (gemini ? l.finals > 0 : l.resumed));
      if (rejection && !(rejection.how === 'close' && laterAccepted)) {
        rejections.push(rejection);
        explained.add(c);
      } else if (c.resume === true && (gemini ? c.finals > 0 || c.setupCompleteAt !== null : c.resumed)) accepted++;
    });
  }
  if (rejections.length > 0) {
    const first = rejections[0]!;
    const validation: Record<string, unknown> = { reject: first.how };
    if (accepted === 0) {
      validation.rejectAll = true;
      inferred.push(`every resume attempt was rejected (${rejections.length}), by ${first.how}`);
    } else {
      validation.rejectAll = true;
      assumed.push(`${rejections.length} resume attempts were rejected and ${accepted} accepted: the mock cannot tell which handles the server judged invalid, so it rejects every one`);
    }
    if (first.how === 'close') validation.rejectClose = { code: first.code, reason: reason(first.reason) };
    if (first.how === 'accept-then-close') validation.acceptThenClose = { after: first.after, code: first.code, reason: reason(first.reason), sendResumed: !gemini };
    if (first.how === 'silent-fresh') validation.silentFresh = { greet: first.greet };
    if (new Set(rejections.map((r) => r.how)).size > 1) assumed.push(`the server rejected handles in several ways (${[...new Set(rejections.map((r) => r.how))].join(', ')}); the first, ${first.how}, is replayed`);
    script.validation = validation;
  }

  // The connection lifetime: session_expiring / goAway and the close at its deadline (spec §6, F1, F2, F4).
  const noticed = facts.connections.filter((c) => c.notice !== null);
  const expiry: Record<string, unknown> = {};
  if (noticed.length === 0) {
    expiry.enabled = false;
    inferred.push(`no ${gemini ? 'goAway' : 'session_expiring'}: no scripted connection lifetime`);
  } else {
    const lifetimes = noticed.map((c) => c.notice!.t - 0).map((_, i) => noticed[i]!.lived - noticed[i]!.closeAfterNotice! + noticed[i]!.notice!.timeLeft);
    const lifetime = lifetimes.sort((a, b) => a - b)[Math.floor(lifetimes.length / 2)]!;
    const timeLeft = noticed[0]!.notice!.timeLeft;
    const consistent = lifetimes.every((l) => Math.abs(l - lifetime) <= Math.max(2, lifetime * 0.1));
    const closedByServer = noticed.filter((c) => serverClosed(c) && c.code !== null);
    const deadline = closedByServer[0];
    const closing: Record<string, unknown> = {};
    if (deadline) {
      const closeAfter = round(deadline.closeAfterNotice!, 2);
      if (Math.abs(closeAfter - timeLeft) > 0.5) closing.closeAfter = closeAfter;
      if (deadline.code === 1006 || deadline.by === 'network') closing.dropAtDeadline = true;
      else {
        closing.closeCode = deadline.code;
        closing.closeReason = reason(deadline.reason);
      }
      inferred.push(`after the notice the server ${closing.dropAtDeadline ? 'dropped the connection (1006)' : `closed ${deadline.code} "${reason(deadline.reason)}"`} ${closeAfter} s later (timeLeft ${timeLeft})`);
      if (deadline.notice!.transcriptsAfter === 0 && deadline.phase === 'after-prospect') {
        closing.silentAfterNotice = true;
        inferred.push('the agent said nothing between the notice and the close, with a prospect message waiting (F2)');
      }
    } else {
      assumed.push(`the client always left before the server closed after a notice: the deadline close is assumed to be the reference's (1000 "session expired" at timeLeft)`);
    }
    const oneEach = noticed.every((c) => c.notices.length === 1 && c.notices[0]!.afterResumed === null);
    if (consistent && oneEach && lifetime >= timeLeft) {
      Object.assign(expiry, { lifetime: round(lifetime, 1), timeLeft, ...closing });
      inferred.push(`connections lived ${round(lifetime, 1)} s, with the notice ${timeLeft} s before the end (${noticed.length} notice${noticed.length > 1 ? 's' : ''})`);
    } else {
      expiry.enabled = false;
      for (const c of noticed) {
        c.notices.forEach((n, i) => {
          const expire: Record<string, unknown> = { timeLeft: n.timeLeft };
          // The close is counted from the first notice: several notices on one connection keep the earliest deadline.
          if (i === 0 && serverClosed(c) && c.code !== null) {
            if (Math.abs(c.closeAfterNotice! - n.timeLeft) > 0.5) expire.closeAfter = round(c.closeAfterNotice!, 2);
            if (c.code !== 1006) {
              expire.closeCode = c.code;
              expire.closeReason = reason(c.reason);
            }
          }
          const previous = i > 0 ? c.notices[i - 1]! : null;
          const anchor = previous
            ? { when: { event: 'session-expiring', nth: previous.nth }, after: round(n.t - previous.t, 2) }
            : n.afterResumed
              ? { when: { event: 'resumed', nth: n.afterResumed.nth }, after: round(n.afterResumed.delay, 2) }
              : { when: turnTrigger(n.turn, n.phase) };
          const drop = i === 0 && c.code === 1006;
          faults.push({ note: `notice ${i + 1} on connection ${c.ordinal} (imported)`, ...anchor, ...scope(c.conversation), do: drop ? [{ expire: { ...expire, closeAfter: 3600 } } as Action, { drop: { delay: round(c.closeAfterNotice!, 2) } } as Action] : ({ expire } as Action) } as FaultRule);
        });
      }
      inferred.push(oneEach ? `notices came at uneven times (${lifetimes.map((l) => round(l, 1)).join(', ')} s lifetimes): each is a fault at the turn it came` : `${noticed.reduce((n, c) => n + c.notices.length, 0)} notices, several on one connection or right after a resume: each is a fault where it came`);
    }
    for (const c of noticed) explained.add(c);
  }
  script.expiry = expiry;

  // Closes and drops nothing above explains (spec §6.3, §7): faults at the turn they came, or at the connection's open.
  let lastRule: FaultRule | null = null;
  const ruleFor = new Map<ClosedConnection, FaultRule>();
  let outage = null as { rule: FaultRule | null; attempts: number; code: number; reason: string } | null;
  const flushOutage = (): void => {
    if (!outage) return;
    const action = { outage: { attempts: outage.attempts, code: outage.code, reason: reason(outage.reason) } } as Action;
    if (outage.rule) outage.rule.do = [...(Array.isArray(outage.rule.do) ? outage.rule.do : [outage.rule.do]), action];
    else faults.push({ note: 'connection attempts failing at once (imported)', when: { connection: 1 }, do: action } as FaultRule);
    inferred.push(`${outage.attempts} connection attempt${outage.attempts > 1 ? 's' : ''} failed at once with ${outage.code} (an outage)`);
    outage = null;
  };
  let serverForced = rejections.length > 0 || noticed.length > 0;
  for (const c of facts.connections) {
    // The close that answers the client's end_conversation (spec §4) is the conversation's normal end.
    // conversation_end (spec §3) is replayed even on a connection a notice or a rejection explains: it ends the conversation.
    if (c.serverEnded && !c.endRequested) {
      faults.push({ note: 'the server ended the conversation (imported)', when: turnTrigger(c.serverEnded.turn, c.serverEnded.phase), ...scope(c.conversation), do: { endConversation: { reason: reason(c.serverEnded.reason), drop: c.code === 1006 } } } as FaultRule);
      inferred.push(`the server sent conversation_end at agent turn ${c.serverEnded.turn}`);
      serverForced = true;
      continue;
    }
    if (explained.has(c) || c.endRequested) continue;
    if (c.code === null) {
      // A DevTools HAR records no close: a connection followed by another one was lost (assumed), the last one ended the run.
      const next = facts.connections.find((n) => n.conversation === c.conversation && n.ordinal === c.ordinal + 1);
      if (!next || c.endRequested) continue;
      assumed.push(`connection ${c.ordinal} ended with no close in the capture (DevTools records none) and another followed: assumed dropped (1006)`);
      lastRule = dropOrClose(c, { code: 1006, reason: '', by: 'network' }, faults, scope, reason);
      ruleFor.set(c, lastRule);
      serverForced = true;
      continue;
    }
    if (!serverClosed(c)) {
      if (c.waitingForAgent && c.silentBeforeClose >= 5 && !c.endRequested) {
        faults.push({ note: `the server went silent, the client gave up on connection ${c.ordinal} (imported)`, when: turnTrigger(c.turn, c.phase), ...scope(c.conversation), do: { halfOpen: {} } } as FaultRule);
        inferred.push(`connection ${c.ordinal}: nothing came for ${round(c.silentBeforeClose)} s while the client waited for the agent (${c.phase}) until it closed the connection: a half-open connection (spec §6.8)`);
        serverForced = true;
      }
      continue;
    }
    serverForced = true;
    if (c.finals === 0 && c.chunks === 0 && c.lived <= QUICK && c.code !== 1006 && c.resume !== false) {
      outage = outage ? { ...outage, attempts: outage.attempts + 1 } : { rule: lastRule, attempts: 1, code: c.code, reason: c.reason };
      continue;
    }
    flushOutage();
    lastRule = dropOrClose(c, { code: c.code, reason: c.reason, by: c.by }, faults, scope, reason);
    ruleFor.set(c, lastRule);
    inferred.push(lastRule.note!.replace(' (imported)', ''));
    if (c.code === 4001) inferred.push('the server closed 4001 (not authorised)');
  }
  flushOutage();

  // Upgrades refused with an HTTP status (an outage with `status`): the attempts after the connection they followed.
  const refusedOutage = (r: { count: number; status: number }): Action => ({ outage: { attempts: r.count, status: r.status } }) as Action;
  if (facts.refusedBeforeFirst) {
    faults.push({ note: 'the first connection attempts refused (imported)', when: { at: 0 }, do: refusedOutage(facts.refusedBeforeFirst) } as FaultRule);
    inferred.push(`the first ${facts.refusedBeforeFirst.count} upgrade${facts.refusedBeforeFirst.count > 1 ? 's' : ''} refused with HTTP ${facts.refusedBeforeFirst.status}`);
    serverForced = true;
  }
  const lastOfFirst = facts.connections.filter((c) => c.conversation === 1).at(-1);
  for (const c of facts.connections) {
    if (!c.refused) continue;
    serverForced = true;
    const seen = c.refused.count;
    if (c === lastOfFirst && !facts.clientEnded) {
      // The client stopped while the server still refused: nothing says the outage ever ended, so it lasts (as the catalog's endless outages).
      assumed.push(`the client gave up after ${c.refused.count} refused upgrade${c.refused.count > 1 ? 's' : ''}: the outage is assumed to last (1000 attempts)`);
      c.refused.count = 1000;
    }
    const rule = ruleFor.get(c);
    if (rule) rule.do = [...(Array.isArray(rule.do) ? rule.do : [rule.do]), refusedOutage(c.refused)];
    else faults.push({ note: `upgrades refused after connection ${c.ordinal} (imported)`, when: { connection: c.ordinal }, ...scope(c.conversation), do: refusedOutage(c.refused) } as FaultRule);
    inferred.push(`${seen} upgrade${seen > 1 ? 's' : ''} refused with HTTP ${c.refused.status} after connection ${c.ordinal}`);
  }

  // Frames the mock does not send by itself: malformed, unknown, error, binary (spec §2 framing).
  for (const g of facts.oddFrames) {
    const when: Trigger = g.anchor === 'turn' ? turnTrigger(g.turn, 'mid-turn') : { event: g.anchor };
    faults.push({ note: `${g.problem}, seen ${g.count} time${g.count > 1 ? 's' : ''} (imported)`, when, ...(g.count > 1 ? { times: g.count } : {}), ...(g.after > 0 ? { after: g.after } : {}), do: redactAction(g.action, redactor) } as FaultRule);
  }
  if (facts.oddFrames.length > 0) inferred.push(`${facts.oddFrames.reduce((n, g) => n + g.count, 0)} frame${facts.oddFrames.length > 1 ? 's' : ''} the protocol's happy path never sends (${[...new Set(facts.oddFrames.map((g) => g.problem))].slice(0, 4).join('; ')})`);
  if (facts.oddFramesLeftOut > 0) assumed.push(`${facts.oddFramesLeftOut} more odd frames of other kinds were left out (at most 50 kinds are replayed)`);
  if (!facts.clientEnded) assumed.push(`the client never sent end_conversation: maxTurns ${facts.maxTurns} is the prospect messages seen plus the one it still wanted, a lower bound`);

  const outcome = rejections.length > 0 ? 'reports-loss' : facts.connections.some((c) => c.serverEnded || c.code === 4001) || (!facts.clientEnded && serverForced && (outageAtEnd(facts) || facts.connections.filter((c) => c.conversation === 1).at(-1)?.refused)) ? 'gives-up' : 'completes';
  assumed.push(`expect.outcome "${outcome}" is what a conformant client should reach against this server; check it before promoting the scenario`);

  const group = rejections.length > 0 ? 'resume-rejection' : noticed.length > 0 ? 'expiry' : facts.connections.some((c) => c.serverEnded) ? 'end-of-conversation' : faults.some((f) => !f.note?.includes('frame') && !('event' in f.when && f.when.event === 'agent-final')) && serverForced ? 'connection-faults' : facts.oddFrames.length > 0 ? 'malformed-input' : 'timing';
  const severity = outcome === 'completes' && group !== 'expiry' ? 'major' : 'critical';
  const title = `Imported from ${source.shown}: ${summary(facts, rejections.length, noticed.length, faults.length)}`;
  const description = [
    `Imported from ${source.shown} (${source.format}, ${facts.protocol}, sha256 ${source.sha256.slice(0, 16)}…): ${facts.connections.length} connection${facts.connections.length === 1 ? '' : 's'}, ${facts.textFrames} text and ${facts.binaryFrames} binary frames.`,
    `Inferred: ${inferred.join('; ') || 'nothing beyond the reference server'}.`,
    `Assumed: ${assumed.join('; ')}.`,
  ].join(' ');
  const file: Record<string, unknown> = {
    $schema: '',
    id,
    title,
    group,
    severity,
    description,
    expectation: outcome === 'completes'
      ? 'The client survives what this server did (spec §6): it resumes with its newest handle after every forced reconnect, re-sends an unanswered message once, and finishes every turn with the context intact.'
      : outcome === 'reports-loss'
        ? 'The context cannot survive the rejected resume: the client notices (spec §5.2, §6.7) and ends failed or reports contextLost, never carrying on as if nothing happened.'
        : 'The server does not recover: the client ends failed within its attempt budget, without a reconnect storm (spec §6.4).',
    why: `A field capture reproduced as a scenario (resume-harness import): a client that failed against the captured server must fail here too, for the same reason.`,
    provenance: [`capture: ${source.shown} sha256:${source.sha256}`],
    conversation: { maxTurns: facts.maxTurns },
    server: script,
    expect: { outcome, ...(serverForced ? {} : { maxReconnects: 0 }) },
    ...(gemini ? { faces: ['gemini-live'] } : {}),
  };
  return { file, notes: { inferred, assumed } };
}

function outageAtEnd(facts: CaptureFacts): boolean {
  const last = facts.connections.filter((c) => c.conversation === 1).slice(-3);
  return last.length >= 3 && last.every((c) => c.finals === 0 && serverClosed(c));
}

function summary(facts: CaptureFacts, rejections: number, notices: number, faults: number): string {
  const parts: string[] = [];
  if (notices > 0) parts.push(`${notices} expiry notice${notices > 1 ? 's' : ''}`);
  if (rejections > 0) parts.push(`${rejections} rejected resume${rejections > 1 ? 's' : ''}`);
  if (faults > 0) parts.push(`${faults} fault${faults > 1 ? 's' : ''}`);
  parts.push(`${facts.maxTurns} turns`);
  return parts.join(', ');
}

function turnTrigger(turn: number, phase: string): Trigger {
  return phase === 'opened' ? { turn, phase: 'after-handle' } : { turn, phase: phase as Extract<Trigger, { phase?: unknown }>['phase'] } as Trigger;
}

function dropOrClose(
  c: ClosedConnection,
  close: { code: number; reason: string; by: string | null },
  faults: FaultRule[],
  scope: (conversation: number) => { conversation?: number },
  reason: (text: string) => string,
): FaultRule {
  const action: Action = close.code === 1006 ? { drop: {} } as Action : { close: { code: close.code, reason: reason(close.reason) } } as Action;
  // Before any agent turn on this connection its open is the anchor; after one, the turn and phase it was in (robust to timing).
  const rule = (c.finals === 0
    ? { note: `connection ${c.ordinal} ${close.code === 1006 ? 'dropped' : `closed ${close.code}`} ${round(c.lived, 2)} s after it opened (imported)`, when: { connection: c.ordinal }, ...scope(c.conversation), after: round(c.lived, 2), do: action }
    : { note: `connection ${c.ordinal} ${close.code === 1006 ? 'dropped' : `closed ${close.code}`} at agent turn ${c.turn}, ${c.phase} (imported)`, when: turnTrigger(c.turn, c.phase), ...scope(c.conversation), do: action }) as FaultRule;
  faults.push(rule);
  return rule;
}

function redactAction(action: Action, redactor: ImportRedactor): Action {
  if ('sendRaw' in action) return { sendRaw: redactor.redact(action.sendRaw) };
  if ('send' in action) return { send: JSON.parse(redactor.redact(JSON.stringify(action.send))) as Record<string, unknown> };
  return action;
}
