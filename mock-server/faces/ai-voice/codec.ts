/**
 * The AI-voice protocol v1 codec for one connection: what the core says becomes
 * protocol/messages frames, and client frames become calls on the conversation. It also
 * journals the frames, redacted, as the journal has always recorded them (sut-contract §5).
 */
import { decodeClientFrame, encodeMessage, type ServerMessage } from '../../../protocol/messages.ts';
import type { Connection, SinkFactory } from '../../core/connection.ts';
import type { IncomingData } from '../../core/connection-port.ts';
import type { ConnectionSink } from '../../core/connection-sink.ts';
import type { Conversation } from '../../core/conversation.ts';
import type { Journal, JournalEvent } from '../../core/journal.ts';

/** What the codec needs of the server: the journal, the clock's now, and redaction. */
export interface FrameJournal {
  readonly journal: Journal;
  readonly clock: { now(): number };
  redact(text: string): string;
}

type FrameIn = Omit<Extract<JournalEvent, { kind: 'frame-in' }>, 'kind' | 't' | 'conn'>;

export class AiVoiceCodec implements ConnectionSink {
  constructor(private readonly conn: Connection, private readonly conversation: Conversation, private readonly log: FrameJournal) {
    conn.events.on('frame-out', ({ text, bytes, type, dropped }) => {
      this.log.journal.record({ kind: 'frame-out', t: this.now, conn: conn.id, text: this.log.redact(text), bytes, binary: false, ...(type ? { type } : {}), ...(dropped ? { dropped } : {}) });
    });
    conn.events.on('binary-out', (bytes) => {
      this.log.journal.record({ kind: 'frame-out', t: this.now, conn: conn.id, bytes, binary: true });
    });
  }

  /** The codec of every connection of `conversation`. */
  static for(conversation: Conversation, log: FrameJournal): SinkFactory {
    return (conn) => new AiVoiceCodec(conn, conversation, log);
  }

  private get now(): number {
    return this.log.clock.now();
  }

  agentChunk(text: string, final: boolean): void {
    this.send({ type: 'transcript', role: 'agent', text, final });
  }

  resumed(conversationId: string): void {
    this.send({ type: 'session:resumed', conversationId });
  }

  handleUpdate(update: { readonly handle: string; readonly resumable: boolean }): void {
    this.send({ type: 'session_resumption_update', handle: update.handle, resumable: update.resumable });
  }

  expiring(notice: { readonly timeLeft: number; readonly hasHandle: boolean }): void {
    this.send({
      type: 'session_expiring',
      message: `The session will expire in about ${Math.round(notice.timeLeft)} seconds.`,
      timeLeft: notice.timeLeft,
      hasHandle: notice.hasHandle,
    });
  }

  conversationEnd(reason: string): void {
    this.send({ type: 'conversation_end', reason });
  }

  /** A script's `send`: the object as a JSON text frame, labelled by its `type` if it has one. */
  scripted(frame: Readonly<Record<string, unknown>>): void {
    this.conn.sendText(JSON.stringify(frame), typeof frame.type === 'string' ? frame.type : undefined);
  }

  receive(data: IncomingData): void {
    if (!('text' in data)) {
      this.recordIn({ bytes: data.binary.byteLength, binary: true, decoded: 'binary' });
      return;
    }
    const decoded = decodeClientFrame(data.text);
    const bytes = Buffer.byteLength(data.text);
    if (decoded.state !== 'valid') {
      this.recordIn({
        text: data.text,
        bytes,
        binary: false,
        decoded: decoded.state,
        ...(decoded.state === 'unknown-type' ? { type: decoded.type } : { problem: decoded.problem }),
      });
      return;
    }
    this.recordIn({ text: data.text, bytes, binary: false, decoded: 'valid', type: decoded.message.type });
    const message = decoded.message;
    if (message.type === 'prospect_message') this.conversation.onProspectMessage(this.conn, message.text);
    else this.conversation.onEndRequested(this.conn);
  }

  private send(message: ServerMessage): void {
    this.conn.sendText(encodeMessage(message), message.type);
  }

  private recordIn(frame: FrameIn): void {
    const text = frame.text === undefined ? undefined : this.log.redact(frame.text);
    this.log.journal.record({ kind: 'frame-in', t: this.now, conn: this.conn.id, ...frame, ...(text !== undefined ? { text } : {}) });
  }
}
