/**
 * The README's screenshot is made, not drawn: tools/screenshot-timeline.ts runs in-flight-lost
 * against the t7-no-resend mutant, writes the HTML report and captures it in headless Chromium.
 * This runs the tool into a temporary file and checks the picture is a real capture of the size
 * asked for; it refuses to picture a run that did not fail.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;
const dir = mkdtempSync(join(tmpdir(), 'screenshot-tool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');

describe.skipIf(missing !== null && !process.env.CI)(`tools/screenshot-timeline.ts${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('captures the failed timeline of a broken client as a PNG of the page', async () => {
    const out = join(dir, 'failed.png');
    const { stdout } = await run(tsx, ['tools/screenshot-timeline.ts', '--out', out], { cwd: ROOT });
    expect(stdout).toContain('in-flight-lost against mutant:t7-no-resend, seed 42');
    const png = readFileSync(out);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({ width: 1200, height: 1040 });
    // A blank page of this size compresses to a few kilobytes; a report with its timeline does not.
    expect(png.length).toBeGreaterThan(60_000);
  }, 120_000);

  it('refuses to picture a run that passed', async () => {
    const failure = await run(tsx, ['tools/screenshot-timeline.ts', '--mutant', 'keepalive-kills-on-late-pong', '--out', join(dir, 'passed.png')], { cwd: ROOT }).then(() => null, (error: { stderr: string }) => error.stderr);
    expect(failure).toMatch(/did not fail: no failed timeline to show/);
    expect(existsSync(join(dir, 'passed.png'))).toBe(false);
  }, 120_000);
});
