/**
 * The design's dependency rule, checked on every import of every source file: the client
 * side (simulator/) and the server side (mock-server/) never import each other or the
 * harness; protocol/ is shared by both and imports none of them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FORBIDDEN: Record<string, readonly string[]> = {
  simulator: ['mock-server', 'harness', 'scenarios'],
  'mock-server': ['simulator', 'harness', 'scenarios'],
  protocol: ['simulator', 'mock-server', 'harness', 'scenarios'],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(full);
  }
  return out;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function violations(area: string): string[] {
  const found: string[] = [];
  for (const file of sources(join(ROOT, area))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = relative(ROOT, resolve(dirname(file), spec)).split(sep)[0] ?? '';
      if (FORBIDDEN[area]!.includes(target)) found.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  return found;
}

describe('dependency rule', () => {
  for (const area of Object.keys(FORBIDDEN)) {
    it(`${area}/ imports nothing from ${FORBIDDEN[area]!.join(', ')}`, () => {
      expect(violations(area)).toEqual([]);
    });
  }

  it('would catch a violation (the checker itself is not blind)', () => {
    const text = "import { AiVoiceServer } from '../mock-server/core/ai-voice-server.ts';";
    const spec = [...text.matchAll(IMPORT)][0]?.[1];
    expect(spec).toBe('../mock-server/core/ai-voice-server.ts');
    expect(relative(ROOT, resolve(join(ROOT, 'simulator'), spec!)).split(sep)[0]).toBe('mock-server');
  });
});
