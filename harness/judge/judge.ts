/**
 * Judges one run from the server's journal and the client's result. Black-box: nothing
 * here looks inside a client. A judge that throws is a harness error: UNKNOWN, never a pass.
 */
import { checkExercise, type ExerciseCheck } from '../analysis/exercise.ts';
import { judgeContext } from './context-axis.ts';
import { judgeExpiry } from './expiry-axis.ts';
import { judgeProtocol, judgeSecrets } from './hygiene-axes.ts';
import type { JudgeInput } from './judge-input.ts';
import { judgeReconnect } from './reconnect-axis.ts';
import { judgeTurns } from './turns-axis.ts';
import { AXES, overallOf, unknown, type Axis, type AxisVerdict, type AxisVerdicts, type Verdict } from './verdict.ts';

const JUDGES: Record<Axis, (input: JudgeInput) => AxisVerdict> = {
  context: judgeContext,
  turns: judgeTurns,
  reconnect: judgeReconnect,
  expiry: judgeExpiry,
  protocol: judgeProtocol,
  secrets: judgeSecrets,
};

export interface Judgement {
  readonly overall: Verdict;
  readonly axes: AxisVerdicts;
  /** What had to happen for the verdict to mean something, and what did not (analysis/exercise.ts). */
  readonly exercise?: ExerciseCheck;
}

export function judge(input: JudgeInput): Judgement {
  const axes = {} as Record<Axis, AxisVerdict>;
  for (const axis of AXES) {
    try {
      axes[axis] = JUDGES[axis](input);
    } catch (error) {
      axes[axis] = unknown(`The harness failed to judge this axis: ${(error as Error).message}`);
    }
  }
  let exercise: ExerciseCheck | undefined;
  try {
    exercise = checkExercise(input.scenario, input.analysis.timeline);
    for (const miss of exercise.unmet) {
      // A fault that did not happen is never a pass (issue 12). A failure found anyway stands: it is the client's.
      const axis = axes[miss.axis];
      if (axis.verdict === 'FAILED' || axis.verdict === 'UNKNOWN') continue;
      axes[miss.axis] = unknown(`Not exercised: ${miss.reason}. (${axis.verdict} on what did happen: ${axis.reason})`);
    }
  } catch (error) {
    axes.reconnect = unknown(`The harness failed to check what this run exercised: ${(error as Error).message}`);
  }
  return { overall: overallOf(AXES.map((a) => axes[a].verdict)), axes, ...(exercise ? { exercise } : {}) };
}

/** Every axis UNKNOWN: the harness itself failed before there was anything to judge. */
export function harnessError(reason: string): Judgement {
  const axes = {} as Record<Axis, AxisVerdict>;
  for (const axis of AXES) axes[axis] = unknown(reason);
  return { overall: 'UNKNOWN', axes };
}
