/**
 * The vitest configuration StrykerJS runs for the reference Gemini Live client
 * (stryker.gemini.config.mjs): the catalog's Gemini-face scenarios as the client's test suite,
 * and nothing else. That file is not in vitest.config.ts's default run: on the unmutated
 * reference it repeats seed 1 of test/gemini-face/catalog-virtual.test.ts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mutation/gemini-catalog-as-suite.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
