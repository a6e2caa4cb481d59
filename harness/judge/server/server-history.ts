/**
 * One history of a run with a server under test, folded once from its two records (Jepsen's
 * checkers fold over one history): the client side of the server's wire (the recording
 * proxy's WireLog) and the upstream side (the mock Gemini face's journal). Both are stamped by
 * the same clock, so causality orders them: a server cannot relay what it has not yet received,
 * and a frame the mock sent at t reaches the client at or after t. Every server axis reads this.
 *
 * Facts only: each upstream connection is given to the client connection that caused it — the
 * one whose upgrade request came last before the upstream's setup (a server opens its upstream
 * on a client's request, server-contract.md §2) — except for the isolation probe, whose two
 * concurrent conversations are told apart by the prospect texts they sent.
 */
import type { JournalEvent } from '../../../mock-server/index.ts';
import type { WireEvent, WireMessage, WireParty } from '../../server/wire-log.ts';

/** What the client side of the wire carried on one connection. */
export interface ClientConn {
  readonly wc: number;
  readonly party: WireParty;
  /** When the upgrade request reached the proxy. */
  readonly requestedAt: number;
  /** When the server accepted it; null when it refused (`refusedWith`). */
  readonly openedAt: number | null;
  readonly refusedWith: number | null;
  /** The fingerprint of the `resumeHandle` presented, or null. */
  readonly resumeHandle: string | null;
  readonly shareToken: string | null;
  /** Frames in order, both ways. */
  readonly frames: readonly ClientFrame[];
  readonly close: { readonly t: number; readonly by: 'server' | 'client' | 'network'; readonly code: number; readonly reason: string } | null;
  /** The upstream connections this one caused, in order. */
  readonly upstreams: UpstreamConn[];
}

export interface ClientFrame {
  readonly t: number;
  readonly dir: 'to-client' | 'to-server';
  readonly binary: boolean;
  readonly json: boolean;
  readonly message?: WireMessage;
  /** The message's `type` when it is a string. */
  readonly type?: string;
}

/** What the mock Gemini face saw of one upstream connection. */
export interface UpstreamConn {
  readonly conn: number;
  /** When the setup arrived (the face's `open`). */
  readonly t: number;
  readonly conversationId: string;
  /** The fingerprint of the handle the setup presented, or null for a fresh session. */
  readonly presented: string | null;
  readonly resume: 'none' | 'resumed' | 'rejected';
  /** The setup as the face read it (redacted JSON), or null when it did not parse. */
  readonly setup: UpstreamSetup | null;
  /** When the face sent setupComplete (Gemini accepted the setup); null if it never did. */
  readonly setupCompleteAt: number | null;
  /**
   * Every sessionResumptionUpdate the face actually sent (not dropped by a fault). `seq` is the
   * journal's order, which breaks ties within one clock reading (a handle and a goAway in one tick).
   */
  readonly updates: readonly { readonly t: number; readonly seq: number; readonly handle: string | null; readonly resumable: boolean }[];
  /** Every goAway actually sent, with its timeLeft in seconds. */
  readonly goAways: readonly { readonly t: number; readonly seq: number; readonly timeLeft: number }[];
  /** Prospect turns the face received on it (the server's relays), by fingerprint. */
  readonly prospectTurns: readonly { readonly t: number; readonly textId: string }[];
  readonly close: { readonly t: number; readonly code: number; readonly by: 'client' | 'server' | 'network' } | null;
  /**
   * The scenario's script put a fault on this connection (a black hole, a toxic, a drop): its
   * timing is then the mock's doing — a close the server sent may complete only much later.
   */
  readonly faulted: boolean;
  /** The client connection that caused it; null when none could be named. */
  cause: ClientConn | null;
}

export interface UpstreamSetup {
  readonly model: string | undefined;
  /** The system instruction's text, however the setup shaped it (string or Content parts). */
  readonly systemInstruction: string | undefined;
  readonly sessionResumption: boolean;
}

export interface ServerHistory {
  readonly clients: readonly ClientConn[];
  readonly upstreams: readonly UpstreamConn[];
  /** The clock's reading when the run's records were taken. */
  readonly endedAt: number;
}

/** The fingerprints of the prospect texts each isolation-probe conversation sent. */
export interface ProbeTexts {
  readonly a: string;
  readonly b: string;
}

export function foldServerHistory(wire: readonly WireEvent[], journal: readonly JournalEvent[], endedAt: number, probeTexts?: ProbeTexts): ServerHistory {
  const clients = foldClients(wire);
  const upstreams = foldUpstreams(journal);
  pair(clients, upstreams, probeTexts);
  return { clients, upstreams, endedAt };
}

function foldClients(wire: readonly WireEvent[]): ClientConn[] {
  type Mutable = { -readonly [K in keyof ClientConn]: ClientConn[K] } & { frames: ClientFrame[] };
  const byWc = new Map<number, Mutable>();
  for (const event of wire) {
    switch (event.kind) {
      case 'ws-open':
      case 'ws-refused': {
        const requestedAt = event.requestedAt ?? event.t;
        byWc.set(event.wc, {
          wc: event.wc, party: event.party, requestedAt, openedAt: event.kind === 'ws-open' ? event.t : null, refusedWith: event.kind === 'ws-refused' ? event.status : null,
          resumeHandle: event.resumeHandle, shareToken: event.shareToken, frames: [], close: null, upstreams: [],
        });
        break;
      }
      case 'frame': {
        const conn = byWc.get(event.wc);
        if (!conn) break;
        const type = typeof event.message?.type === 'string' ? event.message.type : undefined;
        conn.frames.push({ t: event.t, dir: event.dir, binary: event.binary, json: event.json, ...(event.message ? { message: event.message } : {}), ...(type ? { type } : {}) });
        break;
      }
      case 'ws-close': {
        const conn = byWc.get(event.wc);
        if (conn && !conn.close) conn.close = { t: event.t, by: event.by, code: event.code, reason: event.reason };
        break;
      }
      case 'http':
        break;
    }
  }
  return [...byWc.values()].sort((x, y) => x.requestedAt - y.requestedAt || x.wc - y.wc);
}

function foldUpstreams(journal: readonly JournalEvent[]): UpstreamConn[] {
  type Mutable = { -readonly [K in keyof UpstreamConn]: UpstreamConn[K] } & { updates: UpstreamConn['updates'][number][]; goAways: UpstreamConn['goAways'][number][]; prospectTurns: UpstreamConn['prospectTurns'][number][] };
  const byConn = new Map<number, Mutable>();
  for (const [seq, event] of journal.entries()) {
    if (event.kind === 'open') {
      byConn.set(event.conn, { conn: event.conn, t: event.t, conversationId: event.conversationId, presented: event.presented, resume: event.resume, setup: null, setupCompleteAt: null, updates: [], goAways: [], prospectTurns: [], close: null, faulted: false, cause: null });
      continue;
    }
    if (!('conn' in event) || event.conn === undefined) continue;
    const conn = byConn.get(event.conn);
    if (!conn) continue;
    switch (event.kind) {
      case 'frame-in':
        if (event.type === 'setup' && conn.setup === null && event.text !== undefined) conn.setup = setupOf(event.text);
        break;
      case 'frame-out': {
        if (event.dropped || event.text === undefined) break;
        const message = parseObject(event.text);
        if (!message) break;
        if ('setupComplete' in message && conn.setupCompleteAt === null) conn.setupCompleteAt = event.t;
        const update = objectAt(message, 'sessionResumptionUpdate');
        if (update) {
          const handle = typeof update['newHandle'] === 'string' && update['newHandle'].length > 0 ? update['newHandle'] : null;
          conn.updates.push({ t: event.t, seq, handle, resumable: update['resumable'] === true });
        }
        const goAway = objectAt(message, 'goAway');
        if (goAway) conn.goAways.push({ t: event.t, seq, timeLeft: durationSeconds(goAway['timeLeft']) });
        break;
      }
      case 'prospect-turn':
        conn.prospectTurns.push({ t: event.t, textId: event.textId });
        break;
      case 'close':
        if (!conn.close) conn.close = { t: event.t, code: event.code, by: event.by };
        break;
      case 'fault':
        conn.faulted = true;
        break;
      default:
        break;
    }
  }
  return [...byConn.values()].sort((x, y) => x.t - y.t || x.conn - y.conn);
}

function pair(clients: ClientConn[], upstreams: UpstreamConn[], probeTexts: ProbeTexts | undefined): void {
  const probe = (party: WireParty): ClientConn | undefined => clients.find((c) => c.party === party && c.openedAt !== null);
  const byText = probeTexts ? new Map([[probeTexts.a, probe('probe:isolation-a')], [probeTexts.b, probe('probe:isolation-b')]]) : new Map<string, ClientConn | undefined>();
  for (const upstream of upstreams) {
    const named = upstream.prospectTurns.map((turn) => byText.get(turn.textId)).find((c) => c !== undefined);
    const cause = named ?? latestRequestBefore(clients, upstream.t);
    upstream.cause = cause ?? null;
    cause?.upstreams.push(upstream);
  }
}

/** The client connection whose upgrade came last at or before `t` (the isolation probe's two excepted: they are named by text). */
function latestRequestBefore(clients: readonly ClientConn[], t: number): ClientConn | undefined {
  let found: ClientConn | undefined;
  for (const client of clients) {
    if (client.requestedAt > t) break;
    if (client.openedAt === null && client.refusedWith !== null) continue;
    if (client.party === 'probe:isolation-a' || client.party === 'probe:isolation-b') continue;
    found = client;
  }
  return found;
}

function setupOf(text: string): UpstreamSetup | null {
  const frame = parseObject(text);
  const setup = frame ? objectAt(frame, 'setup') : undefined;
  if (!setup) return null;
  return { model: typeof setup['model'] === 'string' ? setup['model'] : undefined, systemInstruction: instructionText(setup['systemInstruction']), sessionResumption: setup['sessionResumption'] !== undefined && setup['sessionResumption'] !== null };
}

/** A system instruction is a string or a Content (`{parts: [{text}]}`); its text either way. */
function instructionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const parts = (value as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return undefined;
  const text = parts.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return text.length > 0 ? text : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function objectAt(message: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = message[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A protobuf Duration as JSON ("50s", "0.5s"), in seconds; NaN when it is not one. */
function durationSeconds(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Number(match[1]) : Number.NaN;
}

/** The JSON messages a connection's server sent, in order. */
export const toClient = (conn: ClientConn): ClientFrame[] => conn.frames.filter((f) => f.dir === 'to-client');

/** Whether a client connection was still open at `t`. */
export const openAt = (conn: ClientConn, t: number): boolean => conn.openedAt !== null && conn.openedAt <= t && (conn.close === null || conn.close.t > t);
