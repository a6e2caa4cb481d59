import { describe, expect, it } from 'vitest';
import { builtinSut } from '../sut/builtin-sut.ts';
import { loadScenario } from './load-scenario.ts';
import { runScenario } from './run-scenario.ts';

// The load scenario is judged per conversation like any other (a fault that did not happen is
// UNKNOWN, never a pass): so every conversation of the lengths load and bench:load play must meet
// both an expiry notice and a drop, or a load run reports UNKNOWN verdicts the client never caused.
describe('the load scenario exercises every conversation', () => {
  for (const turns of [12, 30]) {
    it(`of ${turns} turns: the reference, 40 seeds in virtual time, is OK with nothing unexercised`, async () => {
      const verdicts = new Map<string, number[]>();
      for (let seed = 1; seed <= 40; seed++) {
        const run = await runScenario(loadScenario(turns), builtinSut(), { mode: 'virtual', seed, timeScale: 1 });
        const key = `${run.judgement.overall}${run.judgement.exercise?.unmet.map((u) => ` / ${u.reason}`).join('') ?? ''}`;
        verdicts.set(key, [...(verdicts.get(key) ?? []), seed]);
      }
      expect(Object.fromEntries(verdicts)).toEqual({ OK: Array.from({ length: 40 }, (_, i) => i + 1) });
    });
  }
});
