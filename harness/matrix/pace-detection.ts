/**
 * The gallery's mutants at the other paces (issue 12): every mutant's bug must still be caught
 * when the client answers at once, thinks 10 s per turn, or answers in bursts — a catalog tuned
 * to the reference's own pacing would otherwise hide bugs from faster or slower clients.
 * For each mutant and pace, the first scenario of the catalog that catches it.
 */
import type { Mutant, Pace } from '../../simulator/index.ts';
import type { Verdict } from '../judge/verdict.ts';
import { runScenario } from '../run/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { pacedSut } from '../sut/builtin-sut.ts';

export interface PaceCatch {
  readonly mutant: string;
  readonly pace: Pace;
  /** The first scenario (hinted ones first, then catalog order) that caught it, or null: an escape. */
  readonly scenario: string | null;
  readonly verdict: Verdict | null;
}

/** Whether a verdict detects the mutant: FAILED, or exactly NON-STRICT for a bug the protocol allows (Mutant.detectedAs). */
export const detects = (mutant: Mutant, overall: Verdict): boolean => overall === 'FAILED' || (mutant.detectedAs === 'NON-STRICT' && overall === 'NON-STRICT');

export async function catchOne(mutant: Mutant, pace: Pace, scenario: Scenario, seed = 1): Promise<Verdict> {
  const run = await runScenario(scenario, pacedSut(pace, `mutant:${mutant.id}`, mutant.create), { mode: 'virtual', seed, timeScale: 1 });
  return run.judgement.overall;
}

/**
 * Scenarios built to catch the mutant's trap or field failure come first (their provenance or
 * their `why` names it): a catch there is the scenario's own, and the search rarely has to go on.
 */
function ordered(mutant: Mutant, scenarios: readonly Scenario[]): Scenario[] {
  const token = new RegExp(`\\b${mutant.trap.replace(/[^A-Za-z0-9]/g, '')}\\b`);
  const names = (s: Scenario) => s.provenance.some((p) => p === mutant.trap || p.startsWith(`${mutant.trap} `)) || (/^[TF]\d+$/.test(mutant.trap) && token.test(s.why));
  const hinted = scenarios.filter(names);
  return [...hinted, ...scenarios.filter((s) => !hinted.includes(s))];
}

export async function paceDetection(mutants: readonly Mutant[], scenarios: readonly Scenario[], paces: readonly Pace[], seed = 1): Promise<PaceCatch[]> {
  const catches: PaceCatch[] = [];
  const aiVoice = scenarios.filter((s) => s.faces.includes('ai-voice'));
  for (const mutant of mutants) {
    if (mutant.modes && !mutant.modes.includes('virtual')) continue;
    for (const pace of paces) {
      let found: PaceCatch = { mutant: mutant.id, pace, scenario: null, verdict: null };
      for (const scenario of ordered(mutant, aiVoice)) {
        const overall = await catchOne(mutant, pace, scenario, seed);
        if (detects(mutant, overall)) {
          found = { mutant: mutant.id, pace, scenario: scenario.id, verdict: overall };
          break;
        }
      }
      catches.push(found);
    }
  }
  return catches;
}

export function paceDetectionMarkdown(catches: readonly PaceCatch[], paces: readonly Pace[]): string {
  const byMutant = new Map<string, PaceCatch[]>();
  for (const c of catches) byMutant.set(c.mutant, [...(byMutant.get(c.mutant) ?? []), c]);
  const cell = (c: PaceCatch | undefined) => (c?.scenario ? `\`${c.scenario}\` (${c.verdict})` : '**escaped**');
  const lines = [
    `| mutant | ${paces.join(' | ')} |`,
    `|---|${paces.map(() => '---|').join('')}`,
    ...[...byMutant].map(([mutant, cs]) => `| \`${mutant}\` | ${paces.map((p) => cell(cs.find((c) => c.pace === p))).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The table back from the doc: which scenario catches each mutant at each pace. */
export function parsePaceDetection(markdown: string, paces: readonly Pace[]): { mutant: string; pace: Pace; scenario: string | null }[] {
  const rows: { mutant: string; pace: Pace; scenario: string | null }[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split(' | ');
    if (cells.length !== paces.length) continue;
    paces.forEach((pace, i) => rows.push({ mutant: m[1]!, pace, scenario: /^`([^`]+)`/.exec(cells[i]!)?.[1] ?? null }));
  }
  return rows;
}
