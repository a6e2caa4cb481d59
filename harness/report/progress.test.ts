import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';
import type { RunSummary } from './report-writer.ts';
import { passingRun, syntheticRun } from './testing/synthetic-run.ts';

/** A write stream that keeps what it is given. */
function sink(isTTY: boolean, columns = 200): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns, write: (chunk: string) => { chunks.push(chunk); return true; }, text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { text: () => string };
}

const summary: RunSummary = { runDir: '/somewhere/reports/run-7', counts: { OK: 1, 'NON-STRICT': 0, INFORMATIONAL: 0, FAILED: 1, UNKNOWN: 0 }, passed: 1, failed: 1, total: 2, files: [] };

describe('createProgress', () => {
  it('prints plain lines in CI: one per finished scenario, no escape codes', () => {
    const out = sink(false);
    const progress = createProgress(out, { colour: false });
    progress.scenarioStarted('synthetic.ok', 'builtin');
    progress.scenarioDone(passingRun(), true);
    progress.scenarioStarted('synthetic.drop', 'cmd:x');
    progress.scenarioDone(syntheticRun({ sut: { ...syntheticRun().sut, id: 'cmd:x' } }), false);
    progress.finished(summary, 42);
    expect(out.text()).toBe([
      'OK             synthetic.ok  12.0 protocol s',
      'FAILED         synthetic.drop [cmd:x]  reconnect: reconnect reason.',
      '',
      '2 scenarios: 1 OK · 0 NON-STRICT · 0 INFORMATIONAL · 1 FAILED · 0 UNKNOWN',
      '1 failed · seed 42 (replay with --seed 42) · reports: /somewhere/reports/run-7',
      '',
    ].join('\n'));
  });

  it('on a TTY, turns each scenario\'s RUNNING line into its verdict in place', () => {
    const out = sink(true);
    const progress = createProgress(out, { tty: true, colour: true });
    progress.scenarioStarted('a', 'builtin');
    progress.scenarioStarted('synthetic.ok', 'builtin');
    progress.scenarioDone(passingRun(), true);
    const text = out.text();
    expect(text.startsWith('\x1b[2mRUNNING      \x1b[0m  a\n\x1b[2mRUNNING      \x1b[0m  synthetic.ok\n')).toBe(true);
    // The second line, one up from the cursor: up 1, clear, rewrite, down 1.
    expect(text).toContain('\x1b[1A\r\x1b[2K\x1b[32mOK           \x1b[0m  synthetic.ok  12.0 protocol s\x1b[1B\r');
  });

  it('cuts a long reason to the terminal width', () => {
    const out = sink(true, 40);
    const progress = createProgress(out, { tty: true });
    progress.scenarioDone(syntheticRun(), false);
    const line = out.text().replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.endsWith('…')).toBe(true);
  });
});
