/**
 * Connection lifecycle: opening a connection (fresh or with a handle), the events of its socket,
 * which count only while it is current (T3), the resume-confirmation and silence watches (spec
 * §5.2, §6.8), and its loss. Frames are read by the wire; their meaning is the other parts' job.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import { redactUrl } from '../../protocol/redact.ts';
import { Connection, type ConnectionListener } from './connection.ts';
import { MAX_FALLBACK_SESSIONS } from './decisions.ts';
import type { KeptHandle } from './handle-keeper.ts';
import { describeError, snippet, type LifecyclePart, type RunContext } from './run-context.ts';
import type { FrameSink } from './wire.ts';

export class ConnectionLifecycle implements LifecyclePart {
  constructor(private readonly run: RunContext) {}

  private readonly listener: ConnectionListener = {
    open: (c) => this.dispatch(c, 'open', () => this.onOpen(c)),
    text: (c, text) => this.dispatch(c, 'text', () => this.onText(c, text)),
    binary: (c, bytes) => this.dispatch(c, 'binary', () => this.onBinary(c, bytes)),
    close: (c, code, reason) => this.dispatch(c, 'close', () => this.onClose(c, code, reason), { code, reason }),
    error: (c, message) => this.dispatch(c, 'error', () => this.run.event('socket-error', { conn: c.id, message }), { message }),
  };

  private dispatch(connection: Connection, what: string, handler: () => void, detail: Record<string, unknown> = {}): void {
    const run = this.run;
    if (run.done) return;
    if (!run.decisions.isCurrent(connection, run.view)) {
      if (what !== 'binary') run.event('stale-event-ignored', { conn: connection.id, what, ...detail });
      return;
    }
    run.guard(what, handler);
  }

  connectionBudget(): number {
    return (this.run.maxTurns + 2) * (this.run.policy.maxAttempts + 1) * (MAX_FALLBACK_SESSIONS + 1) + 8;
  }

  /** Opens a connection on the current session: with a handle = a resume attempt, without = a fresh model session. */
  openConnection(handle: KeptHandle | null): void {
    const run = this.run;
    const session = run.session;
    if (!session) throw new Error('openConnection without a session');
    if (run.connectionCount >= this.connectionBudget()) {
      run.resume.giveUp(`connection budget of ${this.connectionBudget()} exhausted`);
      return;
    }
    run.connectionCount += 1;
    if (run.connectionCount > 1) run.reconnects += 1;
    const url = run.wire.connectUrl(session, handle?.value);
    const connection = new Connection(run.connectionCount, handle, redactUrl(url), run.clock.now());
    this.clearConnectionTimers();
    run.current = connection;
    // A fresh model session greets first; a resumed one owes nothing until told what it lacks.
    run.ledger.pendingReply = handle ? null : { kind: 'greeting' };
    run.event('connect', {
      conn: connection.id,
      url: connection.redactedUrl,
      handle: handle?.fingerprint ?? null,
      attempt: run.attempts,
    });
    if (handle) {
      run.after('resume-confirm', run.policy.resumeConfirmTimeoutMs, () => {
        if (run.decisions.isCurrent(connection, run.view)) this.onResumeTimeout(connection);
      });
    }
    this.armInactivity();
    const WebSocketClass = run.webSocket();
    try {
      if (!WebSocketClass) throw new Error('no WebSocket implementation');
      connection.connect(WebSocketClass, url, this.listener);
    } catch (error) {
      run.event('connect-failed', { conn: connection.id, error: describeError(error) });
      this.detachCurrent();
      run.resume.loseConnection(connection, { kind: 'closed', code: CloseCode.abnormal, reason: 'could not open the socket' });
    }
  }

  /** The current socket stops counting: its later events, close included, are stale. */
  detachCurrent(): void {
    this.run.current = null;
    this.clearConnectionTimers();
  }

  private clearConnectionTimers(): void {
    this.run.timers.clear('inactivity');
    this.run.timers.clear('resume-confirm');
    this.run.timers.clear('rotation');
  }

  private onOpen(connection: Connection): void {
    const run = this.run;
    connection.opened = true;
    run.event('open', { conn: connection.id, resume: connection.isResume });
    if (!connection.isResume) connection.usable = true;
    else if (run.decisions.confirmsResume('open', run.view)) run.resume.onResumeConfirmed(connection, 'open');
    if (run.decisions.resetAttemptsAfter('open', run.view)) run.resume.resetAttempts('open');
    this.armInactivity();
  }

  private onBinary(connection: Connection, bytes: number): void {
    this.armInactivity();
    connection.binaryFramesReceived += 1;
    // Agent audio can stream many frames per second: the first one per connection is enough for the log.
    if (connection.binaryFramesReceived === 1) this.run.event('binary-ignored', { conn: connection.id, bytes, note: 'later binary frames are not logged' });
  }

  private onText(connection: Connection, text: string): void {
    connection.framesReceived += 1;
    this.armInactivity();
    this.run.wire.readFrame(text, this.frameSink(connection));
  }

  /** Each connection's frame sink, made once: a new one per frame was seven closures per message to collect. */
  private readonly sinks = new WeakMap<Connection, FrameSink>();

  /** What each server frame means, on the connection it came on. */
  private frameSink(connection: Connection): FrameSink {
    let sink = this.sinks.get(connection);
    if (sink === undefined) {
      sink = this.makeFrameSink(connection);
      this.sinks.set(connection, sink);
    }
    return sink;
  }

  private makeFrameSink(connection: Connection): FrameSink {
    const run = this.run;
    return {
      transcript: (text, final) => run.turnTaking.onTranscript(connection, text, final),
      handleUpdate: (update) => run.resume.onHandleUpdate(update, connection),
      expiring: (notice) => run.resume.onExpiring(notice, connection),
      resumed: (conversationId) => run.resume.onSessionResumed(connection, conversationId),
      conversationEnd: (reason) => run.resume.onConversationEnd(reason, connection),
      serverError: (code, message) => run.event('server-error', { conn: connection.id, code, message: snippet(message) }),
      ignored: (state, detail) => run.event('frame-ignored', { conn: connection.id, state, detail: snippet(detail) }),
    };
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    this.run.event('close', { conn: connection.id, code, reason: snippet(reason), opened: connection.opened });
    this.detachCurrent();
    this.run.resume.loseConnection(connection, { kind: 'closed', code, reason });
  }

  private onResumeTimeout(connection: Connection): void {
    this.run.event('resume-timeout', { conn: connection.id, afterMs: this.run.policy.resumeConfirmTimeoutMs });
    this.detachCurrent();
    connection.close(CloseCode.normal, 'no session:resumed in time');
    this.run.resume.loseConnection(connection, { kind: 'resume-timeout' });
  }

  private onInactivity(connection: Connection): void {
    const run = this.run;
    run.event('half-open', { conn: connection.id, silentForMs: run.decisions.inactivityTimeoutMs(run.view) });
    this.detachCurrent();
    connection.close(CloseCode.normal, 'no data while awaiting the agent');
    run.resume.loseConnection(connection, { kind: 'inactivity' });
  }

  /** Silence watch: armed (and re-armed by every frame) only while the agent owes something. */
  armInactivity(): void {
    const run = this.run;
    const connection = run.current;
    const awaiting =
      connection !== null &&
      run.phase === 'conversing' &&
      (run.ledger.pendingReply !== null || (connection.isResume && !connection.usable));
    if (!connection || !awaiting) {
      run.timers.clear('inactivity');
      return;
    }
    // Postponed, not re-armed, by each frame (named-timers.ts): the same deadline, without a
    // timer made and cancelled per message. The connection it watches is the last one armed.
    this.watched = connection;
    run.timers.postpone('inactivity', run.decisions.inactivityTimeoutMs(run.view), this.inactivityDue);
  }

  private watched: Connection | null = null;

  private readonly inactivityDue = (): void => this.run.guard('timer inactivity', () => {
    const connection = this.watched;
    if (connection !== null && this.run.decisions.isCurrent(connection, this.run.view)) this.onInactivity(connection);
  });
}
