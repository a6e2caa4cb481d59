/**
 * One client WebSocket and the upstream Gemini Live connection behind it
 * (server-contract.md §2). The client side speaks ai-voice-protocol.md; every upstream
 * message goes through UpstreamRelay.
 *
 * - Fresh: the setup carries the agent's system instruction, and once Gemini has answered it
 *   the server sends exactly one kick-off turn asking the model to greet, before any prospect
 *   message (those that come earlier wait).
 * - Resume: a `resumeHandle` is passed to Gemini unchanged, and only if this server saw Gemini
 *   issue it for the same share token and conversation (HandleRegistry). No kick-off, no
 *   system instruction. `session:resumed` goes out only after that upstream's setupComplete.
 * - A rejected resume — a handle this server refuses, or one Gemini refuses by closing before
 *   setupComplete (1007, 1008) or by not answering within the connect deadline — gets the
 *   reference behaviour of ai-voice-protocol.md §5.2: a fresh session, silently (never
 *   `session:resumed`). An upstream that fails before answering a resume for another reason
 *   (1011 unavailable, a lost connection) closes the client with 1011: its handle may still
 *   resume, so the client keeps it and retries.
 * - The upstream ending closes the client: 1000 when it ended after goAway (expiry), or with
 *   a normal close; 1011 otherwise, and 1011 when a fresh session cannot be set up at all.
 *   The client ending closes the upstream.
 *
 * Where a buggy server would decide otherwise, the decision is the behaviour's (behaviour.ts):
 * REFERENCE_BEHAVIOUR unless a mutant of servers/mutants/ is given.
 */
import { decodeClientFrame, type ServerMessage } from '../../protocol/messages.ts';
import { fingerprint } from '../../protocol/redact.ts';
import { REFERENCE_BEHAVIOUR, type ServerBehaviour, type SessionMode } from './behaviour.ts';
import type { HandleRegistry } from './handle-registry.ts';
import type { Session } from './http-session.ts';
import type { Log } from './log.ts';
import { UpstreamRelay } from './upstream-relay.ts';
import type { Upstream, UpstreamClosed, UpstreamFactory } from './upstream.ts';

/** The one turn that asks the model to greet, on a fresh session (server-contract.md §2). */
export const KICK_OFF = 'A prospect has just joined the call. Greet them and introduce yourself.';

export interface ClientSocket {
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface ClientConnectionOptions {
  readonly socket: ClientSocket;
  readonly session: Session;
  readonly resumeHandle: string | undefined;
  readonly registry: HandleRegistry;
  readonly upstreams: UpstreamFactory;
  readonly log: Log;
  /** For log lines, e.g. "c3". */
  readonly label: string;
  /** The server's decisions; REFERENCE_BEHAVIOUR when absent. */
  readonly behaviour?: ServerBehaviour;
  /** The newest client socket opened under a share token (read only by a behaviour that routes handle updates there). */
  readonly newestOfShareToken?: (shareToken: string) => ClientSocket | undefined;
}

type Mode = SessionMode;

export class ClientConnection {
  private upstream: Upstream | undefined;
  private relay = new UpstreamRelay();
  private mode: Mode = 'fresh';
  private ready = false;
  private readonly waiting: string[] = [];
  private ended = false;
  /** session:resumed has gone to this client (at most once per client connection). */
  private resumeConfirmed = false;
  private readonly behaviour: ServerBehaviour;

  constructor(private readonly options: ClientConnectionOptions) {
    this.behaviour = options.behaviour ?? REFERENCE_BEHAVIOUR;
  }

  start(): void {
    const { resumeHandle, registry, session, log, label } = this.options;
    if (resumeHandle === undefined) {
      this.open('fresh');
      return;
    }
    this.behaviour.meetsHandle(resumeHandle, 'presented', log);
    const verdict = registry.check(resumeHandle, session);
    if (this.behaviour.acceptsHandle(verdict)) {
      log.info(`${label}: resume with handle ${fingerprint(resumeHandle)} (${session.conversationId}${verdict === 'accepted' ? '' : `, ${verdict}`})`);
      if (this.behaviour.confirmsResumeAt() === 'handle-accepted') this.confirmResume();
      this.open('resume', resumeHandle);
      return;
    }
    log.info(`${label}: handle ${fingerprint(resumeHandle)} refused (${verdict}): fresh session, no session:resumed`);
    this.open('fresh');
  }

  /** A text frame from the client. */
  receive(text: string): void {
    if (this.ended) return;
    const decoded = decodeClientFrame(text);
    if (decoded.state === 'unknown-type') {
      this.send({ type: 'error', code: 'unknown_type', message: `unknown message type ${JSON.stringify(decoded.type)}` });
      return;
    }
    if (decoded.state !== 'valid') {
      this.send({ type: 'error', code: 'bad_message', message: decoded.problem });
      return;
    }
    const message = decoded.message;
    if (message.type === 'end_conversation') {
      this.options.log.info(`${this.options.label}: end_conversation`);
      this.send({ type: 'conversation_end', reason: 'ended by the client' });
      this.end(1000, 'conversation ended');
      return;
    }
    if (this.ready && this.upstream) this.upstream.sendTurn(message.text);
    else this.waiting.push(message.text);
  }

  /** The client's socket closed. */
  clientClosed(code: number): void {
    if (this.ended) return;
    this.ended = true;
    if (this.behaviour.upstreamWhenClientCloses() === 'leave-open') {
      this.options.log.info(`${this.options.label}: client closed ${code}`);
      return;
    }
    this.options.log.info(`${this.options.label}: client closed ${code}; closing its upstream`);
    this.upstream?.close();
    this.upstream = undefined;
  }

  /** The server stops (SIGTERM): 1001, as ai-voice-protocol.md §7 says. */
  shutdown(): void {
    this.end(1001, 'server going away');
  }

  private open(mode: Mode, handle?: string): void {
    const { session, upstreams, label } = this.options;
    this.mode = mode;
    this.ready = false;
    this.relay = new UpstreamRelay(this.behaviour);
    const instruction = this.behaviour.setupIncludesInstruction(mode) && session.agent.systemInstruction ? { systemInstruction: session.agent.systemInstruction } : {};
    const request = { model: session.agent.model, ...(mode === 'resume' && handle !== undefined ? { handle } : {}), ...instruction, label };
    let upstream: Upstream | undefined;
    const current = (): boolean => !this.ended && this.upstream === upstream;
    upstream = upstreams(request, {
      opened: () => {
        if (current() && this.mode === 'resume' && this.behaviour.confirmsResumeAt() === 'upstream-open') this.confirmResume();
      },
      ready: () => { if (current()) this.upstreamReady(); },
      message: (message) => {
        if (!current()) return;
        const relayed = this.relay.relay(message);
        if (relayed.issued !== undefined) {
          this.behaviour.meetsHandle(relayed.issued, 'issued', this.options.log);
          this.options.registry.record(relayed.issued, session);
        }
        for (const frame of relayed.frames) {
          if (frame.kind === 'audio') this.options.socket.sendBinary(frame.bytes);
          else if (frame.message.type === 'session_resumption_update') this.send(frame.message, this.handleSocket());
          else this.send(frame.message);
        }
      },
      closed: (closed) => { if (current()) this.upstreamClosed(closed); },
    });
    this.upstream = upstream;
  }

  private upstreamReady(): void {
    const { log, label, session } = this.options;
    this.ready = true;
    if (this.mode === 'fresh') log.info(`${label}: upstream ready (fresh ${session.conversationId}); kick-off turn`);
    if (this.behaviour.kicksOff(this.mode)) this.upstream?.sendTurn(KICK_OFF);
    if (this.mode === 'resume') {
      const now = this.behaviour.confirmsResumeAt() === 'setup-complete';
      log.info(`${label}: upstream accepted the handle${now ? '; session:resumed' : ''}`);
      if (now) this.confirmResume();
    }
    for (const text of this.waiting.splice(0)) this.upstream?.sendTurn(text);
  }

  private upstreamClosed(closed: UpstreamClosed): void {
    const { log, label } = this.options;
    const why = closed.timedOut ? 'no setupComplete within the connect deadline' : `${closed.code} ${JSON.stringify(closed.reason)}`;
    this.upstream = undefined;
    if (closed.beforeReady && this.mode === 'resume' && !isRejection(closed)) {
      // Not a verdict on the handle (1011 unavailable, a lost connection): the client keeps its
      // handle and retries, and the context can still survive (server-contract.md §2 allows 1011).
      log.error(`${label}: upstream failed before it answered the resume (${why}); closing 1011, the client may retry with its handle`);
      this.end(1011, 'upstream failed');
      return;
    }
    if (closed.beforeReady && this.mode === 'resume') {
      log.info(`${label}: Gemini rejected the resume (${why}): fresh session, no session:resumed`);
      this.open('fresh');
      return;
    }
    const close = this.behaviour.clientCloseWhenUpstreamEnds({ beforeSetup: closed.beforeReady, afterGoAway: this.relay.expiring, code: closed.code, reason: closed.reason });
    if (close === 'leave-open') {
      log.info(`${label}: upstream ended (${why}); the client connection stays open`);
      return;
    }
    if (closed.beforeReady) log.error(`${label}: upstream failed before setupComplete (${why}); closing ${close.code}`);
    else if (this.relay.expiring || closed.code === 1000) log.info(`${label}: upstream ended (${why}${this.relay.expiring ? ', after goAway' : ''}); closing ${close.code}`);
    else log.error(`${label}: upstream error (${why}); closing ${close.code}`);
    this.end(close.code, close.reason);
  }

  private confirmResume(): void {
    if (this.resumeConfirmed) return;
    this.resumeConfirmed = true;
    this.send({ type: 'session:resumed', conversationId: this.options.session.conversationId });
  }

  /** The socket a handle update of this conversation goes to (server-contract.md §3: its own, never another conversation's). */
  private handleSocket(): ClientSocket {
    if (this.behaviour.handleUpdatesGoTo() === 'own-connection') return this.options.socket;
    return this.options.newestOfShareToken?.(this.options.session.shareToken) ?? this.options.socket;
  }

  /** Tear-down shared by every way the client connection ends. */
  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.upstream?.close();
    this.upstream = undefined;
    this.options.socket.close(code, reason);
  }

  private send(message: ServerMessage, socket: ClientSocket = this.options.socket): void {
    const text = JSON.stringify(message);
    if (this.behaviour.jsonFrame(message) === 'binary') socket.sendBinary(Buffer.from(text, 'utf8'));
    else socket.sendText(text);
  }
}

/**
 * Gemini's answers to a handle it will not resume (gemini-live.md §1.6): a close before
 * setupComplete with 1008 "BidiGenerateContent session not found" or 1007 "Invalid session
 * handle" — or no answer within the connect deadline. Any other close before setupComplete
 * (1011 unavailable, 1006 lost) says the upstream failed, not that the handle is bad.
 */
export function isRejection(closed: UpstreamClosed): boolean {
  return closed.timedOut || closed.code === 1007 || closed.code === 1008;
}
