/**
 * `kickOff: 'greeting-request'` (server-contract.md §2): an AI-voice server opens every fresh
 * upstream session with one turn that asks the model to greet. Under this option the face takes
 * that turn as the greeting request — the agent streams its greeting as turn 0, journaled as
 * `agent-turn` with `greeting: true` — and not as a prospect turn. Everything else is unchanged:
 * later turns, resumed sessions, and the default reading (Gemini's own: a user turn is a user turn).
 */
import { describe, expect, it } from 'vitest';
import { geminiFace, userTurn } from '../../testing/gemini-port.ts';

const KICK_OFF = userTurn('A prospect has just joined the call. Greet them and introduce yourself.');

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
