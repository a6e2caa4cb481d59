/**
 * The Gemini Live codec of one connection (docs/gemini-live.md §1.2–§1.4): what the core says
 * becomes BidiGenerateContent server messages, sent as Gemini sends them (binary frames of
 * pretty-printed JSON, §1.2); client messages become calls on the conversation. The setup
 * frame was read before the connection existed (setup-gate.ts); this codec journals it first.
 */
import { truncateCloseReason, GeminiCloses } from '../../../protocol/gemini-live/close-codes.ts';
import { formatDuration, durationFromMillis } from '../../../protocol/gemini-live/duration.ts';
import { clientMessageKind, decodeClientFrame, formatServerFrame, type ClientContent, type ClientMessage, type ServerMessage } from '../../../protocol/gemini-live/messages.ts';
import type { Connection, SinkFactory } from '../../core/connection.ts';
import type { IncomingData } from '../../core/connection-port.ts';
import type { ConnectionSink } from '../../core/connection-sink.ts';
import type { Conversation } from '../../core/conversation.ts';
import type { JournalEvent } from '../../core/journal.ts';
import type { Exchange } from '../../core/sales-agent.ts';
import type { FrameJournal } from '../ai-voice/codec.ts';

export type FrameIn = Omit<Extract<JournalEvent, { kind: 'frame-in' }>, 'kind' | 't' | 'conn'>;

/** What the session's setup asked for, as far as the codec's output depends on it. */
export interface GeminiSessionShape {
  readonly audio: boolean;
  readonly outputTranscription: boolean;
}

/**
 * How the face reads the first turn of a fresh session (GeminiLiveServerOptions.kickOff):
 * - `prospect-turn` (default): as any user turn, Gemini's own reading;
 * - `greeting-request`: as an AI-voice server's kick-off (server-contract.md §2), the request
 *   to greet — the agent streams its greeting (turn 0) and no prospect turn is counted.
 */
export type KickOff = 'prospect-turn' | 'greeting-request';

/** 20 ms of 24 kHz PCM16 silence: the audio part of a chunk, small and deterministic (§1.3). */
const AUDIO_CHUNK = Buffer.alloc(960).toString('base64');

export class GeminiCodec implements ConnectionSink {
  private turnText = '';
  private promptTokens = 0;
  /** setupComplete has gone out: Gemini sends nothing on a session before it (§1.8, §7.3). */
  private isAccepted = false;

  /**
   * `first` is the connection's first frame (its setup, or what came instead), read before the
   * connection existed: it is journaled as soon as the connection's `open` is, ahead of
   * anything the connection sends.
   */
  constructor(
    private readonly conn: Connection,
    private readonly conversation: Conversation,
    private readonly log: FrameJournal,
    private readonly shape: GeminiSessionShape,
    private first: FrameIn | null,
    private readonly kickOff: KickOff = 'prospect-turn',
  ) {
    conn.events.on('frame-out', ({ text, bytes, type, dropped, binary }) => {
      this.log.journal.record({ kind: 'frame-out', t: this.now, conn: conn.id, text: this.log.redact(text), bytes, binary, ...(type ? { type } : {}), ...(dropped ? { dropped } : {}) });
    });
    conn.events.on('binary-out', (bytes) => {
      this.log.journal.record({ kind: 'frame-out', t: this.now, conn: conn.id, bytes, binary: true });
    });
  }

  static for(conversation: Conversation, log: FrameJournal, shape: GeminiSessionShape, first: FrameIn, kickOff: KickOff = 'prospect-turn'): SinkFactory {
    return (conn) => new GeminiCodec(conn, conversation, log, shape, first, kickOff);
  }

  private get now(): number {
    return this.log.clock.now();
  }

  // ── what the core says ─────────────────────────────────────────────────────

  accepted(): void {
    if (this.isAccepted) return;
    this.flushFirst();
    this.isAccepted = true;
    this.send({ setupComplete: {} });
  }

  agentChunk(text: string, final: boolean): void {
    this.turnText += text;
    if (this.shape.audio) {
      // §1.4: AUDIO sessions carry the words as outputTranscription next to the audio parts.
      this.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: AUDIO_CHUNK } }] } } });
      if (this.shape.outputTranscription) this.send({ serverContent: { outputTranscription: { text } } });
    } else {
      this.send({ serverContent: { modelTurn: { role: 'model', parts: [{ text }] } } });
    }
    if (!final) return;
    // §1.4 order: generationComplete, then turnComplete with usageMetadata.
    this.send({ serverContent: { generationComplete: true } });
    const responseTokens = countTokens(this.turnText);
    this.promptTokens += responseTokens;
    this.send({
      serverContent: { turnComplete: true },
      usageMetadata: { promptTokenCount: this.promptTokens, responseTokenCount: responseTokens, totalTokenCount: this.promptTokens + responseTokens },
    });
    this.turnText = '';
  }

  /** Gemini has no resume confirmation: `setupComplete` on a resumed session is it (§1.6). */
  resumed(): void {}

  handleUpdate(update: { readonly handle: string; readonly resumable: boolean }): void {
    this.send({ sessionResumptionUpdate: { newHandle: update.handle, resumable: update.resumable } });
  }

  expiring(notice: { readonly timeLeft: number }): void {
    this.send({ goAway: { timeLeft: formatDuration(durationFromMillis(Math.round(notice.timeLeft * 1000))) } });
  }

  /** Gemini has no end-of-conversation message: the close that follows says it. */
  conversationEnd(): void {}

  /** A script's `send`: the object as Gemini would frame it, labelled by its one key. */
  scripted(frame: Readonly<Record<string, unknown>>): void {
    this.flushFirst();
    if (!this.isAccepted) return;
    this.conn.sendText(formatServerFrame(frame as ServerMessage), Object.keys(frame)[0], 'binary');
  }

  /**
   * The core's closes on Gemini's wire (§1.7): the AI-voice server's own codes (4000–4999)
   * have no place here. A close at the goAway deadline that the script left at the AI-voice
   * default is Gemini's overrun close (F1); reasons are cut at 123 bytes as Gemini cuts them.
   */
  closeFor(code: number, reason: string, cause: string): { code: number; reason: string } {
    this.flushFirst();
    if (cause === 'expiry-deadline' && code === 1000 && reason === 'session expired') return { ...GeminiCloses.goAwayOverrun };
    if (code >= 4000) {
      const close = cause.startsWith('rejection') ? GeminiCloses.sessionNotFound : GeminiCloses.internal;
      return { code: close.code, reason: close.reason };
    }
    return { code, reason: truncateCloseReason(reason) };
  }

  // ── what the client says ───────────────────────────────────────────────────

  receive(data: IncomingData): void {
    const binary = !('text' in data);
    const text = 'text' in data ? data.text : undefined;
    const bytes = 'text' in data ? Buffer.byteLength(data.text) : data.binary.byteLength;
    const decoded = decodeClientFrame('text' in data ? data.text : data.binary);
    const shown = text ?? (decoded.state === 'not-json' ? undefined : Buffer.from((data as { binary: Uint8Array }).binary).toString('utf8'));
    if (decoded.state !== 'valid') {
      this.recordIn({ ...(shown !== undefined ? { text: shown } : {}), bytes, binary, decoded: decoded.state === 'not-json' ? 'not-json' : 'invalid', problem: decoded.problem });
      // §1.7: a malformed message is INVALID_ARGUMENT.
      this.conn.serverClose(GeminiCloses.invalidArgument.code, GeminiCloses.invalidArgument.reason, 'protocol: invalid client message');
      return;
    }
    const kind = clientMessageKind(decoded.message);
    if (kind === 'setup') {
      // §1.2: configuration cannot change on an open connection; a second setup is a bad request.
      this.recordIn({ ...(shown !== undefined ? { text: shown } : {}), bytes, binary, decoded: 'invalid', type: kind, problem: 'a second setup on an open connection' });
      this.conn.serverClose(GeminiCloses.invalidArgument.code, GeminiCloses.invalidArgument.reason, 'protocol: second setup');
      return;
    }
    this.recordIn({ ...(shown !== undefined ? { text: shown } : {}), bytes, binary, decoded: 'valid', type: kind });
    this.act(decoded.message);
  }

  private act(message: ClientMessage): void {
    if ('clientContent' in message && message.clientContent) {
      this.clientContent(message.clientContent);
      return;
    }
    if ('realtimeInput' in message && message.realtimeInput) {
      // Typed realtime input is a user turn when automatic activity detection ends it (§1.3);
      // audio, video and activity signals carry no words for this model.
      const text = message.realtimeInput.text;
      if (typeof text === 'string' && text.length > 0) this.conversation.onProspectMessage(this.conn, text);
    }
    // toolResponse: the mock's agent calls no tools, so an answer to none changes nothing.
  }

  /**
   * §1.3 clientContent: with `turnComplete` the last user turn is the prospect's message and
   * the model answers; the turns before it, and every turn of a content without
   * `turnComplete`, are history written into the context. Under `kickOff: 'greeting-request'`
   * a lone user turn that opens a fresh session asks the agent to greet instead (the core decides
   * whether the session is still at that point).
   */
  private clientContent(content: ClientContent): void {
    const turns = (content.turns ?? []).map((turn) => ({ role: turn.role ?? 'user', text: (turn.parts ?? []).map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('') }));
    const complete = content.turnComplete === true;
    const lastUser = complete ? turns.map((t) => t.role).lastIndexOf('user') : -1;
    const history = lastUser === -1 ? turns : turns.slice(0, lastUser);
    const exchanges: Exchange[] = [];
    for (let i = 0; i < history.length; i++) {
      const turn = history[i]!;
      if (turn.role !== 'user' || turn.text.length === 0) continue;
      const next = history[i + 1];
      exchanges.push({ prospect: turn.text, agent: next && next.role === 'model' ? next.text : '' });
    }
    if (this.kickOff === 'greeting-request' && lastUser !== -1 && exchanges.length === 0 && this.conversation.onGreetingRequest(this.conn)) {
      this.conn.uncountInbound();
      return;
    }
    this.conversation.onHistory(this.conn, exchanges);
    if (lastUser !== -1) {
      const text = turns[lastUser]!.text;
      if (text.length > 0) this.conversation.onProspectMessage(this.conn, text);
    }
  }

  private send(message: ServerMessage): void {
    this.flushFirst();
    // A session not (yet) set up hears nothing: an expiry or a turn of the core waits for no one.
    if (!this.isAccepted) return;
    const kind = Object.keys(message).find((k) => k !== 'usageMetadata') ?? 'usageMetadata';
    this.conn.sendText(formatServerFrame(message), kind, 'binary');
  }

  private flushFirst(): void {
    if (this.first === null) return;
    const first = this.first;
    this.first = null;
    this.recordIn(first);
  }

  private recordIn(frame: FrameIn): void {
    if (this.first !== null) this.flushFirst();
    const text = frame.text === undefined ? undefined : this.log.redact(frame.text);
    this.log.journal.record({ kind: 'frame-in', t: this.now, conn: this.conn.id, ...frame, ...(text !== undefined ? { text } : {}) });
  }
}

/** A rough, deterministic token count for usageMetadata: about one token per word. */
const countTokens = (text: string): number => text.split(/\s+/).filter((w) => w.length > 0).length;
