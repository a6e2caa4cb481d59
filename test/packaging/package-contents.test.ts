/**
 * The npm package as a user gets it (issue 14, item 6): what `npm pack` puts in the tarball
 * (the harness, no tests, no test support), that every module it ships can find what it
 * imports inside the tarball, and that a user's project can use what the package promises —
 * the types of a `module:` client, and the scenario JSON Schema at a stable path.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  private?: boolean; bin: Record<string, string>; exports: Record<string, string | Record<string, string>>; types: string; files: string[];
};

let files: string[] = [];
let work: string;

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });
  files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
  work = mkdtempSync(join(tmpdir(), 'resume-harness-pack-'));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The relative specifiers a module imports (static, dynamic and re-exports). */
function relativeImports(source: string): string[] {
  const found = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...new Set(found)];
}

describe('the tarball (npm pack --dry-run --json)', () => {
  it('is publishable: not private, and the bin, types and every export point at shipped files', () => {
    expect(manifest.private).toBeUndefined();
    const shipped = new Set(files);
    for (const bin of Object.values(manifest.bin)) expect(shipped.has(posix.normalize(bin)), bin).toBe(true);
    expect(shipped.has(posix.normalize(manifest.types))).toBe(true);
    const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const target of targets) expect(shipped.has(posix.normalize(target)), target).toBe(true);
  });

  it('holds no test, no test support and no tooling of the repository', () => {
    expect(files.length).toBeGreaterThan(150);
    const offenders = files.filter((f) => /\.test\.ts$|(^|\/)testing\/|^test\/|^tools\/|^\.ci\/|^reports\/|^node_modules\/|__pycache__|(^|\/)test_[^/]*\.py$/.test(f));
    expect(offenders).toEqual([]);
  });

  it('ships the CLI, the catalog with its JSON Schema, the reference server, the docs, the examples and the CI workflow', () => {
    expect(files).toEqual(expect.arrayContaining([
      'harness/bin/resume-harness.mjs',
      'harness/cli/main.ts',
      'scenarios/scenario.schema.json',
      'scenarios/catchers.json',
      'scenarios/core/goaway.scenario.json',
      'servers/reference/server.ts',
      'types/index.d.ts',
      'README.md',
      'docs/sut-contract.md',
      'docs/img/failed-timeline.png',
      'examples/module-client.mjs',
      'examples/python/client.py',
      '.github/workflows/resume-harness.yml',
    ]));
    const scenarioFiles = files.filter((f) => f.endsWith('.scenario.json'));
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(37);
  });

  it('leaves out no module a shipped module imports', () => {
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const file of files.filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.endsWith('.d.ts'))) {
      for (const spec of relativeImports(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        if (!shipped.has(target)) missing.push(`${file} imports ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('a user project that depends on the packed package', () => {
  let project: string;

  beforeAll(async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });
    const tarball = join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    project = join(work, 'user-project');
    const installed = join(project, 'node_modules', 'resume-harness');
    mkdirSync(installed, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2023', 'DOM'], types: [] },
      include: ['*.ts'],
    }));
  }, 120_000);

  const tsc = (file: string) =>
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project }).then(
      () => ({ ok: true, out: '' }),
      (error: { stdout?: string }) => ({ ok: false, out: String(error.stdout ?? error) }),
    ).finally(() => rmSync(join(project, file), { force: true }));

  it('types a module: client with `import type { ModuleClient } from "resume-harness"`', async () => {
    writeFileSync(join(project, 'my-client.ts'), [
      "import type { ModuleClient, ModuleClientConfig } from 'resume-harness';",
      'const run: ModuleClient = async (config: ModuleClientConfig) => {',
      '  const response = await fetch(`${config.httpUrl}/api/sales-agent/${config.shareToken}/session`, { method: "POST", signal: config.signal });',
      '  const socket = new WebSocket(config.wsUrl);',
      '  socket.close();',
      '  return { status: response.ok ? "completed" : "failed", turns: config.maxTurns, reconnects: 0, contextLost: config.mode === "network" && config.timeScale > 1 };',
      '};',
      'export default run;',
      '',
    ].join('\n'));
    const result = await tsc('my-client.ts');
    expect(result.out).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);

  it('rejects a client whose result breaks the contract (the types are not `any`)', async () => {
    writeFileSync(join(project, 'bad-client.ts'), [
      "import type { ModuleClient } from 'resume-harness';",
      'const run: ModuleClient = async () => ({ status: "done", turns: "3", reconnects: 0 });',
      'export default run;',
      '',
    ].join('\n'));
    const result = await tsc('bad-client.ts');
    expect(result.ok).toBe(false);
    expect(result.out).toMatch(/bad-client\.ts.*(status|contextLost|turns)/s);
  }, 120_000);

  it('finds the scenario JSON Schema at node_modules/resume-harness/scenarios/scenario.schema.json and through the export', async () => {
    const schemaFile = join(project, 'node_modules', 'resume-harness', 'scenarios', 'scenario.schema.json');
    expect(existsSync(schemaFile)).toBe(true);
    writeFileSync(join(project, 'read-schema.mjs'), [
      "import schema from 'resume-harness/scenario.schema.json' with { type: 'json' };",
      "import { createRequire } from 'node:module';",
      "const path = createRequire(import.meta.url).resolve('resume-harness/scenario.schema.json');",
      'process.stdout.write(JSON.stringify({ path, title: schema.title ?? null, fields: Object.keys(schema.properties ?? schema.$defs ?? {}).length }));',
      '',
    ].join('\n'));
    const { stdout } = await run(process.execPath, ['read-schema.mjs'], { cwd: project });
    const read = JSON.parse(stdout) as { path: string; fields: number };
    expect(read.path).toBe(schemaFile);
    expect(read.fields).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(JSON.parse(readFileSync(join(ROOT, 'scenarios', 'scenario.schema.json'), 'utf8')));
  }, 60_000);
});
