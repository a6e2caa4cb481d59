/**
 * The scenario catalog as the test suite of the reference Prospect Simulator (issue 15): what
 * StrykerJS runs against each mutant of the simulator's deciding code (stryker.config.mjs,
 * `npm run mutation`). A mutant is killed when any scenario's verdict is not OK; one `it` per
 * scenario, so that Stryker's bail stops at the first scenario that catches it.
 *
 * The catalog runs twice: at the reference's own pace, and at `at-once` (a client with no think
 * time, simulator/core/pace.ts), the other pace the catalog is checked with in
 * test/trust/exercised-faults.test.ts that changes which code decides: only a reply ready at once
 * meets a planned rotation before its turn boundary, which spec §6.2 asks to wait for (the
 * reference's boundary hold, turn-taking.ts). The slower paces add no decision of their own.
 *
 * On the unmutated reference every scenario must be OK: that is this file's assertion, and
 * Stryker's dry run refuses to start when it fails. Virtual time, one seed: the same seed gives
 * the same verdict byte for byte, so a mutant's status does not depend on the machine's load.
 *
 * A hang is killed only when the verdict names it: the harness stops a virtual run that never
 * ends on protocol time or timer firings (deterministic) and says so in the client's report;
 * the message below carries that reason. A run stopped on the harness's real-time backstop
 * ("of real time") is the one hang that depends on the machine: tools/mutation-score.ts counts
 * it with Stryker's own timeouts, never as killed.
 */
import { afterAll, describe, it } from 'vitest';
import { stopInterception } from '../../harness/sandbox/msw-interception.ts';
import { builtinSut, pacedSut } from '../../harness/sut/builtin-sut.ts';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';
import { CATALOG } from '../testing/catalog-support.ts';
import { expectScenarioOk } from '../testing/mutation-suite.ts';

const PASSES: readonly (readonly [string, () => SystemUnderTest])[] = [
  ['natural pace', builtinSut],
  ['at-once pace', () => pacedSut('at-once')],
];

describe.each(PASSES)('the catalog as the suite of the reference simulator (virtual time, seed 1, %s)', (_pace, sut) => {
  afterAll(() => stopInterception());

  it.each(CATALOG.map((s) => [s.id, s] as const))('%s', (_id, scenario) => expectScenarioOk(scenario, sut()));
});
