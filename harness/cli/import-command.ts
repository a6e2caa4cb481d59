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
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';

export function importCommandDefinition(io: CliIo, report: ReportCode) {
  return defineCommand('import', io)
    .summary('a capture of a real server (DevTools HAR, report, serve journal, JSONL frames) written as a scenario file')
    .description('Reads each capture, detects its format by content (docs/captures.md), and writes a valid scenario file that makes the mock behave as the captured server did: lifetimes, notices, close codes, drops, rejections, delays, malformed frames, resumable:false windows, turns. Tokens, handles and keys are redacted and never written; the provenance names the file and its sha256; the description says what was inferred and what was assumed. A capture that cannot be read is named with its entry or line (exit 2) and the others are still imported.')
    .argument('<files...>', 'capture files')
    .option('--out <path>', 'with one file: the scenario file (default ./<id>.scenario.json); with several: a directory', once('out'))
    .addHelpText('after', examples('resume-harness import field-session.har --out scenarios/field/voice-88.scenario.json', 'resume-harness import server-frames.jsonl upstream.gemini.jsonl --out imported/'))
    .action(async (files: string[], flags: { out?: string }) => report(await importCaptures(files, flags.out, io)));
}

export function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(importCommandDefinition, args, io);
}

async function importCaptures(positionals: readonly string[], outFlag: string | undefined, io: CliIo): Promise<number> {
  if (positionals.length === 0) throw new UsageError('import needs one or more capture files');
  const out = typeof outFlag === 'string' ? resolve(io.cwd, outFlag) : undefined;
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
