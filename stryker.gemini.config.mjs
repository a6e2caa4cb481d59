// @ts-check
/**
 * StrykerJS (issue 15 item 2): the catalog's Gemini-face scenarios, in virtual mode, as the test
 * suite of the reference Gemini Live client's deciding code. `npm run mutation:gemini`; the
 * score that counts is printed by tools/mutation-score.ts from this run's JSON report against
 * docs/mutation-triage-gemini.md (killed / (all − equivalent), timeouts apart). The same rules
 * as the AI-voice run (stryker.config.mjs), taken from it, each said there once: what is left
 * out and why.
 */
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // Everything else as the AI-voice run: the logging ignorer, the excluded mutators (texts and
  // shapes are what the run reports, not decisions), perTest coverage, the timeouts, static code.
  ...base,
  vitest: { configFile: 'vitest.mutation-gemini.config.ts', related: false },
  // The code that decides on Google's wire: which handle to keep, when to rotate on goAway, when
  // and how to reconnect, whether to resend the turn in flight, what a close before setupComplete
  // means (docs/gemini-live.md §1.4–§1.8). Not the CLI (cli.ts), not the mutant gallery
  // (gemini-mutants.ts), and not the backoff and persona it shares with the AI-voice client
  // (simulator/core/, measured by stryker.config.mjs). 521 mutants once logging, texts and shapes are left out
  // (first run: 3265 s with --concurrency 1 beside the AI-voice run; docs/mutation-triage-gemini.md).
  mutate: [
    'simulator/gemini/gemini-decisions.ts',
    'simulator/gemini/gemini-prospect.ts',
    'simulator/gemini/gemini-session.ts',
  ],
  ignorePatterns: [...base.ignorePatterns, '.stryker-tmp-gemini'],
  // Its own sandbox directory: the AI-voice run may be going on at the same time.
  tempDirName: '.stryker-tmp-gemini',
  jsonReporter: { fileName: 'reports/mutation-gemini/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation-gemini/mutation.html' },
};
