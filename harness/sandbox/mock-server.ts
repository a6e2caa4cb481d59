/**
 * The mock AI-voice server of one run, made from its scenario: the one place the harness
 * constructs it (run/ for every run, cli/ for `serve`).
 */
import type { Clock } from '../../protocol/clock.ts';
import { AiVoiceServer } from '../../mock-server/index.ts';
import type { Scenario } from '../scenario/schema.ts';

/**
 * `scenario.server` was validated once, by the loader (scenario/loader.ts), as part of the
 * scenario. TODO(lead): the mock server still re-parses the script it is given; hand it the
 * validated script once mock-server/index.ts offers a way to.
 */
export function mockServerFor(scenario: Scenario, clock: Clock, seed: number | undefined): AiVoiceServer {
  return new AiVoiceServer({ clock, seed, script: scenario.server });
}
