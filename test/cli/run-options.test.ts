/**
 * `run`'s options for teams and CI: --baseline (gate on no new failures), --out (a fixed
 * folder), --keep (prune), --reporter through the CLI, --jobs (network mode, same verdicts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';

function cli(cwd = process.cwd()) {
  const out = { text: '' };
  const err = { text: '' };
  const stream = (sink: { text: string }) => ({ write: (s: string) => { sink.text += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream(out), stderr: stream(err), cwd }, out, err };
}

async function call(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = cli();
  const code = await main(argv, io);
  return { code, out: out.text, err: err.text };
}

const temp = () => mkdtempSync(join(tmpdir(), 'rh-run-'));
/** goaway.early-close fails this mutant on two axes: reconnect (the cause) and turns (the symptom). */
const FAILING = ['run', 'goaway.early-close', 'goaway.close-1001', '--sut', 'mutant:t1-no-reconnect-on-1000', '--seed', '5', '--format', 'json'];

function baselineFile(entries: object[]): string {
  const file = join(temp(), 'baseline.json');
  writeFileSync(file, JSON.stringify({ accepted: entries }));
  return file;
}

describe('--baseline', () => {
  it('a failure whose every failing axis is accepted is shown as baselined and does not fail the run', async () => {
    const file = baselineFile([
      { id: 'goaway.early-close', axis: 'reconnect', reason: 'VOICE-88: retry after 1000 lands in v2.4', expires: '2999-12-31' },
      { id: 'goaway.early-close', axis: 'turns', reason: 'follows from VOICE-88', expires: '2999-12-31' },
    ]);
    const r = await call(...FAILING, '--report-dir', temp(), '--baseline', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/FAILED +goaway\.early-close \[mutant:t1-no-reconnect-on-1000\] +reconnect: .*\(baselined: reconnect: VOICE-88: retry after 1000 lands in v2\.4 \(until 2999-12-31\); turns: follows from VOICE-88 \(until 2999-12-31\)\)/);
    expect(r.out).toContain('Baselined (1), accepted by --baseline:');
    expect(r.out).toMatch(/no new failures \(1 baselined\) in /);
  });

  it('a failure with an axis the baseline does not list still fails the run', async () => {
    const file = baselineFile([{ id: 'goaway.early-close', axis: 'reconnect', reason: 'VOICE-88', expires: '2999-12-31' }]);
    const r = await call(...FAILING, '--report-dir', temp(), '--baseline', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Failed (1):');
    expect(r.out).not.toContain('baselined');
  });

  it('an expired entry, an unknown axis, a malformed file: exit 2 before anything runs, one line each', async () => {
    const cases: Array<[string, RegExp]> = [
      [baselineFile([{ id: 'goaway.early-close', axis: 'reconnect', reason: 'VOICE-88', expires: '2020-01-31' }]), /the acceptance of goaway\.early-close \(reconnect\) expired on 2020-01-31: fix the failure, or renew the entry with a new reason and date$/],
      [baselineFile([{ id: 'goaway.early-close', axis: 'reconect', reason: 'VOICE-88', expires: '2999-01-31' }]), /accepted\.0\.axis: "reconect" is not an axis \(did you mean "reconnect"\?\)/],
      [baselineFile([{ id: 'goaway.early-close', axis: 'reconnect', expires: '2999-01-31' }]), /accepted\.0\.reason: .*\(expected \{ "accepted": \[/],
      [join(temp(), 'absent.json'), /cannot read the baseline .*absent\.json \(ENOENT\): give --baseline an existing JSON file$/],
    ];
    for (const [file, message] of cases) {
      const dir = temp();
      const r = await call(...FAILING, '--report-dir', dir, '--baseline', file);
      expect(r.code, file).toBe(2);
      expect(r.err.trimEnd()).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});

describe('--out and --keep', () => {
  it('--out writes the run to the folder itself, replaces a previous run there, and links no latest', async () => {
    const root = temp();
    const out = join(root, 'ci-run');
    expect((await call('run', 'goaway.close-1001', 'goaway.close-1011', '--seed', '2', '--format', 'json', '--out', out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['goaway.close-1001.json', 'goaway.close-1011.json', 'index.json']);
    const r = await call('run', 'goaway.close-1001', '--seed', '3', '--format', 'json', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/reports: .*ci-run\n/);
    // The first run's goaway.close-1011 is gone: nothing stale survives.
    expect(readdirSync(out).sort()).toEqual(['goaway.close-1001.json', 'index.json']);
    expect(JSON.parse(readFileSync(join(out, 'goaway.close-1001.json'), 'utf8'))).toMatchObject({ seed: 3 });
    expect(readdirSync(root)).toEqual(['ci-run']);
  });

  it('--out refuses a folder that holds something other than a run', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    const r = await call('run', 'goaway.close-1001', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds files that are not a resume-harness run \(no index\.json\): give --out a new or empty folder/);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });

  it('--keep N leaves the N newest run folders under --report-dir', async () => {
    const root = temp();
    mkdirSync(join(root, 'mine'));
    for (const seed of ['1', '2', '3']) expect((await call('run', 'goaway.close-1001', '--seed', seed, '--format', 'json', '--report-dir', root, '--keep', '2')).code).toBe(0);
    const runs = readdirSync(root).filter((n) => n.includes('-seed')).sort();
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/-seed2$/);
    expect(runs[1]).toMatch(/-seed3$/);
    expect(readdirSync(root)).toContain('mine');
    expect(readdirSync(root)).toContain('latest');
  });
});

describe('--reporter through the CLI', () => {
  it('github-actions annotates the scenario file of each failure', async () => {
    const r = await call(...FAILING, '--report-dir', temp(), '--reporter', 'github-actions');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error file=scenarios\/core\/goaway\.scenario\.json,title=goaway\.early-close \[mutant%3At1-no-reconnect-on-1000\]%3A FAILED::reconnect: Never reconnected .*%0Areport: .*goaway\.early-close\.json$/m);
  });

  it('json keeps stdout to one document; an unknown reporter is refused with the nearest name', async () => {
    const r = await call(...FAILING, '--report-dir', temp(), '--reporter', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { scenarios: Array<{ id: string; verdict: string }> };
    expect(doc.scenarios.map((s) => `${s.id} ${s.verdict}`).sort()).toEqual(['goaway.close-1001 OK', 'goaway.early-close FAILED']);
    const bad = await call('run', '--reporter', 'gihub-actions');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--reporter must be one of default, dot, json, github-actions, got "gihub-actions" \(did you mean "github-actions"\?\)/);
  });
});

describe('--jobs', () => {
  it('is refused in virtual mode (fake timers are process-wide) and for a module: client', async () => {
    const virtual = await call('run', 'goaway', '--jobs', '2');
    expect(virtual.code).toBe(2);
    expect(virtual.err).toMatch(/--jobs 2 needs --mode network: virtual time fakes the timers of the whole process/);
    const module = await call('run', 'goaway', '--jobs', '2', '--mode', 'network', '--sut', 'module:examples/module-client.mjs');
    expect(module.code).toBe(2);
    expect(module.err).toMatch(/--jobs 2 cannot run a module: client/);
  });

  it('in network mode gives the verdicts of a sequential run', async () => {
    const selection = ['goaway.close-1001', 'goaway.early-close', 'invalid-handle', '--sut', 'mutant:t1-no-reconnect-on-1000', '--mode', 'network', '--time-scale', '0.01', '--seed', '9', '--format', 'json', '--reporter', 'json'];
    const verdicts = async (jobs: string): Promise<string[]> => {
      const r = await call('run', ...selection, '--jobs', jobs, '--report-dir', temp());
      expect(r.code, r.err).toBe(1);
      return (JSON.parse(r.out) as { scenarios: Array<{ id: string; verdict: string }> }).scenarios.map((s) => `${s.id} ${s.verdict}`).sort();
    };
    const sequential = await verdicts('1');
    expect(sequential).toEqual(['goaway.close-1001 OK', 'goaway.early-close FAILED', 'invalid-handle OK', 'invalid-handle.accept-then-close OK', 'invalid-handle.close-4003 OK']);
    expect(await verdicts('3')).toEqual(sequential);
  }, 120_000);
});

describe('--time-scale auto', () => {
  it('probes how late this machine\'s timers fire and runs at a scale no smaller than the default, saying which', async () => {
    const r = await call('run', 'unexpected-close.1011-quota', '--mode', 'network', '--time-scale', 'auto', '--seed', '3', '--format', 'json', '--report-dir', temp());
    expect(r.code, r.out + r.err).toBe(0);
    const chosen = /--time-scale auto: timers here fire up to [\d.]+ ms late \(p99 of a short probe\): time scale ([\d.]+)/.exec(r.err);
    expect(chosen, r.err).not.toBeNull();
    expect(Number(chosen![1])).toBeGreaterThanOrEqual(0.005);
    expect(r.out).toContain(`time scale ${chosen![1]}`);
  }, 120_000);

  it('anything else that is not a number is refused', async () => {
    const r = await call('run', 'goaway', '--mode', 'network', '--time-scale', 'fast');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--time-scale must be a number above 0, got "fast"/);
  });
});
