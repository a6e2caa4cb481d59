/**
 * The mock-server fuzz over real sockets (issue 13 §1): one mock server on 127.0.0.1 (the `ws`
 * transport), hostile clients on tenants of their own sending the inputs of hostile-inputs.ts,
 * and well-behaved conversations of the reference client on the same server, judged as any run
 * is. What it counts: inputs sent, inputs the journal shows (each frame as a `frame-in` of its
 * connection or that connection's close; each refused upgrade as one `upgrade-rejected`; each
 * foreign resume as an `open` rejected `foreign`; each reset as a close by the network),
 * crashes (an exception escaping the server), peak RSS, and disturbed conversations (a
 * well-behaved run whose verdict is not OK).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { scaledClock } from '../../../protocol/clock.ts';
import { SecretRedactor } from '../../../protocol/redact.ts';
import { AiVoiceServer, GeminiLiveServer, startWsServer, type JournalEvent, type RunningServer } from '../../../mock-server/index.ts';
import { analyseRun } from '../../../harness/analysis/run-analysis.ts';
import { judge } from '../../../harness/judge/judge.ts';
import { loadCatalog } from '../../../harness/scenario/loader.ts';
import type { Scenario } from '../../../harness/scenario/schema.ts';
import { builtinSut } from '../../../harness/sut/builtin-sut.ts';
import { geminiBuiltinSut } from '../../../harness/sut/gemini-builtin-sut.ts';
import { TappedJournal } from './journal-tap.ts';
import { drawInputs, weightOf, type Face, type HostileInput, type HostileKind } from './hostile-inputs.ts';

export interface FuzzOptions {
  readonly face: Face;
  /** Hostile inputs to send (at least; a flood counts each frame). */
  readonly inputs: number;
  readonly seed: number;
  /** Hostile clients at once. */
  readonly workers?: number;
  /** The scenario the well-behaved conversations play (its server script is the server's). */
  readonly scenarioId?: string;
  /**
   * Real seconds per protocol second. The fuzz clients share the server's process and its two
   * cores: under them the event loop lags tens of milliseconds, which at the catalog's fastest
   * scales (1 protocol s = 8 ms) reads as a slow server; at 0.1 it stays a small part of a second.
   */
  readonly timeScale?: number;
  /** Real ms an input may take to show in the journal before it counts as lost. */
  readonly evidenceMs?: number;
}

export interface FuzzFigures {
  readonly face: Face;
  readonly inputsSent: number;
  readonly byKind: Record<HostileKind, number>;
  /** Inputs with no trace in the journal (must be 0), with what was missing. */
  readonly unjournaled: string[];
  /** Frames journaled as a `frame-in`; the rest of the frame inputs met their connection's close. */
  readonly framesJournaled: number;
  readonly refusedUpgradesSeen: number;
  readonly refusedUpgradesJournaled: number;
  readonly foreignResumesRefused: number;
  /** Exceptions that escaped into the process while the fuzz ran. */
  readonly crashes: string[];
  /** Secrets of the server (tokens, keys, handles) found in full in the journal (must be 0). */
  readonly secretsInJournal: number;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  readonly wellBehaved: Array<{ verdict: string; reasons: string[] }>;
  readonly conversationsDisturbed: number;
  /** The server answered a fresh, well-formed session after everything. */
  readonly aliveAfter: boolean;
  readonly wallMs: number;
  /** The event loop's delay while the fuzz ran (p99 and max, real ms): what the load cost everyone on the server. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly timeScale: number;
}

const MAX_PAYLOAD = 1024 * 1024;

export async function fuzzMockServer(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const face = options.face;
  const workers = options.workers ?? 12;
  const evidenceMs = options.evidenceMs ?? 5_000;
  // Flapping: connections cut and resumed while the fuzz runs, at the catalog's own network time scale.
  const scenario = pickScenario(options.scenarioId ?? 'flapping', face);
  const timeScale = options.timeScale ?? 0.1;
  const inputs = drawInputs(face, options.inputs, options.seed);
  const journal = new TappedJournal();
  const clock = scaledClock(timeScale);
  const tenantsOf = (w: number): [string, string] => [`fuzz_a_${w}_${'0'.repeat(12)}`, `fuzz_b_${w}_${'0'.repeat(12)}`];
  const goodKeys = Array.from({ length: 64 }, (_, i) => `good_${i}_${'1'.repeat(12)}`);
  const tenants = [...Array.from({ length: workers }, (_, w) => tenantsOf(w)).flat(), ...goodKeys];
  const server = face === 'ai-voice'
    ? new AiVoiceServer({ clock, seed: options.seed, script: scenario.server, journal, tenants })
    : new GeminiLiveServer({ clock, seed: options.seed, script: scenario.server, journal, tenants });
  const running = await startWsServer(server);

  const crashes: string[] = [];
  const onCrash = (error: unknown): void => { crashes.push(String((error as Error)?.stack ?? error)); };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const baselineRssBytes = process.memoryUsage.rss();
  let peakRssBytes = baselineRssBytes;
  const sampleRss = (): void => { peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss()); };
  const rssTimer = setInterval(sampleRss, 50);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const byKind = Object.fromEntries(['invalid-json', 'wrong-shape', 'binary', 'bad-utf8', 'oversize', 'flood', 'slow-loris', 'bad-token', 'foreign-handle', 'never-close', 'reset', 'secret-in-frame'].map((k) => [k, 0])) as Record<HostileKind, number>;
  const tally = { sent: 0, framesJournaled: 0, refusedSeen: 0, foreign: 0 };
  const unjournaled: string[] = [];
  const held: WebSocket[] = [];

  // The well-behaved conversations, one after another on keys of their own, until the fuzz ends.
  let fuzzing = true;
  const wellBehaved: Array<{ verdict: string; reasons: string[] }> = [];
  const goodLoop = (async () => {
    for (let i = 0; i < goodKeys.length && (fuzzing || wellBehaved.length === 0); i++) wellBehaved.push(await wellBehavedRun(face, server, running, journal, goodKeys[i]!, scenario, options.seed + i, timeScale));
  })();

  const ctx: WorkerContext = { face, server, running, journal, evidenceMs, tally, byKind, unjournaled, held };
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const worker = new HostileWorker(ctx, ...tenantsOf(w));
    for (let i = next++; i < inputs.length; i = next++) {
      const input = inputs[i]!;
      try {
        await worker.send(input);
      } catch (error) {
        unjournaled.push(`input ${i} (${input.kind}): the fuzz client failed: ${(error as Error).message}`);
      }
      tally.sent += weightOf(input);
      byKind[input.kind] += weightOf(input);
    }
    worker.dispose();
  }));
  fuzzing = false;
  await goodLoop;

  // Every refused upgrade a hostile client saw is one upgrade-rejected record of a hostile tenant (or none known).
  const goodConversations = conversationsOf(server, new Set(goodKeys));
  const refusedJournaled = journal.events.filter((e) => e.kind === 'upgrade-rejected' && (e.conversationId === undefined || !goodConversations.has(e.conversationId))).length;
  if (refusedJournaled !== tally.refusedSeen) unjournaled.push(`refused upgrades: ${tally.refusedSeen} seen by the clients, ${refusedJournaled} journaled`);

  const aliveAfter = await probeAlive(face, server, running, journal, goodKeys.at(-1)!, evidenceMs);
  for (const ws of held) ws.terminate();
  clearInterval(rssTimer);
  loopDelay.disable();
  sampleRss();
  // After the measures (one JSON text of the whole journal is a long task): under hostile input too, the journal holds no secret in full (frames are redacted as they are recorded).
  const redactor = new SecretRedactor();
  for (const secret of server.secrets()) redactor.add(secret);
  const journalText = JSON.stringify(journal.events);
  const secretsInJournal = redactor.redact(journalText) === journalText ? 0 : server.secrets().filter((x) => journalText.includes(x)).length;

  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  server.dispose();
  await running.close();
  return {
    face,
    inputsSent: tally.sent,
    byKind,
    unjournaled,
    framesJournaled: tally.framesJournaled,
    refusedUpgradesSeen: tally.refusedSeen,
    refusedUpgradesJournaled: refusedJournaled,
    foreignResumesRefused: tally.foreign,
    crashes,
    secretsInJournal,
    baselineRssBytes,
    peakRssBytes,
    wellBehaved,
    conversationsDisturbed: wellBehaved.filter((r) => r.verdict !== 'OK').length,
    aliveAfter,
    wallMs: performance.now() - started,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    timeScale,
  };
}

type AnyServer = AiVoiceServer | GeminiLiveServer;

interface WorkerContext {
  readonly face: Face;
  readonly server: AnyServer;
  readonly running: RunningServer;
  readonly journal: TappedJournal;
  readonly evidenceMs: number;
  readonly tally: { sent: number; framesJournaled: number; refusedSeen: number; foreign: number };
  readonly byKind: Record<HostileKind, number>;
  readonly unjournaled: string[];
  readonly held: WebSocket[];
}

interface Open {
  readonly ws: WebSocket;
  readonly conn: number;
  /** Frames this client has sent on it (setup included). */
  sent: number;
}

/** One hostile client: its own two tenants (A for everything, B for foreign resumes), one input at a time. */
class HostileWorker {
  private current: Open | null = null;
  /** The last handle this client was given (foreign-handle mints them). */
  private lastHandle: string | null = null;

  constructor(private readonly ctx: WorkerContext, private readonly tenantA: string, private readonly tenantB: string) {}

  async send(input: HostileInput): Promise<void> {
    switch (input.kind) {
      case 'invalid-json':
      case 'wrong-shape':
        return this.frames([input.text], input.kind);
      case 'flood':
        return this.frames(input.frames, 'flood');
      case 'binary':
        return this.frames([input.bytes], 'binary');
      case 'bad-utf8':
        return this.closedBy(input.kind, (ws) => ws.send(Buffer.from(input.bytes), { binary: false }), 1007);
      case 'oversize':
        return this.closedBy(input.kind, (ws) => ws.send(Buffer.alloc(MAX_PAYLOAD + input.extra, 0x61), { binary: false }), 1009);
      case 'reset':
        return this.reset(input.midFrame);
      case 'bad-token':
        return this.badUpgrade(input.query, null);
      case 'slow-loris':
        return this.badUpgrade(input.query, input.chunk);
      case 'foreign-handle':
        return this.foreign();
      case 'secret-in-frame': {
        // Its own credential and, once it holds one, a handle: as a prospect's words (AI-voice) or user text (Gemini).
        const secrets = `${input.prefix} ${this.tenantA} ${this.lastHandle ?? ''}`;
        const text = this.ctx.face === 'ai-voice' ? JSON.stringify({ type: 'prospect_message', text: secrets }) : JSON.stringify({ realtimeInput: { text: secrets } });
        return this.frames([text], input.kind);
      }
      case 'never-close': {
        const open = await this.open(this.tenantA, null);
        this.ctx.held.push(open.ws);
        return;
      }
    }
  }

  dispose(): void {
    this.current?.ws.terminate();
    this.current = null;
  }

  /** Frames on the worker's connection: each must show as a frame-in, or meet the connection's close. */
  private async frames(frames: ReadonlyArray<string | Uint8Array>, kind: string): Promise<void> {
    const open = await this.usable();
    const before = this.ctx.journal.frameCount(open.conn);
    for (const frame of frames) {
      if (typeof frame === 'string') open.ws.send(frame);
      else open.ws.send(Buffer.from(frame), { binary: true });
    }
    open.sent += frames.length;
    const { journal } = this.ctx;
    const target = before + frames.length;
    const shown = await journal.until(() => journal.frameCount(open.conn) >= target || journal.closes.has(open.conn), this.ctx.evidenceMs);
    const journaled = Math.min(frames.length, journal.frameCount(open.conn) - before);
    this.ctx.tally.framesJournaled += journaled;
    if (!shown) this.ctx.unjournaled.push(`${kind}: ${frames.length - journaled} of ${frames.length} frames on connection ${open.conn} never journaled, and the connection was not closed`);
    if (journal.closes.has(open.conn)) this.drop();
  }

  /** A frame the WebSocket layer refuses: the journal shows the connection closed with `code`. */
  private async closedBy(kind: string, write: (ws: WebSocket) => void, code: number): Promise<void> {
    const open = await this.usable();
    write(open.ws);
    const { journal } = this.ctx;
    await journal.until(() => journal.closes.has(open.conn), this.ctx.evidenceMs);
    const close = journal.closes.get(open.conn);
    if (!close) this.ctx.unjournaled.push(`${kind}: connection ${open.conn} not closed in the journal`);
    // Refused by the WebSocket layer with `code`, unless the script's own fault (flapping) or the face closed it first.
    else if (close.cause?.startsWith('transport') && close.code !== code) this.ctx.unjournaled.push(`${kind}: connection ${open.conn} closed ${close.code} (${close.cause ?? 'no cause'}), expected ${code}`);
    this.drop();
  }

  private async reset(midFrame: boolean): Promise<void> {
    const open = await this.usable();
    const socket = (open.ws as unknown as { _socket: Socket })._socket;
    // Half a frame header (a masked text frame of 200 bytes announced), then the reset.
    if (midFrame) socket.write(Buffer.from([0x81, 0xfe, 0x00]));
    socket.resetAndDestroy();
    const { journal } = this.ctx;
    await journal.until(() => journal.closes.has(open.conn), this.ctx.evidenceMs);
    if (!journal.closes.has(open.conn)) this.ctx.unjournaled.push(`reset: connection ${open.conn} not closed in the journal`);
    this.current = null;
  }

  private async foreign(): Promise<void> {
    const minted = await this.open(this.tenantA, null, true);
    const handle = minted.handle;
    this.lastHandle = handle ?? this.lastHandle;
    minted.open.ws.terminate();
    if (this.current?.ws === minted.open.ws) this.current = null;
    if (handle === null) {
      this.ctx.unjournaled.push('foreign-handle: no handle was minted under tenant A');
      return;
    }
    const { journal } = this.ctx;
    const presented = await this.open(this.tenantB, handle);
    const opened = [...journal.opens.values()].flat().find((o) => o.conn === presented.conn);
    if (opened?.resume === 'rejected' && opened.rejectReason === 'foreign' && opened.contextTurns === 0) this.ctx.tally.foreign += 1;
    else this.ctx.unjournaled.push(`foreign-handle: connection ${presented.conn} opened ${opened?.resume ?? 'unjournaled'} (${opened?.rejectReason ?? '-'})`);
    presented.ws.terminate();
  }

  /** An upgrade with bad credentials, whole or dripped: refused, and counted against the journal at the end. */
  private async badUpgrade(query: string, chunk: number | null): Promise<void> {
    const { running, face } = this.ctx;
    const path = face === 'ai-voice' ? '/ws/ai-voice' : new URL(running.wsUrl).pathname;
    const port = running.port;
    const request = `GET ${path}${query ? `?${query}` : ''} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const answer = await new Promise<string>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port });
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
        // A Gemini refusal after the upgrade: 101, then a close frame; answer it by leaving.
        if (!got.startsWith('HTTP/1.1 101') || /\r\n\r\n[\s\S]*\x88/.test(got)) socket.destroy();
      });
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
      socket.on('connect', () => {
        if (chunk === null) {
          socket.write(request);
          return;
        }
        // The slow loris: a few bytes per write, each after the previous one left and the loop turned.
        let at = 0;
        const drip = (): void => {
          if (at >= request.length || socket.destroyed) return;
          const piece = request.slice(at, at + chunk);
          at += chunk;
          socket.write(piece, () => setImmediate(drip));
        };
        drip();
      });
    });
    const status = /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1];
    if (status === undefined) this.ctx.unjournaled.push(`upgrade ?${query}: no HTTP answer`);
    else if (status === '101' && face === 'ai-voice') this.ctx.unjournaled.push(`upgrade ?${query}: accepted with bad credentials`);
    else this.ctx.tally.refusedSeen += 1;
  }

  private async usable(): Promise<Open> {
    if (this.current && this.current.ws.readyState === WebSocket.OPEN && !this.ctx.journal.closes.has(this.current.conn)) return this.current;
    this.drop();
    this.current = await this.open(this.tenantA, null);
    return this.current;
  }

  private drop(): void {
    if (this.current) this.current.ws.terminate();
    this.current = null;
  }

  /** A well-formed connection under `tenant` (a new AI-voice session, or a Gemini setup), its journal `open` awaited. */
  private async open(tenant: string, handle: string | null): Promise<Open & { ws: WebSocket }>;
  private async open(tenant: string, handle: string | null, wantHandle: true): Promise<{ open: Open; handle: string | null }>;
  private async open(tenant: string, handle: string | null, wantHandle = false): Promise<Open | { open: Open; handle: string | null }> {
    const { face, running, journal, server } = this.ctx;
    let url: string;
    let conversationId: () => string | undefined;
    if (face === 'ai-voice') {
      const created = await fetch(`${running.httpUrl}/api/sales-agent/${tenant}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prospectName":"Fuzz"}' });
      const body = (await created.json()) as { sessionToken: string; conversationId: string };
      const id = body.conversationId;
      conversationId = () => id;
      url = `${running.wsUrl}?mode=sales_agent&sessionToken=${body.sessionToken}&shareToken=${tenant}${handle ? `&resumeHandle=${encodeURIComponent(handle)}` : ''}`;
    } else {
      conversationId = () => server.conversations.find((c) => c.shareToken === tenant)?.id;
      url = `${running.wsUrl}?key=${tenant}`;
    }
    const before = (() => { const id = conversationId(); return id === undefined ? 0 : (journal.opens.get(id)?.length ?? 0); })();
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    let minted: string | null = null;
    let resolveHandle: (() => void) | null = null;
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      const update = (message.type === 'session_resumption_update' ? message : message.sessionResumptionUpdate) as { handle?: string; newHandle?: string; resumable?: boolean } | undefined;
      const value = update?.handle ?? update?.newHandle;
      if (update?.resumable && value) {
        minted = value;
        resolveHandle?.();
      }
    });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
      ws.once('close', () => reject(new Error('closed before open')));
    });
    if (face === 'gemini-live') ws.send(JSON.stringify({ setup: { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: handle ? { handle } : {} } }));
    const appeared = await journal.until(() => { const id = conversationId(); return id !== undefined && (journal.opens.get(id)?.length ?? 0) > before; }, this.ctx.evidenceMs);
    if (!appeared) throw new Error(`the connection under ${tenant} never showed in the journal`);
    const conn = journal.opens.get(conversationId()!)!.at(-1)!.conn;
    const open: Open = { ws, conn, sent: face === 'gemini-live' ? 1 : 0 };
    if (!wantHandle) return open;
    // A handle: AI-voice issues one after the greeting; Gemini after a turn.
    if (face === 'gemini-live') ws.send(JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello, this is the fuzz.' }] }], turnComplete: true } }));
    if (minted === null) {
      await new Promise<void>((resolve) => {
        resolveHandle = resolve;
        const timer = setTimeout(resolve, this.ctx.evidenceMs);
        ws.once('close', () => { clearTimeout(timer); resolve(); });
      });
    }
    return { open, handle: minted };
  }
}

function pickScenario(id: string, face: Face): Scenario {
  const found = loadCatalog().find((l) => l.scenario.id === id)?.scenario;
  if (!found) throw new Error(`no scenario ${id}`);
  if (!found.faces.includes(face)) throw new Error(`scenario ${id} is not on the ${face} face`);
  return found;
}

function conversationsOf(server: AnyServer, keys: ReadonlySet<string>): Set<string> {
  return new Set(server.conversations.filter((c) => keys.has(c.shareToken)).map((c) => c.id));
}

/** The events of some conversations only: theirs, and their connections'. */
export function eventsOfConversations(events: readonly JournalEvent[], conversations: ReadonlySet<string>): JournalEvent[] {
  const conns = new Set<number>();
  return events.filter((e) => {
    if (e.kind === 'open') {
      if (!conversations.has(e.conversationId)) return false;
      conns.add(e.conn);
      return true;
    }
    if (e.kind === 'http-session' || e.kind === 'upgrade-rejected') return e.conversationId !== undefined && conversations.has(e.conversationId);
    if (e.kind === 'restart') return true;
    return 'conn' in e && e.conn !== undefined && conns.has(e.conn);
  });
}

/** One conversation of the reference client under `key`, judged on its own events as a run is. */
async function wellBehavedRun(face: Face, server: AnyServer, running: RunningServer, journal: TappedJournal, key: string, scenario: Scenario, seed: number, timeScale: number): Promise<{ verdict: string; reasons: string[] }> {
  const sut = face === 'ai-voice' ? builtinSut() : geminiBuiltinSut();
  const workDir = mkdtempSync(join(tmpdir(), 'resume-harness-fuzz-'));
  const output: string[] = [];
  const wallLimitMs = scenario.limit * 1000 * timeScale + 20_000;
  try {
    const outcome = await sut.run({ protocol: face, httpUrl: running.httpUrl, wsUrl: running.wsUrl, shareToken: key, maxTurns: scenario.conversation.maxTurns, seed, mode: 'network', timeScale, workDir, wallLimitMs, output: (line) => output.push(line) });
    const mine = eventsOfConversations(journal.events, conversationsOf(server, new Set([key])));
    const analysis = analyseRun(mine, server.clock.now(), { freshConnectionStartsSession: face === 'gemini-live' });
    const judgement = judge({ scenario, protocol: face, analysis, client: outcome.report, output, secrets: server.secrets() });
    const reasons = Object.entries(judgement.axes).filter(([, a]) => a.verdict !== 'OK' && a.verdict !== 'INFORMATIONAL').map(([axis, a]) => `${axis}: ${a.reason}`);
    if (judgement.overall !== 'OK') reasons.push(`client output: ${output.slice(-4).join(' / ')}`);
    return { verdict: judgement.overall, reasons };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** After everything: a well-formed connection still opens and is journaled. */
async function probeAlive(face: Face, server: AnyServer, running: RunningServer, journal: TappedJournal, key: string, evidenceMs: number): Promise<boolean> {
  const ctx: WorkerContext = { face, server, running, journal, evidenceMs, tally: { sent: 0, framesJournaled: 0, refusedSeen: 0, foreign: 0 }, byKind: {} as Record<HostileKind, number>, unjournaled: [], held: [] };
  try {
    const worker = new HostileWorker(ctx, key, key);
    await worker.send({ kind: 'invalid-json', text: '{' });
    worker.dispose();
    return ctx.tally.framesJournaled === 1 && ctx.unjournaled.length === 0;
  } catch {
    return false;
  }
}
