/**
 * The HTML report in a real browser (Debian's chromium driven by playwright-core): the index
 * filters, a click through to a failed scenario, its timeline with the fault window and the
 * lost turn, and a screenshot kept as a test artifact. The Markdown summary's Mermaid
 * diagrams are rendered there too.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { brokenSut, runAndReport, type ReportedRun } from '../testing/report-fixtures.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/reports/', import.meta.url));
const playwright = await import('playwright-core').catch(() => null);
const missing = !playwright
  ? 'playwright-core is not installed (npm ci)'
  : !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`
    : null;

let browser: Browser;
let result: ReportedRun;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  if (missing) return;
  const ids = new Set(['goaway', 'goaway.close-1006', 'flapping', 'invalid-handle']);
  const scenarios = loadCatalog().map((l) => l.scenario).filter((s) => ids.has(s.id));
  result = await runAndReport(scenarios, [builtinSut(), brokenSut()], { seed: 42 });
  browser = await playwright!.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requested.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe.skipIf(missing !== null && !process.env.CI)(`the HTML report in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('filters the index matrix by verdict and by group', async () => {
    await page.goto(pathToFileURL(join(result.summary.runDir, 'index.html')).href);
    const rows = page.locator('#matrix tbody tr');
    const all = await rows.count();
    expect(all).toBe(4);
    await expect.poll(() => page.locator('#shown').textContent()).toBe('4 of 4 scenarios shown');

    for (const v of ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNKNOWN']) await page.locator(`input[name=verdict][value="${v}"]`).uncheck();
    const failedOnly = await page.locator('#matrix tbody tr:not(.hidden)').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdicts')));
    expect(failedOnly.length).toBeGreaterThan(0);
    expect(failedOnly.every((v) => v!.split(' ').includes('FAILED'))).toBe(true);

    await page.locator('input[name=verdict][value="OK"]').check();
    await page.selectOption('#group', 'expiry');
    const expiry = await page.locator('#matrix tbody tr:not(.hidden)').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-scenario')));
    expect(expiry).toEqual(['goaway', 'goaway.close-1006']);
    expect(await page.locator('#shown').textContent()).toBe('2 of 4 scenarios shown');
  });

  it('clicks through to a failed scenario whose timeline shows the fault window and the lost turn', async () => {
    await page.locator('#matrix td.cell[data-sut="broken"] a[href="broken/goaway.html"]').click();
    await page.waitForURL(/broken\/goaway\.html$/);
    expect(await page.locator('body').getAttribute('data-verdict')).toBe('FAILED');
    expect(await page.locator('h1').textContent()).toContain('goaway');

    const timeline = page.locator('#timeline');
    await timeline.scrollIntoViewIfNeeded();
    await expect.poll(() => timeline.isVisible()).toBe(true);
    const box = (await timeline.boundingBox())!;
    expect(box.width).toBeGreaterThan(500);
    expect(box.height).toBeGreaterThan(80);

    const window = page.locator('#timeline .fault-window[data-kind="expiry"] rect');
    expect(await window.isVisible()).toBe(true);
    const shaded = (await window.boundingBox())!;
    expect(shaded.width).toBeGreaterThan(20);
    expect(shaded.height).toBeGreaterThan(20);

    const lost = page.locator('#timeline .loss[data-kind="unfinished"]');
    expect(await lost.isVisible()).toBe(true);
    expect(await lost.locator('text').textContent()).toMatch(/^✗ lost: turns \d+–110$/);
    // The turns were lost where the expiry window ends: at the deadline, when the server cut the connection.
    const marker = (await lost.locator('circle').boundingBox())!;
    expect(Math.abs(marker.x + marker.width / 2 - (shaded.x + shaded.width))).toBeLessThan(3);
    expect(await page.locator('#timeline .close-code[data-code="1000"]').isVisible()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    const pageShot = join(ARTIFACTS, 'broken-goaway.png');
    const timelineShot = join(ARTIFACTS, 'broken-goaway-timeline.png');
    await page.screenshot({ path: pageShot, fullPage: false });
    await timeline.screenshot({ path: timelineShot });
    // A blank image of this size compresses to a few hundred bytes; the timeline does not.
    expect(statSync(timelineShot).size).toBeGreaterThan(8_000);
    expect(statSync(pageShot).size).toBeGreaterThan(30_000);
    const size = pngSize(timelineShot);
    expect(Math.abs(size.width - Math.round(box.width))).toBeLessThanOrEqual(1);
    expect(Math.abs(size.height - Math.round(box.height))).toBeLessThanOrEqual(1);
  });

  it('renders the Markdown summary\'s Mermaid diagrams to SVG', async () => {
    const blocks = [...readFileSync(join(result.summary.runDir, 'summary.md'), 'utf8').matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    const mermaidJs = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: mermaidJs });
    const rendered = await page.evaluate(async (sources) => {
      const m = (globalThis as unknown as { mermaid: { initialize(c: object): void; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
      m.initialize({ startOnLoad: false });
      const out: Array<{ ok: boolean; messages: number; error?: string }> = [];
      for (const [i, text] of sources.entries()) {
        try {
          const { svg } = await m.render(`d${i}`, text);
          out.push({ ok: svg.includes('<svg'), messages: (svg.match(/class="messageText"/g) ?? []).length });
        } catch (error) {
          out.push({ ok: false, messages: 0, error: String(error) });
        }
      }
      return out;
    }, blocks);
    expect(rendered.filter((r) => !r.ok)).toEqual([]);
    expect(rendered.every((r) => r.messages > 3)).toBe(true);
  });

  it('loaded nothing from the network', () => {
    expect(requested.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && u !== 'about:blank')).toEqual([]);
  });
});
