import { describe, expect, it } from 'vitest';
import { mergeSummaries, percentile, resumeFigures, summarize, type ClientEvent, type ConversationLoad, type LoadSummary } from './load-metrics.ts';

const e = (t: number, kind: string, fields: Record<string, unknown> = {}): ClientEvent => ({ t, kind, ...fields });

describe('resume figures from the reference client\'s log', () => {
  it('AI-voice: a connect with a handle is confirmed by resumed; a rejection, a timeout or a close first is a failed resume; a fresh connect is none', () => {
    const events = [
      e(0, 'connect', { handle: null }), e(10, 'open'),
      e(100, 'connect', { handle: '‹a›' }), e(130, 'open', { resume: true }), e(140, 'resumed'),
      e(200, 'connect', { handle: '‹b›' }), e(220, 'resume-silently-rejected'),
      e(300, 'connect', { handle: '‹c›' }), e(310, 'close', { code: 1006 }),
      e(400, 'connect', { handle: '‹d›' }), e(460, 'resumed'),
      e(500, 'connect', { handle: '‹e›' }),
    ];
    expect(resumeFigures(events)).toEqual({ latenciesMs: [40, 60], failed: 3 });
  });

  it('Gemini: connect {resume: true} is confirmed by open {resumed: true}; handle-rejected fails it', () => {
    const events = [e(0, 'connect', { resume: false }), e(5, 'open', { resumed: false }), e(50, 'connect', { resume: true }), e(75, 'open', { resumed: true }), e(90, 'connect', { resume: true }), e(95, 'handle-rejected')];
    expect(resumeFigures(events)).toEqual({ latenciesMs: [25], failed: 1 });
  });
});

describe('percentiles and summaries', () => {
  it('nearest rank, as k6 reports p(95); NaN with nothing measured', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });

  const conversation = (index: number, over: Partial<ConversationLoad> = {}): ConversationLoad => ({ index, status: 'completed', turns: 10, maxTurns: 10, lostTurns: 0, reconnects: 1, contextLost: false, resumeLatenciesMs: [index + 1], failedResumes: 0, verdict: 'OK', ...over });
  const base = (shard: string): Omit<LoadSummary, 'conversations' | 'completed' | 'lostTurns' | 'contextLost' | 'resumes' | 'failedResumes' | 'resumeLatenciesMs' | 'verdicts'> => ({ target: 'mock', protocol: 'ai-voice', scenario: 's', timeScale: 0.1, shards: [shard], heldAtOnce: 2, peakRssBytes: 100, wallMs: 1000 });

  it('a summary adds the conversations up; shards merge into the summary of the whole run', () => {
    const a = summarize(base('1/2'), [conversation(0), conversation(2, { status: 'failed', turns: 4, lostTurns: 6, contextLost: true, verdict: 'FAILED', failedResumes: 2 })]);
    const b = summarize(base('2/2'), [conversation(1, { resumeLatenciesMs: [9, 0.5] }), conversation(3)]);
    expect(a).toMatchObject({ conversations: 2, completed: 1, lostTurns: 6, contextLost: 1, resumes: 2, failedResumes: 2, resumeLatenciesMs: [1, 3], verdicts: { OK: 1, FAILED: 1 } });
    const merged = mergeSummaries([a, { ...b, peakRssBytes: 300 }]);
    expect(merged).toMatchObject({ shards: ['1/2', '2/2'], conversations: 4, completed: 3, lostTurns: 6, resumes: 5, failedResumes: 2, verdicts: { OK: 3, FAILED: 1 }, heldAtOnce: 4, peakRssBytes: 300 });
    expect(merged.resumeLatenciesMs).toEqual([0.5, 1, 3, 4, 9]);
    expect(() => mergeSummaries([])).toThrow(RangeError);
  });
});
