/**
 * `--mutant ID` on the server's command line: run the reference with a mutant's behaviour from
 * the gallery (servers/mutants/), by full id or `sN` prefix. The harness passes it for
 * `--server mutant:ID` (harness/server/parse-server.ts).
 */
import { parseArgs } from 'node:util';
import { findServerMutant, serverMutantIds, type ServerMutant } from '../mutants/index.ts';

export type MutantFlag = { readonly ok: true; readonly mutant: ServerMutant | undefined } | { readonly ok: false; readonly error: string };

/** The command line's arguments (after the script): no flag is the reference itself. */
export function readMutantFlag(args: readonly string[]): MutantFlag {
  let id: string | undefined;
  try {
    const { values } = parseArgs({ args: [...args], options: { mutant: { type: 'string' } }, strict: true, allowPositionals: false });
    id = values.mutant;
  } catch (error) {
    return { ok: false, error: `${(error as Error).message} (the one option is --mutant ID)` };
  }
  if (id === undefined) return { ok: true, mutant: undefined };
  const mutant = findServerMutant(id);
  if (!mutant) return { ok: false, error: `unknown mutant ${JSON.stringify(id)}; known: ${serverMutantIds().join(', ')}` };
  return { ok: true, mutant };
}
