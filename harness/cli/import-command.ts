/**
 * `resume-harness import FILE… [--out PATH]`: a capture of a real server becomes a scenario
 * (harness/import/). One FILE: --out is the scenario file (default ./<id>.scenario.json).
 * Several: --out is a directory. A capture that cannot be read is named with its entry or line
 * and the others are still imported; exit 2 if any failed.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImportError, UsageError } from '../errors.ts';
import { importCapture, importedId } from '../import/import-capture.ts';
import { SCENARIO_SUFFIX } from '../scenario/loader.ts';
import { parse } from './args.ts';
import type { CliIo } from './run-command.ts';

export const IMPORT_USAGE = 'resume-harness import FILE… [--out PATH]';

export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('import needs one or more capture files');
  const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : undefined;
  const intoDirectory = positionals.length > 1 || (out !== undefined && existsSync(out) && statSync(out).isDirectory());
  if (positionals.length > 1 && out !== undefined && existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out must be a directory when importing ${positionals.length} files`);
  let failed = 0;
  for (const given of positionals) {
    const file = resolve(io.cwd, given);
    const target = intoDirectory || out === undefined ? join(out ?? io.cwd, `${importedId(file)}${SCENARIO_SUFFIX}`) : out;
    try {
      const result = await importCapture(file, target);
      io.stdout.write(`${given}: ${result.format}, ${result.protocol} → ${target} (scenario ${result.id})\n`);
      for (const line of result.inferred) io.stdout.write(`  inferred: ${line}\n`);
      for (const line of result.assumed) io.stdout.write(`  assumed:  ${line}\n`);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      failed++;
      io.stderr.write(`resume-harness import: ${error.message} [${error.code}]\n`);
    }
  }
  return failed > 0 ? 2 : 0;
}
