/**
 * The Gemini face in-process: msw's WebSocket interception (mock-server/transports/msw-handlers.ts)
 * carries @google/genai 2.32.0's WEB build, which uses `globalThis.WebSocket` (docs/gemini-live.md
 * §1.8 "Transport"). Node 20 has no global WebSocket: the `ws` class stands in as the class msw
 * wraps, as harness/sandbox/msw-interception.ts does. No socket is opened, so the same session
 * also runs in virtual time (harness/sandbox/virtual-time.ts): a ten-minute connection, its
 * goAway and the overrun close take milliseconds.
 */
import { GoogleGenAI, Modality, type LiveServerMessage } from '@google/genai/web';
import type { SetupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { runInVirtualTime } from '../../harness/sandbox/virtual-time.ts';
import { GeminiLiveServer, mswHandlers, VIRTUAL_ORIGIN, type ServerScriptInput } from '../../mock-server/index.ts';
import { globalClock, relativeClock } from '../../protocol/clock.ts';
import { GeminiCloses } from '../../protocol/gemini-live/close-codes.ts';
import { FAST_AGENT, MODEL, Queue, type Closed } from '../testing/gemini-sdk.ts';

let current: GeminiLiveServer | null = null;
let msw: SetupServer;
const hadWebSocket = 'WebSocket' in globalThis;

beforeAll(async () => {
  if (!hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
  const { setupServer } = await import('msw/node');
  msw = setupServer(...mswHandlers(() => {
    if (!current) throw new Error('no Gemini face is active');
    return current;
  }));
  msw.listen({ onUnhandledRequest: 'error' });
});

afterAll(() => {
  msw.close();
  if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

/** The web build's connect() with its callbacks as queues. */
function webConnect(server: GeminiLiveServer, config: Parameters<GoogleGenAI['live']['connect']>[0]['config']) {
  const ai = new GoogleGenAI({ apiKey: server.apiKey, httpOptions: { baseUrl: VIRTUAL_ORIGIN } });
  const messages = new Queue<LiveServerMessage>();
  const log: LiveServerMessage[] = [];
  let onClosed!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => { onClosed = resolve; });
  const connecting = ai.live.connect({
    model: MODEL,
    ...(config ? { config } : {}),
    callbacks: {
      onmessage: (m) => { log.push(m); messages.push(m); },
      onclose: (e) => {
        messages.end(new Error(`the socket closed: ${e.code} ${e.reason}`));
        onClosed({ code: e.code, reason: e.reason });
      },
      onerror: () => {},
    },
  });
  return { connecting, messages, log, closed };
}

const untilTurnComplete = async (messages: Queue<LiveServerMessage>) => (await messages.until((m) => m.serverContent?.turnComplete === true)).skipped;

describe('@google/genai/web 2.32.0 through msw, in-process', () => {
  it('setup, a TEXT turn and a resume, with no socket', async () => {
    const server = new GeminiLiveServer({ clock: relativeClock(), seed: 1, script: { agent: { ...FAST_AGENT } } satisfies ServerScriptInput });
    current = server;
    try {
      const first = webConnect(server, { responseModalities: [Modality.TEXT], sessionResumption: {} });
      const s1 = await first.connecting;
      expect(await first.messages.next()).toEqual({ setupComplete: {} });
      s1.sendClientContent({ turns: [{ role: 'user', parts: [{ text: "Hi, I'm Dana from Acme." }] }] });
      const turn = await untilTurnComplete(first.messages);
      expect(turn.filter((m) => m.serverContent?.modelTurn).map((m) => m.text).join('')).toMatch(/^Nice to meet you, Dana\./);
      expect(turn.at(-1)?.serverContent?.generationComplete).toBe(true);
      const handle = (await first.messages.until((m) => m.sessionResumptionUpdate?.resumable === true)).item.sessionResumptionUpdate!.newHandle!;
      s1.close();
      await first.closed;

      const second = webConnect(server, { responseModalities: [Modality.TEXT], sessionResumption: { handle } });
      const s2 = await second.connecting;
      s2.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'What would it cost?' }] }] });
      const reply = (await untilTurnComplete(second.messages)).map((m) => m.text ?? '').join('');
      expect(reply).toContain('Thanks, Dana.');
      expect(reply).toContain('For a team like Acme');
      s2.close();
      await second.closed;

      const j = server.journal;
      expect(j.of('open').map((o) => [o.resume, o.contextTurns])).toEqual([['none', 0], ['resumed', 1]]);
      // The same frames as over a socket: binary, pretty-printed (§1.2).
      expect(j.of('frame-out').every((f) => f.binary)).toBe(true);
      expect(j.of('frame-in').map((f) => f.type)).toEqual(['setup', 'clientContent', 'setup', 'clientContent']);
    } finally {
      server.dispose();
      current = null;
    }
  });

  it('in virtual time: a ten-minute connection, the goAway 60 s before its end and the 1008 overrun close, at the script\'s own pace', async () => {
    let server: GeminiLiveServer | undefined;
    const outcome = await runInVirtualTime(async () => {
      // Default script timing: replies 1–2.5 s, chunks 0.6 s apart, lifetime 600 s, goAway 60 s before.
      server = new GeminiLiveServer({ clock: globalClock, seed: 1 });
      current = server;
      const sdk = webConnect(server, { responseModalities: [Modality.TEXT], sessionResumption: {} });
      const session = await sdk.connecting;
      session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: "Hi, I'm Dana from Acme." }] }] });
      await untilTurnComplete(sdk.messages);
      const turnDoneAt = Date.now();
      const closed = await sdk.closed;
      return { closed, turnDoneAt, closedAt: Date.now(), log: sdk.log };
    }, { limitMs: 700_000, beforeUninstall: () => server?.dispose() });
    current = null;

    expect(outcome.state).toBe('settled');
    if (outcome.state !== 'settled') return;
    const { closed, turnDoneAt, closedAt, log } = outcome.value;
    expect(closed).toEqual({ code: 1008, reason: GeminiCloses.goAwayOverrun.reason });
    expect(closedAt).toBe(600_000);
    expect(turnDoneAt).toBeGreaterThanOrEqual(1_000 + 2 * 600);
    expect(turnDoneAt).toBeLessThan(5_000);
    expect(log.filter((m) => m.goAway).map((m) => m.goAway!.timeLeft)).toEqual(['60s']);
    const expiring = server!.journal.of('expiring');
    expect(expiring).toMatchObject([{ t: 540_000, deadline: 600_000 }]);
  });
});
