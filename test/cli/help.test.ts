/**
 * The CLI a team adopts in an afternoon (issue 14 item 1): help for every command that
 * documents every option and shows an example, --version, "did you mean" for commands,
 * options and names, repeated options merged or refused, list honouring its arguments.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { listCommandDefinition } from '../../harness/cli/list-command.ts';
import { matrixCommandDefinition } from '../../harness/cli/matrix-command.ts';
import { runCommandDefinition } from '../../harness/cli/run-command.ts';
import { serveCommandDefinition } from '../../harness/cli/serve-command.ts';
import { validateCommandDefinition } from '../../harness/cli/validate-command.ts';
import { mergeReportsCommandDefinition } from '../../harness/cli/merge-reports-command.ts';
import type { CliIo } from '../../harness/cli/cli-io.ts';

function cli() {
  const out = { text: '' };
  const err = { text: '' };
  const stream = (sink: { text: string }) => ({ write: (s: string) => { sink.text += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream(out), stderr: stream(err), cwd: process.cwd() } as CliIo, out, err };
}

async function call(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = cli();
  const code = await main(argv, io);
  return { code, out: out.text, err: err.text };
}

const DEFINITIONS: Record<string, (io: CliIo, report: (code: number) => void) => Command> = {
  run: runCommandDefinition,
  matrix: matrixCommandDefinition,
  list: listCommandDefinition,
  validate: validateCommandDefinition,
  serve: serveCommandDefinition,
  'merge-reports': mergeReportsCommandDefinition,
};
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('help', () => {
  for (const [name, define] of Object.entries(DEFINITIONS)) {
    it(`${name} --help and -h exit 0 and document every option with its meaning, and an example`, async () => {
      const options = define(cli().io, () => undefined).options;
      expect(options.length).toBeGreaterThan(name === 'validate' ? -1 : 0);
      for (const flag of ['--help', '-h']) {
        const r = await call(name, flag);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(new RegExp(`^Usage: resume-harness ${name} `));
        for (const option of options) {
          expect(option.description.length, option.flags).toBeGreaterThan(15);
          expect(flat(r.out)).toContain(`${option.flags} ${flat(option.description)}`);
        }
        expect(r.out).toMatch(new RegExp(`Examples:\\n {2}resume-harness ${name}`));
      }
    });
  }

  it('the top help lists every command with what it does, and the exit codes; help COMMAND works too', async () => {
    const r = await call('--help');
    expect(r.code).toBe(0);
    for (const name of Object.keys(DEFINITIONS)) expect(r.out).toMatch(new RegExp(`^ {2}${name} .* {2,}\\S`, 'm'));
    expect(r.out).toContain('Exit codes: 0 passed · 1 a scenario failed · 2 usage or invalid input · 3 the harness could not judge');
    const help = await call('help', 'run');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: resume-harness run /);
  });

  it('no command at all: the help on stderr, exit 2', async () => {
    const r = await call();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^Usage: resume-harness /);
  });

  it('--version and -v print the package version', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-v']) {
      const r = await call(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${version}\n`);
    }
  });

  it('validate --help is help, not a file named --help', async () => {
    const r = await call('validate', '--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('did you mean', () => {
  it('an unknown command', async () => {
    const r = await call('rnu');
    expect(r.code).toBe(2);
    expect(r.err).toBe("resume-harness: unknown command 'rnu' (Did you mean run?) (see: resume-harness --help)\n");
  });

  it('an unknown option, per command', async () => {
    expect((await call('run', '--formt', 'json')).err).toMatch(/unknown option '--formt' \(Did you mean --format\?\) \(see: resume-harness run --help\)/);
    expect((await call('matrix', '--seed5')).err).toMatch(/\(Did you mean one of --seed, --seeds\?\)/);
    expect((await call('serve', '--scenaro', 'goaway')).err).toMatch(/\(Did you mean --scenario\?\)/);
  });

  it('a scenario id, on run, list and serve', async () => {
    for (const argv of [['run', 'flaping.endless'], ['list', 'flaping.endless'], ['serve', '--scenario', 'flaping.endless']]) {
      const r = await call(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/"flaping\.endless" \(did you mean "flapping\.endless"\?\)/);
    }
  });

  it('a mutant id, a group and an exclusion', async () => {
    expect((await call('matrix', 'goaway', '--mutants', 't6-waits-for-server-clos')).err).toMatch(/unknown mutant t6-waits-for-server-clos \(did you mean "t6-waits-for-server-close"\?\)/);
    expect((await call('list', '--group', 'expiri')).err).toMatch(/--group "expiri" is not one of .* \(did you mean "expiry"\?\)/);
    expect((await call('list', '--exclude', 'goawayy')).err).toMatch(/--exclude \/ !glob matches no scenario: "goawayy" \(did you mean "goaway"\?\)/);
  });
});

describe('repeated options', () => {
  it('run refuses a second --sut (and a second --seed), naming both values', async () => {
    const sut = await call('run', 'goaway', '--sut', 'builtin', '--sut', 'mutant:t4-unbounded');
    expect(sut.code).toBe(2);
    expect(sut.err).toMatch(/--sut given twice \("builtin", then "mutant:t4-unbounded"\): it takes one value; to compare several clients use matrix --sut A --sut B/);
    const seed = await call('run', 'goaway', '--seed', '1', '--seed', '2');
    expect(seed.code).toBe(2);
    expect(seed.err).toMatch(/--seed given twice \("1", then "2"\)/);
  });

  it('matrix merges several --sut into one matrix: each a row that must pass everything', async () => {
    const r = await call('matrix', 'goaway.close-1001', '--sut', 'builtin', '--sut', 'module:examples/module-client.mjs', '--mutants', 't6-waits-for-server-close', '--jobs', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('1 mutants + 2 reference rows × 1 scenarios');
    expect(r.out).toMatch(/^builtin \(reference\) +— +\. +no false alarm$/m);
    expect(r.out).toMatch(/^module:examples\/module-client\.mjs \(reference\) +— +\. +no false alarm$/m);
    expect(r.out).toMatch(/^t6-waits-for-server-close +T6 +X +caught by 1$/m);
    expect(r.out).toContain('1/1 mutants caught, 0 false alarms');
  }, 60_000);
});

describe('list takes the selection words of run', () => {
  const ids = (json: string): string[] => (JSON.parse(json) as Array<{ id: string }>).map((r) => r.id);

  it('ids, globs and !globs', async () => {
    expect(ids((await call('list', 'goaway.close-1001', '--json')).out)).toEqual(['goaway.close-1001']);
    const globbed = ids((await call('list', 'goaway.*', '!goaway.close-*', '--json')).out);
    expect(globbed).toContain('goaway.early-close');
    expect(globbed.some((id) => id.startsWith('goaway.close-'))).toBe(false);
    expect(globbed.every((id) => id.startsWith('goaway.'))).toBe(true);
  });

  it('--group, --severity, --protocol and --exclude', async () => {
    const all = JSON.parse((await call('list', '--json')).out) as Array<{ id: string; group: string; severity: string; faces: string[] }>;
    const expiryCritical = ids((await call('list', '--group', 'expiry', '--severity', 'critical', '--json')).out);
    expect(expiryCritical).toEqual(all.filter((s) => s.group === 'expiry' && s.severity === 'critical').map((s) => s.id));
    expect(expiryCritical.length).toBeGreaterThan(0);
    const twoGroups = ids((await call('list', '--group', 'expiry,timing', '--json')).out);
    expect(twoGroups).toEqual(all.filter((s) => s.group === 'expiry' || s.group === 'timing').map((s) => s.id));
    const gemini = ids((await call('list', '--protocol', 'gemini-live', '--json')).out);
    expect(gemini).toEqual(all.filter((s) => s.faces.includes('gemini-live')).map((s) => s.id));
    expect(gemini.length).toBeLessThan(all.length);
    const excluded = ids((await call('list', '--exclude', 'goaway', '--exclude', 'flapping*', '--json')).out);
    // A base id leaves out its variants too.
    expect(excluded).toEqual(all.filter((s) => !s.id.startsWith('goaway.') && s.id !== 'goaway' && !s.id.startsWith('flapping')).map((s) => s.id));
  });

  it('a selection that filters down to nothing is refused, not an empty pass', async () => {
    const r = await call('run', 'goaway', '--severity', 'minor');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no scenario left after the filters/);
  });
});
