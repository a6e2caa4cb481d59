/**
 * `--server mutant:ID` (parse-server.ts): the reference server's command with `--mutant <full
 * id>`, whichever form was asked for, and an unknown id named with the known ones. One real
 * start shows the process runs the mutant it was given.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serverMutantIds } from '../../servers/mutants/index.ts';
import { ServerSpecError } from '../errors.ts';
import { freePort } from '../run/server-run.ts';
import { parseServer, REFERENCE_SERVER_COMMAND } from './parse-server.ts';
import type { ServerInstance } from './server-under-test.ts';

let started: ServerInstance[] = [];
afterEach(async () => {
  await Promise.all(started.map((s) => s.stop()));
  started = [];
});

describe('--server mutant:ID', () => {
  it('a full id or its sN prefix: the cmd form, with the full id in its own', () => {
    expect(parseServer('mutant:s4')).toMatchObject({ id: 'mutant:s4-no-share-token-check', kind: 'cmd' });
    expect(parseServer('mutant:s10-mixed-handles')).toMatchObject({ id: 'mutant:s10-mixed-handles', kind: 'cmd' });
    expect(parseServer('reference')).toMatchObject({ id: 'reference', kind: 'cmd' });
  });

  it.each(['mutant:nope', 'mutant:s99', 'mutant:'])('%s: a ServerSpecError naming every known id', (spec) => {
    expect(() => parseServer(spec)).toThrow(ServerSpecError);
    try {
      parseServer(spec);
    } catch (error) {
      for (const id of serverMutantIds()) expect((error as Error).message).toContain(id);
    }
  });

  it('started: the reference command with --mutant <full id>, and the server says which mutant it runs', async () => {
    const port = await freePort();
    const env = {
      RESUME_HARNESS_PORT: String(port),
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9',
      GEMINI_API_KEY: 'rh-test-key',
      RESUME_HARNESS_AGENTS: JSON.stringify([{ shareToken: 'share_demo', model: 'm', systemInstruction: '' }]),
      RESUME_HARNESS_TIME_SCALE: '0.02',
    };
    const server = await parseServer('mutant:s9').start({ env, port, readyTimeoutMs: 30_000, stopGraceMs: 5_000 });
    started.push(server);
    expect(await server.readiness).toMatchObject({ state: 'ready' });
    const record = await server.stop();
    expect(record.details?.command).toBe(`${REFERENCE_SERVER_COMMAND} --mutant s9-binary-frames`);
    expect(record.stdout[0]).toBe('mutant: s9-binary-frames');
    expect(record).toMatchObject({ id: 'mutant:s9-binary-frames', state: 'ready', stoppedWith: 'SIGTERM', exitCode: 0 });
  });
});
