import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import type { LoadSummary } from './load-metrics.ts';
import { DEFAULT_THRESHOLDS, evaluateThresholds, parseThreshold } from './load-thresholds.ts';

const summary = (over: Partial<LoadSummary> = {}): LoadSummary => ({ target: 'mock', protocol: 'ai-voice', scenario: 's', timeScale: 0.1, shards: ['1/1'], conversations: 10, completed: 10, lostTurns: 0, contextLost: 0, resumes: 4, failedResumes: 0, resumeLatenciesMs: [10, 20, 30, 400], verdicts: { OK: 9, FAILED: 1 }, heldAtOnce: 10, peakRssBytes: 1, wallMs: 1, ...over });

describe('k6-style thresholds', () => {
  it('parses METRIC OP NUMBER, and names the problem otherwise', () => {
    expect(parseThreshold(' p95_resume_ms < 500 ')).toMatchObject({ metric: 'p95_resume_ms', op: '<', value: 500, text: 'p95_resume_ms<500' });
    expect(parseThreshold('lost_turns==0')).toMatchObject({ metric: 'lost_turns', op: '==', value: 0 });
    expect(() => parseThreshold('p95 < 5')).toThrow(UsageError);
    expect(() => parseThreshold('p95_latency<5')).toThrow(/no metric "p95_latency"/);
    expect(() => parseThreshold('lost_turns=0')).toThrow(/METRIC OP NUMBER/);
  });

  it('passes what holds and crosses what does not; a latency threshold with no resume measured is crossed', () => {
    const results = evaluateThresholds(summary(), ['p95_resume_ms<500', 'p99_resume_ms<=399', 'lost_turns==0', 'not_ok_verdicts==0', 'failed_conversations<1'].map(parseThreshold));
    expect(results.map((r) => [r.threshold.text, r.actual, r.passed])).toEqual([
      ['p95_resume_ms<500', 400, true],
      ['p99_resume_ms<=399', 400, false],
      ['lost_turns==0', 0, true],
      ['not_ok_verdicts==0', 1, false],
      ['failed_conversations<1', 0, true],
    ]);
    const none = evaluateThresholds(summary({ resumeLatenciesMs: [], resumes: 0 }), [parseThreshold('p95_resume_ms<500')]);
    expect(none[0]!.passed).toBe(false);
    expect(none[0]!.actual).toBeNaN();
  });

  it('the defaults: no lost turn, no failed resume, p95 under a second', () => {
    expect(evaluateThresholds(summary(), DEFAULT_THRESHOLDS.map(parseThreshold)).every((r) => r.passed)).toBe(true);
    expect(evaluateThresholds(summary({ failedResumes: 1 }), DEFAULT_THRESHOLDS.map(parseThreshold)).map((r) => r.passed)).toEqual([true, false, true]);
  });
});
