/**
 * `npm run bench:import`: writes a 200 MB JSONL frame capture (docs/captures.md) in a temp
 * dir, imports it in a child process, and prints the import's wall time and peak RSS, side
 * by side with the same import of a 1 MB capture: a streamed import's memory does not grow
 * with the capture. `-- --mb N` for another size.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

/** Turns with three chunks and a handle; every 40 turns the connection drops and a resume follows. */
async function writeCapture(file: string, megabytes: number): Promise<number> {
  const out = createWriteStream(file);
  const target = megabytes * 1024 * 1024;
  let bytes = 0;
  let lines = 0;
  let t = 0;
  let conn = 1;
  let turn = 0;
  const line = async (record: unknown): Promise<void> => {
    const text = `${JSON.stringify(record)}\n`;
    bytes += Buffer.byteLength(text);
    lines++;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const say = (type: string, extra: Record<string, unknown>): string => JSON.stringify({ type, ...extra });
  await line({ t, conn: `c${conn}`, open: { resume: false, conversation: 'a' } });
  while (bytes < target) {
    if (turn > 0) await line({ t: (t += 1.2), conn: `c${conn}`, dir: 'in', text: say('prospect_message', { text: `question number ${turn} about the product and its pricing` }) });
    for (let k = 0; k < 3; k++) await line({ t: (t += 0.6), conn: `c${conn}`, dir: 'out', text: say('transcript', { role: 'agent', text: `answer ${turn} part ${k} with a few more words to look like speech`, final: k === 2 }) });
    await line({ t, conn: `c${conn}`, dir: 'out', text: say('session_resumption_update', { handle: `h${turn.toString(36).padStart(8, '0')}${'x'.repeat(24)}`, resumable: true }) });
    turn++;
    if (turn % 40 === 0) {
      await line({ t: (t += 0.1), conn: `c${conn}`, close: { code: 1006, by: 'network' } });
      conn++;
      await line({ t: (t += 0.2), conn: `c${conn}`, open: { resume: true, conversation: 'a' } });
      await line({ t, conn: `c${conn}`, dir: 'out', text: say('session:resumed', {}) });
    }
  }
  await line({ t: (t += 0.1), conn: `c${conn}`, dir: 'in', text: say('end_conversation', {}) });
  await line({ t, conn: `c${conn}`, close: { code: 1000, reason: 'bye', by: 'server' } });
  await new Promise<void>((resolve) => out.end(resolve));
  return lines;
}

async function child(file: string, outFile: string): Promise<void> {
  const { importCapture } = await import('../harness/import/import-capture.ts');
  const start = performance.now();
  await importCapture(file, outFile);
  const wallMs = performance.now() - start;
  process.stdout.write(JSON.stringify({ wallMs, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function measure(file: string, dir: string): { wallMs: number; maxRssMb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, '--child', file, join(dir, 'out.scenario.json')], { encoding: 'utf8' });
  return JSON.parse(out) as { wallMs: number; maxRssMb: number };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2]!);
  const mbAt = args.indexOf('--mb');
  const megabytes = mbAt >= 0 ? Number(args[mbAt + 1]) : 200;
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  try {
    const rows: string[] = [];
    for (const size of [1, megabytes]) {
      const file = join(dir, `capture-${size}mb.jsonl`);
      const lines = await writeCapture(file, size);
      const m = measure(file, dir);
      const mb = statSync(file).size / 2 ** 20;
      rows.push(`| ${mb.toFixed(0)} MB | ${lines.toLocaleString('en')} | ${(m.wallMs / 1000).toFixed(1)} s | ${(mb / (m.wallMs / 1000)).toFixed(1)} MB/s | ${m.maxRssMb.toFixed(0)} MB |`);
      rmSync(file);
    }
    process.stdout.write(`import of a JSONL frame capture (Node ${process.version}, one child process per size)\n\n| capture | lines | wall time | throughput | peak RSS |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
