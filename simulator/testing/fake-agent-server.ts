/**
 * A small in-test stand-in for the AI-voice server (spec §§1-5), on a virtual clock: a fake
 * `fetch`, a fake WHATWG WebSocket class, a toy model context per connection, and a journal of
 * what the client did on the wire. Each test scripts the faults it needs through `plan` and the
 * helper methods; everything else behaves like a well-mannered server.
 */
import { decodeClientFrame, type ClientMessage, type ServerMessage } from '../../protocol/messages.ts';
import type { WebSocketCtor, WebSocketLike } from '../core/connection.ts';
import type { ManualClock } from '../../protocol/testing/manual-clock.ts';

type Listener = (event: any) => void;

export type ResumeBehaviour = 'accept' | 'silent-fresh' | 'reject-4003' | 'no-confirm';

export interface ConnectionPlan {
  /** 'hang': never opens nor closes; 'refuse': closes with 1006 without opening. */
  open?: 'open' | 'hang' | 'refuse';
  resume?: ResumeBehaviour;
  /** Answer prospect messages (default true). false = a half-open connection: silence. */
  answer?: boolean;
  /** Close with this code right after session:resumed (accept-then-close). */
  closeAfterResumed?: number;
}

export interface FakeServerOptions {
  clock: ManualClock;
  latencyMs?: number;
  replyDelayMs?: number;
  /** Per connection (0-based index in the order of creation). */
  plan?: (index: number, connection: FakeConnection) => ConnectionPlan;
  /** Whether the handle sent after the agent answers prospect message `index` is resumable. */
  resumableAfter?: (index: number) => boolean;
  /**
   * Called when a prospect message arrives (index = its position in the connection's model
   * context); return 'ignore' to leave it unanswered (the test scripts what happens instead).
   */
  onProspect?: (connection: FakeConnection, index: number) => 'answer' | 'ignore' | void;
  /** Called after the agent answered on a connection (index 0 = greeting). */
  afterAnswer?: (connection: FakeConnection, index: number) => void;
  httpStatus?: number;
  /** The server handles a client frame this long after send() (default: latency; 0 = inside send()). */
  receiveDelayMs?: number;
  /** Deliver the close event of a client-initiated close this long after close() (default: latency). */
  clientCloseEventDelayMs?: number;
}

export interface ClientClose {
  code: number | undefined;
  reason: string | undefined;
  at: number;
}

export class FakeConnection {
  readonly received: ClientMessage[] = [];
  readonly rawReceived: string[] = [];
  /** Prospect texts the model of this connection holds (restored + received). */
  context: string[] = [];
  /** Prospect texts received while the model already held them. */
  readonly duplicates: string[] = [];
  clientClose: ClientClose | null = null;
  serverClose: { code: number; reason: string; at: number } | null = null;
  resumed = false;
  lastHandle: string | null = null;
  constructor(
    readonly index: number,
    readonly url: URL,
    readonly socket: FakeSocket,
    readonly createdAt: number,
  ) {}

  get presentedHandle(): string | null {
    return this.url.searchParams.get('resumeHandle');
  }

  get prospectTexts(): string[] {
    return this.received.flatMap((m) => (m.type === 'prospect_message' ? [m.text] : []));
  }
}

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  binaryType = 'blob';
  private readonly listeners = new Map<string, Listener[]>();
  connection!: FakeConnection;

  constructor(
    readonly url: string,
    private readonly server: FakeAgentServer,
  ) {}

  addEventListener(type: string, listener: Listener): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: socket not open');
    const delay = this.server.options.receiveDelayMs ?? this.server.options.latencyMs ?? 5;
    if (delay <= 0) this.server.receive(this.connection, data);
    else this.server.at(delay, () => this.server.receive(this.connection, data));
  }

  close(code?: number, reason?: string): void {
    if (this.connection.clientClose === null) this.connection.clientClose = { code, reason, at: this.server.clock.now() };
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.server.clientClosed(this.connection, code ?? 1005, reason ?? '');
  }

  dispatch(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  // Server side.
  serverOpen(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.dispatch('open', { type: 'open' });
  }

  serverSend(message: ServerMessage | string): void {
    if (this.readyState !== 1) return;
    this.dispatch('message', { data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  serverSendBinary(bytes: number): void {
    if (this.readyState !== 1) return;
    this.dispatch('message', { data: new ArrayBuffer(bytes) });
  }

  /** Delivers a close event now, whatever the state (also used for a late close). */
  deliverClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatch('close', { code, reason, wasClean: code !== 1006 });
  }
}

export class FakeAgentServer {
  readonly connections: FakeConnection[] = [];
  readonly sessionsCreated: { body: unknown; at: number }[] = [];
  readonly sessionTokens: string[] = [];
  readonly handles = new Map<string, string[]>();
  readonly clock: ManualClock;
  readonly shareToken = 'share_token_0123456789abcdef';
  private handleCounter = 0;
  private readonly latency: number;
  private readonly replyDelay: number;

  constructor(readonly options: FakeServerOptions) {
    this.clock = options.clock;
    this.latency = options.latencyMs ?? 5;
    this.replyDelay = options.replyDelayMs ?? 300;
  }

  readonly fetch = (async (input: unknown, init?: { body?: unknown }): Promise<Response> => {
    const body = JSON.parse(String(init?.body ?? '{}')) as unknown;
    this.sessionsCreated.push({ body, at: this.clock.now() });
    if (this.options.httpStatus && this.options.httpStatus !== 201) {
      return new Response(JSON.stringify({ error: 'unknown_share_token', message: 'no such agent' }), { status: this.options.httpStatus });
    }
    const n = this.sessionsCreated.length;
    const sessionToken = `session_token_${n}_abcdefghijklmnop`;
    this.sessionTokens.push(sessionToken);
    void input;
    return new Response(JSON.stringify({ sessionToken, conversationId: `conv_${n}` }), { status: 201 });
  }) as unknown as typeof fetch;

  get WebSocket(): WebSocketCtor {
    const server = this;
    return class extends FakeSocket {
      constructor(url: string) {
        super(url, server);
        server.accept(this);
      }
    };
  }

  at(ms: number, fn: () => void): void {
    this.clock.setTimeout(fn, ms);
  }

  private planFor(connection: FakeConnection): Required<Pick<ConnectionPlan, 'open' | 'resume' | 'answer'>> & ConnectionPlan {
    const plan = this.options.plan?.(connection.index, connection) ?? {};
    return { open: 'open', resume: 'accept', answer: true, ...plan };
  }

  private accept(socket: FakeSocket): void {
    const connection = new FakeConnection(this.connections.length, new URL(socket.url), socket, this.clock.now());
    socket.connection = connection;
    this.connections.push(connection);
    const plan = this.planFor(connection);
    if (plan.open === 'hang') return;
    if (plan.open === 'refuse') {
      this.at(this.latency, () => socket.deliverClose(1006, ''));
      return;
    }
    this.at(this.latency, () => {
      socket.serverOpen();
      const handle = connection.presentedHandle;
      if (handle === null) {
        this.greet(connection);
        return;
      }
      const snapshot = this.handles.get(handle);
      const behaviour: ResumeBehaviour = snapshot ? plan.resume : plan.resume === 'accept' ? 'silent-fresh' : plan.resume;
      if (behaviour === 'accept' && snapshot) {
        connection.context = [...snapshot];
        connection.resumed = true;
        socket.serverSend({ type: 'session:resumed', conversationId: 'conv_1' });
        if (plan.closeAfterResumed !== undefined) {
          const code = plan.closeAfterResumed;
          this.at(this.latency, () => this.drop(connection, code, 'upstream error'));
        }
      } else if (behaviour === 'reject-4003') {
        this.drop(connection, 4003, 'invalid resume handle');
      } else if (behaviour === 'silent-fresh') {
        this.greet(connection);
      }
      // 'no-confirm': open, then nothing.
    });
  }

  private greet(connection: FakeConnection): void {
    this.at(this.replyDelay, () => this.answer(connection, 0, 'Hello, thanks for your interest in our product!'));
  }

  /** The agent answers prospect message `index` now (for messages a test chose to 'ignore' first). */
  answerNow(connection: FakeConnection, index: number): void {
    this.answer(connection, index, `Answer ${index}: sorry for the delay.`);
  }

  private answer(connection: FakeConnection, index: number, text: string): void {
    const socket = connection.socket;
    if (socket.readyState !== 1) return;
    socket.serverSend({ type: 'transcript', role: 'agent', text: text.slice(0, 10), final: false });
    socket.serverSend({ type: 'transcript', role: 'agent', text, final: true });
    const resumable = this.options.resumableAfter?.(index) ?? true;
    if (resumable) this.issueHandle(connection);
    else socket.serverSend({ type: 'session_resumption_update', handle: '', resumable: false });
    this.options.afterAnswer?.(connection, index);
  }

  issueHandle(connection: FakeConnection): string {
    const handle = `resume_handle_${++this.handleCounter}_${'k'.repeat(24)}`;
    this.handles.set(handle, [...connection.context]);
    connection.lastHandle = handle;
    connection.socket.serverSend({ type: 'session_resumption_update', handle, resumable: true });
    return handle;
  }

  receive(connection: FakeConnection, data: string): void {
    connection.rawReceived.push(data);
    const decoded = decodeClientFrame(data);
    if (decoded.state !== 'valid') return;
    const message = decoded.message;
    connection.received.push(message);
    if (message.type === 'end_conversation') {
      this.at(this.latency, () => {
        connection.socket.serverSend({ type: 'conversation_end', reason: 'client ended the conversation' });
        this.drop(connection, 1000, 'conversation ended');
      });
      return;
    }
    if (connection.context.includes(message.text)) connection.duplicates.push(message.text);
    connection.context.push(message.text);
    if (!this.planFor(connection).answer) return;
    const index = connection.context.length;
    if (this.options.onProspect?.(connection, index) === 'ignore') return;
    this.at(this.replyDelay, () => this.answer(connection, index, `Answer ${index}: that is a great question about your needs.`));
  }

  clientClosed(connection: FakeConnection, code: number, reason: string): void {
    const delay = this.options.clientCloseEventDelayMs ?? this.latency;
    this.at(delay, () => connection.socket.deliverClose(code, reason));
  }

  /** The server closes the connection. */
  drop(connection: FakeConnection, code: number, reason: string): void {
    if (connection.socket.readyState >= 2) return;
    connection.serverClose = { code, reason, at: this.clock.now() };
    connection.socket.deliverClose(code, reason);
  }

  /** goAway: repeat the latest handle (if any), then session_expiring. */
  expire(connection: FakeConnection, timeLeft: number, repeatHandle = true): void {
    if (repeatHandle && connection.lastHandle) {
      connection.socket.serverSend({ type: 'session_resumption_update', handle: connection.lastHandle, resumable: true });
    }
    connection.socket.serverSend({
      type: 'session_expiring',
      message: 'session expiring',
      timeLeft,
      hasHandle: connection.lastHandle !== null,
    });
  }

  /** Every prospect text received, across connections, in order. */
  allProspectTexts(): string[] {
    return this.connections.flatMap((c) => c.prospectTexts);
  }

  lastConnection(): FakeConnection {
    const last = this.connections[this.connections.length - 1];
    if (!last) throw new Error('no connection yet');
    return last;
  }
}
