/**
 * A HAR exported by Chrome or Firefox DevTools: entries whose `_webSocketMessages` hold the
 * frames (`type` send/receive, `time` in epoch seconds, `opcode` 1 text / 2 binary, `data`).
 * DevTools records no close frames; the harness's own exporter (har-export.ts) adds a
 * `_webSocketClose` { code, reason, by, time } to each entry, a private field as HAR allows.
 *
 * A HAR is one JSON document, so it is read whole, up to HAR_MAX_BYTES (DevTools itself builds
 * it in memory); a larger capture belongs in the streamed JSONL format (docs/captures.md).
 */
import { readFileSync, statSync } from 'node:fs';
import { ImportError } from '../errors.ts';
import { binaryPayload, learnUrl, type CaptureEvent, type CaptureSource, type CloseSide, type ImportRedactor } from './capture-event.ts';

export const HAR = 'har';
export const HAR_MAX_BYTES = 256 * 1024 * 1024;

export function looksLikeHar(head: string): boolean {
  return /^\s*\{\s*"log"\s*:/.test(head) || (/^\s*\{/.test(head) && head.includes('"entries"') && head.includes('"creator"'));
}

interface HarMessage { type?: unknown; time?: unknown; opcode?: unknown; data?: unknown }
interface HarEntry {
  startedDateTime?: unknown;
  request?: { url?: unknown; headers?: Array<{ name?: unknown; value?: unknown }>; postData?: { text?: unknown } };
  response?: { status?: unknown; content?: { text?: unknown } };
  _webSocketMessages?: unknown;
  _webSocketClose?: { code?: unknown; reason?: unknown; by?: unknown; time?: unknown };
}

const SECRET_KEYS = /token|handle|key|secret|password|authorization|cookie/i;

/** Every string under a secret-sounding key of a JSON body, learnt as a secret. */
function learnBody(text: unknown, redactor: ImportRedactor): void {
  if (typeof text !== 'string') return;
  try {
    const walk = (value: unknown, key: string): void => {
      if (typeof value === 'string' && SECRET_KEYS.test(key)) redactor.add(value);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
    };
    walk(JSON.parse(text), '');
  } catch {
    // Not JSON: nothing to learn from it, and it is never written anywhere.
  }
}

export function readHar(file: string, shown: string, redactor: ImportRedactor): CaptureSource {
  const size = statSync(file).size;
  if (size > HAR_MAX_BYTES) throw new ImportError(shown, `a HAR of ${Math.round(size / 2 ** 20)} MB is over the ${HAR_MAX_BYTES / 2 ** 20} MB a HAR import reads whole; convert it to the streamed JSONL frame format (docs/captures.md)`);
  const text = readFileSync(file, 'utf8');
  let har: { log?: { entries?: unknown } };
  try {
    har = JSON.parse(text) as typeof har;
  } catch (error) {
    throw new ImportError(shown, `not a complete HAR: ${(error as Error).message} (of ${text.length} characters: a truncated export?)`);
  }
  const entries = har.log?.entries;
  if (!Array.isArray(entries)) throw new ImportError(shown, 'not a HAR: no log.entries array');
  for (const entry of entries as HarEntry[]) {
    for (const header of entry.request?.headers ?? []) if (typeof header.name === 'string' && SECRET_KEYS.test(header.name) && typeof header.value === 'string') redactor.add(header.value.replace(/^Bearer\s+/i, ''));
    if (typeof entry.request?.url === 'string') learnUrl(entry.request.url, redactor);
    learnBody(entry.request?.postData?.text, redactor);
    learnBody(entry.response?.content?.text, redactor);
  }
  const sockets = (entries as HarEntry[]).map((entry, i) => ({ entry, i })).filter(({ entry }) => Array.isArray(entry._webSocketMessages));
  if (sockets.length === 0) throw new ImportError(shown, `no WebSocket entry: none of its ${entries.length} entries carries _webSocketMessages (export the HAR with the WebSocket connection open in DevTools' Network panel)`);

  const all: CaptureEvent[] = [];
  for (const { entry, i } of sockets) {
    const url = typeof entry.request?.url === 'string' ? entry.request.url : '';
    const { resume, sessionToken } = learnUrl(url, redactor);
    const status = entry.response?.status;
    // An upgrade refused with an HTTP status (DevTools keeps the entry, with no message): an attempt that never opened.
    if (typeof status === 'number' && status >= 400 && (entry._webSocketMessages as unknown[]).length === 0) {
      const at = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) / 1000 : NaN;
      if (!Number.isFinite(at)) throw new ImportError(`${shown}: entries[${i}]`, 'a refused upgrade with no startedDateTime');
      all.push({ kind: 'refused', t: at, conversation: sessionToken, status, where: `${shown}: entries[${i}]` });
      continue;
    }
    const conn = `entry ${i}`;
    const messages = entry._webSocketMessages as HarMessage[];
    const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) / 1000 : NaN;
    const firstTime = typeof messages[0]?.time === 'number' ? messages[0].time : NaN;
    const openAt = Number.isFinite(started) ? started : firstTime;
    if (!Number.isFinite(openAt)) throw new ImportError(`${shown}: entries[${i}]`, 'no startedDateTime and no message time: cannot place the connection in time');
    all.push({ kind: 'open', conn, t: openAt, conversation: sessionToken, resume, where: `${shown}: entries[${i}]` });
    let last = openAt;
    messages.forEach((m, j) => {
      const where = `${shown}: entries[${i}]._webSocketMessages[${j}]`;
      if (m.type !== 'send' && m.type !== 'receive') throw new ImportError(where, `unknown message type ${JSON.stringify(m.type)} (a WebSocket message is "send" or "receive")`);
      if (typeof m.time !== 'number' || !Number.isFinite(m.time)) throw new ImportError(where, '"time" must be epoch seconds');
      if (typeof m.data !== 'string') throw new ImportError(where, '"data" must be a string');
      const dir = m.type === 'send' ? 'in' : 'out';
      last = Math.max(last, m.time);
      if (m.opcode === 1) all.push({ kind: 'frame', conn, t: m.time, dir, text: m.data, where });
      else if (m.opcode === 2) all.push({ kind: 'frame', conn, t: m.time, dir, ...binaryPayload(Buffer.from(m.data, 'base64')), where });
      else throw new ImportError(where, `unknown opcode ${JSON.stringify(m.opcode)} (1 = text, 2 = binary)`);
    });
    const close = entry._webSocketClose;
    if (close && typeof close.code === 'number') {
      const by = ['server', 'client', 'network'].includes(close.by as string) ? (close.by as CloseSide) : close.code === 1006 ? 'network' : null;
      // A frame delivered late (a latency toxic) can be stamped after the close: the close comes last on its connection.
      all.push({ kind: 'close', conn, t: Math.max(typeof close.time === 'number' ? close.time : last, last), code: close.code, reason: typeof close.reason === 'string' ? close.reason : '', by, where: `${shown}: entries[${i}]._webSocketClose` });
    } else {
      all.push({ kind: 'close', conn, t: last, code: null, reason: '', by: null, where: `${shown}: entries[${i}]` });
    }
  }
  // One clock: seconds since the first connection opened. A stable sort keeps each connection's own order.
  const origin = Math.min(...all.filter((e) => e.kind === 'open' || e.kind === 'refused').map((e) => e.t));
  const ordered = all.map((e) => ({ ...e, t: e.t - origin })).sort((a, b) => a.t - b.t);
  return { format: HAR, events: (async function* () { yield* ordered; })() };
}
