/**
 * The exercised-fault table (issue 12): every scenario of the catalog against the reference
 * simulator at each pace (simulator core/pace.ts), and whether what the scenario needs to
 * happen did happen (analysis/exercise.ts). A scenario must be exercised at every pace: a
 * client that answers at once, one that thinks 10 s per turn and one that answers in bursts.
 */
import { PACES, type Pace } from '../../simulator/index.ts';
import type { Verdict } from '../judge/verdict.ts';
import { runScenario } from '../run/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { pacedSut } from '../sut/builtin-sut.ts';

export interface ExerciseCell {
  readonly pace: Pace;
  readonly overall: Verdict;
  /** Protocol seconds the run took. */
  readonly protocolS: number;
  /** Why it was not exercised, or null. */
  readonly unmet: string | null;
}

export interface ExerciseRow {
  readonly scenario: string;
  readonly required: readonly string[];
  readonly cells: readonly ExerciseCell[];
}

export async function exerciseTable(scenarios: readonly Scenario[], paces: readonly Pace[] = PACES, seed = 1): Promise<ExerciseRow[]> {
  const rows: ExerciseRow[] = [];
  for (const scenario of scenarios) {
    if (!scenario.faces.includes('ai-voice')) continue;
    const cells: ExerciseCell[] = [];
    let required: readonly string[] = [];
    for (const pace of paces) {
      const run = await runScenario(scenario, pacedSut(pace), { mode: 'virtual', seed, timeScale: 1 });
      required = run.judgement.exercise?.required ?? required;
      const unmet = run.judgement.exercise?.unmet ?? [];
      cells.push({ pace, overall: run.judgement.overall, protocolS: Math.round(run.protocolMs / 1000), unmet: unmet.length > 0 ? unmet.map((u) => u.reason).join('; ') : null });
    }
    rows.push({ scenario: scenario.id, required, cells });
  }
  return rows;
}

/** The table as published in docs/exercised-faults.md. */
export function exerciseTableMarkdown(rows: readonly ExerciseRow[], paces: readonly Pace[] = PACES): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const mark = (c: ExerciseCell) => (c.unmet === null ? `yes (${c.overall}, ${c.protocolS} s)` : `**no** (${c.overall})`);
  const lines = [
    `| scenario | what must happen | ${paces.join(' | ')} |`,
    `|---|---|${paces.map(() => '---|').join('')}`,
    ...rows.map((r) => `| \`${r.scenario}\` | ${r.required.length > 0 ? escape(r.required.join('; ')) : '— (the whole conversation)'} | ${r.cells.map(mark).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
