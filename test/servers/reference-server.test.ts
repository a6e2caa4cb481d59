/**
 * The reference AI-voice server (servers/reference/) as the harness will meet it
 * (docs/server-contract.md): a child process in a process group of its own, with the
 * contract's environment, between the mock Gemini Live face and the reference
 * ProspectSimulator. Judged from the face's journal and the simulator's result.
 * Protocol time is scaled (1 protocol s = SCALE real s) on all three. No sleeps: every wait is
 * on a log line, a port, a promise or an exit.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildConnectUrl, decodeServerFrame, sessionPath, WS_PATH, type ServerMessage } from '../../protocol/messages.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { ServerScriptInput } from '../../mock-server/index.ts';
import { whenJournaled } from '../testing/gemini-sdk.ts';
import { buildReferenceImage, freePort, needDocker, REFERENCE_IMAGE, groupAlive, MODEL, ROOT, SHARE_TOKEN, runSimulator, serverEnv, spawnServer, startGeminiFace, SYSTEM_INSTRUCTION, tcpConnects, type GeminiFace, type ServerProcess } from '../testing/server-under-test.ts';

const SCALE = 0.05;
/** The face's agent, fast enough that a turn takes a few protocol seconds. */
const AGENT = { replyDelay: [0.5, 1] as [number, number], chunkGap: 0.3, greetingDelay: 0.2 };

let face: GeminiFace | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  if (server) {
    await server.stop();
    // The group's last process may still be on its way out when the direct child has exited.
    await expect.poll(() => groupAlive(server!.child.pid!), { timeout: 5_000 }).toBe(false);
  }
  await face?.close();
  face = undefined;
  server = undefined;
});

async function start(script: ServerScriptInput): Promise<{ face: GeminiFace; server: ServerProcess; port: number }> {
  face = await startGeminiFace(SCALE, { ...script, agent: { ...AGENT, ...script.agent } });
  const port = await freePort();
  server = spawnServer(serverEnv(port, face, SCALE));
  await server.line(/^listening on 127\.0\.0\.1:\d+$/);
  expect(await tcpConnects(port)).toBe(true);
  return { face, server, port };
}

/** Nothing the server printed holds the API key, the share token or a handle in full. */
function expectNoSecrets(printed: readonly string[], f: GeminiFace, shareToken: string): void {
  const text = printed.join('\n');
  const secrets = [f.server.apiKey, shareToken, ...f.server.secrets()].filter((s) => s.length >= 8);
  for (const secret of secrets) expect(text.includes(secret), `printed ${fingerprint(secret)} in full`).toBe(false);
}

describe('the reference AI-voice server between the simulator and the Gemini face', () => {
  it('a conversation completes: setup with the model and instruction, one kick-off, the turns counted', async () => {
    const { face: f, server: s, port } = await start({ expiry: { enabled: false } });
    const result = await runSimulator({ port, scale: SCALE, maxTurns: 3 });
    expect(result).toMatchObject({ status: 'completed', turns: 3, reconnects: 0, contextLost: false });
    const opens = f.server.journal.of('open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ resume: 'none', contextTurns: 0 });
    const setup = JSON.parse(f.server.journal.of('frame-in').find((e) => e.type === 'setup')!.text!) as { setup: Record<string, unknown> };
    expect(setup.setup).toMatchObject({ model: `models/${MODEL}`, sessionResumption: {}, systemInstruction: { parts: [{ text: SYSTEM_INSTRUCTION }] } });
    // The kick-off is a clientContent with turnComplete: the face counts it as prospect turn 1,
    // so the journal holds the simulator's turns plus one.
    expect(f.server.journal.of('prospect-turn').map((t) => t.turn)).toEqual([1, 2, 3, 4]);
    // The server closes its upstream once the client has gone.
    await whenJournaled(f.server.journal, 'close');
    expect(f.server.journal.of('close')).toMatchObject([{ by: 'client' }]);
    expectNoSecrets(s.output, f, SHARE_TOKEN);
  });

  it('a goAway rotation: the newest handle before session_expiring, a resume the face confirms with context, no context lost', async () => {
    const { face: f, server: s, port } = await start({ expiry: { lifetime: 30, timeLeft: 10 } });
    const result = await runSimulator({ port, scale: SCALE, maxTurns: 16 });
    expect(result).toMatchObject({ status: 'completed', turns: 16, contextLost: false });
    expect(result.reconnects).toBeGreaterThanOrEqual(1);
    const opens = f.server.journal.of('open');
    expect(opens.length).toBeGreaterThanOrEqual(2);
    const [first, ...resumes] = opens;
    expect(first).toMatchObject({ resume: 'none' });
    for (const open of resumes) {
      expect(open).toMatchObject({ resume: 'resumed' });
      expect(open.contextTurns).toBeGreaterThan(0);
      // The newest handle issued before the resume is the one presented.
      expect(open.handle?.id).toBe(open.latestIssued?.id);
    }
    // A resume carries no system instruction and no kick-off: the only setups with an
    // instruction are the fresh ones.
    const setups = f.server.journal.of('frame-in').filter((e) => e.type === 'setup').map((e) => JSON.parse(e.text!) as { setup: { systemInstruction?: unknown; sessionResumption?: { handle?: string } } });
    expect(setups.map((x) => x.setup.systemInstruction !== undefined)).toEqual(opens.map((o) => o.resume === 'none'));
    expect(setups.filter((x) => x.setup.sessionResumption?.handle !== undefined)).toHaveLength(resumes.length);
    // On the client's wire: session_expiring came with a handle, and each resume was confirmed.
    expect(result.events.filter((e) => e.kind === 'expiring').every((e) => e.hasHandle === true)).toBe(true);
    expect(result.events.filter((e) => e.kind === 'resumed')).toHaveLength(resumes.length);
    expectNoSecrets(s.output, f, SHARE_TOKEN);
  });

  it('a handle the upstream rejects is never confirmed: the server falls back to a fresh session silently', async () => {
    const { face: f, server: s, port } = await start({
      expiry: { enabled: false },
      validation: { rejectAll: true },
      faults: [{ note: 'the upstream connection drops after turn 2 and its handle', when: { turn: 2, phase: 'after-handle' }, connection: 1, do: { drop: {} } }],
    });
    const result = await runSimulator({ port, scale: SCALE, maxTurns: 5 });
    const opens = f.server.journal.of('open');
    // Connection 1 fresh; connection 2 presents the handle and is rejected before setupComplete;
    // connection 3 is the server's silent fresh session.
    expect(opens.slice(0, 3)).toMatchObject([{ resume: 'none' }, { resume: 'rejected', rejectReason: 'forced' }, { resume: 'none' }]);
    expect(result.events.filter((e) => e.kind === 'resumed')).toEqual([]);
    expect(result.events.some((e) => e.kind === 'resume-silently-rejected')).toBe(true);
    // The simulator cannot keep its context: it must not report a completed conversation as if it had.
    expect(result.status === 'failed' || result.contextLost).toBe(true);
    expect(s.output.some((l) => /Gemini rejected the resume/.test(l))).toBe(true);
    // The fallback is a fresh session like any other: the instruction, no handle, the kick-off
    // (the face journals it as prospect turn 1 of an empty context).
    const setups = f.server.journal.of('frame-in').filter((e) => e.type === 'setup').map((e) => JSON.parse(e.text!) as { setup: { systemInstruction?: unknown; sessionResumption?: { handle?: string } } });
    expect(setups[2]!.setup.systemInstruction).toBeDefined();
    expect(setups[2]!.setup.sessionResumption).toEqual({});
    expect(await whenJournaled(f.server.journal, 'prospect-turn', (t) => t.conn === opens[2]!.conn)).toMatchObject({ turn: 1, contextTurns: 0 });
    expectNoSecrets(s.output, f, SHARE_TOKEN);
  });

  it('a handle it never saw Gemini issue is refused: never passed upstream, never confirmed (a fresh session instead)', async () => {
    const { face: f, port } = await start({ expiry: { enabled: false } });
    const client = await rawConversation(port, 'forged-handle-0123456789abcdef');
    const first = await client.untilType('transcript', (m) => m.final === true);
    expect(client.seen.map((m) => m.type)).not.toContain('session:resumed');
    expect(first.text.length).toBeGreaterThan(0);
    const opens = f.server.journal.of('open');
    expect(opens).toMatchObject([{ resume: 'none', presented: null }]);
    expect(client.jsonInBinary).toEqual([]);
    client.ws.close(1000);
    await whenJournaled(f.server.journal, 'close');
  });

  it('a client that does not rotate: the handle, then session_expiring (timeLeft from goAway), then 1000 when the upstream ends at its deadline', async () => {
    const { face: f, port } = await start({ expiry: { lifetime: 30, timeLeft: 10 } });
    const client = await rawConversation(port);
    await client.untilType('transcript', (m) => m.final === true);
    const expiring = await client.untilType('session_expiring');
    expect(expiring).toMatchObject({ timeLeft: 10, hasHandle: true });
    const before = client.seen[client.seen.indexOf(expiring) - 1];
    const handles = client.seen.filter((m) => m.type === 'session_resumption_update' && m.resumable);
    expect(before).toEqual(handles.at(-1));
    expect(await client.closed).toMatchObject({ code: 1000 });
    // Gemini's own close at the deadline is its overrun close (1008); the client gets 1000.
    expect(f.server.journal.of('close')).toMatchObject([{ code: 1008, by: 'server', cause: 'expiry-deadline' }]);
    expect(client.jsonInBinary).toEqual([]);
  });

  it('SIGTERM: open clients get 1001, the upstream is closed, the process group exits by itself', async () => {
    const { face: f, server: s, port } = await start({ expiry: { enabled: false } });
    const client = await rawConversation(port);
    await client.untilType('transcript', (m) => m.final === true);
    process.kill(-s.child.pid!, 'SIGTERM');
    expect(await client.closed).toMatchObject({ code: 1001 });
    expect(await s.exited).toEqual({ code: 0, signal: null });
    await expect.poll(() => groupAlive(s.child.pid!), { timeout: 5_000 }).toBe(false);
    await whenJournaled(f.server.journal, 'close');
    expect(f.server.journal.of('close')).toMatchObject([{ by: 'client' }]);
    server = undefined;
  });
});


describe('the reference server as a container (server-contract.md §1, image:NAME)', () => {
  it('builds the image, starts it with host networking, carries a conversation, stops on SIGTERM', async (ctx) => {
    needDocker(ctx);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const built = buildReferenceImage();
    expect(built.status, built.output).toBe(0);
    timings.buildMs = performance.now() - t;

    // testcontainers 12.0.1 without Ryuk (it would pull an image) and without the bridge network
    // (dockerd runs with --bridge=none): gemini-live.md §7.6.
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
    const { GenericContainer, Wait } = await import('testcontainers');
    face = await startGeminiFace(SCALE, { expiry: { enabled: false }, agent: AGENT });
    const port = await freePort();
    t = performance.now();
    const container = await new GenericContainer(REFERENCE_IMAGE)
      .withNetworkMode('host')
      .withEnvironment(serverEnv(port, face, SCALE))
      .withWaitStrategy(Wait.forLogMessage(/listening on 127\.0\.0\.1:\d+/))
      .withStartupTimeout(60_000)
      .start();
    timings.startMs = performance.now() - t;
    try {
      expect(await tcpConnects(port)).toBe(true);
      const result = await runSimulator({ port, scale: SCALE, maxTurns: 3 });
      expect(result).toMatchObject({ status: 'completed', turns: 3, reconnects: 0, contextLost: false });
      expect(face.server.journal.of('open')).toMatchObject([{ resume: 'none' }]);
      await whenJournaled(face.server.journal, 'close');
    } finally {
      t = performance.now();
      await container.stop({ timeout: 5_000, remove: false });
      timings.stopMs = performance.now() - t;
    }
    // Stopped by SIGTERM within the grace period: exit 0 (a SIGKILL would be 137), its own log says so.
    const state = spawnSync('docker', ['inspect', '--format', '{{.State.ExitCode}}', container.getId()], { encoding: 'utf8' });
    const logs = spawnSync('docker', ['logs', container.getId()], { encoding: 'utf8' });
    spawnSync('docker', ['rm', '-f', container.getId()]);
    expect(state.stdout.trim()).toBe('0');
    expect(logs.stdout).toContain('SIGTERM: stopping');
    expect(logs.stdout + logs.stderr).not.toContain(face.server.apiKey);
    expect(await tcpConnects(port)).toBe(false);
    console.info(`reference server image: build ${Math.round(timings.buildMs)} ms, start to log line ${Math.round(timings.startMs!)} ms, stop (SIGTERM, exit 0) ${Math.round(timings.stopMs!)} ms`);
  }, 360_000);
});

interface RawConversation {
  readonly ws: WebSocket;
  readonly seen: ServerMessage[];
  /** Binary frames that held JSON: there must be none (JSON goes in text frames, server-contract.md §2). */
  readonly jsonInBinary: string[];
  readonly closed: Promise<{ code: number; reason: string }>;
  untilType<T extends ServerMessage['type']>(type: T, match?: (m: Extract<ServerMessage, { type: T }>) => boolean): Promise<Extract<ServerMessage, { type: T }>>;
}

/** A bare client of the AI-voice protocol: one session, one socket, the messages it got. */
async function rawConversation(port: number, resumeHandle?: string): Promise<RawConversation> {
  const response = await fetch(`http://127.0.0.1:${port}${sessionPath(SHARE_TOKEN)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prospectName: 'Dana Reyes' }) });
  expect(response.status).toBe(201);
  const { sessionToken } = (await response.json()) as { sessionToken: string };
  const ws = new WebSocket(buildConnectUrl(`ws://127.0.0.1:${port}${WS_PATH}`, { sessionToken, shareToken: SHARE_TOKEN, resumeHandle }));
  const seen: ServerMessage[] = [];
  const jsonInBinary: string[] = [];
  const waiters: Array<(m: ServerMessage) => boolean> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (data[0] === 0x7b) jsonInBinary.push(data.toString('utf8').slice(0, 80));
      return;
    }
    const decoded = decodeServerFrame(data.toString('utf8'));
    if (decoded.state !== 'valid') return;
    seen.push(decoded.message);
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!(decoded.message)) waiters.splice(i, 1);
  });
  const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code: number, reason: Buffer) => done({ code, reason: reason.toString('utf8') })));
  await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
  return {
    ws,
    seen,
    jsonInBinary,
    closed,
    untilType: (type, match = () => true) => new Promise((resolve, reject) => {
      const test = (m: ServerMessage): boolean => {
        if (m.type !== type || !match(m as never)) return false;
        resolve(m as never);
        return true;
      };
      if (seen.some(test)) return;
      waiters.push(test);
      void closed.then((c) => reject(new Error(`the socket closed (${c.code}) before a ${type}`)));
    }),
  };
}
