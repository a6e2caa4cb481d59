/**
 * `--shard i/n` and `merge-reports` (issue 14 item 7): the shards of a run, merged, give the
 * verdicts, the index, the JUnit file and the summary of one unsharded run; the shards of a
 * matrix, merged, the unsharded matrix.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import type { RunIndex } from '../../harness/report/reporters/json-reporter.ts';
import type { DetectionMatrix } from '../../harness/matrix/detection-matrix.ts';

async function call(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = { text: '' };
  const err = { text: '' };
  const stream = (sink: { text: string }) => ({ write: (s: string) => { sink.text += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, { stdout: stream(out), stderr: stream(err), cwd: process.cwd() });
  return { code, out: out.text, err: err.text };
}

const root = mkdtempSync(join(tmpdir(), 'rh-shards-'));
const RUN = ['run', 'goaway*', 'invalid-handle', '--sut', 'mutant:t1-no-reconnect-on-1000', '--seed', '21', '--format', 'json,junit,md'];
const index = (dir: string): RunIndex => JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as RunIndex;
/** What must not depend on sharding: each cell's verdicts, in order. */
const cells = (i: RunIndex) => Object.entries(i.suts).flatMap(([sut, row]) => Object.entries(row).map(([id, c]) => ({ sut, id, overall: c.overall, passed: c.passed, axes: c.axes })));
const testcases = (xml: string): string[] => [...xml.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]!);

describe('run --shard and merge-reports', () => {
  it('three shards, merged, are the unsharded run: same verdicts, same exit code, every file', async () => {
    const whole = await call(...RUN, '--out', join(root, 'whole'));
    expect(whole.code).toBe(1);
    const shards: string[] = [];
    for (const i of [1, 2, 3]) {
      const dir = join(root, `shard-${i}`);
      const r = await call(...RUN, '--shard', `${i}/3`, '--out', dir);
      expect(r.out).toMatch(new RegExp(`shard ${i}/3 of 18`));
      shards.push(dir);
    }
    const sizes = shards.map((d) => index(d).total);
    expect(sizes).toEqual([6, 6, 6]);
    const merged = await call('merge-reports', ...shards, '--out', join(root, 'merged'));
    expect(merged.code, merged.err).toBe(1);
    expect(merged.out).toMatch(/^FAILED +goaway\.early-close \[mutant:t1-no-reconnect-on-1000\]: reconnect: Never reconnected/m);
    expect(merged.out).toMatch(/merged 3 shards: 18 scenarios: 17 OK · 1 FAILED · seed 21/);
    expect(cells(index(join(root, 'merged')))).toEqual(cells(index(join(root, 'whole'))));
    const m = index(join(root, 'merged'));
    expect(m).toMatchObject({ total: 18, passed: 17, failed: 1, run: { seed: 21, mode: 'virtual' } });
    expect(testcases(readFileSync(join(root, 'merged', 'junit.xml'), 'utf8'))).toEqual(testcases(readFileSync(join(root, 'whole', 'junit.xml'), 'utf8')));
    expect(readFileSync(join(root, 'merged', 'summary.md'), 'utf8')).toMatch(/goaway\.early-close/);
    for (const file of ['index.html', 'mutant-t1-no-reconnect-on-1000/goaway.early-close.json', 'mutant-t1-no-reconnect-on-1000/goaway.early-close.html']) expect(existsSync(join(root, 'merged', file)), file).toBe(true);
  }, 60_000);

  it('refuses shards of different runs, a shard given twice, a folder that is no run; and --shard without --seed', async () => {
    const other = join(root, 'other-seed');
    expect((await call('run', 'goaway.close-1001', '--seed', '22', '--format', 'json', '--shard', '1/1', '--out', other)).code).toBe(0);
    const a = join(root, 'a');
    expect((await call('run', 'goaway.close-1001', '--seed', '21', '--format', 'json', '--out', a)).code).toBe(0);
    const differ = await call('merge-reports', a, other, '--out', join(root, 'bad-1'));
    expect(differ.code).toBe(2);
    expect(differ.err).toMatch(/the shards are not one run: .* has seed 21, .* has 22 \(run every shard with the same --seed and options\)/);
    const twice = await call('merge-reports', a, a, '--out', join(root, 'bad-2'));
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/goaway\.close-1001 \[builtin\] is in two shards/);
    const none = await call('merge-reports', root, '--out', join(root, 'bad-3'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/cannot read the run index \(ENOENT\)/);
    const noSeed = await call('run', 'goaway', '--shard', '1/2');
    expect(noSeed.code).toBe(2);
    expect(noSeed.err).toMatch(/--shard needs --seed S/);
  }, 60_000);
});

describe('merge-reports --baseline', () => {
  it('a failure every failing axis of which is accepted does not fail the merged run', async () => {
    const args = ['run', 'goaway.early-close', 'goaway.close-1001', '--sut', 'mutant:t1-no-reconnect-on-1000', '--seed', '5', '--format', 'json'];
    const parts = [join(root, 'b-1'), join(root, 'b-2')];
    for (const [i, dir] of parts.entries()) await call(...args, '--shard', `${i + 1}/2`, '--out', dir);
    const baseline = join(root, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ accepted: [
      { id: 'goaway.early-close', axis: 'reconnect', reason: 'VOICE-88', expires: '2999-12-31' },
      { id: 'goaway.early-close', axis: 'turns', reason: 'follows from VOICE-88', expires: '2999-12-31' },
    ] }));
    const without = await call('merge-reports', ...parts, '--out', join(root, 'b-merged-1'));
    expect(without.code).toBe(1);
    const withBaseline = await call('merge-reports', ...parts, '--out', join(root, 'b-merged-2'), '--baseline', baseline);
    expect(withBaseline.code, withBaseline.err).toBe(0);
    expect(withBaseline.out).toMatch(/^FAILED +goaway\.early-close \[mutant:t1-no-reconnect-on-1000\]: .*\(baselined: reconnect: VOICE-88 \(until 2999-12-31\); turns: follows from VOICE-88 \(until 2999-12-31\)\)$/m);
    expect(withBaseline.out).toMatch(/2 scenarios: 1 FAILED · 1 OK \(1 baselined\)|2 scenarios: 1 OK · 1 FAILED \(1 baselined\)/);
  }, 60_000);
});

describe('matrix --shard and merge-reports', () => {
  it('two matrix shards, each catching one mutant, merge into the unsharded matrix', async () => {
    const args = ['matrix', 'goaway.close-1001', 'flapping.endless', '--mutants', 't6-waits-for-server-close,t4-unbounded', '--jobs', '1'];
    const whole = await call(...args, '--report-dir', join(root, 'm-whole'));
    expect(whole.code).toBe(0);
    const parts = [join(root, 'm-1'), join(root, 'm-2')];
    for (const [i, dir] of parts.entries()) {
      const r = await call(...args, '--shard', `${i + 1}/2`, '--report-dir', dir);
      // Each shard misses one mutant; an escape is for the merge to judge.
      expect(r.out).toMatch(/ESCAPED/);
      expect(r.code).toBe(0);
    }
    const merged = await call('merge-reports', ...parts, '--out', join(root, 'm-merged'));
    expect(merged.code, merged.err).toBe(0);
    const read = (dir: string): DetectionMatrix => JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')) as DetectionMatrix;
    const shape = (m: DetectionMatrix) => ({ scenarios: m.scenarios, rows: m.rows.map((r) => ({ sut: r.subject.sut, status: r.status, hits: r.hits, cells: r.cells.map((c) => c.state) })), escaped: m.escaped });
    expect(shape(read(join(root, 'm-merged')))).toEqual(shape(read(join(root, 'm-whole'))));
    expect(merged.out).toContain('2/2 mutants caught, 0 false alarms on the reference, 0 harness errors.');
  }, 60_000);
});
