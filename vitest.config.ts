import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,simulator,mock-server,harness,servers,scenarios,test,examples}/**/*.test.ts'],
    // The catalog as Stryker's suites: vitest.mutation.config.ts (npm run mutation) repeats seed 1 of
    // test/catalog/reference-virtual.test.ts, vitest.mutation-gemini.config.ts (npm run mutation:gemini)
    // seed 1 of test/gemini-face/catalog-virtual.test.ts.
    exclude: ['**/node_modules/**', 'test/mutation/catalog-as-suite.test.ts', 'test/mutation/gemini-catalog-as-suite.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
