/**
 * A run's journal as a capture: the HAR a DevTools export of the client's connections would
 * hold (`_webSocketMessages`), plus each connection's close in `_webSocketClose` (DevTools
 * records none; a private field, as HAR allows), or as the JSONL frame capture of
 * docs/captures.md. Used to prove the import round trip (test/import/) and to write the
 * examples in examples/captures/.
 *
 * The journal holds no secret (handles and tokens are fingerprints), so neither does the capture.
 */
import type { JournalEvent } from '../../mock-server/core/journal.ts';

/** Where the exported capture starts on the wall clock: fixed, so one run exports one file byte for byte. */
const EPOCH_S = Date.UTC(2026, 0, 15, 9, 0, 0) / 1000;

interface ConnectionExport {
  conn: number;
  openT: number;
  url: string;
  messages: Array<{ type: 'send' | 'receive'; time: number; opcode: 1 | 2; data: string }>;
  close: { code: number; reason: string; by: string; time: number } | null;
}

function urlFor(open: Extract<JournalEvent, { kind: 'open' }>, gemini: boolean): string {
  if (gemini) return 'wss://127.0.0.1/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
  const query = new URLSearchParams({ mode: 'sales_agent', sessionToken: `session-${open.conversationId}`, shareToken: 'shared-agent' });
  if (open.presented !== null) query.set('resumeHandle', open.presented);
  return `ws://127.0.0.1/ws/ai-voice?${query.toString()}`;
}

function connections(journal: readonly JournalEvent[], gemini: boolean): ConnectionExport[] {
  const byConn = new Map<number, ConnectionExport>();
  for (const e of journal) {
    if (e.kind === 'open') byConn.set(e.conn, { conn: e.conn, openT: e.t / 1000, url: urlFor(e, gemini), messages: [], close: null });
    const c = 'conn' in e && typeof e.conn === 'number' ? byConn.get(e.conn) : undefined;
    if (!c) continue;
    if (e.kind === 'frame-in' || (e.kind === 'frame-out' && !e.dropped)) {
      const type = e.kind === 'frame-in' ? 'send' : 'receive';
      if (e.binary) c.messages.push({ type, time: e.t / 1000, opcode: 2, data: (e.text !== undefined ? Buffer.from(e.text) : Buffer.alloc(e.bytes)).toString('base64') });
      else c.messages.push({ type, time: e.t / 1000, opcode: 1, data: e.text ?? '' });
    }
    if (e.kind === 'close' && c.close === null) c.close = { code: e.code, reason: e.reason, by: e.by, time: e.t / 1000 };
  }
  return [...byConn.values()];
}

/** Upgrades the server refused with an HTTP status: DevTools keeps them as entries with that status and no message. */
function refusals(journal: readonly JournalEvent[]): Array<{ t: number; status: number; url: string }> {
  return journal.flatMap((e) => (e.kind === 'upgrade-rejected' && e.status !== 101
    ? [{ t: e.t / 1000, status: e.status, url: `ws://127.0.0.1/ws/ai-voice?${new URLSearchParams({ mode: 'sales_agent', sessionToken: `session-${e.conversationId ?? 'unknown'}`, shareToken: 'shared-agent', ...(e.handle ? { resumeHandle: e.handle } : {}) }).toString()}` }]
    : []));
}

export function journalToHar(journal: readonly JournalEvent[], gemini = false): Record<string, unknown> {
  const entries = connections(journal, gemini).map((c) => ({
    startedDateTime: new Date((EPOCH_S + c.openT) * 1000).toISOString(),
    time: ((c.close?.time ?? c.openT) - c.openT) * 1000,
    request: { method: 'GET', url: c.url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: 0 },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: c.messages.map((m) => ({ ...m, time: EPOCH_S + m.time })),
    ...(c.close ? { _webSocketClose: { ...c.close, time: EPOCH_S + c.close.time } } : {}),
  }));
  const refused = gemini ? [] : refusals(journal).map((r) => ({
    startedDateTime: new Date((EPOCH_S + r.t) * 1000).toISOString(),
    time: 0,
    request: { method: 'GET', url: r.url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: r.status, statusText: '', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: 0 },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: [],
  }));
  const all = [...entries, ...refused].sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
  return { log: { version: '1.2', creator: { name: 'resume-harness har-export', version: '1' }, pages: [], entries: all } };
}

/** The JSONL frame capture (docs/captures.md), one line per record. */
export function journalToFramesJsonl(journal: readonly JournalEvent[], gemini = false): string {
  const lines: string[] = [];
  const convs = new Map<string, string>();
  for (const e of journal) {
    const t = Math.round(e.t) / 1000;
    if (e.kind === 'open') {
      if (!convs.has(e.conversationId)) convs.set(e.conversationId, `conversation-${convs.size + 1}`);
      lines.push(JSON.stringify({ t, conn: `c${e.conn}`, open: { resume: gemini ? undefined : e.presented !== null, conversation: convs.get(e.conversationId) } }));
    } else if (e.kind === 'frame-in' || (e.kind === 'frame-out' && !e.dropped)) {
      const dir = e.kind === 'frame-in' ? 'in' : 'out';
      // Gemini's JSON travels in binary frames: its bytes go in base64, so the capture says what the wire carried.
      const binary = e.text !== undefined ? Buffer.from(e.text).toString('base64') : e.bytes;
      lines.push(JSON.stringify(e.binary ? { t, conn: `c${e.conn}`, dir, binary } : { t, conn: `c${e.conn}`, dir, text: e.text ?? '' }));
    } else if (e.kind === 'close') {
      lines.push(JSON.stringify({ t, conn: `c${e.conn}`, close: { code: e.code, reason: e.reason, by: e.by } }));
    }
  }
  return `${lines.join('\n')}\n`;
}
