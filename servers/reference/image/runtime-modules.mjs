#!/usr/bin/env node
/**
 * Prints, one per line, the node_modules directories (relative to the repository root) that
 * the reference server needs at run time: the packages it imports (ROOTS) and everything they
 * depend on, as installed (dependencies, optional and peer dependencies that are present),
 * resolved the way Node resolves them (nearest node_modules upwards). @types/ packages are left
 * out: nothing loads them at run time.
 *
 *   node servers/reference/image/runtime-modules.mjs [repo-root]
 *
 * RUNTIME_ROOTS (comma-separated package names) replaces ROOTS: the harness's own image
 * (tools/build-serve-image.sh) needs every production dependency of package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What servers/reference/ and the protocol/ files it uses import, and the loader that runs TypeScript. */
export const ROOTS = ['tsx', '@google/genai', 'ws', 'zod'];

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../../..'));

function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

const seen = new Set();
const roots = process.env.RUNTIME_ROOTS ? process.env.RUNTIME_ROOTS.split(',').filter(Boolean) : ROOTS;
const queue = roots.map((name) => {
  const found = locate(name, root);
  if (!found) throw new Error(`${name} is not installed under ${root}/node_modules`);
  return found;
});
while (queue.length > 0) {
  const dir = queue.pop();
  if (seen.has(dir)) continue;
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const names = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  for (const name of names) {
    // Type declarations are never loaded at run time.
    if (name.startsWith('@types/')) continue;
    const found = locate(name, dir);
    // An optional or peer dependency that is not installed is not needed.
    if (found) queue.push(found);
  }
}
for (const dir of [...seen].sort()) process.stdout.write(`${relative(root, dir)}\n`);
