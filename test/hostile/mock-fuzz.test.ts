/**
 * Hostile input to the mock server over real sockets (issue 13 §1), on both faces: a few
 * thousand seeded inputs here (`npm run fuzz` sends ≥ 10,000 per face). The server must not
 * crash, must journal every input that reached it, stay within a memory bound, and a
 * well-behaved conversation on the same server must still be judged OK.
 */
import { describe, expect, it } from 'vitest';
import { fuzzMockServer } from './testing/mock-fuzz.ts';

const INPUTS = 1_500;
const SEED = 13;
/** The fuzz's own memory bound: RSS may grow this much over the run's start (the journal keeps every input). */
const RSS_GROWTH_BOUND = 400 * 1024 * 1024;

describe.each(['ai-voice', 'gemini-live'] as const)('the mock server under hostile input (%s face)', (face) => {
  it(`${INPUTS} seeded hostile inputs: no crash, every input journaled, memory bounded, the well-behaved conversation OK`, async () => {
    // unexpected-close: a connection cut without a close frame, resumed (8 turns, about 11 s at 0.1).
    // Six hostile clients (npm run fuzz runs twelve): the suite runs other files beside this one.
    const figures = await fuzzMockServer({ face, inputs: INPUTS, seed: SEED, scenarioId: 'unexpected-close', timeScale: 0.1, workers: 6 });
    expect(figures.crashes).toEqual([]);
    expect(figures.secretsInJournal).toBe(0);
    expect(figures.unjournaled).toEqual([]);
    expect(figures.inputsSent).toBeGreaterThanOrEqual(INPUTS);
    // Every kind of hostile input was tried.
    for (const [kind, count] of Object.entries(figures.byKind)) expect(count, kind).toBeGreaterThan(0);
    expect(figures.foreignResumesRefused).toBe(figures.byKind['foreign-handle']);
    expect(figures.refusedUpgradesJournaled).toBe(figures.refusedUpgradesSeen);
    expect(figures.refusedUpgradesSeen).toBe(figures.byKind['bad-token'] + figures.byKind['slow-loris']);
    expect(figures.framesJournaled).toBeGreaterThan(0);
    expect(figures.peakRssBytes - figures.baselineRssBytes).toBeLessThan(RSS_GROWTH_BOUND);
    expect(figures.wellBehaved.length).toBeGreaterThan(0);
    expect(figures.wellBehaved.flatMap((r) => r.reasons)).toEqual([]);
    expect(figures.conversationsDisturbed).toBe(0);
    expect(figures.aliveAfter).toBe(true);
  }, 120_000);
});
