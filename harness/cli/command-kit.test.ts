import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { collect, invokeCommand, once, passThroughCommand } from './command-kit.ts';
import type { CliIo } from './cli-io.ts';

const quiet = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: process.cwd() } as unknown as CliIo;

describe('command kit', () => {
  it('once refuses a second value by name; collect adds up repeats and commas', () => {
    expect(once('seed')('1', undefined)).toBe('1');
    expect(() => once('seed', 'one seed per run')('2', '1')).toThrow(UsageError);
    expect(() => once('seed', 'one seed per run')('2', '1')).toThrow('--seed given twice ("1", then "2"): it takes one value; one seed per run');
    expect(collect('b, c', collect('a', undefined))).toEqual(['a', 'b', 'c']);
  });

  it('a pass-through command gets every argument as given, --help too, and sets the exit code', async () => {
    let seen: string[] = [];
    const load = passThroughCommand('load', 'a command with its own parser', (args) => {
      seen = args;
      return args.includes('--help') ? 0 : 7;
    });
    expect(await invokeCommand(load, ['--sessions', '10', 'x', '-v'], quiet)).toBe(7);
    expect(seen).toEqual(['--sessions', '10', 'x', '-v']);
    expect(await invokeCommand(load, ['--help'], quiet)).toBe(0);
    expect(seen).toEqual(['--help']);
  });
});
