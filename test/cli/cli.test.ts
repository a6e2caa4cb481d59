/**
 * The CLI's contract with CI: exit 0 when nothing failed, 1 when a scenario failed, 2 for
 * usage errors and invalid scenario files — named by file, field and problem, before
 * anything runs.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';

function io(cwd = process.cwd()) {
  const out = { text: '' };
  const err = { text: '' };
  const stream = (sink: { text: string }) => ({ write: (s: string) => { sink.text += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream(out), stderr: stream(err), cwd }, out, err };
}

describe('resume-harness run', () => {
  it('exits 0 when every selected scenario passes, prints the seed, writes one report per scenario and points latest at the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const { io: cli, out } = io();
    const code = await main(['run', 'invalid-handle*', '--seed', '5', '--report-dir', dir, '--format', 'json,md'], cli);
    expect(code).toBe(0);
    expect(out.text).toMatch(/seed 5/);
    const runDir = join(dir, readlinkSync(join(dir, 'latest')));
    const files = readdirSync(runDir);
    for (const id of ['invalid-handle', 'invalid-handle.close-4003', 'invalid-handle.accept-then-close']) {
      expect(files).toContain(`${id}.json`);
      const report = JSON.parse(readFileSync(join(runDir, `${id}.json`), 'utf8'));
      expect(report).toMatchObject({ scenario: id, seed: 5, mode: 'virtual', sut: { id: 'builtin' }, verdict: { overall: 'OK' } });
      expect(Object.keys(report.verdict.axes).sort()).toEqual(['context', 'expiry', 'protocol', 'reconnect', 'secrets', 'turns']);
    }
    expect(files.some((f) => f.endsWith('.md'))).toBe(true);
    expect(files.some((f) => f.endsWith('.xml'))).toBe(false);
  });

  it('exits 1 when a scenario fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const { io: cli, out } = io();
    const code = await main(['run', 'goaway.early-close', '--sut', 'mutant:t1-no-reconnect-on-1000', '--seed', '5', '--report-dir', dir, '--format', 'json'], cli);
    expect(code).toBe(1);
    expect(out.text).toMatch(/FAILED/);
  });

  it('exits 2 and names file, field and problem for an invalid scenario file, running nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const file = join(dir, 'broken.scenario.json');
    const good = JSON.parse(readFileSync('scenarios/core/goaway.scenario.json', 'utf8'));
    writeFileSync(file, JSON.stringify({ ...good, id: 'my-goaway', variants: [], server: { expiry: { closeCode: 'soon' } } }));
    const { io: cli, err } = io();
    const code = await main(['run', file, '--report-dir', join(dir, 'reports')], cli);
    expect(code).toBe(2);
    expect(err.text).toMatch(/broken\.scenario\.json: server\.expiry\.closeCode: .*number/i);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('exits 2 for an unknown scenario id, an unknown flag, and a bad --mode', async () => {
    for (const argv of [['run', 'no-such-scenario'], ['run', '--frobnicate'], ['run', '--mode', 'quantum']]) {
      const { io: cli, err } = io();
      expect(await main(argv, cli)).toBe(2);
      expect(err.text.length).toBeGreaterThan(0);
    }
  });
});

describe('resume-harness list', () => {
  it('prints the catalog grouped, and as JSON with id, group, title, severity and provenance', async () => {
    const text = io();
    expect(await main(['list'], text.io)).toBe(0);
    expect(text.out.text).toMatch(/^expiry \(\d+\)$/m);
    expect(text.out.text).toMatch(/goaway\.close-1006/);
    const json = io();
    expect(await main(['list', '--json'], json.io)).toBe(0);
    const rows = JSON.parse(json.out.text) as Array<Record<string, unknown>>;
    const goaway = rows.find((r) => r.id === 'goaway');
    expect(goaway).toMatchObject({ group: 'expiry', severity: 'critical', faces: ['ai-voice', 'gemini-live'] });
    expect(Array.isArray(goaway?.provenance)).toBe(true);
  });

  it('shows on which faces each scenario runs', async () => {
    const text = io();
    expect(await main(['list'], text.io)).toBe(0);
    expect(text.out.text).toMatch(/^ {2}goaway +critical +both +/m);
    expect(text.out.text).toMatch(/^ {2}invalid-handle +critical +ai-voice +/m);
    expect(text.out.text).toMatch(/scenarios; \d+ on the ai-voice face only, \d+ on both faces \(--protocol gemini-live\)/);
  });
});

describe('resume-harness run --protocol gemini-live', () => {
  it('runs the selected scenarios that exist on the Gemini face against the reference Gemini client, and says which it left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const { io: cli, out } = io();
    const code = await main(['run', 'goaway', 'silent-fresh-no-greeting', '--protocol', 'gemini-live', '--seed', '2', '--report-dir', dir, '--format', 'json'], cli);
    expect(code).toBe(0);
    // goaway selects its variants too; goaway.conversation-end and silent-fresh-no-greeting are AI-voice only.
    expect(out.text).toMatch(/2 selected scenarios belong to the other face only, not run on gemini-live/);
    expect(out.text).toMatch(/\d+ scenarios against builtin on the gemini-live face/);
    expect(out.text).not.toMatch(/silent-fresh-no-greeting|goaway\.conversation-end/);
    const report = JSON.parse(readFileSync(join(dir, readlinkSync(join(dir, 'latest')), 'goaway.json'), 'utf8'));
    expect(report).toMatchObject({ scenario: 'goaway', protocol: 'gemini-live', verdict: { overall: 'OK' } });
  });

  it('exits 2 for an unknown protocol, and for a selection with nothing on the face', async () => {
    for (const [argv, message] of [[['run', '--protocol', 'carrier-pigeon'], /--protocol must be ai-voice or gemini-live/], [['run', 'silent-fresh-no-greeting', '--protocol', 'gemini-live'], /none of the 1 selected scenarios runs on the gemini-live face/]] as const) {
      const { io: cli, err } = io();
      expect(await main([...argv], cli)).toBe(2);
      expect(err.text).toMatch(message);
    }
  });
});
