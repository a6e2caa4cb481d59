/**
 * `kickOff: 'greeting-request'` (server-contract.md §2): an AI-voice server opens every fresh
 * upstream session with one turn that asks the model to greet. Under this option the face takes
 * that turn as the greeting request — the agent streams its greeting as turn 0, journaled as
 * `agent-turn` with `greeting: true` — and not as a prospect turn. Everything else is unchanged:
 * later turns, resumed sessions, and the default reading (Gemini's own: a user turn is a user turn).
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionPort, IncomingData } from '../../core/connection-port.ts';
import { manualClock } from '../../testing/fake-port.ts';
import { GEMINI_WS_PATH, GeminiLiveServer, type GeminiLiveServerOptions } from './gemini-live-server.ts';

/** A Gemini client's end of one connection: what it sends, and the server messages it got (binary JSON frames). */
class GeminiPort implements ConnectionPort {
  readonly capabilities = { pings: false, halfOpen: 'emulated' as const };
  readonly got: Array<Record<string, unknown>> = [];
  closedWith: { code: number; reason: string } | null = null;
  private data: ((data: IncomingData) => void) | null = null;
  private closeListener: ((code: number, reason: string, by: 'client' | 'server' | 'network') => void) | null = null;
  sendText(text: string): void { this.got.push(JSON.parse(text) as Record<string, unknown>); }
  sendBinary(bytes: Uint8Array): void { this.got.push(JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>); }
  close(code: number, reason: string): void { this.closedWith = { code, reason }; }
  drop(): void {}
  halfOpen(): void {}
  setPongs(): void {}
  onData(listener: (data: IncomingData) => void): void { this.data = listener; }
  onClose(listener: (code: number, reason: string, by: 'client' | 'server' | 'network') => void): void { this.closeListener = listener; }
  send(message: object): void { this.data?.({ text: JSON.stringify(message) }); }
  clientClose(): void { this.closeListener?.(1000, '', 'client'); }
  /** The words of the model's completed turns, one entry per turnComplete. */
  get turns(): string[] {
    const turns: string[] = [];
    let current = '';
    for (const m of this.got) {
      const content = m.serverContent as { modelTurn?: { parts: Array<{ text?: string }> }; turnComplete?: boolean } | undefined;
      for (const part of content?.modelTurn?.parts ?? []) current += part.text ?? '';
      if (content?.turnComplete) { turns.push(current); current = ''; }
    }
    return turns;
  }
  get handles(): string[] {
    return this.got.flatMap((m) => {
      const u = m.sessionResumptionUpdate as { newHandle: string; resumable: boolean } | undefined;
      return u?.resumable ? [u.newHandle] : [];
    });
  }
}

const TEXT_SETUP = { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: {} };
const userTurn = (text: string) => ({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } });
const KICK_OFF = userTurn('A prospect has just joined the call. Greet them and introduce yourself.');

function geminiFace(options: Partial<GeminiLiveServerOptions> = {}) {
  const clock = manualClock();
  const server = new GeminiLiveServer({ clock, seed: 9, script: { expiry: { enabled: false }, agent: { replyDelay: [1, 1], greetingDelay: 0.5, chunkGap: 0.2 } }, ...options });
  const connect = (handle?: string): GeminiPort => {
    const decision = server.upgradeRequest({ rawUrl: `${GEMINI_WS_PATH}?key=${server.apiKey}`, headers: {} });
    if (!decision.accept) throw new Error('upgrade refused');
    const port = new GeminiPort();
    decision.attach(port);
    port.send({ setup: { ...TEXT_SETUP, sessionResumption: handle ? { handle } : {} } });
    return port;
  };
  return { clock, server, connect };
}

describe("the Gemini face's kick-off reading (GeminiLiveServerOptions.kickOff)", () => {
  it('greeting-request: the first turn of a fresh session makes the agent greet (turn 0), and is no prospect turn', () => {
    const { clock, server, connect } = geminiFace({ kickOff: 'greeting-request' });
    const port = connect();
    expect(port.got[0]).toEqual({ setupComplete: {} });
    port.send(KICK_OFF);
    clock.tick(5_000);
    expect(port.turns).toHaveLength(1);
    expect(port.turns[0]!.length).toBeGreaterThan(0);
    expect(server.journal.of('prospect-turn')).toEqual([]);
    expect(server.journal.of('agent-turn')).toMatchObject([{ turn: 0, greeting: true }]);
    // The greeting is part of the state a handle captures: a handle follows it.
    const handlesAfterGreeting = server.journal.of('handle-issued').filter((h) => h.t >= server.journal.of('agent-turn')[0]!.t);
    expect(handlesAfterGreeting).toHaveLength(1);

    // The next turn is the prospect's first; a second kick-off-like turn is a prospect turn too.
    port.send(userTurn("Hi, I'm Dana from Borealis."));
    clock.tick(5_000);
    port.send(KICK_OFF);
    clock.tick(5_000);
    expect(server.journal.of('prospect-turn').map((p) => [p.turn, p.duplicate])).toEqual([[1, undefined], [2, undefined]]);
    expect(server.journal.of('agent-turn').map((a) => [a.turn, a.greeting])).toEqual([[0, true], [1, false], [2, false]]);
    expect(port.turns).toHaveLength(3);
  });

  it('greeting-request: a user turn before any kick-off (typed realtime input) is a prospect turn, and no later turn becomes a greeting', () => {
    const { clock, server, connect } = geminiFace({ kickOff: 'greeting-request' });
    const port = connect();
    port.send({ realtimeInput: { text: 'Hello? Anyone there?' } });
    clock.tick(5_000);
    port.send(KICK_OFF);
    clock.tick(5_000);
    expect(server.journal.of('agent-turn').map((a) => a.greeting)).toEqual([false, false]);
    expect(server.journal.of('prospect-turn').map((p) => p.turn)).toEqual([1, 2]);
  });

  it('greeting-request: a resumed session has no kick-off — a turn on it is a prospect turn', () => {
    const { clock, server, connect } = geminiFace({ kickOff: 'greeting-request' });
    const first = connect();
    first.send(KICK_OFF);
    clock.tick(5_000);
    first.send(userTurn('We need better call routing.'));
    clock.tick(5_000);
    const handle = first.handles.at(-1)!;
    first.clientClose();
    const resumed = connect(handle);
    expect(server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 1 });
    resumed.send(KICK_OFF);
    clock.tick(5_000);
    expect(server.journal.of('agent-turn').map((a) => [a.turn, a.greeting])).toEqual([[0, true], [1, false], [2, false]]);
    expect(server.journal.of('prospect-turn').at(-1)).toMatchObject({ turn: 2, contextTurns: 1 });
  });

  it('greeting-request: each fresh session of the conversation greets on its own kick-off', () => {
    const { clock, server, connect } = geminiFace({ kickOff: 'greeting-request' });
    const first = connect();
    first.send(KICK_OFF);
    clock.tick(5_000);
    first.clientClose();
    const second = connect();
    second.send(KICK_OFF);
    clock.tick(5_000);
    expect(server.journal.of('agent-turn').map((a) => [a.conn, a.turn, a.greeting])).toEqual([[1, 0, true], [2, 0, true]]);
    expect(server.journal.of('prospect-turn')).toEqual([]);
  });

  it('by default (Gemini\'s reading) the first turn of a fresh session is prospect turn 1', () => {
    const { clock, server, connect } = geminiFace();
    expect(server.kickOff).toBe('prospect-turn');
    const port = connect();
    port.send(KICK_OFF);
    clock.tick(5_000);
    expect(server.journal.of('prospect-turn')).toMatchObject([{ turn: 1, contextTurns: 0 }]);
    expect(server.journal.of('agent-turn')).toMatchObject([{ turn: 1, greeting: false }]);
  });
});
