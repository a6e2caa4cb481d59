/**
 * k6-style thresholds of a load run (`--threshold 'p95_resume_ms<500'`): a metric of the
 * summary, an operator, a number. Any threshold crossed fails the run (exit 1). Without
 * `--threshold` the defaults hold: no lost turn, no failed resume, p95 resume latency under 1 s.
 */
import { UsageError } from '../errors.ts';
import { percentile, type LoadSummary } from './load-metrics.ts';

export const LOAD_METRICS = {
  p50_resume_ms: (s: LoadSummary) => percentile(s.resumeLatenciesMs, 50),
  p95_resume_ms: (s: LoadSummary) => percentile(s.resumeLatenciesMs, 95),
  p99_resume_ms: (s: LoadSummary) => percentile(s.resumeLatenciesMs, 99),
  max_resume_ms: (s: LoadSummary) => percentile(s.resumeLatenciesMs, 100),
  lost_turns: (s: LoadSummary) => s.lostTurns,
  failed_resumes: (s: LoadSummary) => s.failedResumes,
  failed_conversations: (s: LoadSummary) => s.conversations - s.completed,
  context_lost: (s: LoadSummary) => s.contextLost,
  not_ok_verdicts: (s: LoadSummary) => Object.entries(s.verdicts).filter(([v]) => v !== 'OK').reduce((n, [, c]) => n + c, 0),
} as const satisfies Record<string, (s: LoadSummary) => number>;

export type LoadMetric = keyof typeof LOAD_METRICS;
type Operator = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  readonly metric: LoadMetric;
  readonly op: Operator;
  readonly value: number;
  readonly text: string;
}

export const DEFAULT_THRESHOLDS = ['lost_turns==0', 'failed_resumes==0', 'p95_resume_ms<1000'] as const;

export function parseThreshold(text: string): Threshold {
  const match = /^\s*([a-z0-9_]+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new UsageError(`--threshold "${text}" is not METRIC OP NUMBER (e.g. p95_resume_ms<500, lost_turns==0)`);
  const [, metric, op, value] = match;
  if (!(metric! in LOAD_METRICS)) throw new UsageError(`--threshold "${text}": no metric "${metric}" (metrics: ${Object.keys(LOAD_METRICS).join(', ')})`);
  return { metric: metric as LoadMetric, op: op as Operator, value: Number(value), text: `${metric}${op}${value}` };
}

export interface ThresholdResult {
  readonly threshold: Threshold;
  /** NaN when nothing was measured (no resume happened): a threshold on it is crossed, never passed by default. */
  readonly actual: number;
  readonly passed: boolean;
}

export function evaluateThresholds(summary: LoadSummary, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = LOAD_METRICS[threshold.metric](summary);
    return { threshold, actual, passed: !Number.isNaN(actual) && compare(actual, threshold.op, threshold.value) };
  });
}

function compare(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case '==': return actual === value;
  }
}
