/**
 * `merge-reports` for `matrix --shard i/n`: the shards' matrix.json files (each every run's
 * digest for its share of the scenarios) joined into the one matrix an unsharded run builds.
 * A mutant escapes only when no scenario of any shard caught it, so escapes are judged here.
 */
import { UserInputError } from '../errors.ts';
import { buildMatrix, type DetectionMatrix } from './detection-matrix.ts';

export function mergeMatrices(parts: readonly { readonly dir: string; readonly matrix: DetectionMatrix }[], order: (scenarioId: string) => number): DetectionMatrix {
  const fail = (message: string): never => {
    throw new UserInputError('REPORT_MERGE_INVALID', message);
  };
  if (parts.length === 0) fail('merge-reports needs at least one matrix folder');
  const first = parts[0]!;
  const rowsOf = (m: DetectionMatrix): string => m.rows.map((r) => r.subject.sut).join(',');
  for (const part of parts.slice(1)) {
    const m = part.matrix;
    if (m.protocol !== first.matrix.protocol || m.mode !== first.matrix.mode || m.timeScale !== first.matrix.timeScale || m.seeds.join(',') !== first.matrix.seeds.join(',') || rowsOf(m) !== rowsOf(first.matrix)) {
      fail(`the matrix shards are not one matrix: ${first.dir} and ${part.dir} differ in face, mode, time scale, seeds or rows (run every shard with the same options)`);
    }
  }
  const scenarios: string[] = [];
  for (const part of parts) {
    for (const id of part.matrix.scenarios) {
      if (scenarios.includes(id)) fail(`${id} is in two matrix shards: give each shard once, with distinct --shard i/n`);
      scenarios.push(id);
    }
  }
  scenarios.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return buildMatrix({
    subjects: first.matrix.rows.map((r) => r.subject),
    scenarios,
    seeds: first.matrix.seeds,
    digests: parts.flatMap((p) => p.matrix.rows.flatMap((r) => r.cells.flatMap((c) => c.runs))),
    mode: first.matrix.mode,
    timeScale: first.matrix.timeScale,
    // The shards ran side by side: the merged run took as long as the slowest.
    wallMs: Math.max(...parts.map((p) => p.matrix.wallMs)),
    protocol: first.matrix.protocol,
  });
}
