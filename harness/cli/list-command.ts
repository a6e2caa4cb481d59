/** `resume-harness list [--json]`: the catalog, grouped. */
import { loadCatalog } from '../scenario/loader.ts';
import { SCENARIO_GROUPS } from '../scenario/schema.ts';
import { parse } from './args.ts';
import type { CliIo } from './run-command.ts';

export function listCommand(args: string[], io: CliIo): number {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const catalog = loadCatalog().map((l) => l.scenario);
  if (values.json) {
    const rows = catalog.map((s) => ({ id: s.id, group: s.group, title: s.title, severity: s.severity, provenance: s.provenance, outcome: s.expect.outcome }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const group of SCENARIO_GROUPS) {
    const members = catalog.filter((s) => s.group === group);
    if (members.length === 0) continue;
    io.stdout.write(`\n${group} (${members.length})\n`);
    const width = Math.max(...members.map((s) => s.id.length));
    for (const s of members) io.stdout.write(`  ${s.id.padEnd(width)}  ${s.severity.padEnd(8)}  ${s.title}\n`);
  }
  io.stdout.write(`\n${catalog.length} scenarios\n`);
  return 0;
}
