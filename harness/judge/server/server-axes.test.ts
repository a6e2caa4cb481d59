/**
 * The server axes on hand-made histories: a conformant server's run is OK on every axis, and
 * each rule fails the one bug it stands for — and nothing a conformant server could do.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../protocol/redact.ts';
import type { JournalEvent } from '../../../mock-server/index.ts';
import type { WireEvent, WireMessage, WireParty } from '../../server/wire-log.ts';
import { judgeServer } from '../server-section.ts';
import type { ServerRecord } from '../../server/server-under-test.ts';
import { foldServerHistory } from './server-history.ts';
import type { ProbeFacts, ServerAxesInput, ServerAxis } from './server-judge-input.ts';

const AGENT = { model: 'gemini-live-2.5-flash-preview', systemInstruction: 'You are Riley.' };
const H1 = fingerprint('handle-one-0123456789');
const H2 = fingerprint('handle-two-0123456789');
const HX = fingerprint('handle-other-conversation');

/** A run written as a story: the client side (wire) and the upstream side (journal), one clock. */
class Story {
  readonly wire: WireEvent[] = [];
  readonly journal: JournalEvent[] = [];
  private wc = 0;
  private up = 100;

  client(t: number, options: { party?: WireParty; resumeHandle?: string } = {}): number {
    const wc = ++this.wc;
    this.wire.push({ kind: 'ws-open', t, requestedAt: t, wc, party: options.party ?? 'client', path: '/ws/ai-voice', shareToken: '‹s›', sessionToken: '‹t›', resumeHandle: options.resumeHandle ?? null });
    return wc;
  }

  toClient(wc: number, t: number, message: WireMessage, binary = false): this {
    this.wire.push({ kind: 'frame', t, wc, dir: 'to-client', binary, bytes: 10, json: true, message });
    return this;
  }

  fromClient(wc: number, t: number, message: WireMessage): this {
    this.wire.push({ kind: 'frame', t, wc, dir: 'to-server', binary: false, bytes: 10, json: true, message });
    return this;
  }

  clientClosed(wc: number, t: number, by: 'server' | 'client' | 'network', code: number): this {
    this.wire.push({ kind: 'ws-close', t, wc, by, code, reason: '' });
    return this;
  }

  upstream(t: number, options: { presented?: string; resume?: 'none' | 'resumed' | 'rejected'; systemInstruction?: string | null; model?: string } = {}): number {
    const conn = ++this.up;
    const presented = options.presented ?? null;
    this.journal.push({ kind: 'open', t, conn, ordinal: 1, conversationId: 'g1', presented, handle: null, resume: options.resume ?? (presented ? 'resumed' : 'none'), contextTurns: 0, contextIds: [], conversationTurns: 0, latestIssued: null, openConnections: [] });
    const instruction = options.systemInstruction === undefined ? (presented ? null : AGENT.systemInstruction) : options.systemInstruction;
    const setup = { setup: { model: `models/${options.model ?? AGENT.model}`, sessionResumption: presented ? { handle: presented } : {}, ...(instruction ? { systemInstruction: { parts: [{ text: instruction }] } } : {}) } };
    this.journal.push({ kind: 'frame-in', t, conn, text: JSON.stringify(setup), bytes: 10, binary: true, decoded: 'valid', type: 'setup' });
    if ((options.resume ?? 'resumed') !== 'rejected') this.out(conn, t, { setupComplete: {} });
    return conn;
  }

  out(conn: number, t: number, message: Record<string, unknown>): this {
    this.journal.push({ kind: 'frame-out', t, conn, text: JSON.stringify(message), bytes: 10, binary: true, type: Object.keys(message)[0]! });
    return this;
  }

  issue(conn: number, t: number, handle: string): this {
    return this.out(conn, t, { sessionResumptionUpdate: { newHandle: handle, resumable: true } });
  }

  turn(conn: number, t: number, text: string): this {
    this.journal.push({ kind: 'prospect-turn', t, conn, turn: 1, contextTurns: 1, textId: fingerprint(text) });
    return this;
  }

  upstreamClosed(conn: number, t: number, by: 'client' | 'server' = 'client', code = 1000): this {
    this.journal.push({ kind: 'close', t, conn, code, reason: '', by });
    return this;
  }

  judge(options: { probes?: ProbeFacts[]; endedAt?: number; texts?: { a: string; b: string } } = {}): Record<ServerAxis, { verdict: string; reason: string }> {
    const history = foldServerHistory(this.wire, this.journal, options.endedAt ?? 100_000, options.texts);
    const input: ServerAxesInput = { history, probes: options.probes ?? [], agent: AGENT, reactionMs: 1_000 };
    return judgeServer(READY, [], input).axes;
  }
}

const READY: ServerRecord = { id: 'reference', kind: 'cmd', state: 'ready', reason: 'ready', exitCode: 0, signal: null, readyMs: 1, stoppedWith: 'SIGTERM', stopMs: 1, stdout: [], stderr: [], droppedLines: 0 };

/** A conformant server: greeting, one turn, a handle, goAway with the newest handle, close 1000 at expiry, then a resume. */
function conformant(): Story {
  const story = new Story();
  const c1 = story.client(0);
  const u1 = story.upstream(5);
  story.toClient(c1, 20, { type: 'transcript', role: 'agent', text: 'Hi', final: true });
  story.fromClient(c1, 30, { type: 'prospect_message', text: 'We need panels.' }).turn(u1, 35, 'We need panels.');
  story.issue(u1, 40, H1).toClient(c1, 41, { type: 'session_resumption_update', handle: H1, resumable: true });
  story.out(u1, 50, { goAway: { timeLeft: '50s' } });
  story.toClient(c1, 51, { type: 'session_resumption_update', handle: H1, resumable: true }).toClient(c1, 51, { type: 'session_expiring', message: 'soon', timeLeft: 50, hasHandle: true });
  story.upstreamClosed(u1, 50_050, 'server').clientClosed(c1, 50_051, 'server', 1000);
  const c2 = story.client(50_100, { resumeHandle: H1 });
  const u2 = story.upstream(50_105, { presented: H1 });
  story.toClient(c2, 50_110, { type: 'session:resumed', conversationId: 'conv' });
  story.fromClient(c2, 50_200, { type: 'end_conversation' }).clientClosed(c2, 50_300, 'server', 1000).upstreamClosed(u2, 50_301);
  return story;
}

describe('a conformant server', () => {
  it('is OK on every wire axis (probes not run: INFORMATIONAL, never a pass claimed)', () => {
    const axes = conformant().judge();
    for (const axis of ['handle-relay', 'expiry-relay', 'resume-passthrough', 'close-codes', 'frame-types', 'upstream'] as const) expect(axes[axis], axis).toMatchObject({ verdict: 'OK' });
    expect(axes['tenant-binding'].verdict).toBe('INFORMATIONAL');
    expect(axes.isolation.verdict).toBe('INFORMATIONAL');
  });

  it('may refuse a handle and open a fresh session silently (protocol §5.2): no failure', () => {
    const story = new Story();
    const c1 = story.client(0, { resumeHandle: HX });
    story.upstream(5);
    story.toClient(c1, 20, { type: 'transcript', role: 'agent', text: 'Hi', final: true }).clientClosed(c1, 30, 'client', 1000).upstreamClosed(101, 31);
    expect(story.judge()['resume-passthrough']).toMatchObject({ verdict: 'OK' });
  });
});

describe('handle relay', () => {
  it('fails a handle relayed again as resumable after Gemini said resumable: false (F11)', () => {
    const story = conformant();
    story.out(101, 45, { sessionResumptionUpdate: { resumable: false } }).toClient(1, 46, { type: 'session_resumption_update', handle: H1, resumable: true });
    story.wire.sort((x, y) => x.t - y.t);
    expect(story.judge()['handle-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/resumable: false/) });
  });

  it('fails an empty handle given as resumable', () => {
    const story = conformant();
    story.toClient(1, 46, { type: 'session_resumption_update', handle: fingerprint(''), resumable: true });
    story.wire.sort((x, y) => x.t - y.t);
    expect(story.judge()['handle-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/never issued/) });
  });

  it('fails session_expiring that comes before the newest handle', () => {
    const story = new Story();
    const c1 = story.client(0);
    const u1 = story.upstream(5);
    story.issue(u1, 40, H1).toClient(c1, 41, { type: 'session_resumption_update', handle: H1, resumable: true });
    story.out(u1, 50, { goAway: { timeLeft: '50s' } }).toClient(c1, 51, { type: 'session_expiring', message: 'soon', timeLeft: 50, hasHandle: true }).toClient(c1, 52, { type: 'session_resumption_update', handle: H1, resumable: true });
    expect(story.judge()['handle-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/without the newest handle/) });
  });

  it('fails the newest handle sent right after session_expiring, even when an earlier relay of it came before', () => {
    const story = new Story();
    const c1 = story.client(0);
    const u1 = story.upstream(5);
    story.issue(u1, 40, H1).toClient(c1, 41, { type: 'session_resumption_update', handle: H1, resumable: true });
    story.issue(u1, 49, H1).out(u1, 50, { goAway: { timeLeft: '50s' } });
    story.toClient(c1, 51, { type: 'session_resumption_update', handle: H1, resumable: true }).toClient(c1, 51, { type: 'session_expiring', message: 'soon', timeLeft: 50, hasHandle: true }).toClient(c1, 52, { type: 'session_resumption_update', handle: H1, resumable: true });
    expect(story.judge()['handle-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/again right after session_expiring/) });
  });

  it('fails a handle never relayed to a client that stayed connected, not one sent as the client left', () => {
    const story = new Story();
    const c0 = story.client(0);
    const u0 = story.upstream(5);
    story.issue(u0, 40, H1).toClient(c0, 41, { type: 'session_resumption_update', handle: H1, resumable: true }).issue(u0, 100, H2).clientClosed(c0, 5_000, 'client', 1000).upstreamClosed(u0, 5_001);
    expect(story.judge()['handle-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/never got it/) });
    const leaving = new Story();
    const c1 = leaving.client(0);
    const u1 = leaving.upstream(5);
    leaving.issue(u1, 40, H2).clientClosed(c1, 41, 'client', 1000).upstreamClosed(u1, 42);
    expect(leaving.judge()['handle-relay'].verdict).toBe('INFORMATIONAL');
  });
});

describe('expiry relay', () => {
  it("fails a timeLeft that is not the goAway's", () => {
    const story = new Story();
    const c1 = story.client(0);
    const u1 = story.upstream(5);
    story.out(u1, 50, { goAway: { timeLeft: '20s' } }).toClient(c1, 51, { type: 'session_expiring', message: 'soon', timeLeft: 60, hasHandle: false });
    expect(story.judge()['expiry-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/timeLeft 60 .*said 20 s/) });
  });

  it('fails a client left open and silent after its upstream ended, not one closed within the reaction window', () => {
    const story = new Story();
    const c1 = story.client(0);
    const u1 = story.upstream(5);
    story.upstreamClosed(u1, 100, 'server', 1011).clientClosed(c1, 5_000, 'client', 1000);
    expect(story.judge()['expiry-relay']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/left the client open and silent/) });
    const quick = new Story();
    const q1 = quick.client(0);
    const v1 = quick.upstream(5);
    quick.upstreamClosed(v1, 100, 'server', 1011).clientClosed(q1, 150, 'server', 1011);
    expect(quick.judge()['expiry-relay'].verdict).toBe('OK');
  });
});

describe('resume passthrough', () => {
  it('fails session:resumed over a resume Gemini rejected: silent context loss (F8)', () => {
    const story = new Story();
    const c1 = story.client(0, { resumeHandle: H1 });
    story.upstream(5, { presented: H1, resume: 'rejected' });
    story.toClient(c1, 6, { type: 'session:resumed', conversationId: 'conv' });
    story.upstream(10);
    expect(story.judge()['resume-passthrough']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/^Silent context loss made by the server/) });
  });

  it('fails session:resumed that reached the client before Gemini sent setupComplete', () => {
    const story = new Story();
    const c1 = story.client(0, { resumeHandle: H1 });
    const u1 = story.upstream(5, { presented: H1, resume: 'rejected' });
    story.toClient(c1, 6, { type: 'session:resumed', conversationId: 'conv' });
    story.journal.push({ ...(story.journal.find((e) => e.kind === 'open')! as Extract<JournalEvent, { kind: 'open' }>), resume: 'resumed' });
    story.journal.splice(0, 1);
    story.out(u1, 9, { setupComplete: {} });
    expect(story.judge()['resume-passthrough']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/before Gemini sent setupComplete/) });
  });

  it('does not hold an accept-then-close (F6) against the server: Gemini sent setupComplete, then closed', () => {
    const story = new Story();
    const c1 = story.client(0, { resumeHandle: H1 });
    const u1 = story.upstream(5, { presented: H1, resume: 'rejected' });
    story.out(u1, 6, { setupComplete: {} }).toClient(c1, 7, { type: 'session:resumed', conversationId: 'conv' }).upstreamClosed(u1, 8, 'server', 1011).clientClosed(c1, 9, 'server', 1011);
    expect(story.judge()['resume-passthrough'].verdict).toBe('OK');
  });

  it('fails a handle altered on its way to Gemini', () => {
    const story = new Story();
    story.client(0, { resumeHandle: H1 });
    story.upstream(5, { presented: H2 });
    expect(story.judge()['resume-passthrough']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/set Gemini up with/) });
  });
});

describe('probes', () => {
  it('tenant binding: the foreign handle reaching Gemini is FAILED; refused is OK; not exercised says why', () => {
    const leaked = conformant();
    leaked.client(60_000, { party: 'probe:tenant', resumeHandle: H1 });
    leaked.upstream(60_005, { presented: H1 });
    const probe: ProbeFacts = { probe: 'tenant', exercised: true, note: 'presented', from: 59_000, to: 61_000, presented: H1 };
    expect(leaked.judge({ probes: [probe] })['tenant-binding']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/MUST be refused/) });
    const refused = conformant();
    refused.client(60_000, { party: 'probe:tenant', resumeHandle: H1 });
    refused.upstream(60_005);
    expect(refused.judge({ probes: [probe] })['tenant-binding'].verdict).toBe('OK');
    expect(refused.judge({ probes: [{ ...probe, exercised: false, note: 'no handle was relayed' }] })['tenant-binding']).toMatchObject({ verdict: 'INFORMATIONAL', reason: 'Not exercised: no handle was relayed' });
  });

  it("isolation: one conversation given the other's handle is FAILED", () => {
    const story = new Story();
    const texts = { a: 'Probe A text', b: 'Probe B text' };
    const a = story.client(0, { party: 'probe:isolation-a' });
    const b = story.client(1, { party: 'probe:isolation-b' });
    const ua = story.upstream(5);
    const ub = story.upstream(6);
    story.fromClient(a, 10, { type: 'prospect_message', text: texts.a }).turn(ua, 11, texts.a).issue(ua, 12, H1);
    story.fromClient(b, 10, { type: 'prospect_message', text: texts.b }).turn(ub, 11, texts.b).issue(ub, 12, H2);
    story.toClient(b, 13, { type: 'session_resumption_update', handle: H1, resumable: true });
    const probe: ProbeFacts = { probe: 'isolation', exercised: true, note: 'two at once', from: 0, to: 20 };
    expect(story.judge({ probes: [probe], texts: { a: fingerprint(texts.a), b: fingerprint(texts.b) } })['isolation']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/other conversation's upstream/) });
  });
});

describe('wire shape and upstream', () => {
  it('fails JSON in a binary frame (F23) and a close code outside §7', () => {
    const story = conformant();
    story.toClient(1, 42, { type: 'transcript', role: 'agent', text: 'x', final: false }, true);
    expect(story.judge()['frame-types']).toMatchObject({ verdict: 'FAILED' });
    const odd = new Story();
    const c1 = odd.client(0);
    odd.upstream(5);
    odd.clientClosed(c1, 10, 'server', 4000);
    expect(odd.judge()['close-codes']).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/4000/) });
  });

  it('grades a resume setup that sends the system instruction again NON-STRICT', () => {
    const story = new Story();
    story.client(0, { resumeHandle: H1 });
    story.upstream(5, { presented: H1, systemInstruction: AGENT.systemInstruction });
    expect(story.judge().upstream.verdict).toBe('NON-STRICT');
  });

  it('fails a turn the client never sent (a kick-off on resume) and an orphan upstream', () => {
    const story = new Story();
    story.client(0, { resumeHandle: H1 });
    const u1 = story.upstream(5, { presented: H1 });
    story.turn(u1, 6, 'A prospect has just joined the call.');
    expect(story.judge().upstream).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/made up a turn \(a kick-off on a resume/) });
    const orphan = new Story();
    const c1 = orphan.client(0);
    orphan.upstream(5);
    orphan.clientClosed(c1, 10, 'client', 1000);
    expect(orphan.judge().upstream).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/stayed open until the end of the run/) });
    // A black-holed upstream holds the server's close as long as the script says: not an orphan of the server's making.
    orphan.journal.push({ kind: 'fault', t: 7, conn: 101, rule: 0, action: 'halfOpen' });
    expect(orphan.judge().upstream.verdict).toBe('OK');
  });

  it('lifecycle: stopped by SIGTERM is OK, needing SIGKILL is NON-STRICT (the contract allows it, production cuts conversations without 1001), a crash is FAILED', () => {
    expect(judgeServer(READY, []).axes.lifecycle.verdict).toBe('OK');
    const killed = judgeServer({ ...READY, stoppedWith: 'SIGKILL', reason: 'reference was ready in time and did not stop within 5.0 s of SIGTERM: killed (SIGKILL)' }, []).axes.lifecycle;
    expect(killed).toMatchObject({ verdict: 'NON-STRICT', reason: expect.stringMatching(/killed \(SIGKILL\): its open conversations would be cut without the 1001/) });
    expect(judgeServer({ ...READY, state: 'crashed', stoppedWith: 'already-exited', reason: 'x exited with status 70' }, []).axes.lifecycle.verdict).toBe('FAILED');
    expect(judgeServer({ ...READY, state: 'never-ready', reason: 'x never listened' }, []).axes.lifecycle.verdict).toBe('UNKNOWN');
  });
});
