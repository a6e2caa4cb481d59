/**
 * `--sut` values (sut-contract §1–§3), plus the measuring instrument's own fixtures:
 *
 *   builtin                      the reference Prospect Simulator
 *   module:PATH                  an in-process module (module-sut.ts), PATH from the working directory
 *   cmd:COMMAND                  an external process, through `sh -c` (cmd-sut.ts)
 *   mutant:ID                    the reference with one trap re-introduced (simulator/mutants/gallery.ts)
 *   seed-plan | mutant:seed-plan the seed plan's logic as written (simulator/mutants/seed-plan-port.ts)
 */
import { findGeminiMutant, findMutant, GEMINI_MUTANTS, MUTANTS, SEED_PLAN_MUTANT, type Mutant } from '../../simulator/index.ts';
import { SutSpecError } from '../errors.ts';
import { builtinSut } from './builtin-sut.ts';
import { cmdSut } from './cmd-sut.ts';
import { fencedMutantSut } from './fenced-mutant.ts';
import { geminiBuiltinSut, geminiMutantSut } from './gemini-builtin-sut.ts';
import { loadModuleFactory, moduleSut, resolveModulePath } from './module-sut.ts';
import type { SystemUnderTest } from './system-under-test.ts';
import type { Protocol } from '../../protocol/sut-result.ts';


/** Every mutant `--sut mutant:ID` knows: the gallery, then the seed plan's port. */
export function allMutants(): readonly Mutant[] {
  return [...MUTANTS, SEED_PLAN_MUTANT];
}

/** A mutant as a system under test, fenced: once its run is over it can touch nothing (fenced-mutant.ts). */
export function mutantSut(mutant: Mutant): SystemUnderTest {
  return fencedMutantSut(mutant);
}

export function parseSut(spec: string, cwd: string = process.cwd(), protocol: Protocol = 'ai-voice'): SystemUnderTest {
  if (protocol === 'gemini-live') return parseGeminiSut(spec, cwd);
  if (spec === 'builtin') return builtinSut();
  if (spec === 'seed-plan') return mutantSut(SEED_PLAN_MUTANT);
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const value = colon < 0 ? '' : spec.slice(colon + 1).trim();
  switch (kind) {
    case 'module': {
      if (value === '') throw new SutSpecError('--sut module: needs a path, e.g. module:examples/module-client.mjs');
      const path = resolveModulePath(value, cwd);
      if (path === null) throw new SutSpecError(`--sut ${spec}: no such file (looked for ${value} from ${cwd})`);
      return moduleSut(path, { id: spec });
    }
    case 'cmd':
      if (value === '') throw new SutSpecError('--sut cmd: needs a command, e.g. "cmd:node examples/cmd-client.mjs"');
      return cmdSut(value, { id: spec, cwd });
    case 'mutant': {
      const mutant = value === SEED_PLAN_MUTANT.id ? SEED_PLAN_MUTANT : findMutant(value);
      if (!mutant) throw new SutSpecError(`unknown mutant "${value}"; known: ${allMutants().map((m) => m.id).join(', ')}`);
      return mutantSut(mutant);
    }
    default:
      throw new SutSpecError(`unknown --sut "${spec}": expected builtin, module:PATH, cmd:COMMAND, mutant:ID or seed-plan`);
  }
}

/**
 * `--sut` on the Gemini face: `builtin` is the reference Gemini Live client, `mutant:ID` one of
 * its mutants; a module or a command is any Gemini Live client (sut-contract §6).
 */
function parseGeminiSut(spec: string, cwd: string): SystemUnderTest {
  if (spec === 'builtin') return geminiBuiltinSut();
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const value = colon < 0 ? '' : spec.slice(colon + 1).trim();
  if (kind === 'mutant') {
    const mutant = findGeminiMutant(value);
    if (!mutant) throw new SutSpecError(`unknown Gemini mutant "${value}"; known: ${GEMINI_MUTANTS.map((m) => m.id).join(', ')}`);
    return geminiMutantSut(mutant);
  }
  if (kind === 'module' || kind === 'cmd') return parseSut(spec, cwd, 'ai-voice');
  throw new SutSpecError(`unknown --sut "${spec}" for --protocol gemini-live: expected builtin, module:PATH, cmd:COMMAND or mutant:ID`);
}

/**
 * Before anything runs: a `module:` client is imported, and one that exports no client
 * factory (or cannot be imported) is the user's mistake, named once (exit 2), not a FAILED
 * per scenario. The import is the one the first run would make (one per process).
 */
export async function preflightSut(spec: string, cwd: string = process.cwd()): Promise<void> {
  if (!spec.startsWith('module:')) return;
  const path = resolveModulePath(spec.slice('module:'.length).trim(), cwd);
  if (path === null) return;
  const loaded = await loadModuleFactory(path);
  if ('problem' in loaded) throw new SutSpecError(`--sut ${spec}: ${loaded.problem}`);
}
