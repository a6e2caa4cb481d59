/** `resume-harness list [--json]`: the catalog, grouped. */
import { loadCatalog } from '../scenario/loader.ts';
import { SCENARIO_GROUPS } from '../scenario/schema.ts';
import { parse } from './args.ts';
import type { CliIo } from './run-command.ts';

/** Which faces a scenario runs on, in a column: `both`, or the one face it belongs to. */
function facesLabel(faces: readonly string[]): string {
  return faces.length > 1 ? 'both' : faces[0] ?? '';
}

export function listCommand(args: string[], io: CliIo): number {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const catalog = loadCatalog().map((l) => l.scenario);
  if (values.json) {
    const rows = catalog.map((s) => ({ id: s.id, group: s.group, title: s.title, severity: s.severity, faces: s.faces, provenance: s.provenance, outcome: s.expect.outcome }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const group of SCENARIO_GROUPS) {
    const members = catalog.filter((s) => s.group === group);
    if (members.length === 0) continue;
    io.stdout.write(`\n${group} (${members.length})\n`);
    const width = Math.max(...members.map((s) => s.id.length));
    for (const s of members) io.stdout.write(`  ${s.id.padEnd(width)}  ${s.severity.padEnd(8)}  ${facesLabel(s.faces).padEnd(11)}  ${s.title}\n`);
  }
  const gemini = catalog.filter((s) => s.faces.includes('gemini-live')).length;
  io.stdout.write(`\n${catalog.length} scenarios; ${catalog.length - gemini} on the ai-voice face only, ${gemini} on both faces (--protocol gemini-live)\n`);
  return 0;
}
