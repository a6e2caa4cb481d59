import { describe, expect, it } from 'vitest';
import { defaultReporter } from './default-reporter.ts';
import type { RunSummary } from '../report-writer.ts';
import { judgementOf, passingRun, syntheticRun } from '../testing/synthetic-run.ts';
import type { RunEnd } from './terminal-reporter.ts';
import { sink } from '../testing/sink.ts';


const summary: RunSummary = { runDir: '/somewhere/reports/run-7', counts: { OK: 1, 'NON-STRICT': 0, INFORMATIONAL: 0, FAILED: 1, UNKNOWN: 0 }, passed: 1, failed: 1, total: 2, files: [] };
const LONG = `the client reconnected ${'and waited '.repeat(30)}too long.`;

describe('the default terminal reporter', () => {
  it('prints plain lines in CI: one per finished scenario, full reasons, then the failures with their report paths, the duration and the seed', () => {
    const out = sink(false);
    const reporter = defaultReporter({ out, err: out, colour: false, cwd: '/somewhere' });
    const ok = { run: passingRun(), passed: true };
    const failed = { run: syntheticRun({ sut: { ...syntheticRun().sut, id: 'cmd:x' }, judgement: { ...judgementOf({ reconnect: 'FAILED' }), axes: { ...judgementOf({ reconnect: 'FAILED' }).axes, reconnect: { verdict: 'FAILED', reason: LONG } } } }), passed: false, files: { json: '/somewhere/reports/run-7/cmd-x/synthetic.drop.json', html: '/somewhere/reports/run-7/cmd-x/synthetic.drop.html' } };
    reporter.scenarioStarted('synthetic.ok', 'builtin');
    reporter.scenarioDone(ok);
    reporter.scenarioStarted('synthetic.drop', 'cmd:x');
    reporter.scenarioDone(failed);
    const end: RunEnd = { summary, seed: 42, durationMs: 3456, outcomes: [ok, failed] };
    reporter.finished(end);
    expect(out.text()).toBe([
      'OK             synthetic.ok  12.0 protocol s',
      `FAILED         synthetic.drop [cmd:x]  reconnect: ${LONG}`,
      '',
      'Failed (1):',
      `  FAILED  synthetic.drop [cmd:x]: reconnect: ${LONG}`,
      '      reports/run-7/cmd-x/synthetic.drop.html',
      '',
      '2 scenarios: 1 OK · 0 NON-STRICT · 0 INFORMATIONAL · 1 FAILED · 0 UNKNOWN',
      '1 failed in 3.5 s · seed 42 (replay with --seed 42) · reports: reports/run-7',
      '',
    ].join('\n'));
  });

  it('shows the reason of a NON-STRICT verdict that passes, and a baselined failure as such', () => {
    const out = sink(false);
    const reporter = defaultReporter({ out, err: out, colour: false });
    reporter.scenarioDone({ run: syntheticRun({ judgement: judgementOf({ expiry: 'NON-STRICT' }) }), passed: true });
    reporter.scenarioDone({ run: syntheticRun({ judgement: judgementOf({ turns: 'FAILED' }) }), passed: false, baselined: 'turns: VOICE-88 (until 2099-01-01)' });
    expect(out.text()).toContain('NON-STRICT     synthetic.drop  expiry: expiry reason.\n');
    expect(out.text()).toContain('FAILED         synthetic.drop  turns: turns reason. (baselined: turns: VOICE-88 (until 2099-01-01))\n');
  });

  it('on a TTY, turns each scenario\'s RUNNING line into its verdict in place', () => {
    const out = sink(true);
    const reporter = defaultReporter({ out, err: out, tty: true, colour: true });
    reporter.scenarioStarted('a', 'builtin');
    reporter.scenarioStarted('synthetic.ok', 'builtin');
    reporter.scenarioDone({ run: passingRun(), passed: true });
    const text = out.text();
    expect(text.startsWith('\x1b[2mRUNNING      \x1b[0m  a\n\x1b[2mRUNNING      \x1b[0m  synthetic.ok\n')).toBe(true);
    // The second line, one up from the cursor: up 1, clear, rewrite, down 1.
    expect(text).toContain('\x1b[1A\r\x1b[2K\x1b[32mOK           \x1b[0m  synthetic.ok  12.0 protocol s\x1b[1B\r');
  });

  it('cuts a long reason to the terminal width on a TTY only', () => {
    const out = sink(true, 40);
    defaultReporter({ out, err: out, tty: true }).scenarioDone({ run: syntheticRun(), passed: false });
    const line = out.text().replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.endsWith('…')).toBe(true);
  });
});
