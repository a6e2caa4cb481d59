/**
 * The CLI's exit codes (harness/cli/exit-codes.ts), each reached through `main`, and the
 * user's mistakes of issue 13 item 2: each one line naming the problem and the fix, no stack.
 *   0 passed · 1 a scenario failed · 2 usage or invalid input · 3 the harness could not judge
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { EXIT } from '../../harness/cli/exit-codes.ts';

function cli(cwd = process.cwd()) {
  const out = { text: '' };
  const err = { text: '' };
  const stream = (sink: { text: string }) => ({ write: (s: string) => { sink.text += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream(out), stderr: stream(err), cwd }, out, err };
}

/** One line on stderr, naming the problem, and nothing that looks like a stack frame. */
function expectOneLine(err: string, problem: RegExp): void {
  expect(err.trimEnd()).toMatch(problem);
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
}

const reports = () => mkdtempSync(join(tmpdir(), 'rh-exit-'));

describe('exit codes', () => {
  it('0: every selected scenario passed', async () => {
    const { io } = cli();
    expect(await main(['run', 'goaway.close-1001', '--seed', '4', '--format', 'json', '--report-dir', reports()], io)).toBe(EXIT.passed);
  });

  it('1: a scenario failed', async () => {
    const { io, out } = cli();
    expect(await main(['run', 'goaway.early-close', '--sut', 'mutant:t1-no-reconnect-on-1000', '--seed', '4', '--format', 'json', '--report-dir', reports()], io)).toBe(EXIT.failed);
    expect(out.text).toMatch(/FAILED +goaway\.early-close/);
  });

  it('2: a usage error, named on one line with where the help is', async () => {
    const { io, err } = cli();
    expect(await main(['run', '--mode', 'quantum'], io)).toBe(EXIT.usage);
    expectOneLine(err.text, /^resume-harness: --mode must be virtual or network, got "quantum" \(see: resume-harness run --help\)$/m);
  });

  it('3: the harness could not judge (a server under test that never became ready: UNKNOWN)', async () => {
    const { io, out } = cli();
    expect(await main(['run', 'goaway.close-1001', '--server', 'cmd:exit 3', '--seed', '4', '--format', 'json', '--report-dir', reports()], io)).toBe(EXIT.unjudged);
    expect(out.text).toMatch(/UNKNOWN +goaway\.close-1001/);
  }, 60_000);

  it('3: an internal error, one line, the stack only with RESUME_HARNESS_DEBUG', async () => {
    const broken = { write: () => { throw new Error('the terminal went away'); }, isTTY: false } as unknown as NodeJS.WriteStream;
    const { io, err } = cli();
    const saved = process.env.RESUME_HARNESS_DEBUG;
    delete process.env.RESUME_HARNESS_DEBUG;
    try {
      expect(await main(['list'], { ...io, stdout: broken })).toBe(EXIT.unjudged);
    } finally {
      if (saved !== undefined) process.env.RESUME_HARNESS_DEBUG = saved;
    }
    expect(err.text).toMatch(/^resume-harness: internal error \(the harness could not judge\): the terminal went away$/m);
    expect(err.text).not.toMatch(/\n\s+at /);
  });
});

describe("a user's mistake: exit 2, one line naming the problem and the fix", () => {
  // Node's recursive mkdir never returns under /proc: this hung after the first line (issue 13).
  it.runIf(process.platform === 'linux')('an unwritable --report-dir (/proc/forbidden), before anything runs', async () => {
    const { io, out, err } = cli();
    expect(await main(['run', 'goaway', '--report-dir', '/proc/forbidden'], io)).toBe(EXIT.usage);
    expectOneLine(err.text, /^resume-harness: cannot write reports under \/proc\/forbidden \(ENOENT\): give --report-dir a folder you can write to$/);
    expect(out.text).toBe('');
    const matrix = cli();
    expect(await main(['matrix', 'goaway', '--report-dir', '/proc/forbidden'], matrix.io)).toBe(EXIT.usage);
    expectOneLine(matrix.err.text, /^resume-harness: cannot write the matrix to \/proc\/forbidden \(ENOENT\): give --report-dir a folder you can write to$/);
    const out2 = cli();
    expect(await main(['run', 'goaway', '--out', '/proc/forbidden/run'], out2.io)).toBe(EXIT.usage);
    expectOneLine(out2.err.text, /^resume-harness: cannot write reports under \/proc\/forbidden \(ENOENT\): give --out a folder you can write to$/);
  });

  it('a --report-dir that is a file', async () => {
    const dir = reports();
    writeFileSync(join(dir, 'taken'), 'x');
    const { io, err } = cli();
    expect(await main(['run', 'goaway', '--report-dir', join(dir, 'taken')], io)).toBe(EXIT.usage);
    expectOneLine(err.text, /cannot write reports under .*taken \(ENOTDIR\): give --report-dir a folder you can write to/);
  });

  it('a port already in use for serve', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const { io, err } = cli();
      expect(await main(['serve', '--scenario', 'goaway', '--port', String(port)], io)).toBe(EXIT.usage);
      expectOneLine(err.text, new RegExp(`^resume-harness: port ${port} is already in use on 127\\.0\\.0\\.1: stop what holds it, or choose another with --port \\(--port 0 picks a free one\\)$`));
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a module: client that exports nothing, named once before anything runs', async () => {
    const dir = reports();
    writeFileSync(join(dir, 'empty-client.mjs'), 'export const version = 1;\n');
    const { io, out, err } = cli(dir);
    expect(await main(['run', 'goaway', '--sut', 'module:empty-client.mjs', '--report-dir', join(dir, 'reports')], io)).toBe(EXIT.usage);
    expectOneLine(err.text, /^resume-harness: --sut module:empty-client\.mjs: .*empty-client\.mjs exports no factory: expected `export default async function run\(config\)` \(or a named export `run`\)/);
    expect(out.text).toBe('');
  });

  it('an unknown scenario, with the nearest ids', async () => {
    const { io, err } = cli();
    expect(await main(['run', 'goawy'], io)).toBe(EXIT.usage);
    expectOneLine(err.text, /^resume-harness: no scenario matches "goawy" \(did you mean "goaway"\?\) \(see: resume-harness list\)$/);
  });
});
