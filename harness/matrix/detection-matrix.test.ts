import { describe, expect, it } from 'vitest';
import { AXES, type Verdict } from '../judge/verdict.ts';
import { buildMatrix, classifyCell, matrixJobs, matrixPasses, referenceSubject, renderMatrixMarkdown, renderMatrixText, type MatrixSubject, type RunDigest } from './detection-matrix.ts';

const digest = (sut: string, scenario: string, seed: number, overall: Verdict): RunDigest => ({
  sut,
  scenario,
  seed,
  overall,
  axes: Object.fromEntries(AXES.map((a) => [a, { verdict: a === 'reconnect' ? overall : 'OK', reason: `${a} said ${overall}` }])) as RunDigest['axes'],
  client: 'reported',
  wallMs: 5,
});

const mutant = (id: string, trap = 'T1'): MatrixSubject => ({ sut: `mutant:${id}`, role: 'mutant', trap, bug: `${id} bug | with a pipe` });

describe('classifyCell', () => {
  it('for a mutant: FAILED in every seed, in some, NON-STRICT only, harness error, passed', () => {
    const runs = (...v: Verdict[]) => v.map((overall, i) => digest('mutant:m', 's', i + 1, overall));
    expect(classifyCell('mutant', runs('FAILED', 'FAILED'))).toBe('caught');
    expect(classifyCell('mutant', runs('OK', 'FAILED'))).toBe('caught-some');
    expect(classifyCell('mutant', runs('NON-STRICT', 'OK'))).toBe('non-strict');
    expect(classifyCell('mutant', runs('UNKNOWN', 'OK'))).toBe('unknown');
    expect(classifyCell('mutant', runs('OK', 'INFORMATIONAL'))).toBe('passed');
  });

  it('for the reference: anything but OK or INFORMATIONAL is a false alarm, NON-STRICT included', () => {
    expect(classifyCell('reference', [digest('builtin', 's', 1, 'OK'), digest('builtin', 's', 2, 'INFORMATIONAL')])).toBe('passed');
    expect(classifyCell('reference', [digest('builtin', 's', 1, 'OK'), digest('builtin', 's', 2, 'NON-STRICT')])).toBe('false-alarm');
  });
});

describe('buildMatrix', () => {
  const subjects = [referenceSubject(), mutant('caught'), mutant('soft', 'T4'), mutant('flaky')];
  const scenarios = ['alpha', 'beta'];
  const seeds = [1, 2];
  const all = (sut: string, v: Record<string, Verdict[]>): RunDigest[] => Object.entries(v).flatMap(([scenario, vs]) => vs.map((o, i) => digest(sut, scenario, seeds[i]!, o)));
  const digests = [
    ...all('builtin', { alpha: ['OK', 'OK'], beta: ['INFORMATIONAL', 'OK'] }),
    ...all('mutant:caught', { alpha: ['FAILED', 'FAILED'], beta: ['OK', 'OK'] }),
    ...all('mutant:soft', { alpha: ['NON-STRICT', 'NON-STRICT'], beta: ['OK', 'OK'] }),
    ...all('mutant:flaky', { alpha: ['OK', 'OK'], beta: ['OK', 'FAILED'] }),
  ];
  const m = buildMatrix({ subjects, scenarios, seeds, digests: [...digests].reverse(), mode: 'virtual', timeScale: 1, wallMs: 1234 });

  it('finds what catches each mutant, what escapes, and the reference clean', () => {
    expect(m.rows.map((r) => [r.subject.sut, r.status, r.hits])).toEqual([
      ['builtin', 'clean', []],
      ['mutant:caught', 'caught', ['alpha']],
      ['mutant:soft', 'escaped', []],
      ['mutant:flaky', 'caught', ['beta']],
    ]);
    expect(m.escaped).toEqual(['mutant:soft']);
    expect(m.falseAlarms).toEqual([]);
    expect(m.rows[3]!.cells[1]).toMatchObject({ state: 'caught-some', failedSeeds: [2] });
    expect(m.rows[1]!.cells[0]!.runs.map((r) => r.seed)).toEqual([1, 2]);
    expect(matrixPasses(m)).toBe(false);
  });

  it('passes only without escape, false alarm or harness error', () => {
    const clean = buildMatrix({ subjects: subjects.filter((s) => s.sut !== 'mutant:soft'), scenarios, seeds, digests, mode: 'virtual', timeScale: 1, wallMs: 1 });
    expect(matrixPasses(clean)).toBe(true);
    const alarm = buildMatrix({ subjects: subjects.filter((s) => s.sut !== 'mutant:soft'), scenarios, seeds, digests: [...digests.filter((d) => !(d.sut === 'builtin' && d.scenario === 'beta' && d.seed === 2)), digest('builtin', 'beta', 2, 'NON-STRICT')], mode: 'virtual', timeScale: 1, wallMs: 1 });
    expect(alarm.falseAlarms).toHaveLength(1);
    expect(matrixPasses(alarm)).toBe(false);
    const broken = buildMatrix({ subjects: [referenceSubject()], scenarios: ['alpha'], seeds: [1], digests: [digest('builtin', 'alpha', 1, 'UNKNOWN')], mode: 'virtual', timeScale: 1, wallMs: 1 });
    expect(broken.harnessErrors).toHaveLength(1);
    expect(matrixPasses(broken)).toBe(false);
  });

  it('renders a terminal grid with a legend and the verdict', () => {
    const text = renderMatrixText(m);
    expect(text).toContain('3 mutants + the reference × 2 scenarios × seeds 1–2 (ai-voice face, virtual mode): 16 runs in 1.2 s');
    expect(text).toMatch(/^builtin \(reference\) +— +\. +\. +no false alarm$/m);
    expect(text).toMatch(/^caught +T1 +X +\. +caught by 1$/m);
    expect(text).toMatch(/^soft +T4 +~ +\. +ESCAPED \(NON-STRICT only, on alpha\)$/m);
    expect(text).toMatch(/^flaky +T1 +\. +x +caught by 1$/m);
    expect(text).toMatch(/^1 {2}alpha$/m);
    expect(text).toContain('2/3 mutants caught, 0 false alarms on the reference, 0 harness errors.');
    expect(text).toContain('ESCAPED: mutant:soft is FAILED by no scenario.');
  });

  it('renders Markdown for the README: what catches each mutant, the verdict, the grid folded away', () => {
    const md = renderMatrixMarkdown(m);
    expect(md).toContain('| `builtin (reference)` | — | the reference Prospect Simulator: must pass everything | passes all 2 (no false alarm) |');
    expect(md).toContain('| `caught` | T1 | caught bug \\| with a pipe | 1: `alpha` |');
    expect(md).toContain('| `soft` | T4 | soft bug \\| with a pipe | **nothing: escaped** (NON-STRICT only) |');
    expect(md).toContain('ESCAPED: mutant:soft is FAILED by no scenario.');
    expect(md).toContain('<details><summary>The full grid: mutant × scenario</summary>');
    expect(md).toContain('| subject | trap | 1 | 2 | result |');
    expect(md).toContain('| `flaky` | T1 | · | ✗1/2 | caught by 1 |');
    expect(md).toContain('| 1 | `alpha` | 2 | `beta` |');
    expect(md.indexOf('| `caught` | T1 | caught bug')).toBeLessThan(md.indexOf('<details>'));
  });

  it('lists at most eight scenarios per mutant in the Markdown table', () => {
    const scenarios = Array.from({ length: 11 }, (_, i) => `s${i}`);
    const many = buildMatrix({ subjects: [mutant('wide')], scenarios, seeds: [1], digests: scenarios.map((s) => digest('mutant:wide', s, 1, 'FAILED')), mode: 'virtual', timeScale: 1, wallMs: 1 });
    expect(renderMatrixMarkdown(many)).toContain('| `wide` | T1 | wide bug \\| with a pipe | 11: `s0`, `s1`, `s2`, `s3`, `s4`, `s5`, `s6`, `s7` and 3 more |');
  });
});

describe('mutants whose bug cannot show in the mode', () => {
  it('are not run, shown as not applicable, and are no escape', () => {
    const networkOnly: MatrixSubject = { ...mutant('pings'), modes: ['network'] };
    const subjects = [referenceSubject(), networkOnly];
    expect(matrixJobs(subjects, 2, [1], 'virtual').map((j) => j.sut)).toEqual(['builtin', 'builtin']);
    expect(matrixJobs(subjects, 2, [1], 'network')).toHaveLength(4);
    const m = buildMatrix({ subjects, scenarios: ['alpha'], seeds: [1], digests: [digest('builtin', 'alpha', 1, 'OK')], mode: 'virtual', timeScale: 1, wallMs: 1 });
    expect(m.rows[1]).toMatchObject({ status: 'not-applicable', cells: [{ state: 'not-applicable' }] });
    expect(m.escaped).toEqual([]);
    expect(matrixPasses(m)).toBe(true);
    expect(renderMatrixText(m)).toMatch(/^pings +T1 +- +not applicable \(shows in network mode only\)$/m);
    expect(renderMatrixText(m)).toContain('0/0 mutants caught (1 not applicable in virtual mode)');
  });
});

describe('matrixJobs', () => {
  it('is every subject × scenario × seed, once', () => {
    const jobs = matrixJobs([referenceSubject(), mutant('a')], 3, [7, 8]);
    expect(jobs).toHaveLength(12);
    expect(new Set(jobs.map((j) => `${j.sut}/${j.scenario}/${j.seed}`)).size).toBe(12);
  });
});
