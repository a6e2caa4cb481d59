/**
 * Issue 12, "a fault that did not happen is never a pass": the exercised-fault table of
 * docs/exercised-faults.md is what the catalog does — every scenario exercised and passed by the
 * reference at every pace — and the gallery's mutants are still caught at the varied paces, on
 * the scenarios the doc names. And a run whose fault did not happen is UNKNOWN, never OK.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exerciseTable, exerciseTableMarkdown, type ExerciseRow } from '../../harness/matrix/exercise-table.ts';
import { catchOne, detects, parsePaceDetection } from '../../harness/matrix/pace-detection.ts';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { Scenario } from '../../harness/scenario/schema.ts';
import { pacedSut } from '../../harness/sut/builtin-sut.ts';
import { MUTANTS, PACES, VARIED_PACES } from '../../simulator/index.ts';
import { EXERCISED_FAULTS_DOC, tableBetween } from '../../tools/write-exercised-faults.ts';

const catalog = loadCatalog().map((l) => l.scenario);
const doc = readFileSync(EXERCISED_FAULTS_DOC, 'utf8');
const scenario = (id: string) => catalog.find((s) => s.id === id)!;

describe('the catalog at every pace', () => {
  let rows: ExerciseRow[] = [];
  it('runs (95 AI-voice scenarios × 4 paces, virtual)', async () => {
    rows = await exerciseTable(catalog, PACES, 1);
    expect(rows.length).toBe(catalog.filter((s) => s.faces.includes('ai-voice')).length);
  }, 300_000);

  it('exercises every scenario at every pace, and the reference passes them all', () => {
    const misses = rows.flatMap((r) => r.cells.filter((c) => c.unmet !== null || !(c.overall === 'OK' || c.overall === 'INFORMATIONAL')).map((c) => `${r.scenario}@${c.pace}: ${c.overall} ${c.unmet ?? ''}`));
    expect(misses).toEqual([]);
  });

  it('is the table published in docs/exercised-faults.md (npx tsx tools/write-exercised-faults.ts)', () => {
    expect(tableBetween(doc, 'exercise-table')).toBe(exerciseTableMarkdown(rows, PACES));
  });
});

describe('the gallery\'s mutants at the varied paces', () => {
  const cells = parsePaceDetection(tableBetween(doc, 'pace-mutants'), VARIED_PACES);

  it('the doc names a catching scenario for every mutant that runs in virtual mode, at each varied pace', () => {
    const expected = MUTANTS.filter((m) => !m.modes || m.modes.includes('virtual')).flatMap((m) => VARIED_PACES.map((p) => `${m.id}@${p}`));
    expect(cells.map((c) => `${c.mutant}@${c.pace}`).sort()).toEqual(expected.sort());
    expect(cells.filter((c) => c.scenario === null)).toEqual([]);
  });

  it('each is caught there', async () => {
    const escaped: string[] = [];
    for (const cell of cells) {
      const mutant = MUTANTS.find((m) => m.id === cell.mutant)!;
      const overall = await catchOne(mutant, cell.pace, scenario(cell.scenario!), 1);
      if (!detects(mutant, overall)) escaped.push(`${cell.mutant}@${cell.pace} on ${cell.scenario}: ${overall}`);
    }
    expect(escaped).toEqual([]);
  }, 300_000);
});

describe('a fault that did not happen', () => {
  const goaway = scenario('goaway');
  // goaway as it was before issue 12: a 10-minute connection, 110 turns.
  const tenMinutes = Scenario.parse({ ...goaway, server: { ...goaway.server, expiry: { ...goaway.server.expiry, lifetime: 600 } } });

  it('is UNKNOWN with the reason, never OK: a client that answers at once ends before the first notice', async () => {
    const run = await runScenario(tenMinutes, pacedSut('at-once'), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.judgement.axes.expiry.verdict).toBe('UNKNOWN');
    expect(run.judgement.axes.expiry.reason).toMatch(/^Not exercised: an expiry notice reached \(the first at 540 s of a connection\) never happened: the conversation ended at \d+ s .*before the first notice at 540 s/);
    expect(run.judgement.overall).toBe('UNKNOWN');
    expect(run.judgement.exercise?.unmet.map((u) => u.id)).toEqual(['expiry-notice']);
  });

  it('is OK once it happens: the same client on the catalog\'s goaway', async () => {
    const run = await runScenario(goaway, pacedSut('at-once'), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.judgement.exercise?.unmet).toEqual([]);
    expect(run.analysis.timeline.events.filter((e) => e.kind === 'expiring').length).toBeGreaterThanOrEqual(2);
    expect(run.judgement.overall).toBe('OK');
  });

  it('leaves a FAILED standing: the bug found is the client\'s', async () => {
    const dropLate = Scenario.parse({ ...scenario('flapping'), conversation: { maxTurns: 30 } });
    const run = await runScenario(dropLate, pacedSut('at-once', 'mutant:t7-no-resend', MUTANTS.find((m) => m.id === 't7-no-resend')!.create), { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.judgement.exercise?.unmet.map((u) => u.id)).toContain('fault:4');
    expect(run.judgement.axes.turns.verdict).toBe('FAILED');
    expect(run.judgement.overall).toBe('FAILED');
  });

  it('can be waived only by name, with a reason', () => {
    const waived = Scenario.parse({ ...goaway, exercise: { waive: ['expiry-notice'], why: 'unit' } });
    expect(waived.exercise?.waive).toEqual(['expiry-notice']);
    expect(() => Scenario.parse({ ...goaway, exercise: { waive: ['the-notice'], why: 'unit' } })).toThrow(/derived requirement/);
    expect(() => Scenario.parse({ ...goaway, exercise: { waive: ['expiry-notice'] } })).toThrow();
  });
});
