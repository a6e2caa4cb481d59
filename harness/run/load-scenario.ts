/**
 * What `load` plays by default: every connection expires (notice 15 protocol s before a 90 s
 * lifetime, spec §6) and is dropped at seeded random moments (flapping), and every resume is
 * confirmed at once, so the resume latency measured is the server's and the harness's, not a
 * scripted delay (the catalog's `flapping` confirms one second late on purpose).
 *
 * Each conversation is judged on its own, and a fault that did not happen is UNKNOWN
 * (exercise.ts), so the first drop comes between 77 s (after the first connection's expiry
 * notice at 75 s) and 87 s: every conversation of 12 turns or more (the shortest of 300 in a load
 * run lasted 101 s) meets both. The first drop used to come at 100 ± 10 s, after the shortest
 * 12-turn conversations (bench:load's) had ended: about 2 % of them were UNKNOWN for a drop the
 * scenario never made (load-scenario.test.ts).
 */
import { Scenario } from '../scenario/schema.ts';

export const LOAD_SCENARIO_ID = 'load-expiry-flapping';

/** `maxTurns`: prospect turns per conversation (30 by default: about 6 protocol minutes, four drops and three expiries). */
export function loadScenario(maxTurns = 30): Scenario {
  return Scenario.parse({
    id: LOAD_SCENARIO_ID,
    title: 'Expiry every 90 s and seeded random drops, resumed at once',
    description: 'Each connection lives 90 protocol seconds (session_expiring 15 s before, then a close 1000); on top of that, four drops without a close frame: the first 82 ± 5 s after the conversation starts (after the first expiry notice, at 75 s), then 40 ± 5 s apart. Resumes are confirmed as soon as the connection opens.',
    expectation: 'The client rotates before each deadline and resumes after each drop with the newest handle, finishing every turn with its context.',
    why: 'The load run (resume-harness load): many conversations resuming at once, to measure the resume path under load.',
    group: 'connection-faults',
    provenance: ['spec §6.1', 'spec §6.4'],
    conversation: { maxTurns },
    server: {
      expiry: { enabled: true, lifetime: 90, timeLeft: 15 },
      faults: [{ note: 'seeded random drops', when: { every: 40, jitter: 5, count: 4, start: 42 }, do: { drop: {} } }],
    },
    expect: { outcome: 'completes' },
  });
}
