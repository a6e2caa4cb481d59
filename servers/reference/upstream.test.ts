/**
 * The Gemini upstream through the real @google/genai 2.32.0, against the mock Gemini face and
 * against a server that accepts the socket and never answers the setup. 2.32.0's connect()
 * never settles when the upstream closes before setupComplete (gemini-live.md §7.4): readiness
 * and failure must come from onclose and the connect deadline instead. No sleeps.
 */
import type { LiveServerMessage } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { scaledClock } from '../../protocol/clock.ts';
import { GeminiLiveServer, startWsServer, type RunningServer } from '../../mock-server/index.ts';
import { whenJournaled } from '../../test/testing/gemini-sdk.ts';
import { geminiUpstreamFactory, type UpstreamClosed, type UpstreamEvents } from './upstream.ts';

const SCALE = 0.01;
const MODEL = 'gemini-live-2.5-flash-preview';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function face(): Promise<{ server: GeminiLiveServer; running: RunningServer }> {
  const server = new GeminiLiveServer({ clock: scaledClock(SCALE), seed: 5, script: { agent: { replyDelay: [0.5, 1], chunkGap: 0.2 } } });
  const running = await startWsServer(server);
  cleanups.push(async () => { server.dispose(); await running.close(); });
  return { server, running };
}

function recorder() {
  const messages: LiveServerMessage[] = [];
  let onReady!: () => void;
  let onClosed!: (closed: UpstreamClosed) => void;
  const ready = new Promise<void>((resolve) => { onReady = resolve; });
  const closed = new Promise<UpstreamClosed>((resolve) => { onClosed = resolve; });
  const waiters: Array<(m: LiveServerMessage) => boolean> = [];
  const events: UpstreamEvents = {
    ready: () => onReady(),
    message: (m) => {
      messages.push(m);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!(m)) waiters.splice(i, 1);
    },
    closed: (c) => onClosed(c),
  };
  const until = (match: (m: LiveServerMessage) => boolean): Promise<LiveServerMessage> => new Promise((resolve) => {
    const found = messages.find(match);
    if (found) return resolve(found);
    waiters.push((m) => { if (!match(m)) return false; resolve(m); return true; });
  });
  return { events, messages, ready, closed, until };
}

describe('the Gemini upstream (@google/genai 2.32.0)', () => {
  it('fresh: setup with the model, the instruction and sessionResumption {}; a turn; a handle; close() closes the socket', async () => {
    const f = await face();
    const upstreams = geminiUpstreamFactory({ apiKey: f.server.apiKey, clock: scaledClock(SCALE), connectTimeoutMs: 10_000, baseUrl: f.running.httpUrl });
    const r = recorder();
    const upstream = upstreams({ model: MODEL, systemInstruction: 'Be Riley.', label: 't' }, r.events);
    await r.ready;
    upstream.sendTurn('Greet the prospect.');
    await r.until((m) => m.serverContent?.turnComplete === true);
    const handle = await r.until((m) => m.sessionResumptionUpdate?.resumable === true);
    expect(handle.sessionResumptionUpdate?.newHandle).toEqual(expect.any(String));
    expect(r.messages.some((m) => m.setupComplete !== undefined)).toBe(false);
    const setup = JSON.parse(f.server.journal.of('frame-in').find((e) => e.type === 'setup')!.text!) as { setup: Record<string, unknown> };
    expect(setup.setup).toMatchObject({ model: `models/${MODEL}`, sessionResumption: {}, systemInstruction: { parts: [{ text: 'Be Riley.' }] }, generationConfig: { responseModalities: ['AUDIO'] }, outputAudioTranscription: {} });
    upstream.close();
    expect(await whenJournaled(f.server.journal, 'close')).toMatchObject({ by: 'client' });
  });

  it('a handle the upstream rejects: `closed` before ready, with Gemini\'s code, though connect() never settles', async () => {
    const f = await face();
    const upstreams = geminiUpstreamFactory({ apiKey: f.server.apiKey, clock: scaledClock(SCALE), connectTimeoutMs: 10_000, baseUrl: f.running.httpUrl });
    const r = recorder();
    upstreams({ model: MODEL, handle: 'no-such-handle', label: 't' }, r.events);
    expect(await r.closed).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found', beforeReady: true, timedOut: false });
    const setup = JSON.parse(f.server.journal.of('frame-in').find((e) => e.type === 'setup')!.text!) as { setup: Record<string, unknown> };
    expect(setup.setup).toMatchObject({ sessionResumption: { handle: 'no-such-handle' } });
    expect(setup.setup.systemInstruction).toBeUndefined();
  });

  it('a setup nobody answers: `closed` (timedOut) at the connect deadline, on the scaled clock, and the socket is closed', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }));
    const serverSide = new Promise<{ closed: Promise<void> }>((resolve) => wss.once('connection', (ws) => resolve({ closed: new Promise<void>((done) => ws.once('close', () => done())) })));
    const port = (wss.address() as { port: number }).port;
    const upstreams = geminiUpstreamFactory({ apiKey: 'k', clock: scaledClock(SCALE), connectTimeoutMs: 10_000, baseUrl: `http://127.0.0.1:${port}` });
    const r = recorder();
    const started = Date.now();
    upstreams({ model: MODEL, label: 't' }, r.events);
    expect(await r.closed).toMatchObject({ beforeReady: true, timedOut: true });
    // 10 protocol seconds at 0.01 real seconds each.
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    await (await serverSide).closed;
  });
});
