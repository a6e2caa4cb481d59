/**
 * Test and tool support: run a catalog scenario with the reference simulator (virtual time)
 * and export its journal as a capture, or import a capture and run the result.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, type ScenarioRun } from '../../run/run-scenario.ts';
import { loadCatalog, loadFile } from '../../scenario/loader.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { builtinSut } from '../../sut/builtin-sut.ts';
import { geminiBuiltinSut } from '../../sut/gemini-builtin-sut.ts';
import type { SystemUnderTest } from '../../sut/system-under-test.ts';
import type { Protocol } from '../../../protocol/sut-result.ts';

export function catalogScenario(id: string): Scenario {
  const found = loadCatalog().find((s) => s.scenario.id === id);
  if (!found) throw new Error(`no catalog scenario ${id}`);
  return found.scenario;
}

export async function runReference(scenario: Scenario, seed = 1, protocol: Protocol = 'ai-voice', sut?: SystemUnderTest): Promise<ScenarioRun> {
  const client = sut ?? (protocol === 'gemini-live' ? geminiBuiltinSut() : builtinSut());
  return runScenario(scenario, client, { mode: 'virtual', seed, timeScale: 1, protocol });
}

export function loadImported(file: string): Scenario {
  const loaded = loadFile(file);
  if (loaded.problems.length > 0) throw new Error(loaded.problems.map((p) => p.problem).join('; '));
  return loaded.scenarios[0]!.scenario;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'resume-harness-import-'));
