import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPersona, prospectMessage } from './core/persona.ts';
import { ProspectSimulator } from './prospect-simulator.ts';
import type { FakeConnection } from './testing/fake-agent-server.ts';
import { createFixture } from './testing/simulator-fixture.ts';
import { ManualClock } from '../protocol/testing/manual-clock.ts';

const say = (index: number): string => prospectMessage(createPersona(7), index);

const tempDirs: string[] = [];
afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('frames the simulator does not understand', () => {
  it('logs and ignores not-JSON, invalid, unknown-type and binary frames, and completes', async () => {
    const f = createFixture({
      maxTurns: 2,
      afterAnswer: (c, index) => {
        if (index !== 0) return;
        c.socket.serverSend('this is not json {');
        c.socket.serverSend('[1,2,3]');
        c.socket.serverSend(JSON.stringify({ type: 'transcript', role: 'agent' }));
        c.socket.serverSend(JSON.stringify({ type: 'agent_mood', mood: 'happy' }));
        c.socket.serverSend(JSON.stringify({ type: 'error', code: 'rate_limited', message: 'slow down' }));
        c.socket.serverSendBinary(4800);
      },
    });
    const result = await f.run();
    expect(result).toMatchObject({ status: 'completed', turns: 2, reconnects: 0 });
    const ignored = result.events.filter((e) => e.kind === 'frame-ignored').map((e) => e.state);
    expect(ignored).toEqual(['not-json', 'invalid', 'invalid', 'unknown-type']);
    expect(result.events.some((e) => e.kind === 'server-error')).toBe(true);
  });

  it('ignores session:resumed on a connection that presented no handle', async () => {
    const f = createFixture({
      maxTurns: 1,
      afterAnswer: (c, index) => {
        if (index === 0) c.socket.serverSend({ type: 'session:resumed' });
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    expect(result.events.some((e) => e.kind === 'resumed-unexpected')).toBe(true);
  });
});

describe('an in-process server that answers inside send()', () => {
  it('keeps strict alternation and re-sends once even when replies arrive synchronously', async () => {
    let expiredAt = 0;
    const f = createFixture({
      maxTurns: 3,
      receiveDelayMs: 0,
      simulator: { policy: { inactivityTimeoutMs: 120_000 } },
      onProspect: (c, index) => {
        if (c.index === 0 && index === 2) {
          expiredAt = f.clock.now();
          f.server.expire(c, 60);
          return 'ignore';
        }
        return 'answer';
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const [first, second] = f.server.connections as [FakeConnection, FakeConnection];
    expect(first.clientClose?.at).toBe(expiredAt + 50_000);
    expect(second.prospectTexts).toEqual([say(2), say(3)]);
  });
});

describe('run() never rejects', () => {
  it('ends failed with a reason when fetch throws', async () => {
    const clock = new ManualClock();
    const sim = new ProspectSimulator({
      httpUrl: 'http://x.test',
      wsUrl: 'ws://x.test/ws/ai-voice',
      shareToken: 'share_secret_token',
      maxTurns: 2,
      seed: 1,
      clock,
      WebSocket: class {} as never,
      fetch: (async () => {
        throw new TypeError('fetch failed: ECONNREFUSED');
      }) as unknown as typeof fetch,
    });
    const result = await clock.settle(sim.run());
    expect(result).toMatchObject({ status: 'failed', turns: 0, reconnects: 0 });
    expect(result.reason).toMatch(/ECONNREFUSED/);
  });

  it('reports the HTTP error of session creation', async () => {
    const f = createFixture({ httpStatus: 404 });
    const result = await f.run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/404 unknown_share_token/);
    expect(f.server.connections).toHaveLength(0);
  });

  it('ends failed on a session request that never answers, bounded by the clock', async () => {
    const clock = new ManualClock();
    const sim = new ProspectSimulator({
      httpUrl: 'http://x.test',
      wsUrl: 'ws://x.test/ws/ai-voice',
      shareToken: 'share_secret_token',
      maxTurns: 2,
      seed: 1,
      clock,
      WebSocket: class {} as never,
      fetch: (() => new Promise(() => undefined)) as unknown as typeof fetch,
    });
    const result = await clock.settle(sim.run());
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/no answer within/);
  });

  it('ends failed, without throwing, on invalid options', async () => {
    const f = createFixture({ maxTurns: -1 });
    const result = await f.run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/maxTurns/);
  });

  it('ends failed when the WebSocket constructor throws, after bounded attempts', async () => {
    const f = createFixture({
      maxTurns: 2,
      simulator: {
        WebSocket: class {
          constructor() {
            throw new SyntaxError('bad url');
          }
        } as never,
      },
    });
    const result = await f.run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/before the server issued any resume handle/);
  });

  it('turns an exception inside a hook into a failed result', async () => {
    const f = createFixture({
      maxTurns: 2,
      decisions: {
        handleUpdate: () => {
          throw new Error('boom');
        },
      },
    });
    const result = await f.run();
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/internal error.*boom/);
    expect(f.server.connections[0]!.clientClose?.code).toBe(1000);
  });
});

describe('T12: secrets', () => {
  it('never writes a share token, session token or handle into log lines, events or the reason', async () => {
    const f = createFixture({
      maxTurns: 4,
      simulator: { policy: { fallback: 'new-session' } },
      plan: (i) => (i === 2 ? { resume: 'reject-4003' } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          // A server that echoes a secret in an error and a close reason.
          c.socket.serverSend({ type: 'error', code: 'auth', message: `token ${f.server.sessionTokens[0]} is odd` });
          f.server.expire(c, 60);
        }
        if (c.index === 1 && index === 2) f.server.at(10, () => f.server.drop(c, 1011, `lost ${c.presentedHandle}`));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('completed');
    const secrets = [f.server.shareToken, ...f.server.sessionTokens, ...f.server.handles.keys()];
    expect(secrets.length).toBeGreaterThan(4);
    const everything = [f.logs.join('\n'), JSON.stringify(result)].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(f.logs.length).toBeGreaterThan(10);
  });
});

describe('post-mortem state file', () => {
  it('is written when the run fails, with status, reason, turns, handle fingerprint and the event log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-pm-'));
    tempDirs.push(dir);
    const stateFile = join(dir, 'nested', 'state.json');
    const f = createFixture({
      maxTurns: 3,
      simulator: { stateFile },
      plan: (i) => (i >= 1 ? { open: 'refuse' } : {}),
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) f.server.at(10, () => f.server.drop(c, 1006, ''));
      },
    });
    const result = await f.run();
    expect(result.status).toBe('failed');
    const text = await readFile(stateFile, 'utf8');
    const pm = JSON.parse(text) as Record<string, unknown>;
    expect(pm).toMatchObject({ status: 'failed', turns: 1, contextLost: true, reconnects: 3 });
    expect(pm.reason).toBe(result.reason);
    expect(pm.handle).toMatch(/^‹[0-9a-f]{8}›$/);
    expect(Array.isArray(pm.events)).toBe(true);
    for (const secret of [f.server.shareToken, ...f.server.sessionTokens, ...f.server.handles.keys()]) {
      expect(text).not.toContain(secret);
    }
  });
});
