/**
 * The catalog as data: enough scenarios, each fully described and filed in its group, every
 * file pointing at the shipped JSON Schema (which matches the zod schema), every scenario with
 * the broken clients it catches, the catalog table of docs/catalog.md generated from all of it, and `list`
 * showing it grouped.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import type { CliIo } from '../../harness/cli/run-command.ts';
import { MUTANTS } from '../../simulator/index.ts';
import { CATALOG_PAGE, START_MARKER, currentSection, generatedSection, tableTarget } from '../../tools/catalog-table.ts';
import { CATALOG_DIR, catalogFiles, loadCatalog } from '../../harness/scenario/loader.ts';
import { SCENARIO_GROUPS } from '../../harness/scenario/schema.ts';
import { SCHEMA_FILE, scenarioJsonSchemaText } from '../../tools/write-json-schema.ts';
import { CATALOG, CATCHERS, isCore } from '../testing/catalog-support.ts';

/** Issue 3's list, item by item, and the scenarios that answer it. */
const ISSUE_LIST: Array<[string, string[]]> = [
  ['goAway ignored, then cut with 1008 after timeLeft', ['goaway-ignored']],
  ['goAway, then the server goes silent until the hard close', ['goaway-ignored.silent', 'delayed-close']],
  ['several goAways on one connection; goAway right after every resume', ['goaway-storm', 'goaway-storm.after-every-resume']],
  ['expiry in the middle of an agent turn', ['expiry-mid-turn', 'expiry-mid-turn.hard-cap']],
  ['the first handle comes only after the first turn, and a drop before it', ['first-handle-late', 'first-handle-late.drop-after']],
  ['a resumable:false window, then a drop', ['resumable-false-window']],
  ['the handle rotated every turn and a stale one rejected; a handle expired past its TTL', ['stale-handle', 'handle-expired']],
  ['accept-then-close in a loop with the same handle', ['accept-then-close-loop', 'invalid-handle.accept-then-close']],
  ['resume while the old socket is still open, refused by the server', ['resume-while-old-open']],
  ['session:resumed just inside and just outside the client\'s confirmation window', ['resume-confirm-late', 'resume-confirm-late.outside']],
  ['the agent\'s last turn delivered again after resume', ['last-turn-repeated', 'last-turn-repeated.at-boundary']],
  ['the in-flight prospect message lost', ['in-flight-lost', 'in-flight-lost.never-arrived', 'in-flight-lost.swallowed']],
  ['a server restart that forgets every handle', ['server-restart', 'server-restart.close-4003']],
  ['a 1011 outage window in which the next N attempts fail too', ['outage-window', 'outage-window.refused-503']],
  ['half-open; late pongs', ['flapping.half-open', 'toxic-timeout', 'late-pongs', 'late-pongs.unanswered']],
  ['conversation_end while expiring', ['conversation-end-mid-turn.while-expiring', 'goaway.conversation-end']],
  ['malformed, unknown and binary frames', ['malformed-frames', 'malformed-frames.unknown-type', 'malformed-frames.invalid-fields', 'malformed-frames.binary-audio']],
  ['a 2-hour session with 12 expiries', ['two-hour-session']],
];

function cli(args: string[]): { code: Promise<number>; out: string[] } {
  const out: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, cwd: process.cwd() } as unknown as CliIo;
  return { code: main(args, io), out };
}

describe('the catalog', () => {
  it('holds at least 24 scenarios beyond the four named ones, in every group of the issue', () => {
    const beyond = CATALOG.filter((s) => !isCore(s));
    expect(new Set(beyond.map((s) => s.id)).size).toBeGreaterThanOrEqual(24);
    expect(new Set(beyond.map((s) => s.base ?? s.id)).size).toBeGreaterThanOrEqual(24);
    for (const group of SCENARIO_GROUPS) expect(beyond.filter((s) => s.group === group).length, group).toBeGreaterThan(0);
  });

  it('answers every item of the issue\'s list', () => {
    const ids = new Set(CATALOG.map((s) => s.id));
    for (const [item, scenarios] of ISSUE_LIST) for (const id of scenarios) expect(ids.has(id), `${item}: ${id}`).toBe(true);
  });

  it('describes every scenario: title, description, expectation, why, severity, provenance from the research or the spec', () => {
    for (const s of CATALOG) {
      for (const field of ['title', 'description', 'expectation', 'why'] as const) expect(s[field].length, `${s.id}.${field}`).toBeGreaterThan(10);
      for (const p of s.provenance) expect(p, s.id).toMatch(/^(F([1-9]|1\d|2[0-4])|spec §\d+(\.\d+)?( \(.+\))?|seed trap: .+)$/);
    }
  });

  it('files each scenario in the folder of its group (the four named ones in core/)', () => {
    for (const { scenario, file } of loadCatalog()) {
      const folder = basename(dirname(file));
      expect(folder, scenario.id).toBe(isCore(scenario) ? 'core' : scenario.group);
      expect(basename(file)).toBe(`${scenario.base ?? scenario.id}.scenario.json`);
    }
  });

  it('points every file at the shipped JSON Schema with a relative $schema', () => {
    for (const file of catalogFiles()) {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };
      expect(raw.$schema, file).toBe(relative(dirname(file), SCHEMA_FILE));
    }
  });

  it('ships a JSON Schema in sync with the zod schema (npm run schema regenerates it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(scenarioJsonSchemaText());
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { required: string[]; properties: Record<string, unknown>; $defs: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'title', 'description', 'expectation', 'why', 'group', 'provenance', 'expect']));
    // The input side: fields with a default are not required.
    expect(schema.required).not.toContain('severity');
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['ServerScript', 'FaultRule', 'Trigger', 'Action', 'Toxic']));
  });
});

describe('catchers', () => {
  it('names, for every scenario and nothing else, broken clients that exist, on an axis other than secrets', () => {
    expect(Object.keys(CATCHERS).sort()).toEqual(CATALOG.map((s) => s.id).sort());
    const known = new Set(MUTANTS.map((m) => m.id));
    for (const [id, catchers] of Object.entries(CATCHERS)) {
      for (const c of catchers) {
        expect(known.has(c.mutant), `${id}: ${c.mutant}`).toBe(true);
        expect(c.axis, `${id}: ${c.mutant}`).not.toBe('secrets');
      }
    }
  });

  it('uses every catalog mutant somewhere', () => {
    const used = new Set(Object.values(CATCHERS).flat().map((c) => c.mutant));
    const catalogMutants = MUTANTS.filter((m) => !/^t\d|^reconnects-after-4001$/.test(m.id));
    for (const m of catalogMutants) expect(used.has(m.id), m.id).toBe(true);
  });
});

describe('the catalog table and the CLI', () => {
  it('the catalog table in docs/catalog.md is the one generated from the files (npx tsx tools/catalog-table.ts --write)', () => {
    expect(tableTarget()).toBe(CATALOG_PAGE);
    expect(currentSection(CATALOG_PAGE)).toBe(generatedSection());
  });

  it('the README carries no copy of the table: it links to docs/catalog.md', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).not.toContain(START_MARKER);
    expect(readme).toContain('](docs/catalog.md)');
  });

  it('list shows the catalog grouped, with every scenario', async () => {
    const { code, out } = cli(['list']);
    expect(await code).toBe(0);
    const text = out.join('');
    const headers = [...text.matchAll(/^(\S[^\n]*) \((\d+)\)$/gm)].map((m) => m[1]);
    expect(headers).toEqual(SCENARIO_GROUPS.filter((g) => CATALOG.some((s) => s.group === g)));
    for (const s of CATALOG) expect(text).toContain(`  ${s.id} `);
    expect(text).toContain(`${CATALOG.length} scenarios`);
  });

  it('list --json gives id, group, title, severity and provenance for each', async () => {
    const { code, out } = cli(['list', '--json']);
    expect(await code).toBe(0);
    const rows = JSON.parse(out.join('')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(CATALOG.length);
    for (const row of rows) {
      expect(row).toEqual(expect.objectContaining({ id: expect.any(String), group: expect.any(String), title: expect.any(String), severity: expect.any(String), provenance: expect.any(Array) }));
    }
    expect(rows.map((r) => r.id)).toEqual(CATALOG.map((s) => s.id));
  });

  it('reads the catalog from scenarios/', () => {
    expect(CATALOG_DIR.endsWith('scenarios')).toBe(true);
  });
});
