/**
 * Writes examples/captures/: one capture per format `import` reads, each exported from a
 * virtual run of a catalog scenario with the reference simulator (seed 1), so the examples
 * are reproducible byte for byte: `npm run examples:captures`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { journalToFramesJsonl, journalToHar } from '../harness/import/har-export.ts';
import { catalogScenario, runReference } from '../harness/import/testing/capture-run.ts';

const DIR = fileURLToPath(new URL('../examples/captures/', import.meta.url));

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const unexpected = await runReference(catalogScenario('unexpected-close'));
  writeFileSync(join(DIR, 'unexpected-close.har'), `${JSON.stringify(journalToHar(unexpected.journal), null, 1)}\n`);
  const rejected = await runReference(catalogScenario('invalid-handle.close-4003'));
  writeFileSync(join(DIR, 'invalid-handle-4003.serve-journal.jsonl'), `${rejected.journal.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const window = await runReference(catalogScenario('resumable-false-window'));
  writeFileSync(join(DIR, 'resumable-false-window.frames.jsonl'), journalToFramesJsonl(window.journal));
  const gemini = await runReference(catalogScenario('invalid-handle.accept-then-close'), 1, 'gemini-live');
  writeFileSync(join(DIR, 'accept-then-close.gemini.frames.jsonl'), journalToFramesJsonl(gemini.journal, true));
  process.stdout.write(`wrote 4 captures to ${DIR}\n`);
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
