/**
 * `resume-harness validate` on files people write: every mistake named with its file, the JSON
 * path of the field and what is wrong, exit 2 — one broken fixture per kind of mistake, and
 * the exact words a person reads.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import type { CliIo } from '../../harness/cli/run-command.ts';
import { formatProblem, type ScenarioProblem } from '../../harness/errors.ts';
import { catalogFiles, loadFile, loadFiles, validateFiles } from '../../harness/scenario/loader.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const broken = (name: string): string => join(HERE, 'broken', `${name}.scenario.json`);
const shown = (file: string): string => relative(process.cwd(), file);
const problems = (name: string): Array<Pick<ScenarioProblem, 'code' | 'path' | 'problem'>> =>
  loadFile(broken(name)).problems.map(({ code, path, problem }) => ({ code, path, problem }));

function cli(args: string[]): { code: Promise<number>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    cwd: process.cwd(),
  } as unknown as CliIo;
  return { code: main(args, io), out, err };
}

const ACTIONS = '{ send } | { sendRaw } | { sendBinary } | { expire } | { close } | { drop } | { halfOpen } | { silence } | { pings } | { delayMessage } | { duplicateMessage } | { dropMessage } | { endConversation } | { issueHandle } | { idleTimeout } | { restart } | { outage } | { slowAccept } | { toxic }';
const TRIGGERS = '{ at } | { turn, phase? } | { connection } | { event, nth? } | { every, jitter?, count, start? }';

describe('one broken file per kind of mistake: file, path and problem', () => {
  it('not JSON: the parser\'s complaint, with line and column', () => {
    expect(problems('not-json')).toEqual([{ code: 'SCENARIO_NOT_JSON', path: '', problem: 'not valid JSON: Expected double-quoted property name at line 5, column 1' }]);
  });

  it('not an object', () => {
    expect(problems('not-an-object')).toEqual([{ code: 'SCENARIO_INVALID', path: '', problem: 'a scenario file holds one JSON object' }]);
  });

  it('an unknown field, with the field it probably meant', () => {
    expect(problems('unknown-field')).toEqual([{
      code: 'SCENARIO_INVALID',
      path: 'server.expiry.closeCod',
      problem: 'unknown field "closeCod" (did you mean "closeCode"?); known fields: enabled, lifetime, timeLeft, closeAfter, closeCode, closeReason, dropAtDeadline, silentAfterNotice, resendHandle',
    }]);
  });

  it('a wrong type, with the value found', () => {
    expect(problems('wrong-type')).toEqual([{ code: 'SCENARIO_INVALID', path: 'server.expiry.timeLeft', problem: 'expected a number, got the string "60s"' }]);
  });

  it('a bad enum value, with the allowed ones', () => {
    expect(problems('bad-enum')).toEqual([{
      code: 'SCENARIO_INVALID',
      path: 'group',
      problem: 'must be one of "expiry", "resume-rejection", "connection-faults", "delivery", "timing", "malformed-input", "end-of-conversation", "long-session"; got the string "expiry-ish"',
    }]);
  });

  it('missing required fields, at the top and inside an object', () => {
    expect(problems('missing-required')).toEqual([
      { code: 'SCENARIO_INVALID', path: 'why', problem: 'missing required field "why" (a string)' },
      { code: 'SCENARIO_INVALID', path: 'expect.outcome', problem: 'missing required field "outcome": one of "completes", "reports-loss", "gives-up"' },
    ]);
  });

  it('a number out of range', () => {
    expect(problems('out-of-range')).toEqual([{ code: 'SCENARIO_INVALID', path: 'server.expiry.closeCode', problem: 'must be >= 1000; got the number 999' }]);
  });

  it('an id that is not lowercase words joined by "-"', () => {
    expect(problems('bad-id')).toEqual([{ code: 'SCENARIO_INVALID', path: 'id', problem: 'lowercase words joined by "-", variants after a "." (e.g. goaway.close-1006); got the string "Bad_ID"' }]);
  });

  it('a variant id that does not start with the base id', () => {
    expect(problems('bad-variant-id')).toEqual([{ code: 'SCENARIO_BAD_VARIANT_ID', path: 'variants[0].id', problem: 'variant id "other-scenario.close-1011" must start with "bad-variant-id." (the base id, then a dot)' }]);
  });

  it('a duplicate id within a file', () => {
    expect(problems('duplicate-id')).toEqual([{ code: 'SCENARIO_DUPLICATE_ID', path: 'variants[1].id', problem: 'id "duplicate-id.fast" is already used by variants[0].id in this file' }]);
  });

  it('a duplicate id across files', () => {
    const [a, b] = [broken('cross-file-id-a'), broken('cross-file-id-b')];
    expect(loadFile(a).problems).toEqual([]);
    expect(validateFiles([a, b]).problems).toEqual([{ code: 'SCENARIO_DUPLICATE_ID', file: shown(b), path: 'id', problem: `id "cross-file-id" is already defined in ${shown(a)}` }]);
    expect(() => loadFiles([a, b])).toThrow(/already defined/);
  });

  it('a bad trigger: two forms at once, a bad phase, an unknown form', () => {
    expect(problems('bad-trigger')).toEqual([
      { code: 'SCENARIO_INVALID', path: 'server.faults[0].when', problem: `"when" matches none of its forms (got fields "at", "turn"); expected exactly one of: ${TRIGGERS}` },
      { code: 'SCENARIO_INVALID', path: 'server.faults[1].when.phase', problem: 'must be one of "after-final", "after-handle", "mid-turn", "after-prospect"; got the string "before-final"' },
      { code: 'SCENARIO_INVALID', path: 'server.faults[2].when', problem: `"when" matches none of its forms (got field "evnt"); expected exactly one of: ${TRIGGERS}` },
    ]);
  });

  it('a bad action: an unknown one, a missing field inside one, a bad value inside a list of them', () => {
    expect(problems('bad-action')).toEqual([
      { code: 'SCENARIO_INVALID', path: 'server.faults[0].do', problem: `"do" matches none of its forms (got field "explode"); expected exactly one of: ${ACTIONS}` },
      { code: 'SCENARIO_INVALID', path: 'server.faults[1].do.close.code', problem: 'missing required field "code" (a number)' },
      { code: 'SCENARIO_INVALID', path: 'server.faults[2].do[0].drop.delay', problem: 'must be >= 0; got the number -1' },
    ]);
  });

  it('a bad Toxiproxy toxic: an unknown type, a misspelt attribute, a toxicity above 1', () => {
    expect(problems('bad-toxic')).toEqual([
      { code: 'SCENARIO_INVALID', path: 'server.toxics[0].type', problem: '"type" must be one of "latency", "timeout", "reset_peer", "slow_close", "limit_data", "down"; got the string "latensy"' },
      { code: 'SCENARIO_INVALID', path: 'server.toxics[1].attributes.jiter', problem: 'unknown field "jiter" (did you mean "jitter"?); known fields: latency, jitter' },
      { code: 'SCENARIO_INVALID', path: 'server.toxics[2].toxicity', problem: 'must be <= 1; got the number 1.5' },
    ]);
  });

  it('mistakes inside variants are named by the variant\'s index', () => {
    expect(problems('bad-variant-field')).toEqual([
      { code: 'SCENARIO_INVALID', path: 'variants[0].serverr', problem: 'unknown field "serverr" (did you mean "server"?); known fields: id, title, description, expectation, why, group, severity, provenance, conversation, server, expect, exercise, limit, faces, notThroughServer' },
      { code: 'SCENARIO_INVALID', path: 'variants[1].server.validation.reject', problem: 'must be one of "silent-fresh", "close-4003", "accept-then-close", "close"; got the string "close-4004"' },
    ]);
  });

  it('every mistake of a file at once, not only the first', () => {
    expect(problems('many-mistakes').map((p) => p.path)).toEqual(['title', 'severity', 'server.expiry.lifetime', 'server.resume.confirm', 'expect.outcome', 'variants[0].id']);
  });
});

describe('resume-harness validate', () => {
  it('names each problem as file: path: problem [code], then a count, and exits 2', async () => {
    const files = ['not-json', 'unknown-field', 'bad-action'].map(broken);
    const { code, err, out } = cli(['validate', ...files]);
    expect(await code).toBe(2);
    expect(out).toEqual([]);
    const lines = err.join('').trimEnd().split('\n');
    expect(lines[0]).toBe(`${shown(files[0]!)}: not valid JSON: Expected double-quoted property name at line 5, column 1 [SCENARIO_NOT_JSON]`);
    expect(lines[1]).toBe(formatProblem({ ...loadFile(files[1]!).problems[0]!, file: shown(files[1]!) }));
    expect(lines[1]).toMatch(/^test\/scenario-files\/broken\/unknown-field\.scenario\.json: server\.expiry\.closeCod: unknown field "closeCod" \(did you mean "closeCode"\?\)/);
    expect(lines.at(-1)).toBe('5 problems in 3 files');
  });

  it('passes a valid user file and every shipped scenario file, exit 0', async () => {
    const user = cli(['validate', join(HERE, 'valid', 'valid-demo.scenario.json')]);
    expect(await user.code).toBe(0);
    expect(user.out.join('')).toBe('1 file valid: 2 scenarios\n');
    const shipped = catalogFiles();
    const catalog = cli(['validate', ...shipped]);
    expect(await catalog.code, catalog.err.join('')).toBe(0);
    expect(catalog.out.join('')).toMatch(new RegExp(`^${shipped.length} files valid: \\d+ scenarios\\n$`));
  });

  it('a user file loads exactly like a built-in one: variants expanded, defaults applied', () => {
    const [base, variant] = loadFiles([join(HERE, 'valid', 'valid-demo.scenario.json')]).map((l) => l.scenario);
    expect(base).toMatchObject({ id: 'valid-demo', severity: 'minor', server: { expiry: { enabled: false, closeCode: 1000 } } });
    expect(variant).toMatchObject({ id: 'valid-demo.close-1008', base: 'valid-demo', group: 'expiry', server: { expiry: { enabled: true, closeCode: 1008 } } });
  });
});
