/**
 * Regenerates `harness/report/scenario-report.schema.json` from the zod schema:
 * `npm run report-schema` (`npx tsx tools/write-report-schema.ts`). A test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPORT_SCHEMA_FILE, scenarioReportJsonSchemaText } from '../harness/report/scenario-report-schema.ts';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REPORT_SCHEMA_FILE, scenarioReportJsonSchemaText());
  process.stdout.write(`wrote ${REPORT_SCHEMA_FILE}\n`);
}
