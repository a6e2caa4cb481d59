/**
 * From capture events to the server script that makes the mock behave as the captured server
 * did. Streaming: each event updates small per-connection state and bounded samples, so the
 * capture is never held (a 200 MB JSONL is read once, line by line).
 *
 * Every inference and every assumption is written down (`notes`), for the scenario's
 * description: a person promoting the scenario must see what was read and what was guessed.
 */
import { createHash } from 'node:crypto';
import type { Protocol } from '../../protocol/sut-result.ts';
import type { Action } from '../../mock-server/script/schema.ts';
import { ImportError } from '../errors.ts';
import type { CaptureEvent, CloseSide, ImportRedactor } from './capture-event.ts';
import { meaningOf, parseJsonObject, protocolOf, type FrameMeaning } from './frame-meaning.ts';

type Phase = 'after-final' | 'after-handle' | 'mid-turn' | 'after-prospect';

interface ConnectionState {
  readonly id: string;
  readonly ordinal: number;
  readonly conversation: number;
  readonly openT: number;
  resume: boolean | null;
  resumedAt: number | null;
  setupCompleteAt: number | null;
  chunks: number;
  finals: number;
  /** The agent turn in progress or last completed on this connection (0 = the greeting). */
  turn: number;
  phase: Phase | 'opened';
  lastServerT: number;
  lastProspectT: number | null;
  turnChunks: number;
  lastChunkT: number | null;
  notice: Notice | null;
  /** Every notice on this connection (the first is `notice`), up to MAX_NOTICES. */
  readonly notices: Notice[];
  endRequested: boolean;
  serverEnded: { reason: string; turn: number; phase: Phase | 'opened' } | null;
  closed: boolean;
}

export interface Notice {
  readonly t: number;
  readonly timeLeft: number;
  readonly turn: number;
  readonly phase: Phase | 'opened';
  transcriptsAfter: number;
  /** Its place among the conversation's notices (1-based): a later notice is anchored on the one before. */
  readonly nth: number;
  /** Seconds after session:resumed when it came before any agent turn on a resumed connection (a notice right after every resume). */
  readonly afterResumed: { nth: number; delay: number } | null;
}

const MAX_NOTICES = 20;

interface ConversationState {
  notices: number;
  resumes: number;
  readonly index: number;
  connections: number;
  /** Prospect turns so far (the k-th message is answered by agent turn k). */
  prospects: number;
  lastProspect: string | null;
  lastAnswered: boolean;
  handleSeen: boolean;
  endRequested: boolean;
}

export interface ClosedConnection {
  readonly conversation: number;
  readonly ordinal: number;
  readonly lived: number;
  readonly resume: boolean | null;
  readonly resumed: boolean;
  readonly chunks: number;
  readonly finals: number;
  readonly turn: number;
  readonly phase: Phase | 'opened';
  readonly code: number | null;
  readonly reason: string;
  readonly by: CloseSide | null;
  readonly notice: ConnectionState['notice'];
  readonly notices: readonly Notice[];
  readonly closeAfterNotice: number | null;
  readonly endRequested: boolean;
  readonly serverEnded: ConnectionState['serverEnded'];
  readonly silentBeforeClose: number;
  readonly waitingForAgent: boolean;
  readonly setupCompleteAt: number | null;
  readonly resumedAfter: number | null;
  /** Upgrades refused with an HTTP status after this connection closed, before the next opened. */
  refused: { count: number; status: number } | null;
}

const MAX_SAMPLES = 5000;
const MAX_ODD_GROUPS = 50;

/** A bounded list: enough samples for a median without holding a whole capture. */
class Samples {
  readonly values: number[] = [];
  count = 0;
  add(v: number): void {
    this.count++;
    if (this.values.length < MAX_SAMPLES) this.values.push(v);
  }
  quantile(q: number): number | null {
    if (this.values.length === 0) return null;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  }
}

export interface OddFrameGroup {
  readonly anchor: 'agent-final' | 'prospect-message' | 'turn';
  readonly turn: number;
  readonly after: number;
  readonly action: Action;
  readonly problem: string;
  count: number;
}

/** What the capture showed, summed up: read by build-scenario.ts. */
export interface CaptureFacts {
  readonly protocol: Protocol;
  readonly conversations: number;
  readonly maxTurns: number;
  readonly clientEnded: boolean;
  readonly connections: readonly ClosedConnection[];
  readonly replyDelays: Samples;
  readonly chunkGaps: Samples;
  readonly chunksPerTurn: Samples;
  readonly greetingDelays: Samples;
  readonly resumedDelays: Samples;
  readonly firstHandleTurn: number | null;
  readonly nonResumableAfterTurns: readonly number[];
  readonly oddFrames: readonly OddFrameGroup[];
  readonly oddFramesLeftOut: number;
  readonly textFrames: number;
  readonly binaryFrames: number;
  readonly greetedFresh: boolean;
  /** Resumed connections on which the agent spoke first, unasked. */
  readonly repeatedAfterResume: number;
  /** Upgrades refused before any connection opened. */
  readonly refusedBeforeFirst: { count: number; status: number } | null;
}

const fingerprintOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class CaptureInference {
  private protocol: Protocol | null = null;
  private readonly open = new Map<string, ConnectionState>();
  private readonly conversations = new Map<string, ConversationState>();
  private readonly closed: ClosedConnection[] = [];
  private readonly replyDelays = new Samples();
  private readonly chunkGaps = new Samples();
  private readonly chunksPerTurn = new Samples();
  private readonly greetingDelays = new Samples();
  private readonly resumedDelays = new Samples();
  private firstHandleTurn: number | null = null;
  private readonly nonResumable = new Set<number>();
  private readonly odd = new Map<string, OddFrameGroup>();
  private oddLeftOut = 0;
  private textFrames = 0;
  private binaryFrames = 0;
  private greetedFresh = false;
  private repeatedAfterResume = 0;
  private refusedBeforeFirst: { count: number; status: number } | null = null;

  constructor(private readonly redactor: ImportRedactor) {}

  add(event: CaptureEvent): void {
    if (event.kind === 'open') return this.onOpen(event);
    if (event.kind === 'refused') return this.onRefused(event);
    const conn = this.open.get(event.conn);
    if (!conn) throw new ImportError(event.where, `connection ${event.conn} has a ${event.kind} before it opened, or after it closed`);
    if (event.kind === 'close') return this.onClose(conn, event);
    if (event.text === undefined) {
      this.binaryFrames++;
      if (event.dir === 'out') this.oddFrame(conn, { sendBinary: Math.max(1, event.binaryBytes ?? 1) }, 'a binary frame (agent audio)', event.t);
      return;
    }
    this.textFrames++;
    this.onText(conn, event.dir, event.text, event.t, event.where);
  }

  private conversationFor(key: string | null): ConversationState {
    const name = key ?? '(one conversation)';
    let conversation = this.conversations.get(name);
    if (!conversation) {
      conversation = { index: this.conversations.size + 1, connections: 0, notices: 0, resumes: 0, prospects: 0, lastProspect: null, lastAnswered: true, handleSeen: false, endRequested: false };
      this.conversations.set(name, conversation);
    }
    return conversation;
  }

  private onOpen(event: Extract<CaptureEvent, { kind: 'open' }>): void {
    if (this.open.has(event.conn)) throw new ImportError(event.where, `connection ${event.conn} opens twice`);
    const conversation = this.conversationFor(event.conversation);
    conversation.connections++;
    this.open.set(event.conn, {
      id: event.conn, ordinal: conversation.connections, conversation: conversation.index, openT: event.t, resume: event.resume,
      resumedAt: null, setupCompleteAt: null, chunks: 0, finals: 0, turn: 0, phase: 'opened', lastServerT: event.t, lastProspectT: null,
      turnChunks: 0, lastChunkT: null, notice: null, notices: [], endRequested: false, serverEnded: null, closed: false,
    });
  }

  private conversationOf(conn: ConnectionState): ConversationState {
    return [...this.conversations.values()].find((c) => c.index === conn.conversation)!;
  }

  private onText(conn: ConnectionState, dir: 'in' | 'out', text: string, t: number, where: string): void {
    if (this.protocol === null) {
      const json = parseJsonObject(text);
      const protocol = json === null ? null : protocolOf(json);
      if (protocol === null) {
        throw new ImportError(where, `a capture of another protocol: this ${dir === 'in' ? 'client' : 'server'} frame is neither an AI-voice message (a JSON object with "type") nor a Gemini Live one (setup, serverContent, goAway…): ${this.redactor.redact(text).slice(0, 80)}`);
      }
      this.protocol = protocol;
    }
    const meaning = meaningOf(this.protocol, dir, text);
    if (dir === 'out') conn.lastServerT = t;
    this.apply(conn, meaning, t);
  }

  private apply(conn: ConnectionState, m: FrameMeaning, t: number): void {
    const conversation = this.conversationOf(conn);
    switch (m.kind) {
      case 'prospect': {
        // A message sent again after a resume (spec §6.6) is the same turn: it repeats the last one, which no final answered.
        const key = fingerprintOf(m.text);
        const resend = conversation.lastProspect === key && !conversation.lastAnswered;
        if (!resend) conversation.prospects++;
        conversation.lastProspect = key;
        conversation.lastAnswered = false;
        conn.turn = conversation.prospects;
        conn.phase = 'after-prospect';
        conn.lastProspectT = t;
        conn.turnChunks = 0;
        conn.lastChunkT = null;
        return;
      }
      case 'end-request':
        conn.endRequested = true;
        conversation.endRequested = true;
        return;
      case 'setup':
        if (m.handle) this.redactor.add(m.handle);
        conn.resume = m.resume;
        return;
      case 'setup-complete':
        conn.setupCompleteAt = t;
        return;
      case 'agent-chunk':
      case 'agent-final': {
        if (conn.notice) conn.notice.transcriptsAfter++;
        // The agent speaking first on a resumed connection, unasked, repeats its last turn (F19: resume state "repeat-last").
        if (conn.resumedAt !== null && conn.phase === 'opened' && conn.chunks === 0) this.repeatedAfterResume++;
        if (conn.turnChunks === 0) {
          if (conn.lastProspectT !== null && conn.phase === 'after-prospect') this.replyDelays.add(t - conn.lastProspectT);
          else if (conn.chunks === 0 && conn.finals === 0) {
            this.greetingDelays.add(t - (conn.setupCompleteAt ?? conn.openT));
            if (conn.resume !== true && conn.turn === 0) this.greetedFresh = true;
          }
        } else if (conn.lastChunkT !== null) this.chunkGaps.add(t - conn.lastChunkT);
        conn.turnChunks++;
        conn.lastChunkT = t;
        conn.chunks++;
        if (m.kind === 'agent-final') {
          conn.finals++;
          conversation.lastAnswered = true;
          conn.phase = 'after-final';
          this.chunksPerTurn.add(conn.turnChunks);
          conn.turnChunks = 0;
          conn.lastProspectT = null;
        } else conn.phase = 'mid-turn';
        return;
      }
      case 'handle':
        this.redactor.add(m.handle);
        if (!conversation.handleSeen) {
          conversation.handleSeen = true;
          this.firstHandleTurn ??= conn.turn;
        }
        if (conn.phase === 'after-final') conn.phase = 'after-handle';
        return;
      case 'not-resumable':
        // While the agent generates it is Gemini's ordinary resumable:false (F11, the mock's default); after a final turn it is a window.
        if (conn.phase === 'after-final' || conn.phase === 'after-handle') this.nonResumable.add(conn.turn);
        return;
      case 'expiring':
      {
        conversation.notices++;
        const afterResumed = conn.resumedAt !== null && conn.chunks === 0 && conn.phase === 'opened' ? { nth: conversation.resumes, delay: t - conn.resumedAt } : null;
        const notice: Notice = { t, timeLeft: m.timeLeft, turn: conn.turn, phase: conn.phase, transcriptsAfter: 0, nth: conversation.notices, afterResumed };
        conn.notice ??= notice;
        if (conn.notices.length < MAX_NOTICES) conn.notices.push(notice);
      }
        return;
      case 'resumed':
        if (conn.resumedAt === null) conversation.resumes++;
        conn.resumedAt ??= t;
        this.resumedDelays.add(t - conn.openT);
        return;
      case 'conversation-end':
        if (!conn.endRequested) conn.serverEnded = { reason: m.reason, turn: conn.turn, phase: conn.phase };
        return;
      case 'odd':
        return this.oddFrame(conn, m.json ? { send: m.json } : { sendRaw: m.raw }, m.problem, t);
      case 'ignored':
        return;
    }
  }

  /** A frame the mock would not send by itself: replayed where it came, grouped so a frame after every turn is one rule. */
  private oddFrame(conn: ConnectionState, action: Action, problem: string, t: number): void {
    const anchor: OddFrameGroup['anchor'] = conn.phase === 'after-final' || conn.phase === 'after-handle' ? 'agent-final' : conn.phase === 'after-prospect' ? 'prospect-message' : 'turn';
    const after = anchor === 'prospect-message' && conn.lastProspectT !== null ? Math.round((t - conn.lastProspectT) * 10) / 10 : 0;
    const turn = anchor === 'turn' ? conn.turn : 0;
    const key = `${anchor}|${turn}|${after}|${JSON.stringify(action)}`;
    const group = this.odd.get(key);
    if (group) group.count++;
    else if (this.odd.size < MAX_ODD_GROUPS) this.odd.set(key, { anchor, turn, after, action, problem, count: 1 });
    else this.oddLeftOut++;
  }

  /** A refused upgrade belongs after the conversation's last closed connection (or before its first). */
  private onRefused(event: Extract<CaptureEvent, { kind: 'refused' }>): void {
    const conversation = this.conversationFor(event.conversation);
    const last = [...this.closed].reverse().find((c) => c.conversation === conversation.index);
    if (last) last.refused = { count: (last.refused?.count ?? 0) + 1, status: last.refused?.status ?? event.status };
    else this.refusedBeforeFirst = { count: (this.refusedBeforeFirst?.count ?? 0) + 1, status: this.refusedBeforeFirst?.status ?? event.status };
  }

  private onClose(conn: ConnectionState, event: Extract<CaptureEvent, { kind: 'close' }>): void {
    this.open.delete(event.conn);
    this.closed.push({
      conversation: conn.conversation, ordinal: conn.ordinal, lived: event.t - conn.openT, resume: conn.resume, resumed: conn.resumedAt !== null,
      chunks: conn.chunks, finals: conn.finals, turn: conn.turn, phase: conn.phase, code: event.code, reason: event.reason, by: event.by,
      notice: conn.notice, notices: conn.notices, closeAfterNotice: conn.notice ? event.t - conn.notice.t : null, endRequested: conn.endRequested, serverEnded: conn.serverEnded,
      silentBeforeClose: event.t - conn.lastServerT, waitingForAgent: conn.phase === 'after-prospect' || conn.phase === 'mid-turn',
      setupCompleteAt: conn.setupCompleteAt === null ? null : conn.setupCompleteAt - conn.openT,
      resumedAfter: conn.resumedAt === null ? null : conn.resumedAt - conn.openT,
      refused: null,
    });
  }

  /** The facts, once the capture has ended (connections never closed count as still open at its end). */
  finish(where: string): CaptureFacts {
    if (this.textFrames === 0) {
      throw new ImportError(where, this.binaryFrames > 0 ? `binary frames only (${this.binaryFrames}): a capture needs the protocol's text frames to be understood` : 'no frame at all: nothing to import');
    }
    const protocol = this.protocol!;
    const first = [...this.conversations.values()][0]!;
    // Gemini Live has no end_conversation: a client that is done closes its socket between turns (docs/gemini-live.md §1.8).
    const lastOfFirst = this.closed.filter((c) => c.conversation === 1).at(-1);
    if (protocol === 'gemini-live' && lastOfFirst?.by === 'client' && (lastOfFirst.phase === 'after-final' || lastOfFirst.phase === 'after-handle')) first.endRequested = true;
    return {
      protocol,
      conversations: this.conversations.size,
      // A client that stopped without end_conversation had at least one turn left (it ended failed).
      maxTurns: Math.max(1, first.prospects + (first.endRequested ? 0 : 1)),
      clientEnded: first.endRequested,
      connections: this.closed,
      replyDelays: this.replyDelays, chunkGaps: this.chunkGaps, chunksPerTurn: this.chunksPerTurn, greetingDelays: this.greetingDelays, resumedDelays: this.resumedDelays,
      firstHandleTurn: this.firstHandleTurn,
      nonResumableAfterTurns: [...this.nonResumable].sort((a, b) => a - b),
      oddFrames: [...this.odd.values()],
      oddFramesLeftOut: this.oddLeftOut,
      textFrames: this.textFrames,
      binaryFrames: this.binaryFrames,
      greetedFresh: this.greetedFresh,
      repeatedAfterResume: this.repeatedAfterResume,
      refusedBeforeFirst: this.refusedBeforeFirst,
    };
  }
}

