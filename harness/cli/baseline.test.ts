import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgementOf, syntheticRun } from '../report/testing/synthetic-run.ts';
import { failingAxes as failingAxesOf, judgedRun, loadBaseline, type Judged } from './baseline.ts';
import type { ScenarioRun } from '../run/run-scenario.ts';

const failingAxes = (run: ScenarioRun, strict: boolean): string[] => failingAxesOf(judgedRun(run), strict);
const judged = (run: ScenarioRun): Judged => judgedRun(run);

function file(accepted: object[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'baseline-')), 'baseline.json');
  writeFileSync(path, JSON.stringify({ accepted }));
  return path;
}

const entry = (axis: string, expires = '2030-06-30') => ({ id: 'synthetic.drop', axis, reason: `why ${axis}`, expires });

describe('the baseline of accepted failures', () => {
  it('covers a failure only when every failing axis is listed for its id', () => {
    const run = syntheticRun({ judgement: judgementOf({ reconnect: 'FAILED', turns: 'FAILED' }) });
    expect(failingAxes(run, false)).toEqual(['turns', 'reconnect']);
    const both = loadBaseline(file([entry('reconnect'), entry('turns')]), '/', '2030-01-01');
    expect(both.covering(judged(run), false)?.map((e) => e.axis)).toEqual(['reconnect', 'turns']);
    const one = loadBaseline(file([entry('reconnect')]), '/', '2030-01-01');
    expect(one.covering(judged(run), false)).toBeNull();
    const otherId = loadBaseline(file([{ ...entry('reconnect'), id: 'other' }, { ...entry('turns'), id: 'other' }]), '/', '2030-01-01');
    expect(otherId.covering(judged(run), false)).toBeNull();
  });

  it('NON-STRICT counts as failing under --strict only; UNKNOWN is never baselined', () => {
    const nonStrict = syntheticRun({ judgement: judgementOf({ expiry: 'NON-STRICT' }) });
    expect(failingAxes(nonStrict, false)).toEqual([]);
    const baseline = loadBaseline(file([entry('expiry'), entry('context')]), '/', '2030-01-01');
    expect(baseline.covering(judged(nonStrict), true)?.map((e) => e.axis)).toEqual(['expiry']);
    const unknown = syntheticRun({ judgement: judgementOf({ context: 'UNKNOWN' }) });
    expect(baseline.covering(judged(unknown), false)).toBeNull();
  });

  it('an entry holds through its expiry day and is an error the day after', () => {
    const path = file([entry('reconnect', '2030-06-30')]);
    expect(loadBaseline(path, '/', '2030-06-30').entries).toHaveLength(1);
    expect(() => loadBaseline(path, '/', '2030-07-01')).toThrow(/expired on 2030-06-30/);
  });

  it('knows the server axes as server:AXIS', () => {
    expect(loadBaseline(file([entry('server:handle-relay')]), '/', '2030-01-01').entries[0]?.axis).toBe('server:handle-relay');
    expect(() => loadBaseline(file([entry('handle-relay')]), '/', '2030-01-01')).toThrow(/"handle-relay" is not an axis \(did you mean "server:handle-relay"\?\)/);
  });
});
