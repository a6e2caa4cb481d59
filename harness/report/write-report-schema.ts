/**
 * Regenerates `scenario-report.schema.json` from the zod schema:
 * `npx tsx harness/report/write-report-schema.ts`. A test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioReportJsonSchemaText } from './scenario-report-schema.ts';

export const REPORT_SCHEMA_FILE = fileURLToPath(new URL('./scenario-report.schema.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REPORT_SCHEMA_FILE, scenarioReportJsonSchemaText());
  process.stdout.write(`wrote ${REPORT_SCHEMA_FILE}\n`);
}
