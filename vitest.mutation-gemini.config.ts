/**
 * The vitest configuration StrykerJS runs for the reference Gemini Live client
 * (stryker.gemini.config.mjs): the AI-voice suite's settings (vitest.mutation.config.ts), with the
 * catalog's Gemini-face scenarios as the client's test suite and nothing else. That file is not in
 * vitest.config.ts's default run: on the unmutated reference it repeats seed 1 of
 * test/gemini-face/catalog-virtual.test.ts.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.ts';

export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/mutation/gemini-catalog-as-suite.test.ts'] },
});
