/**
 * The mock server of one run, made from its scenario, on the wire of the run: the one place
 * the harness constructs it (run/ for every run, cli/ for `serve`). Both faces stand on the
 * same core, so a run reads the same journal whichever wire it spoke.
 */
import type { Clock } from '../../protocol/clock.ts';
import type { Protocol } from '../../protocol/sut-result.ts';
import { AiVoiceServer, GeminiLiveServer, type Journal, type KickOff, type ServerScript, type TransportFace } from '../../mock-server/index.ts';
import type { Scenario } from '../scenario/schema.ts';

/** What the harness needs of a run's mock, whichever face it has. */
export interface RunMock {
  readonly protocol: Protocol;
  /** What the transports serve. */
  readonly face: TransportFace;
  readonly journal: Journal;
  /** The script the server plays (the Gemini face plays a few AI-voice defaults its own way, gemini-script.ts). */
  readonly script: ServerScript;
  /** The client's one secret: the AI-voice share token, or the API key the Gemini mock accepts. */
  readonly credential: string;
  secrets(): string[];
  dispose(): void;
}

/**
 * `scenario.server` was validated once, by the loader (scenario/loader.ts), as part of the
 * scenario: ServerScript's parse marked it, so the server takes it as it is (acceptScript)
 * instead of validating it a second time.
 */
export interface MockOptions {
  /**
   * Gemini face: how the first turn of a fresh session is read. `greeting-request` when an
   * AI-voice server under test stands in front of it (its kick-off, server-contract.md §2).
   */
  readonly kickOff?: KickOff;
}

export function mockServerFor(scenario: Scenario, clock: Clock, seed: number | undefined, protocol: Protocol = 'ai-voice', options: MockOptions = {}): RunMock {
  if (protocol === 'gemini-live') {
    const server = new GeminiLiveServer({ clock, seed, script: scenario.server, ...(options.kickOff ? { kickOff: options.kickOff } : {}) });
    return { protocol, face: server, journal: server.journal, script: server.script, credential: server.apiKey, secrets: () => server.secrets(), dispose: () => server.dispose() };
  }
  const server = new AiVoiceServer({ clock, seed, script: scenario.server });
  return { protocol, face: server, journal: server.journal, script: server.script, credential: server.shareToken, secrets: () => server.secrets(), dispose: () => server.dispose() };
}
