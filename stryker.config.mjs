// @ts-check
/**
 * StrykerJS (issue 15): the scenario catalog, in virtual mode, as the test suite of the reference
 * Prospect Simulator's deciding code. `npm run mutation`; the score that counts is printed by
 * tools/mutation-score.ts from the JSON report (killed / (all − equivalent), timeouts apart), and
 * every survivor is triaged in docs/mutation-triage.md.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner', './tools/stryker/ignore-logging.mjs'],
  ignorers: ['logging'],
  // Texts (close reasons, failure reasons), object and array shapes are what the run reports and
  // the harness checks for form (sut-contract §4), not decisions: with them the seven core files
  // counted 862 mutants, too many to triage. The operators, conditions, blocks and booleans that decide stay.
  mutator: { excludedMutations: ['StringLiteral', 'ObjectLiteral', 'ArrayDeclaration', 'Regex'] },
  // The code that decides: the resume decisions (every choice of spec §6 the seed plan's traps
  // get wrong, decisions.ts), resume and rotation as carried out (resume-flow.ts), the handle
  // keeper (T5/T14), the reconnect backoff (T4), the connection lifecycle (opening with or without
  // a handle, which socket's events count (T3), the resume-confirmation and silence watches, spec
  // §5.2, §6.8) and turn taking (the ledger's strict alternation, spec §6.5/§6.6): 619 mutants once
  // logging, texts and shapes are left out. Never the CLI, the persona's text, the event log, the
  // wire's frame formats.
  mutate: [
    'simulator/core/decisions.ts',
    'simulator/core/resume-flow.ts',
    'simulator/core/handle-keeper.ts',
    'simulator/core/backoff.ts',
    'simulator/core/connection-lifecycle.ts',
    'simulator/core/turn-taking.ts',
  ],
  // One catalog run is a few seconds; a mutant that spins for real is stopped here and reported
  // as Timeout, never as killed (tools/mutation-score.ts keeps timeouts out of the score).
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  timeoutFactor: 3,
  // Static mutants (module-level code, run once at import) would need a fresh process each.
  ignoreStatic: true,
  ignorePatterns: ['reports', 'test-artifacts', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  // Stryker rewrites the tsconfig's `extends`/`references` for its sandbox with TypeScript's JS
  // API, which TypeScript 7 (the native compiler) no longer has. tsconfig.json has neither, and
  // vitest does not type-check, so point the rewrite at a file that does not exist: it is skipped.
  tsconfigFile: 'tsconfig.stryker-does-not-rewrite.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 95, low: 90, break: null },
};
