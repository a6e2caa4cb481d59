/** Test support: small captures written by hand, in every format, full of secrets where asked. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRETS = {
  sessionToken: 'sess_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  shareToken: 'share_a1b2c3d4e5f60718293a4b5c6d7e8f90',
  apiKey: 'AIzaSyD-EXAMPLEKEY-0123456789abcdefghij',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
  handles: ['hdl_0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hdl_1122334455667788990011223344556677', 'hdl_zzyyxxwwvvuuttssrrqqppoonnmmllkk'],
} as const;

const t = (type: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ type, ...extra });
const agentTurn = (text: string): string[] => [t('transcript', { role: 'agent', text: `${text} `, final: false }), t('transcript', { role: 'agent', text, final: true })];

/** An AI-voice conversation: 3 turns, a drop at turn 2, a resume presenting a handle, a malformed frame holding a handle, the end. */
export function aiVoiceFrames(): Array<{ t: number; dir: 'in' | 'out'; text: string; conn: string }> {
  const [h0, h1, h2] = SECRETS.handles;
  const c1 = [
    ...agentTurn('Hello there'), t('session_resumption_update', { handle: h0, resumable: true }),
    t('prospect_message', { text: 'first question' }), ...agentTurn('first answer'), t('session_resumption_update', { handle: h1, resumable: true }),
    `{"type":"transcript","role":"agent","text":"broken ${h1}`,
    t('prospect_message', { text: 'second question' }), t('transcript', { role: 'agent', text: 'half', final: false }),
  ];
  const c2 = [t('session:resumed'), t('prospect_message', { text: 'second question' }), ...agentTurn('second answer'), t('session_resumption_update', { handle: h2, resumable: true }), t('prospect_message', { text: 'third question' }), ...agentTurn('third answer'), t('end_conversation'), t('conversation_end', { reason: 'ended by client' })];
  const frames: Array<{ t: number; dir: 'in' | 'out'; text: string; conn: string }> = [];
  let clock = 0;
  for (const [conn, list] of [['c1', c1], ['c2', c2]] as const) {
    for (const text of list) {
      clock += text.includes('prospect_message') || text.includes('end_conversation') ? 1 : 0.5;
      frames.push({ t: clock, dir: text.includes('prospect_message') || text.includes('end_conversation') ? 'in' : 'out', text, conn });
    }
    clock += 1;
  }
  return frames;
}

const wsUrl = (resumeHandle?: string): string => `wss://voice.example.test/ws/ai-voice?mode=sales_agent&sessionToken=${SECRETS.sessionToken}&shareToken=${SECRETS.shareToken}&key=${SECRETS.apiKey}${resumeHandle ? `&resumeHandle=${encodeURIComponent(resumeHandle)}` : ''}`;

/** A DevTools-style HAR of aiVoiceFrames(): the session POST, two WebSocket entries, a bearer header. */
export function aiVoiceHar(): Record<string, unknown> {
  const frames = aiVoiceFrames();
  const base = 1_760_000_000;
  const entry = (conn: string, url: string, close?: Record<string, unknown>): Record<string, unknown> => {
    const mine = frames.filter((f) => f.conn === conn);
    return {
      startedDateTime: new Date((base + mine[0]!.t - 0.1) * 1000).toISOString(),
      request: { method: 'GET', url, headers: [{ name: 'Authorization', value: `Bearer ${SECRETS.bearer}` }] },
      response: { status: 101 },
      _resourceType: 'websocket',
      _webSocketMessages: mine.map((f) => ({ type: f.dir === 'in' ? 'send' : 'receive', time: base + f.t, opcode: 1, data: f.text })),
      ...(close ? { _webSocketClose: close } : {}),
    };
  };
  const c1End = frames.filter((f) => f.conn === 'c1').at(-1)!.t;
  return {
    log: {
      version: '1.2', creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        { startedDateTime: new Date(base * 1000 - 500).toISOString(), request: { method: 'POST', url: `https://voice.example.test/api/sales-agent/${SECRETS.shareToken}/session`, headers: [{ name: 'x-goog-api-key', value: SECRETS.apiKey }], postData: { text: '{"prospectName":"Pat"}' } }, response: { status: 201, content: { text: JSON.stringify({ sessionToken: SECRETS.sessionToken, conversationId: 'conv_1' }) } } },
        entry('c1', wsUrl(), { code: 1006, reason: '', by: 'network', time: base + c1End + 0.2 }),
        entry('c2', wsUrl(SECRETS.handles[1]), { code: 1000, reason: `bye ${SECRETS.sessionToken}`, by: 'server', time: base + frames.at(-1)!.t + 0.1 }),
      ],
    },
  };
}

export function aiVoiceJsonl(): string {
  const frames = aiVoiceFrames();
  const lines: unknown[] = [{ t: 0, conn: 'c1', open: { url: wsUrl() } }];
  for (const f of frames) {
    if (f.conn === 'c2' && !lines.some((l) => (l as { conn: string; open?: unknown }).conn === 'c2')) {
      lines.push({ t: 0, conn: 'c1', close: { code: 1006 } });
      lines.push({ t: f.t - 0.1, conn: 'c2', open: { url: wsUrl(SECRETS.handles[1]) } });
    }
    lines.push({ t: f.t, conn: f.conn, dir: f.dir, text: f.text });
  }
  // Close times must follow the frames: the drop of c1 goes right after its last frame.
  const c1Last = frames.filter((f) => f.conn === 'c1').at(-1)!.t;
  (lines.find((l) => (l as { close?: unknown }).close) as { t: number }).t = c1Last + 0.2;
  lines.push({ t: frames.at(-1)!.t + 0.1, conn: 'c2', close: { code: 1000, reason: 'bye', by: 'server' } });
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

export function write(dir: string, name: string, content: string | Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
