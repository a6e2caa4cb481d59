/**
 * The mock AI-voice server of one run, made from its scenario: the one place the harness
 * constructs it (run/ for every run, cli/ for `serve`).
 */
import type { Clock } from '../../protocol/clock.ts';
import { AiVoiceServer } from '../../mock-server/index.ts';
import type { Scenario } from '../scenario/schema.ts';

/**
 * `scenario.server` was validated once, by the loader (scenario/loader.ts), as part of the
 * scenario: ServerScript's parse marked it, so the server takes it as it is (acceptScript)
 * instead of validating it a second time.
 */
export function mockServerFor(scenario: Scenario, clock: Clock, seed: number | undefined): AiVoiceServer {
  return new AiVoiceServer({ clock, seed, script: scenario.server });
}
