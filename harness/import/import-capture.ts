/**
 * One capture file in, one scenario file out: detect the format, stream the events through
 * the inference, build the scenario, write it, and validate it with the catalog's own loader
 * (a file the loader rejects is removed and reported, never left behind).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { ImportError } from '../errors.ts';
import { CATALOG_DIR, displayPath, loadFile } from '../scenario/loader.ts';
import { ImportRedactor } from './capture-event.ts';
import { buildScenario } from './build-scenario.ts';
import { detectFormat } from './capture-formats.ts';
import { CaptureInference } from './infer-scenario.ts';

export interface ImportResult {
  readonly out: string;
  readonly id: string;
  readonly format: string;
  readonly protocol: string;
  readonly inferred: readonly string[];
  readonly assumed: readonly string[];
  /** Every secret met in the capture (for tests that check none was written). */
  readonly secrets: readonly string[];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A scenario id from a file name: lowercase words joined by "-" (the loader's id rule). */
export function importedId(file: string): string {
  const stem = basename(file).replace(/\.(har|jsonl|json|ndjson|log|txt)$/gi, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `imported-${stem || 'capture'}`;
}

export async function importCapture(file: string, out: string): Promise<ImportResult> {
  const shown = displayPath(file);
  const format = detectFormat(file, shown);
  const redactor = new ImportRedactor();
  const source = format.read(file, shown, redactor);
  const inference = new CaptureInference(redactor);
  for await (const event of source.events) inference.add(event);
  const facts = inference.finish(shown);
  const sha256 = await sha256File(file);
  const id = importedId(file);
  const built = buildScenario(facts, { shown: basename(file), sha256, format: format.name }, id, redactor);
  built.file.$schema = relative(dirname(out), `${CATALOG_DIR}/scenario.schema.json`) || 'scenario.schema.json';
  const text = `${JSON.stringify(built.file, null, 2)}\n`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  const loaded = loadFile(out);
  if (loaded.problems.length > 0) {
    rmSync(out, { force: true });
    throw new ImportError(shown, `the inferred scenario is not valid (an import bug; please report it with the capture): ${loaded.problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`);
  }
  return { out, id, format: format.name, protocol: facts.protocol, inferred: built.notes.inferred, assumed: built.notes.assumed, secrets: redactor.secrets() };
}
