/**
 * ClientConnection's decisions with a scripted upstream: what goes upstream (setup, kick-off,
 * turns), what the client hears and when, and how each side's end closes the other.
 */
import type { LiveServerMessage } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../protocol/messages.ts';
import { ClientConnection, KICK_OFF } from './client-connection.ts';
import { HandleRegistry } from './handle-registry.ts';
import type { Session } from './http-session.ts';
import { createLog } from './log.ts';
import type { UpstreamClosed, UpstreamEvents, UpstreamFactory, UpstreamRequest } from './upstream.ts';

const SESSION: Session = { sessionToken: 'sess_x', conversationId: 'conv_1', shareToken: 'share_a', agent: { shareToken: 'share_a', model: 'm-live', systemInstruction: 'Be Riley.' } };

interface FakeUpstream {
  readonly request: UpstreamRequest;
  readonly events: UpstreamEvents;
  readonly turns: string[];
  closedByServer: boolean;
}

function rig(resumeHandle?: string, registry = new HandleRegistry()) {
  const upstreams: FakeUpstream[] = [];
  const factory: UpstreamFactory = (request, events) => {
    const fake: FakeUpstream = { request, events, turns: [], closedByServer: false };
    upstreams.push(fake);
    return { sendTurn: (text) => fake.turns.push(text), close: () => { fake.closedByServer = true; } };
  };
  const sent: Array<ServerMessage | { binary: number }> = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const lines: string[] = [];
  const log = createLog({ out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const connection = new ClientConnection({
    socket: { sendText: (t) => sent.push(JSON.parse(t) as ServerMessage), sendBinary: (b) => sent.push({ binary: b.byteLength }), close: (code, reason) => closes.push({ code, reason }) },
    session: SESSION,
    resumeHandle,
    registry,
    upstreams: factory,
    log,
    label: 'c1',
  });
  connection.start();
  const types = (): string[] => sent.map((m) => ('type' in m ? m.type : 'binary'));
  return { connection, upstreams, sent, closes, lines, registry, types };
}

/** A plain object as the SDK's message class (its getters are not read). */
const msg = (m: Omit<LiveServerMessage, 'text' | 'data'>): LiveServerMessage => m as LiveServerMessage;
const closed = (over: Partial<UpstreamClosed>): UpstreamClosed => ({ code: 1011, reason: '', beforeReady: false, timedOut: false, ...over });

describe('ClientConnection: a fresh session', () => {
  it('opens with the model and instruction, sends one kick-off once ready, then the prospect turns', () => {
    const r = rig();
    expect(r.upstreams).toHaveLength(1);
    expect(r.upstreams[0]!.request).toMatchObject({ model: 'm-live', systemInstruction: 'Be Riley.' });
    expect(r.upstreams[0]!.request.handle).toBeUndefined();
    r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'early' }));
    expect(r.upstreams[0]!.turns).toEqual([]);
    r.upstreams[0]!.events.ready();
    expect(r.upstreams[0]!.turns).toEqual([KICK_OFF, 'early']);
    r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'Hi' }));
    expect(r.upstreams[0]!.turns).toEqual([KICK_OFF, 'early', 'Hi']);
    expect(r.types()).toEqual([]);
  });

  it('records every issued handle for its share token and conversation', () => {
    const r = rig();
    r.upstreams[0]!.events.ready();
    r.upstreams[0]!.events.message(msg({ sessionResumptionUpdate: { newHandle: 'h-1', resumable: true } }));
    expect(r.registry.check('h-1', SESSION)).toBe('accepted');
    expect(r.sent).toEqual([{ type: 'session_resumption_update', handle: 'h-1', resumable: true }]);
  });

  it('end_conversation: conversation_end, close 1000, the upstream closed', () => {
    const r = rig();
    r.upstreams[0]!.events.ready();
    r.connection.receive(JSON.stringify({ type: 'end_conversation' }));
    expect(r.types()).toEqual(['conversation_end']);
    expect(r.closes).toEqual([{ code: 1000, reason: 'conversation ended' }]);
    expect(r.upstreams[0]!.closedByServer).toBe(true);
  });

  it('a frame that is not a message gets an error and nothing upstream', () => {
    const r = rig();
    r.upstreams[0]!.events.ready();
    r.connection.receive('not json');
    r.connection.receive(JSON.stringify({ type: 'dance' }));
    expect(r.types()).toEqual(['error', 'error']);
    expect(r.upstreams[0]!.turns).toEqual([KICK_OFF]);
    expect(r.closes).toEqual([]);
  });

  it('the client going closes the upstream', () => {
    const r = rig();
    r.upstreams[0]!.events.ready();
    r.connection.clientClosed(1006);
    expect(r.upstreams[0]!.closedByServer).toBe(true);
  });
});

describe('ClientConnection: the upstream ending closes the client (server-contract.md §2, Closing)', () => {
  it.each([
    ['after goAway (expiry)', true, 1008, 1000],
    ['a normal close', false, 1000, 1000],
    ['an upstream error', false, 1011, 1011],
    ['a lost upstream connection', false, 1006, 1011],
  ])('%s', (_name, goAway, upstreamCode, clientCode) => {
    const r = rig();
    r.upstreams[0]!.events.ready();
    if (goAway) r.upstreams[0]!.events.message(msg({ goAway: { timeLeft: '10s' } }));
    r.upstreams[0]!.events.closed(closed({ code: upstreamCode }));
    expect(r.closes.map((c) => c.code)).toEqual([clientCode]);
  });

  it('a fresh session that cannot be set up closes 1011', () => {
    const r = rig();
    r.upstreams[0]!.events.closed(closed({ beforeReady: true, timedOut: true, code: 0 }));
    expect(r.closes.map((c) => c.code)).toEqual([1011]);
    expect(r.types()).toEqual([]);
  });
});

describe('ClientConnection: resume', () => {
  const known = (): HandleRegistry => {
    const registry = new HandleRegistry();
    registry.record('h-known', SESSION);
    return registry;
  };

  it('a handle it saw issued goes upstream unchanged, without instruction; session:resumed only after setupComplete; no kick-off', () => {
    const r = rig('h-known', known());
    expect(r.upstreams[0]!.request).toMatchObject({ model: 'm-live', handle: 'h-known' });
    expect(r.upstreams[0]!.request.systemInstruction).toBeUndefined();
    r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'again' }));
    expect(r.types()).toEqual([]);
    r.upstreams[0]!.events.ready();
    expect(r.sent).toEqual([{ type: 'session:resumed', conversationId: 'conv_1' }]);
    expect(r.upstreams[0]!.turns).toEqual(['again']);
  });

  it.each([
    ['never issued', 'h-forged', new HandleRegistry()],
    ['another share token', 'h-other', (() => { const g = new HandleRegistry(); g.record('h-other', { shareToken: 'share_b', conversationId: 'conv_1' }); return g; })()],
    ['another conversation', 'h-other', (() => { const g = new HandleRegistry(); g.record('h-other', { shareToken: 'share_a', conversationId: 'conv_2' }); return g; })()],
  ])('a handle of %s is refused: a fresh session, the handle never upstream, never session:resumed', (_name, handle, registry) => {
    const r = rig(handle, registry);
    expect(r.upstreams).toHaveLength(1);
    expect(r.upstreams[0]!.request.handle).toBeUndefined();
    expect(r.upstreams[0]!.request.systemInstruction).toBe('Be Riley.');
    r.upstreams[0]!.events.ready();
    expect(r.upstreams[0]!.turns).toEqual([KICK_OFF]);
    expect(r.types()).not.toContain('session:resumed');
    expect(r.lines.join('\n')).not.toContain(handle);
  });

  it.each([
    ['a close before setupComplete', closed({ beforeReady: true, code: 1008, reason: 'BidiGenerateContent session not found' })],
    ['no answer within the connect deadline', closed({ beforeReady: true, timedOut: true, code: 0 })],
  ])('Gemini rejects the handle (%s): silently a fresh session, never session:resumed', (_name, rejection) => {
    const r = rig('h-known', known());
    r.connection.receive(JSON.stringify({ type: 'prospect_message', text: 'again' }));
    r.upstreams[0]!.events.closed(rejection);
    expect(r.upstreams).toHaveLength(2);
    expect(r.upstreams[1]!.request).toMatchObject({ systemInstruction: 'Be Riley.' });
    expect(r.upstreams[1]!.request.handle).toBeUndefined();
    // A late event of the rejected upstream changes nothing.
    r.upstreams[0]!.events.ready();
    r.upstreams[1]!.events.ready();
    expect(r.upstreams[1]!.turns).toEqual([KICK_OFF, 'again']);
    expect(r.types()).not.toContain('session:resumed');
    expect(r.closes).toEqual([]);
  });

  it.each([
    ['1011 unavailable', closed({ beforeReady: true, code: 1011, reason: 'The service is currently unavailable.' })],
    ['a lost connection', closed({ beforeReady: true, code: 1006 })],
  ])('the upstream fails before answering a resume (%s): the client is closed 1011 and keeps its handle, no fresh session', (_name, failure) => {
    const r = rig('h-known', known());
    r.upstreams[0]!.events.closed(failure);
    expect(r.upstreams).toHaveLength(1);
    expect(r.closes.map((c) => c.code)).toEqual([1011]);
    expect(r.types()).not.toContain('session:resumed');
  });

  it('the fallback fresh session failing too closes 1011', () => {
    const r = rig('h-known', known());
    r.upstreams[0]!.events.closed(closed({ beforeReady: true, code: 1008 }));
    r.upstreams[1]!.events.closed(closed({ beforeReady: true, code: 1011 }));
    expect(r.closes.map((c) => c.code)).toEqual([1011]);
    expect(r.types()).not.toContain('session:resumed');
  });
});
