/**
 * The catalog on the Gemini face (`--protocol gemini-live`), judged by the harness itself:
 * the reference Gemini Live client passes every scenario that exists on Google's wire over
 * five seeds, and each Gemini mutant is FAILED on the axis its bug belongs to (virtual time:
 * the SDK's web build on msw's WebSocket, one fake clock for client and mock).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { geminiBuiltinSut, geminiMutantSut } from '../../harness/sut/gemini-builtin-sut.ts';
import type { Axis } from '../../harness/judge/verdict.ts';
import { findGeminiMutant, GEMINI_MUTANTS } from '../../simulator/index.ts';
import { CATALOG } from '../testing/catalog-support.ts';

const GEMINI_CATALOG = CATALOG.filter((s) => s.faces.includes('gemini-live'));
const SEEDS = [1, 2, 3, 4, 5];

/** For each Gemini mutant, a scenario that exists to catch its bug, and the axis that says so. */
const CATCHERS: Record<string, { scenario: string; axis: Axis }> = {
  'g1-no-reconnect-after-abnormal-close': { scenario: 'unexpected-close', axis: 'reconnect' },
  'g2-replays-history-on-resume': { scenario: 'resume-at-boundary', axis: 'context' },
  'g3-loses-handle-after-setup': { scenario: 'stale-handle.right-after-resume', axis: 'reconnect' },
  'g4-waits-on-connect-forever': { scenario: 'handle-not-found', axis: 'reconnect' },
  'g5-presents-stale-handle': { scenario: 'stale-handle', axis: 'reconnect' },
  'g6-ignores-goaway': { scenario: 'goaway', axis: 'expiry' },
  'g7-keeps-not-resumable-handle': { scenario: 'resumable-false-window', axis: 'context' },
  'g8-never-resends-in-flight': { scenario: 'in-flight-lost', axis: 'turns' },
};

describe('the reference Gemini Live client on the Gemini face, virtual time, 5 seeds', () => {
  it('runs the scenarios that name the Gemini face, and only those', () => {
    expect(GEMINI_CATALOG.length).toBeGreaterThan(60);
    expect(CATALOG.filter((s) => !s.faces.includes('gemini-live')).map((s) => s.id)).toContain('invalid-handle');
  });

  it.each(GEMINI_CATALOG.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    for (const seed of SEEDS) {
      const run = await runScenario(scenario, geminiBuiltinSut(), { mode: 'virtual', seed, timeScale: 1, protocol: 'gemini-live' });
      const faults = Object.entries(run.judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL');
      expect(run.judgement.overall, `seed ${seed}: ${faults.map(([axis, a]) => `${axis}: ${a.reason}`).join(' | ')}`).toBe('OK');
    }
  });
});

describe('each Gemini mutant is caught on the axis of its bug (3 seeds)', () => {
  it('every mutant of the gallery has a catcher here', () => {
    expect(Object.keys(CATCHERS).sort()).toEqual(GEMINI_MUTANTS.map((m) => m.id).sort());
  });

  it.each(Object.entries(CATCHERS))('%s ✗ %o', async (id, { scenario: scenarioId, axis }) => {
    const mutant = findGeminiMutant(id)!;
    const scenario = GEMINI_CATALOG.find((s) => s.id === scenarioId)!;
    for (const seed of [1, 2, 3]) {
      const run = await runScenario(scenario, geminiMutantSut(mutant), { mode: 'virtual', seed, timeScale: 1, protocol: 'gemini-live' });
      expect(run.judgement.overall, `seed ${seed}: ${JSON.stringify(run.judgement.axes)}`).toBe('FAILED');
      expect(run.judgement.axes[axis].verdict, `seed ${seed}: ${axis}: ${run.judgement.axes[axis].reason}`).toBe('FAILED');
    }
  });
});

describe('a Gemini-face run is a measurement', () => {
  it('the same seed gives the same journal, byte for byte', async () => {
    const scenario = GEMINI_CATALOG.find((s) => s.id === 'flapping')!;
    const a = await runScenario(scenario, geminiBuiltinSut(), { mode: 'virtual', seed: 9, timeScale: 1, protocol: 'gemini-live' });
    const b = await runScenario(scenario, geminiBuiltinSut(), { mode: 'virtual', seed: 9, timeScale: 1, protocol: 'gemini-live' });
    expect(JSON.stringify(b.journal)).toBe(JSON.stringify(a.journal));
    expect(a.journal.some((e) => e.kind === 'frame-out' && e.binary && e.type === 'setupComplete')).toBe(true);
  });

  it('a scenario that belongs to the AI-voice face only is not run on the Gemini face: UNKNOWN with the reason', async () => {
    const scenario = CATALOG.find((s) => s.id === 'invalid-handle')!;
    const run = await runScenario(scenario, geminiBuiltinSut(), { mode: 'virtual', seed: 1, timeScale: 1, protocol: 'gemini-live' });
    expect(run.judgement.overall).toBe('UNKNOWN');
    expect(run.harnessError).toMatch(/belongs to ai-voice/);
  });
});
