/**
 * The JSON Schema of scenario files, generated from the zod schema (the one source of truth)
 * and shipped at scenarios/scenario.schema.json, so editors complete and check the files that
 * point at it with "$schema". `npm run schema` rewrites it; a test fails when it is stale.
 *
 * The input side is described (`io: 'input'`): a field with a default may be left out of a file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CATALOG_DIR } from '../harness/scenario/loader.ts';
import { ScenarioFile } from '../harness/scenario/schema.ts';

export const SCHEMA_FILE = join(CATALOG_DIR, 'scenario.schema.json');

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ScenarioFile, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'resume-harness scenario file',
    description:
      'A scenario: what the mock AI-voice server does (server), what a conformant client must achieve (expect), and why. Generated from harness/scenario/schema.ts by `npm run schema`; do not edit by hand.',
    ...rest,
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export const scenarioJsonSchemaText = (): string => `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, scenarioJsonSchemaText());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
