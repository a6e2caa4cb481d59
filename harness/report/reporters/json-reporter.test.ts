import { describe, expect, it } from 'vitest';
import { entryOf, passingRun, runContext, syntheticRun } from '../testing/synthetic-run.ts';
import { buildIndex, jsonReporter } from './json-reporter.ts';

describe('jsonReporter', () => {
  const entries = [entryOf(syntheticRun()), entryOf(passingRun('synthetic.drop', 'cmd:other'))];

  it('writes each scenario report as pretty JSON at its path', () => {
    const [file] = jsonReporter.onScenario!(entries[1]!, runContext());
    expect(file!.path).toBe('cmd-other/synthetic.drop.json');
    expect(JSON.parse(file!.content)).toEqual(entries[1]!.report);
    expect(file!.content.endsWith('}\n')).toBe(true);
  });

  it('indexes the matrix SUT × scenario → verdicts, Autobahn style', () => {
    const index = buildIndex(entries, runContext());
    expect(Object.keys(index.suts)).toEqual(['builtin', 'cmd:other']);
    expect(index.suts.builtin!['synthetic.drop']).toEqual({
      overall: 'FAILED', passed: false,
      axes: { context: 'OK', turns: 'FAILED', reconnect: 'FAILED', expiry: 'OK', protocol: 'OK', secrets: 'OK' },
      reportfile: 'synthetic.drop.json', htmlfile: 'synthetic.drop.html',
      title: 'A drop with a turn in flight', group: 'connection-faults', severity: 'major', protocolMs: 12_000,
    });
    expect(index.suts['cmd:other']!['synthetic.drop']!.reportfile).toBe('cmd-other/synthetic.drop.json');
    expect(index).toMatchObject({ total: 2, passed: 1, failed: 1, counts: { OK: 1, FAILED: 1 }, run: { seed: 42, mode: 'virtual', strict: false } });
    expect(index.wall).toEqual({ runId: 'run-unit', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null });
  });
});
