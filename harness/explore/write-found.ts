/**
 * A found schedule, written where `explore --out DIR` says: a scenario file that `validate`
 * accepts and `run FILE` replays (the same id, hence the same randomness, with the same seed),
 * its `$schema` pointing at the harness's scenario schema from wherever DIR is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioFileOf, scheduleId, type FoundBy } from './schedule-scenario.ts';
import type { Schedule } from './schedule-arbitrary.ts';

const SCHEMA_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios/scenario.schema.json');

export interface WrittenScenario {
  readonly path: string;
  /** The command that replays the failing run. */
  readonly replay: string;
}

export function writeFoundScenario(outDir: string, schedule: Schedule, found: FoundBy): WrittenScenario {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${scheduleId(schedule)}.scenario.json`);
  const file = { ...scenarioFileOf(schedule, found), $schema: relative(outDir, SCHEMA_FILE).split('\\').join('/') };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  const sut = /\s/.test(found.sut) ? `"${found.sut}"` : found.sut;
  return { path, replay: `npx resume-harness run ${path} --sut ${sut} --seed ${found.seed}` };
}
