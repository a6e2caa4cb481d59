/** `resume-harness list [selectors…] [filters] [--json]`: the catalog, grouped; the same selection words as run. */
import { PROTOCOLS } from '../../protocol/sut-result.ts';
import { SCENARIO_GROUPS } from '../scenario/schema.ts';
import { protocolFlag } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { defineCommand, examples, invokeCommand, once, type ReportCode } from './command-kit.ts';
import { EXIT } from './exit-codes.ts';
import { loadSelection } from './load-selection.ts';
import { addSelectionOptions, SELECTORS_HELP, selectionFilters, type SelectionOptions } from './selection-options.ts';

/** Which faces a scenario runs on, in a column: `both`, or the one face it belongs to. */
function facesLabel(faces: readonly string[]): string {
  return faces.length > 1 ? 'both' : faces[0] ?? '';
}

interface ListOptions extends SelectionOptions {
  readonly json?: boolean;
  readonly protocol?: string;
}

export function listCommandDefinition(io: CliIo, report: ReportCode) {
  const command = defineCommand('list', io)
    .summary('list the catalog (or a selection of it), grouped')
    .description('Lists the scenarios the same arguments would run: id, severity, faces and title, grouped by catalog group.')
    .argument('[selectors...]', SELECTORS_HELP)
    .option('--json', 'one JSON array of {id, group, title, severity, faces, provenance, outcome}, for tooling')
    .option('--protocol <face>', `only scenarios that run on this face: ${PROTOCOLS.join(' or ')}`, once('protocol'));
  addSelectionOptions(command);
  return command
    .addHelpText('after', examples('resume-harness list', "resume-harness list 'goaway*' --severity critical", 'resume-harness list --group expiry --protocol gemini-live --json'))
    .action((selectors: string[], options: ListOptions) => report(listScenarios(selectors, options, io)));
}

export function listCommand(args: readonly string[], io: CliIo): Promise<number> {
  return invokeCommand(listCommandDefinition, args, io);
}

function listScenarios(selectors: readonly string[], options: ListOptions, io: CliIo): number {
  const face = options.protocol === undefined ? undefined : protocolFlag(options.protocol);
  const catalog = loadSelection(selectors, io.cwd, selectionFilters(options)).map((l) => l.scenario).filter((s) => face === undefined || s.faces.includes(face));
  if (options.json) {
    const rows = catalog.map((s) => ({ id: s.id, group: s.group, title: s.title, severity: s.severity, faces: s.faces, provenance: s.provenance, outcome: s.expect.outcome }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.passed;
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
  return EXIT.passed;
}
