/**
 * The web build of the SDK (`sdk: 'web'`, on globalThis.WebSocket) in virtual time: msw routes
 * the WebSocket to the mock Gemini face in-process, fake timers drive client and server on one
 * timeline, and ten protocol minutes take no real time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { globalClock } from '../../protocol/clock.ts';
import { GeminiLiveServer, VIRTUAL_ORIGIN, type ServerScriptInput } from '../../mock-server/index.ts';
import type { AiVoiceServer } from '../../mock-server/index.ts';
import { interceptFor, releaseInterception, stopInterception } from '../../harness/sandbox/msw-interception.ts';
import { runInVirtualTime } from '../../harness/sandbox/virtual-time.ts';
import { loadSdk } from './gemini-session.ts';
import { GeminiProspect } from './gemini-prospect.ts';
import { GEMINI_MUTANTS } from './gemini-mutants.ts';

afterAll(() => stopInterception());

async function virtualRun(script: ServerScriptInput, maxTurns: number, mutant?: string) {
  await loadSdk('web');
  let server: GeminiLiveServer | null = null;
  const outcome = await runInVirtualTime(
    async () => {
      server = new GeminiLiveServer({ clock: globalClock, seed: 4, script });
      // The interception routes to any face; its signature names the AI-voice one.
      await interceptFor(server as unknown as AiVoiceServer);
      const options = { baseUrl: VIRTUAL_ORIGIN, apiKey: server.apiKey, maxTurns, seed: 4, sdk: 'web' as const, clock: globalClock };
      const m = GEMINI_MUTANTS.find((x) => x.id === mutant);
      return (m ? m.create(options) : new GeminiProspect(options)).run();
    },
    { limitMs: 3_600_000, beforeUninstall: () => server?.dispose() },
  );
  releaseInterception();
  return { outcome, server: server! as GeminiLiveServer };
}

describe("GeminiProspect on the SDK's web build, in virtual time (msw)", () => {
  it('crosses goAway rotations of 10-minute connections (60 s notice) for about 19 protocol minutes with the context intact', async () => {
    const { outcome, server } = await virtualRun({ expiry: { lifetime: 600, timeLeft: 60 } }, 120);
    expect(outcome.state).toBe('settled');
    if (outcome.state !== 'settled') return;
    expect(outcome.value).toMatchObject({ status: 'completed', turns: 120, contextLost: false });
    expect(outcome.virtualMs).toBeGreaterThan(1_000_000); // 120 turns take about 19 protocol minutes
    expect(outcome.value.reconnects).toBeGreaterThanOrEqual(2);
    const opens = server.journal.of('open');
    expect(opens.slice(1).every((o) => o.resume === 'resumed' && o.contextTurns === o.conversationTurns)).toBe(true);
    for (const expiring of server.journal.of('expiring')) {
      expect(server.journal.of('close').find((c) => c.conn === expiring.conn)).toMatchObject({ by: 'client' });
    }
  });

  it('g6 (goAway ignored) is closed 1008 at the deadline', async () => {
    const { outcome, server } = await virtualRun({ expiry: { lifetime: 600, timeLeft: 60 } }, 80, 'g6-ignores-goaway');
    expect(outcome.state).toBe('settled');
    const expiring = server.journal.of('expiring')[0]!;
    expect(server.journal.of('close').find((c) => c.conn === expiring.conn)).toMatchObject({ code: 1008, by: 'server' });
  });
});
