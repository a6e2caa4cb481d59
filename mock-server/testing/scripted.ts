/**
 * A server on a manual clock with helpers to open sessions and connections, for the tests of
 * the scenario language (triggers, actions, policies).
 */
import { AiVoiceServer } from '../faces/ai-voice/ai-voice-server.ts';
import type { UpgradeDecision } from '../core/connection-port.ts';
import { FakePort, manualClock } from './fake-port.ts';
import type { ServerScriptInput } from '../script/schema.ts';

/** A FakePort that also remembers how pings are to be answered. */
export class PingAwarePort extends FakePort {
  pongs: 'answer' | 'ignore' | { lateByMs: number } = 'answer';
  override setPongs(mode?: 'answer' | 'ignore' | { lateByMs: number }): void {
    this.pongs = mode ?? 'answer';
  }
}

export function scripted(script: ServerScriptInput = {}, seed = 7) {
  const clock = manualClock();
  const server = new AiVoiceServer({ clock, seed, script });
  const session = (): { sessionToken: string; conversationId: string } =>
    server.createSession(server.shareToken, JSON.stringify({ prospectName: 'Ada' })).body as { sessionToken: string; conversationId: string };
  const first = session();
  const decide = (handle?: string, token = first.sessionToken): UpgradeDecision =>
    server.upgrade(new URL(`ws://127.0.0.1/ws/ai-voice?mode=sales_agent&sessionToken=${token}&shareToken=${server.shareToken}${handle ? `&resumeHandle=${encodeURIComponent(handle)}` : ''}`));
  const connect = (handle?: string, token = first.sessionToken): PingAwarePort => {
    const decision = decide(handle, token);
    if (!decision.accept) throw new Error(`upgrade refused with ${decision.status}`);
    const port = new PingAwarePort();
    decision.attach(port);
    return port;
  };
  const kinds = (): string[] => server.journal.events.map((e) => e.kind);
  return { clock, server, session, sessionToken: first.sessionToken, conversationId: first.conversationId, decide, connect, kinds };
}

/** The prospect's n-th message (any text; the agent answers whatever it is told). */
export const say = (n: number): object => ({ type: 'prospect_message', text: `Message number ${n}, from Ada at Borealis.` });

/**
 * Plays the prospect on `port` for `turns` turns: waits for each agent turn, answers it. Each
 * step ticks the clock by `stepMs`.
 */
export function converse(clock: { tick(ms: number): void }, port: FakePort, turns: number, stepMs = 6_000, from = 1): void {
  for (let n = from; n < from + turns; n++) {
    clock.tick(stepMs);
    port.receive(say(n));
  }
  clock.tick(stepMs);
}
