/** Errors with stable codes (vitest's convention), each naming the file and field at fault. */
export type ScenarioErrorCode =
  | 'SCENARIO_NOT_FOUND'
  | 'SCENARIO_NOT_JSON'
  | 'SCENARIO_INVALID'
  | 'SCENARIO_DUPLICATE_ID'
  | 'SCENARIO_BAD_VARIANT_ID';

export interface ScenarioProblem {
  readonly code: ScenarioErrorCode;
  readonly file: string;
  /** JSON path of the field, e.g. `variants[1].server.expiry.closeCode`; empty for the whole file. */
  readonly path: string;
  readonly problem: string;
}

export class ScenarioError extends Error {
  readonly code = 'SCENARIO_ERRORS';
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}${p.path ? `: ${p.path}` : ''}: ${p.problem} [${p.code}]`;
}

export function pathToString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
