/**
 * `--server` values (server-contract.md §1):
 *
 *   cmd:COMMAND   any AI-voice server, run through `sh -c` (cmd-server.ts)
 *   image:NAME    a locally built image, run with host networking (image-server.ts)
 *   reference     the repository's reference server (servers/reference/), in its cmd form
 *   mutant:ID     the reference server with one bug of the gallery (servers/mutants/), by full
 *                 id or `sN` prefix: the reference's command with `--mutant <full id>`
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findServerMutant, serverMutantIds } from '../../servers/mutants/index.ts';
import { ServerSpecError } from '../errors.ts';
import { cmdServer } from './cmd-server.ts';
import { imageServer } from './image-server.ts';
import type { ServerUnderTest } from './server-under-test.ts';

/** The repository root, where servers/reference/ lives and tsx resolves. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The reference server as a process (servers/reference/README.md). */
export const REFERENCE_SERVER_COMMAND = 'exec node --import tsx servers/reference/server.ts';

export function referenceServer(): ServerUnderTest {
  return cmdServer(REFERENCE_SERVER_COMMAND, { id: 'reference', cwd: ROOT });
}

/** A server mutant as a process: id `mutant:<full id>`, whichever form was asked for. */
export function mutantServer(idOrPrefix: string): ServerUnderTest {
  const mutant = findServerMutant(idOrPrefix);
  if (!mutant) throw new ServerSpecError(`unknown server mutant "${idOrPrefix}": known are ${serverMutantIds().join(', ')} (or their sN prefix)`);
  return cmdServer(`${REFERENCE_SERVER_COMMAND} --mutant ${mutant.id}`, { id: `mutant:${mutant.id}`, cwd: ROOT });
}

export function parseServer(spec: string, cwd: string = process.cwd()): ServerUnderTest {
  if (spec === 'reference') return referenceServer();
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const value = colon < 0 ? '' : spec.slice(colon + 1).trim();
  switch (kind) {
    case 'cmd':
      if (value === '') throw new ServerSpecError('--server cmd: needs a command, e.g. "cmd:node my-server.js"');
      return cmdServer(value, { id: spec, cwd });
    case 'mutant':
      if (value === '') throw new ServerSpecError(`--server mutant: needs a mutant id, one of ${serverMutantIds().join(', ')} (or its sN prefix)`);
      return mutantServer(value);
    case 'image':
      if (value === '') throw new ServerSpecError('--server image: needs an image name, e.g. image:resume-harness/reference-server:local');
      return imageServer(value, { id: spec });
    default:
      throw new ServerSpecError(`unknown --server "${spec}": expected cmd:COMMAND, image:NAME, reference or mutant:ID`);
  }
}
