/**
 * The vitest configuration StrykerJS runs (stryker.config.mjs): the catalog as the reference
 * simulator's test suite, and nothing else. that file is not in vitest.config.ts's default
 * run: on the unmutated reference it repeats seed 1 of test/catalog/reference-virtual.test.ts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mutation/catalog-as-suite.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
