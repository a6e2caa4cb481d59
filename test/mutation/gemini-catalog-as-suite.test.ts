/**
 * The catalog's Gemini-face scenarios as the test suite of the reference Gemini Live client
 * (issue 15 item 2): what StrykerJS runs against each mutant of the client's deciding code
 * (stryker.gemini.config.mjs, `npm run mutation:gemini`). A mutant is killed when any
 * scenario's verdict is not OK; one `it` per scenario, so that Stryker's bail stops at the
 * first scenario that catches it.
 *
 * On the unmutated reference every scenario must be OK (test/gemini-face/catalog-virtual.test.ts
 * asserts it over five seeds; this file repeats seed 1), and Stryker's dry run refuses to start
 * when it fails. Virtual time, one seed: the same seed gives the same verdict byte for byte.
 *
 * The same hang rule as the AI-voice suite (test/mutation/catalog-as-suite.test.ts): a hang is
 * killed only when the verdict names it; a run stopped on the harness's real-time backstop
 * ("of real time") is counted with Stryker's timeouts by tools/mutation-score.ts, never as killed.
 */
import { afterAll, describe, it } from 'vitest';
import { stopInterception } from '../../harness/sandbox/msw-interception.ts';
import { geminiBuiltinSut } from '../../harness/sut/gemini-builtin-sut.ts';
import { CATALOG } from '../testing/catalog-support.ts';
import { expectScenarioOk } from '../testing/mutation-suite.ts';

/** The scenarios that exist on Google's wire (a scenario names the faces it runs on). */
const GEMINI_CATALOG = CATALOG.filter((s) => s.faces.includes('gemini-live'));

describe('the Gemini-face catalog as the suite of the reference Gemini Live client (virtual time, seed 1)', () => {
  afterAll(() => stopInterception());

  it.each(GEMINI_CATALOG.map((s) => [s.id, s] as const))('%s', (_id, scenario) => expectScenarioOk(scenario, geminiBuiltinSut(), 'gemini-live'));
});
