/**
 * The docs stand on their own (issue 14, item 4): every relative link in the README and in
 * docs/ resolves to a file of this repository (and, with a #fragment, to a heading of it), no
 * link climbs out of the repository (../shared, where the protocol once lived), and every
 * protocol clause, contract section and field-failure or trap code cited anywhere — README,
 * docs, code comments, scenario files — names a section that a shipped document has.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { SCENARIO_GROUPS } from '../../harness/scenario/schema.ts';
import { citationsIn, headingSlugs, linksIn, sectionNumbers, type Citation } from '../testing/doc-citations.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = join(ROOT, 'docs');
const docPages = (): string[] => readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => join(DOCS, f));
const PAGES = [join(ROOT, 'README.md'), ...docPages(), join(ROOT, 'examples', 'README.md')];

/** Every text file the project writes citations in: sources, tests, scenario files, docs, the CI script. */
function projectFiles(): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', 'reports', 'test-artifacts', '.git', 'vendor']);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (skip.has(name)) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      // package-lock.json holds no prose; this test and its reader quote citations as examples.
      else if (/\.(ts|mjs|cjs|js|py|json|md|yml|sh)$/.test(name) && !['package-lock.json', 'doc-links.test.ts', 'doc-citations.ts'].includes(name)) out.push(path);
    }
  };
  for (const top of ['README.md', 'docs', 'harness', 'protocol', 'simulator', 'mock-server', 'servers', 'scenarios', 'tools', 'examples', 'test', '.ci', '.github']) {
    const path = join(ROOT, top);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) walk(path);
    else out.push(path);
  }
  return out;
}

describe('links in the README and docs/', () => {
  const links = PAGES.flatMap((page) => linksIn(readFileSync(page, 'utf8')).map((link) => ({ page, ...link })));

  it('finds the links it checks (the README links to every page of docs/)', () => {
    const fromReadme = links.filter((l) => l.page === join(ROOT, 'README.md')).map((l) => l.target.split('#')[0]);
    for (const page of docPages()) expect(fromReadme, relative(ROOT, page)).toContain(relative(ROOT, page).split(sep).join('/'));
  });

  it('every relative link resolves to a file or folder of the repository, and none climbs out of it', () => {
    const broken: string[] = [];
    for (const { page, target, line } of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const where = `${relative(ROOT, page)}:${line} → ${target}`;
      if (target.includes('../shared')) { broken.push(`${where}: points at ../shared`); continue; }
      const file = resolve(dirname(page), decodeURIComponent(target.split('#')[0]!));
      if (relative(ROOT, file).startsWith('..')) broken.push(`${where}: leaves the repository`);
      else if (!existsSync(file)) broken.push(`${where}: no such file`);
    }
    expect(broken).toEqual([]);
  });

  it('every #fragment names a heading of the page it points at', () => {
    const broken: string[] = [];
    for (const { page, target, line } of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || !target.includes('#')) continue;
      const [path, fragment] = target.split('#') as [string, string];
      const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
      if (!file.endsWith('.md') || !existsSync(file)) continue;
      if (!headingSlugs(readFileSync(file, 'utf8')).has(fragment)) broken.push(`${relative(ROOT, page)}:${line} → ${target}: no heading with that anchor`);
    }
    expect(broken).toEqual([]);
  });

  it('the README opens with the two commands and shows the failed-timeline screenshot it ships', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const firstLines = readme.split('\n').slice(0, 5).join('\n');
    expect(firstLines).toContain('npm ci && npm start');
    expect(firstLines).toContain('npm test');
    const image = /!\[[^\]]+\]\((docs\/img\/[^)]+\.png)\)/.exec(readme);
    expect(image).not.toBeNull();
    const png = readFileSync(join(ROOT, image![1]!));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});

describe('what the docs say of the catalog is the catalog', () => {
  it('the README tour\'s count of scenarios and groups, and gemini-face.md\'s count of AI-voice-only scenarios', () => {
    const catalog = loadCatalog().map((l) => l.scenario);
    const groups = SCENARIO_GROUPS.filter((g) => catalog.some((s) => s.group === g)).length;
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`# ${catalog.length} scenarios in ${groups} groups`);
    const aiVoiceOnly = catalog.filter((s) => !s.faces.includes('gemini-live')).length;
    expect(readFileSync(join(DOCS, 'gemini-face.md'), 'utf8')).toMatch(new RegExp(`\\. ${aiVoiceOnly} belong to\\s+the AI-voice face only`));
  });
});

describe('citations resolve to shipped documents', () => {
  const read = (name: string): string => readFileSync(join(DOCS, name), 'utf8');
  const sections: Record<Exclude<Citation['doc'], 'field-failures.md'>, Set<string>> = {
    'ai-voice-protocol.md': sectionNumbers(read('ai-voice-protocol.md')),
    'sut-contract.md': sectionNumbers(read('sut-contract.md')),
    'server-contract.md': sectionNumbers(read('server-contract.md')),
    'gemini-live.md': sectionNumbers(read('gemini-live.md')),
  };
  const fieldFailures = read('field-failures.md');
  const fCodes = new Set([...fieldFailures.matchAll(/^### (F\d+) — /gm)].map((m) => m[1]!));
  const tCodes = new Set([...fieldFailures.matchAll(/^\| (T\d+) \| `/gm)].map((m) => m[1]!));
  const files = projectFiles();
  const cited = files.flatMap((file) => citationsIn(readFileSync(file, 'utf8')).map((c) => ({ file: relative(ROOT, file), ...c })));

  it('reads the documents it checks against: §1–§8 of the protocol, F1–F24, T1–T14', () => {
    expect([...sections['ai-voice-protocol.md']]).toEqual(expect.arrayContaining(['1', '5.2', '6.8', '7', '8']));
    expect(fCodes.size).toBe(24);
    expect(tCodes.size).toBe(14);
    // The scan sees the citations that are there: hundreds of spec clauses, every contract.
    expect(cited.filter((c) => c.doc === 'ai-voice-protocol.md').length).toBeGreaterThan(200);
    for (const doc of Object.keys(sections)) expect(cited.some((c) => c.doc === doc), doc).toBe(true);
  });

  it('every "spec §N", "sut-contract §N", "server-contract.md §N" and "gemini-live.md §N" names a section the document has', () => {
    const missing = cited
      .flatMap((c) => (c.doc === 'field-failures.md' || sections[c.doc].has(c.section) ? [] : [c]))
      .map((c) => `${c.file}:${c.line}: ${c.text} (${c.doc} has no §${c.section})`);
    expect(missing).toEqual([]);
  });

  it('every field failure and trap code cited (F1–F24, T1–T14) has its entry in docs/field-failures.md', () => {
    const missing = cited
      .filter((c) => c.doc === 'field-failures.md' && !(c.section.startsWith('F') ? fCodes : tCodes).has(c.section))
      .map((c) => `${c.file}:${c.line}: ${c.text}`);
    expect(missing).toEqual([]);
  });

  it('no citation names an unshipped source ("research §N", "../shared")', () => {
    const unshipped = files.flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((text, i) => (/\bresearch (gemini-live-protocol\.md )?§|\.\.\/shared\//.test(text) ? [`${relative(ROOT, file)}:${i + 1}: ${text.trim().slice(0, 120)}`] : [])),
    );
    expect(unshipped).toEqual([]);
  });
});

describe('reading citations and anchors (the checks above rest on these)', () => {
  it('reads a clause list with parentheses and ranges, and the contract prefixes', () => {
    const sections = (text: string) => citationsIn(text).map((c) => `${c.doc}§${c.section}`);
    expect(sections('spec §6.3, §7 (1000) and §8')).toEqual(['ai-voice-protocol.md§6.3', 'ai-voice-protocol.md§7', 'ai-voice-protocol.md§8']);
    expect(sections('[sut-contract.md](sut-contract.md) §6; server-contract.md §2')).toEqual(['sut-contract.md§6', 'server-contract.md§2']);
    expect(sections('gemini-live.md §1.6 bad handles, §1.7')).toEqual(['gemini-live.md§1.6', 'gemini-live.md§1.7']);
    expect(sections('(F5) T14, F1–F24; not 0xF5, TF12, mutantF3 or mock-server/F1.ts')).toEqual(['field-failures.md§F5', 'field-failures.md§T14', 'field-failures.md§F1', 'field-failures.md§F24']);
  });

  it('makes the anchors GitHub makes', () => {
    const slugs = headingSlugs('# A\n## T1–T14: the traps of the original plan\n## 3. What is judged, and from where\n## `--out` DIR\n## A\n```\n## not a heading\n```');
    expect([...slugs]).toEqual(['a', 't1t14-the-traps-of-the-original-plan', '3-what-is-judged-and-from-where', '--out-dir', 'a-1']);
  });

  it('finds links outside code, not inside it', () => {
    expect(linksIn('see [a](docs/a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n![img](docs/img/x.png)').map((l) => l.target)).toEqual(['docs/a.md', 'docs/img/x.png']);
  });
});
