/**
 * The README's screenshot of a failed timeline (docs/img/failed-timeline.png), made the way a
 * user sees it: one scenario run against a broken client (a mutant of the gallery), its HTML
 * report written as `run --format html` writes it, opened in headless Chromium, the page
 * captured. Nothing is loaded from the network (the report is self-contained).
 *
 *   npx tsx tools/screenshot-timeline.ts [--scenario in-flight-lost] [--mutant t7-no-resend] [--out docs/img/failed-timeline.png]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createReportWriter } from '../harness/report/report-writer.ts';
import { runScenario } from '../harness/run/run-scenario.ts';
import { loadCatalog } from '../harness/scenario/loader.ts';
import { parseSut } from '../harness/sut/parse-sut.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'in-flight-lost' },
    mutant: { type: 'string', default: 't7-no-resend' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: join(ROOT, 'docs', 'img', 'failed-timeline.png') },
  },
});
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const found = loadCatalog().find((l) => l.scenario.id === values.scenario);
if (!found) throw new Error(`no scenario "${values.scenario}" in the catalog`);
const sut = parseSut(`mutant:${values.mutant}`, ROOT);
const seed = Number(values.seed);
const reportsRoot = mkdtempSync(join(tmpdir(), 'resume-harness-screenshot-'));
try {
  const writer = await createReportWriter({ reportsRoot, runId: 'screenshot', formats: new Set(['html', 'json'] as const), seed, mode: 'virtual', strict: false, timeScale: 1 });
  const run = await runScenario(found.scenario, sut, { mode: 'virtual', seed, timeScale: 1 });
  await writer.scenarioDone(run);
  const summary = await writer.finish();
  const folder = sut.id.replace(/[^A-Za-z0-9._-]+/g, '-');
  const page = join(summary.runDir, folder, `${found.scenario.id}.html`);
  statSync(page);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 1040 }, deviceScaleFactor: 1 });
    const outside: string[] = [];
    tab.on('request', (r) => { if (!/^(file|data|about):/.test(r.url())) outside.push(r.url()); });
    await tab.goto(pathToFileURL(page).href);
    if ((await tab.locator('body').getAttribute('data-verdict')) !== 'FAILED') throw new Error(`${found.scenario.id} against ${sut.id} did not fail: no failed timeline to show`);
    // From the top: the verdict of each axis, then the timeline that shows why.
    if (!(await tab.locator('#timeline').isVisible())) throw new Error('the report has no timeline');
    mkdirSync(dirname(values.out!), { recursive: true });
    await tab.screenshot({ path: values.out!, fullPage: false });
    if (outside.length > 0) throw new Error(`the report loaded from the network: ${outside.join(', ')}`);
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${values.out} (${found.scenario.id} against ${sut.id}, seed ${seed})\n`);
} finally {
  rmSync(reportsRoot, { recursive: true, force: true });
}
