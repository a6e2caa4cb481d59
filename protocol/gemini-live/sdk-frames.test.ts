/**
 * The real @google/genai 2.32.0 against a bare `ws` server on 127.0.0.1: what it sends
 * (upgrade path, headers, frames) must pass `parseEndpoint` and the client schemas, and
 * what a server sends in the schemas' shape must reach its callbacks intact.
 * No timers: every wait is on an event or a promise.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleGenAI, Modality, type LiveServerMessage, type Session } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GeminiCloses } from './close-codes.ts';
import { parseEndpoint } from './endpoint.ts';
import { decodeClientFrame, decodeServerFrame, formatServerFrame, type ClientMessage, type ServerMessage } from './messages.ts';

const SDK_VERSION = '2.32.0';
const MODEL = 'gemini-2.0-flash-live-001';

/** A FIFO that hands items to whoever waits for the next one. */
class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  get size(): number {
    return this.items.length;
  }
}

interface Frame {
  readonly data: RawData;
  readonly isBinary: boolean;
}
interface Connection {
  readonly ws: WebSocket;
  readonly request: IncomingMessage;
  readonly frames: Queue<Frame>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

let wss: WebSocketServer;
let connections: Queue<Connection>;
let baseUrl: string;

beforeEach(async () => {
  connections = new Queue();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws, request) => {
    const frames = new Queue<Frame>();
    ws.on('message', (data, isBinary) => frames.push({ data, isBinary }));
    const closed = once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
    connections.push({ ws, request, frames, closed });
  });
  await once(wss, 'listening');
  baseUrl = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
});

const sendServer = (ws: WebSocket, message: ServerMessage): void => {
  // As the real service: binary frames of pretty-printed JSON (§1.2).
  expect(decodeServerFrame(formatServerFrame(message)).state).toBe('valid');
  ws.send(Buffer.from(formatServerFrame(message)), { binary: true });
};

function parseClient(frame: Frame): ClientMessage {
  const decoded = decodeClientFrame(frame.isBinary ? (frame.data as Buffer) : String(frame.data));
  if (decoded.state !== 'valid') throw new Error(`${decoded.state}: ${decoded.problem}`);
  return decoded.message;
}

function callbacks() {
  const messages = new Queue<LiveServerMessage>();
  const closes = new Queue<{ code: number; reason: string }>();
  return {
    messages,
    closes,
    callbacks: {
      onmessage: (m: LiveServerMessage) => messages.push(m),
      onclose: (e: { code: number; reason: string }) => closes.push({ code: e.code, reason: e.reason }),
      onerror: () => {},
    },
  };
}

describe(`@google/genai ${SDK_VERSION} against a ws server on 127.0.0.1`, () => {
  it('sends an upgrade parseEndpoint accepts and a setup the schema parses; receives setupComplete, handles and goAway parsed', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const cb = callbacks();
    const connecting = ai.live.connect({
      model: MODEL,
      config: { responseModalities: [Modality.TEXT], sessionResumption: {} },
      callbacks: cb.callbacks,
    });
    const conn = await connections.next();

    // The upgrade request.
    const url = conn.request.url ?? '';
    expect(url).toBe('//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=test-key');
    const endpoint = parseEndpoint({ url, headers: conn.request.headers });
    expect(endpoint).toMatchObject({ ok: true, apiVersion: 'v1beta', method: 'BidiGenerateContent', collapsedSlashes: true, credential: { kind: 'apiKey', key: 'test-key', via: 'query' } });
    expect(conn.request.headers['user-agent']).toContain(`google-genai-sdk/${SDK_VERSION}`);
    expect(conn.request.headers['x-goog-api-client']).toContain(`google-genai-sdk/${SDK_VERSION}`);
    expect(conn.request.headers['x-goog-api-client']).toContain(`gl-node/${process.version}`);
    expect(conn.request.headers['x-goog-api-key']).toBeUndefined();
    expect(conn.request.headers['sec-websocket-extensions']).toContain('permessage-deflate');

    // The first frame: a TEXT frame carrying setup.
    const first = await conn.frames.next();
    expect(first.isBinary).toBe(false);
    expect(JSON.parse(String(first.data))).toEqual({
      setup: { model: `models/${MODEL}`, generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: {} },
    });
    const setup = parseClient(first);
    expect(setup.setup?.model).toBe(`models/${MODEL}`);

    // A handle in the same burst as setupComplete is queued, then delivered after connect() resolves.
    sendServer(conn.ws, { setupComplete: {} });
    sendServer(conn.ws, { sessionResumptionUpdate: { newHandle: 'handle-1', resumable: true } });
    const session: Session = await connecting;
    expect(await cb.messages.next()).toMatchObject({ setupComplete: {} });
    const update = await cb.messages.next();
    expect(update.sessionResumptionUpdate).toEqual({ newHandle: 'handle-1', resumable: true });

    sendServer(conn.ws, { sessionResumptionUpdate: { resumable: false } });
    expect((await cb.messages.next()).sessionResumptionUpdate).toEqual({ resumable: false });
    sendServer(conn.ws, { goAway: { timeLeft: '50s' } });
    const goAway = await cb.messages.next();
    expect(goAway.goAway?.timeLeft).toBe('50s'); // a string: the SDK does not parse the Duration

    // A text turn: model text, generationComplete, turnComplete with usageMetadata beside it.
    session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'Hello' }] }], turnComplete: true });
    expect(parseClient(await conn.frames.next())).toEqual({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello' }] }], turnComplete: true } });
    sendServer(conn.ws, { serverContent: { modelTurn: { parts: [{ text: 'Hi!' }] } } });
    sendServer(conn.ws, { serverContent: { generationComplete: true } });
    sendServer(conn.ws, { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 5, responseTokenCount: 2, totalTokenCount: 7 } });
    expect((await cb.messages.next()).text).toBe('Hi!');
    expect((await cb.messages.next()).serverContent?.generationComplete).toBe(true);
    const done = await cb.messages.next();
    expect(done.serverContent?.turnComplete).toBe(true);
    expect(done.usageMetadata?.totalTokenCount).toBe(7);

    // session.close() sends a close frame without a code: the server sees 1005.
    session.close();
    expect((await conn.closed).code).toBe(1005);
  });

  it('sends realtimeInput and toolResponse frames the schema parses', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const cb = callbacks();
    const connecting = ai.live.connect({ model: MODEL, config: { responseModalities: [Modality.AUDIO] }, callbacks: cb.callbacks });
    const conn = await connections.next();
    const setup = parseClient(await conn.frames.next());
    expect(setup.setup?.generationConfig?.responseModalities).toEqual(['AUDIO']);
    expect(setup.setup?.sessionResumption).toBeUndefined(); // no opt-in: no handles (§1.3)
    sendServer(conn.ws, { setupComplete: {} });
    const session = await connecting;
    expect(await cb.messages.next()).toMatchObject({ setupComplete: {} }); // replayed after connect() resolves

    session.sendRealtimeInput({ text: 'hi' });
    session.sendRealtimeInput({ audio: { data: Buffer.from([0, 1, 2, 3]).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
    session.sendRealtimeInput({ audioStreamEnd: true });
    session.sendRealtimeInput({ activityStart: {} });
    session.sendRealtimeInput({ activityEnd: {} });
    session.sendToolResponse({ functionResponses: [{ id: 'function-call-1', name: 'get_weather', response: { result: 'sunny' } }] });
    const received = [];
    for (let i = 0; i < 6; i++) received.push(parseClient(await conn.frames.next()));
    expect(received).toEqual([
      { realtimeInput: { text: 'hi' } },
      { realtimeInput: { audio: { data: 'AAECAw==', mimeType: 'audio/pcm;rate=16000' } } },
      { realtimeInput: { audioStreamEnd: true } },
      { realtimeInput: { activityStart: {} } },
      { realtimeInput: { activityEnd: {} } },
      { toolResponse: { functionResponses: [{ id: 'function-call-1', name: 'get_weather', response: { result: 'sunny' } }] } },
    ]);

    // AUDIO answer: outputTranscription and audio inlineData.
    sendServer(conn.ws, { serverContent: { outputTranscription: { text: 'Hi' } } });
    sendServer(conn.ws, { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AAAA' } }] } } });
    expect((await cb.messages.next()).serverContent?.outputTranscription?.text).toBe('Hi');
    expect((await cb.messages.next()).data).toBe('AAAA');
    session.close();
    await conn.closed;
  });

  it('reads server frames verbatim: a snake_case field never reaches it (why server schemas are camelCase only)', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const cb = callbacks();
    const connecting = ai.live.connect({ model: MODEL, config: { sessionResumption: {} }, callbacks: cb.callbacks });
    const conn = await connections.next();
    await conn.frames.next();
    sendServer(conn.ws, { setupComplete: {} });
    const session = await connecting;
    await cb.messages.next();
    const snake = { session_resumption_update: { new_handle: 'h', resumable: true } };
    expect(decodeServerFrame(JSON.stringify(snake))).toMatchObject({ state: 'invalid', field: 'session_resumption_update' });
    conn.ws.send(JSON.stringify(snake)); // a text frame: the SDK reads those too
    const received = await cb.messages.next();
    expect(received.sessionResumptionUpdate).toBeUndefined();
    expect((received as unknown as Record<string, unknown>)['session_resumption_update']).toEqual({ new_handle: 'h', resumable: true });
    session.close();
    await conn.closed;
  });

  it('presents a resumption handle in setup.sessionResumption.handle', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const connecting = ai.live.connect({ model: MODEL, config: { responseModalities: [Modality.TEXT], sessionResumption: { handle: 'handle-1' } }, callbacks: callbacks().callbacks });
    const conn = await connections.next();
    expect(parseClient(await conn.frames.next()).setup?.sessionResumption).toEqual({ handle: 'handle-1' });
    sendServer(conn.ws, { setupComplete: {} });
    (await connecting).close();
    await conn.closed;
  });

  it('refuses transparent on the Developer API itself, after the socket opened (§1.3)', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const connecting = ai.live.connect({ model: MODEL, config: { sessionResumption: { handle: 'h', transparent: true } }, callbacks: callbacks().callbacks });
    const conn = await connections.next();
    await expect(connecting).rejects.toThrow(/transparent parameter is only supported/);
    // The SDK leaves the socket open without sending a setup; the server must time it out.
    expect(conn.frames.size).toBe(0);
    expect(conn.ws.readyState).toBe(conn.ws.OPEN);
  });

  it('uses BidiGenerateContentConstrained with access_token for an ephemeral token', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ai = new GoogleGenAI({ apiKey: 'auth_tokens/abc123', httpOptions: { baseUrl, apiVersion: 'v1alpha' } });
    const connecting = ai.live.connect({ model: MODEL, config: { responseModalities: [Modality.TEXT] }, callbacks: callbacks().callbacks });
    const conn = await connections.next();
    const url = conn.request.url ?? '';
    expect(url).toBe('//ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens/abc123');
    expect(parseEndpoint({ url, headers: conn.request.headers })).toMatchObject({
      ok: true,
      apiVersion: 'v1alpha',
      method: 'BidiGenerateContentConstrained',
      credential: { kind: 'ephemeralToken', token: 'auth_tokens/abc123', via: 'query' },
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ephemeral token support is experimental'));
    warn.mockRestore();
    parseClient(await conn.frames.next());
    sendServer(conn.ws, { setupComplete: {} });
    (await connecting).close();
    await conn.closed;
  });

  it('leaves connect() unsettled when the server closes before setupComplete; only onclose fires (facts file)', async () => {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
    const cb = callbacks();
    let settled = false;
    const connecting = ai.live.connect({ model: MODEL, config: { sessionResumption: { handle: 'stale' } }, callbacks: cb.callbacks });
    connecting.then(
      () => (settled = true),
      () => (settled = true),
    );
    const conn = await connections.next();
    await conn.frames.next();
    const rejection = GeminiCloses.sessionNotFound;
    conn.ws.close(rejection.code, rejection.reason);
    expect(await cb.closes.next()).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found' });
    // Let every pending callback and promise job run: still nothing settles connect().
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(cb.messages.size).toBe(0);
  });
});
