/**
 * A second protocol face, for tests only: a made-up wire of newline-terminated JSON with its
 * own names (`say`, `token`, `ttl`, `restored`, `bye`; the client sends `utter` and `quit`).
 * It plugs into the unchanged core the way faces/ai-voice does — a ConnectionSink per
 * connection, the core's public methods the other way — which is what a Gemini Live face
 * will do. No HTTP route and no URL: a test opens conversations and connects ports directly.
 */
import type { Connection, SinkFactory } from '../core/connection.ts';
import type { ConnectionPort, IncomingData } from '../core/connection-port.ts';
import type { ConnectionSink } from '../core/connection-sink.ts';
import type { Conversation } from '../core/conversation.ts';
import type { ServerCore } from '../core/server-core.ts';

/** The stub wire's server frames. */
export type StubFrame =
  | { kind: 'say'; words: string; done: boolean }
  | { kind: 'token'; value: string; ok: boolean }
  | { kind: 'ttl'; secs: number; withToken: boolean }
  | { kind: 'restored'; id: string }
  | { kind: 'bye'; why: string }
  | { kind: 'raw'; [field: string]: unknown };

export const encodeStub = (frame: object): string => `${JSON.stringify(frame)}\n`;

class StubCodec implements ConnectionSink {
  constructor(private readonly conn: Connection, private readonly conversation: Conversation, private readonly core: ServerCore) {
    // This face journals its frames too, under its own names.
    conn.events.on('frame-out', ({ text, bytes, type, dropped }) => {
      core.journal.record({ kind: 'frame-out', t: core.clock.now(), conn: conn.id, text: core.redact(text), bytes, binary: false, ...(type ? { type } : {}), ...(dropped ? { dropped } : {}) });
    });
  }

  agentChunk(text: string, final: boolean): void { this.send({ kind: 'say', words: text, done: final }); }
  resumed(conversationId: string): void { this.send({ kind: 'restored', id: conversationId }); }
  handleUpdate(update: { readonly handle: string; readonly resumable: boolean }): void { this.send({ kind: 'token', value: update.handle, ok: update.resumable }); }
  expiring(notice: { readonly timeLeft: number; readonly hasHandle: boolean }): void { this.send({ kind: 'ttl', secs: notice.timeLeft, withToken: notice.hasHandle }); }
  conversationEnd(reason: string): void { this.send({ kind: 'bye', why: reason }); }
  scripted(frame: Readonly<Record<string, unknown>>): void { this.send({ kind: 'raw', ...frame }); }

  receive(data: IncomingData): void {
    if (!('text' in data)) return;
    for (const line of data.text.split('\n').filter((l) => l.length > 0)) {
      const frame = JSON.parse(line) as { kind?: string; words?: string };
      if (frame.kind === 'utter' && typeof frame.words === 'string') this.conversation.onProspectMessage(this.conn, frame.words);
      else if (frame.kind === 'quit') this.conversation.onEndRequested(this.conn);
    }
  }

  private send(frame: StubFrame): void {
    this.conn.sendText(encodeStub(frame), frame.kind);
  }
}

export class StubFace {
  constructor(private readonly core: ServerCore) {}

  /** A new conversation (what an HTTP session is to the AI-voice face). */
  open(): Conversation {
    return this.core.openConversation();
  }

  /** Connects `port` to `conversation`, presenting `token` to resume; null when the gate refuses. */
  connect(conversation: Conversation, port: ConnectionPort, token?: string): Connection | null {
    const gate = conversation.gate();
    if (gate.rejectStatus !== undefined) return null;
    return conversation.attach(port, token ?? null, gate, this.codecFor(conversation));
  }

  private codecFor(conversation: Conversation): SinkFactory {
    return (conn) => new StubCodec(conn, conversation, this.core);
  }
}

/** The stub frames a port received, decoded. */
export const stubFrames = (raw: readonly string[]): DecodedStubFrame[] =>
  raw.filter((r) => r !== '<binary>').flatMap((r) => r.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as DecodedStubFrame));

export type DecodedStubFrame = { readonly kind: string } & Readonly<Record<string, unknown>>;
