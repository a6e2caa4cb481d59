import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../simulator/index.ts';
import { SutSpecError } from '../errors.ts';
import { allMutants, parseSut } from './parse-sut.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('parseSut', () => {
  it('knows the three kinds of the contract', () => {
    expect(parseSut('builtin')).toMatchObject({ id: 'builtin', kind: 'builtin', modes: ['virtual', 'network'] });
    expect(parseSut('module:examples/module-client.mjs', ROOT)).toMatchObject({ id: 'module:examples/module-client.mjs', kind: 'module', modes: ['virtual', 'network'] });
    expect(parseSut('cmd:python3 examples/python/client.py')).toMatchObject({ id: 'cmd:python3 examples/python/client.py', kind: 'cmd', modes: ['network'] });
  });

  it('knows every mutant of the gallery, and the seed plan by two names', () => {
    for (const mutant of MUTANTS) expect(parseSut(`mutant:${mutant.id}`)).toMatchObject({ id: `mutant:${mutant.id}`, kind: 'builtin' });
    expect(parseSut('seed-plan').id).toBe('mutant:seed-plan');
    expect(parseSut('mutant:seed-plan').id).toBe('mutant:seed-plan');
    expect(allMutants().map((m) => m.id)).toEqual([...MUTANTS.map((m) => m.id), 'seed-plan']);
  });

  it('refuses what it cannot run, with a usage error that says why', () => {
    expect(() => parseSut('module:')).toThrow(SutSpecError);
    expect(() => parseSut('module:nowhere/client.mjs', ROOT)).toThrow(/no such file/);
    expect(() => parseSut('cmd:   ')).toThrow(/needs a command/);
    expect(() => parseSut('mutant:t99-nope')).toThrow(/unknown mutant "t99-nope"; known: t1-no-reconnect-on-1000/);
    expect(() => parseSut('python:client.py')).toThrow(/expected builtin, module:PATH, cmd:COMMAND, mutant:ID or seed-plan/);
  });

  it('keeps everything after cmd: as the command, colons and quotes included', () => {
    expect(parseSut('cmd:node -e "console.log(1)" --url=http://x:1').id).toBe('cmd:node -e "console.log(1)" --url=http://x:1');
  });
});
