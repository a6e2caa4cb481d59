/**
 * The house's import rules (.dependency-cruiser.cjs: areas, no cycles, the harness's layer
 * order), checked with dependency-cruiser's own API on every production file — and checked
 * not to be blind: a back-import and a cycle planted in a throwaway tree must fire.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[]; options: ICruiseOptions };
/** What `npm run lint:deps` cruises. */
const AREAS = ['protocol', 'simulator', 'mock-server', 'harness', 'servers', 'tools'];

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

/** Every violation of the committed rules, cruising `files` from `baseDir`. */
async function violations(files: string[], baseDir: string): Promise<Violation[]> {
  // tsConfig is left out: TypeScript 7 has no JS API to read it with, and nothing here needs its paths.
  const { tsConfig: _unused, ...options } = config.options;
  const { output } = await cruise(files, { ...options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } });
  if (typeof output === 'string') throw new Error(`dependency-cruiser returned text: ${output.slice(0, 200)}`);
  return output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

const dirs: string[] = [];
/** A throwaway tree with the layer paths the rules name. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depcruise-probe-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the house rules (dependency-cruiser)', () => {
  it('production code breaks none: areas, no cycle, the harness layer order', async () => {
    const found = await violations(AREAS, ROOT);
    expect(found).toEqual([]);
  }, 120_000);

  it('fires on a back-import: a scenario file importing the CLI', async () => {
    const dir = tree({
      'harness/cli/main.ts': 'export const main = 1;\n',
      'harness/scenario/__probe.ts': "import { main } from '../cli/main.ts';\nexport const probe = main;\n",
    });
    expect(await violations(['harness'], dir)).toContainEqual({ rule: 'harness-layer-scenario', from: 'harness/scenario/__probe.ts', to: 'harness/cli/main.ts' });
  }, 60_000);

  it('fires on a file outside every layer, and on errors.ts importing a layer', async () => {
    const dir = tree({
      'harness/run/run.ts': 'export const run = 1;\n',
      'harness/stray/__probe.ts': "import { run } from '../run/run.ts';\nexport const probe = run;\n",
      'harness/errors.ts': "import { run } from './run/run.ts';\nexport const code = run;\n",
    });
    const rules = (await violations(['harness'], dir)).map((v) => `${v.rule}: ${v.from}`);
    expect(rules).toContain('harness-unlayered: harness/stray/__probe.ts');
    expect(rules).toContain('harness-errors-at-the-bottom: harness/errors.ts');
  }, 60_000);

  it('fires on a cycle', async () => {
    const dir = tree({
      'harness/run/__a.ts': "import { b } from './__b.ts';\nexport const a = (): number => b();\n",
      'harness/run/__b.ts': "import { a } from './__a.ts';\nexport const b = (): number => a();\n",
    });
    expect((await violations(['harness'], dir)).map((v) => v.rule)).toContain('no-circular');
  }, 60_000);

  it('fires on a server under test importing anything of the project but protocol/', async () => {
    const dir = tree({
      'protocol/clock.ts': 'export const clock = 1;\n',
      'mock-server/index.ts': 'export const mock = 1;\n',
      'servers/reference/__probe.ts': "import { clock } from '../../protocol/clock.ts';\nimport { mock } from '../../mock-server/index.ts';\nexport const probe = clock + mock;\n",
    });
    expect(await violations(['servers'], dir)).toEqual([{ rule: 'area-servers', from: 'servers/reference/__probe.ts', to: 'mock-server/index.ts' }]);
  }, 60_000);
});
