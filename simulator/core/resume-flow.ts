/**
 * Resume and rotation (spec §5–§6): handles as they arrive, session_expiring and the rotation it
 * plans, the confirmation of a resume, and what happens when a connection is lost — reconnect
 * with the newest handle, drop a rejected one, fall back, or give up. Every choice is asked of
 * the ResumeDecisions; this part carries them out, in the reference's order.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { Connection } from './connection.ts';
import type { ExpiringNotice, HandleUpdate } from './decisions.ts';
import type { KeptHandle } from './handle-keeper.ts';
import { snippet, type ConnectionLoss, type RecoveryTrigger, type ResumePart, type RunContext } from './run-context.ts';

export class ResumeFlow implements ResumePart {
  constructor(private readonly run: RunContext) {}

  /** T5: keep the newest usable handle; resumable:false or an empty handle keeps the previous one. */
  onHandleUpdate(update: HandleUpdate, connection: Connection): void {
    const run = this.run;
    const action = run.decisions.handleUpdate(update, run.view);
    if (action === 'ignore') return;
    if (action === 'drop-newest-then-offer') {
      const newest = run.handles.newest();
      if (newest) run.handles.reject(newest.value);
    }
    if (connection.isResume && !connection.usable) {
      // Before session:resumed this may be the handle of a fresh session the server silently
      // started instead: adopting it would make the lost context look resumable.
      run.event('handle-ignored', { conn: connection.id, why: 'resume not confirmed', handle: fingerprint(update.handle) });
      return;
    }
    if (update.handle) run.log.addSecret(update.handle);
    const outcome = run.handles.offer(update.handle, update.resumable, {
      receivedAt: run.clock.now(),
      coveredThrough: run.ledger.contextThrough,
      sentAtArrival: run.ledger.lastSent,
      finalsBefore: run.ledger.finalsSeen,
    });
    if (outcome.kind === 'kept-new') {
      run.everHadHandle = true;
      run.event('handle-kept', {
        conn: connection.id,
        handle: outcome.handle.fingerprint,
        coveredThrough: outcome.handle.coveredThrough,
        sentAtArrival: outcome.handle.sentAtArrival,
      });
    } else if (outcome.kind === 'same-as-current') {
      run.event('handle-repeated', { conn: connection.id, handle: outcome.handle.fingerprint });
    } else {
      run.event('handle-kept-previous', { conn: connection.id, why: outcome.why, handle: outcome.handle?.fingerprint ?? null });
    }
    this.maybeRotateAtBoundary();
  }

  /** T6: one rotation per connection, at the next turn boundary or at the latest before the deadline. */
  onExpiring(notice: ExpiringNotice, connection: Connection): void {
    const run = this.run;
    const response = run.decisions.expiringResponse(notice, run.view);
    if (response === 'ignore') return;
    this.planRotation(notice, connection);
    if (response === 'plan-rotation-and-rotate-per-notice') {
      run.clock.setTimeout(() => this.rotate('deadline'), run.decisions.rotationDelayMs(notice.timeLeft, run.view));
    }
  }

  private planRotation(notice: ExpiringNotice, connection: Connection): void {
    const run = this.run;
    run.event('expiring', { conn: connection.id, timeLeft: notice.timeLeft, hasHandle: notice.hasHandle });
    if (connection.rotationPlanned) {
      run.event('expiring-repeated', { conn: connection.id });
      return;
    }
    if (run.phase !== 'conversing') return;
    connection.rotationPlanned = true;
    const delay = run.decisions.rotationDelayMs(notice.timeLeft, run.view);
    run.event('rotation-planned', { conn: connection.id, latestInMs: delay, deadlineInMs: notice.timeLeft * 1000 });
    run.after('rotation', delay, () => {
      if (run.decisions.isCurrent(connection, run.view)) this.rotate('deadline');
    });
    this.maybeRotateAtBoundary();
  }

  maybeRotateAtBoundary(): void {
    const run = this.run;
    const connection = run.current;
    if (!connection?.rotationPlanned || run.phase !== 'conversing' || !run.decisions.isRotationBoundary(run.view)) return;
    // On the next tick, not inside this frame's handler: frames that came with this one (a
    // conversation_end right behind session_expiring) are read first, on the socket they came on.
    run.after('rotation', 0, () => {
      if (run.decisions.isCurrent(connection, run.view) && run.phase === 'conversing') this.rotate('turn-boundary');
    });
  }

  /** T6: never wait for the server to close: leave the old socket ourselves and resume at once. */
  private rotate(why: 'turn-boundary' | 'deadline'): void {
    const run = this.run;
    const old = run.current;
    if (!old) return;
    if (run.decisions.rotationStyle(run.view) === 'resume-leaving-old-open') {
      // The new connection replaces the old one as current; the old socket is simply left behind.
      this.recover('rotation');
      return;
    }
    run.event('rotate', { conn: old.id, why, pendingReply: run.ledger.pendingReply?.kind ?? null });
    run.lifecycle.detachCurrent();
    old.close(CloseCode.normal, 'rotating before session expiry');
    this.recover('rotation');
  }

  onSessionResumed(connection: Connection, conversationId: string | undefined): void {
    const run = this.run;
    if (!connection.isResume) {
      run.event('resumed-unexpected', { conn: connection.id, why: 'no handle was presented' });
      return;
    }
    if (connection.usable) {
      run.event('resumed-repeated', { conn: connection.id });
      return;
    }
    if (conversationId && run.session && conversationId !== run.session.conversationId) {
      run.event('resumed-other-conversation', { conn: connection.id, conversationId });
    }
    if (run.decisions.confirmsResume('resumed', run.view)) this.onResumeConfirmed(connection, 'resumed');
  }

  onResumeConfirmed(connection: Connection, via: 'open' | 'resumed'): void {
    const run = this.run;
    const ledger = run.ledger;
    const handle = connection.handle;
    if (!handle) return;
    connection.usable = true;
    run.timers.clear('resume-confirm');
    run.event('resumed', { conn: connection.id, via, handle: handle.fingerprint, coveredThrough: handle.coveredThrough });
    if (run.decisions.resetAttemptsAfter('resumed', run.view)) this.resetAttempts('resumed');
    ledger.contextThrough = handle.coveredThrough;
    ledger.pendingReply = null;
    const resend = run.decisions.messageToResend(handle, ledger.lastSent, run.view);
    if (resend !== null) {
      run.turnTaking.cancelThinking();
      run.turnTaking.sendProspect(connection, resend, 'resend');
    } else if (ledger.lastSent > ledger.contextThrough) {
      // Nothing to re-send means the restored state is taken to hold every message sent, so the
      // agent owes the last one. (Unreachable with the reference messageToResend; it gives a
      // decision that wrongly answers null the consequence it has on a real server: a stall.)
      run.turnTaking.cancelThinking();
      ledger.contextThrough = ledger.lastSent - 1;
      ledger.pendingReply = { kind: 'prospect', index: ledger.lastSent };
    } else {
      run.turnTaking.continueConversation(connection);
    }
    run.lifecycle.armInactivity();
    // A notice that came before the confirmation planned a rotation on a connection not yet usable:
    // look for the boundary now (the reference finds none before the connection carries a turn, F3).
    this.maybeRotateAtBoundary();
  }

  /** T2/T14: the model spoke before session:resumed: the server started a fresh session, the handle is dead. */
  onTranscriptBeforeResumed(connection: Connection): void {
    const run = this.run;
    run.event('resume-silently-rejected', { conn: connection.id, handle: connection.handle?.fingerprint ?? null });
    if (connection.handle) this.dropHandle(connection.handle, 'the server started a fresh session instead of resuming');
    run.lifecycle.detachCurrent();
    connection.close(CloseCode.normal, 'resume rejected');
    this.loseConnection(connection, { kind: 'silent-rejection' });
  }

  /** T11: the conversation is over on the server's word: close and finish, never reconnect. */
  onConversationEnd(reason: string, connection: Connection): void {
    const run = this.run;
    if (!run.decisions.honoursConversationEnd(reason, run.view)) return;
    run.conversationEnded = true;
    run.event('conversation-end', { conn: connection.id, reason });
    run.lifecycle.detachCurrent();
    connection.close(CloseCode.normal, 'conversation ended');
    const turns = run.ledger.turns;
    if (turns >= run.maxTurns) run.end.finish('completed');
    else run.end.finish('failed', `the server ended the conversation after ${turns} of ${run.maxTurns} turns: ${reason}`, run.contextLost);
  }

  /** The connection is gone (already detached): decide between finishing, dropping the handle and resuming. */
  loseConnection(connection: Connection, loss: ConnectionLoss): void {
    const run = this.run;
    if (run.done) return;
    if (run.phase === 'ending') {
      // Every turn is done and end_conversation was sent: there is nothing left to resume for.
      run.event('lost-while-ending', { conn: connection.id, loss: loss.kind });
      run.end.finish('completed');
      return;
    }
    if (loss.kind === 'closed') {
      const close = { code: loss.code, reason: loss.reason };
      if (!run.decisions.shouldReconnect(close, run.view)) {
        if (run.conversationEnded) run.end.finish(run.ledger.turns >= run.maxTurns ? 'completed' : 'failed', 'the conversation ended', run.contextLost);
        else this.giveUp(`the server closed with ${loss.code}${loss.reason ? ` (${snippet(loss.reason)})` : ''}: not authorised, not reconnecting`);
        return;
      }
      if (connection.handle && run.decisions.rejectsHandle(close, run.view)) {
        this.dropHandle(connection.handle, `the server closed with ${loss.code}${loss.reason ? ` (${snippet(loss.reason)})` : ''}`);
        this.recover('handle-rejected');
        return;
      }
    }
    if (connection.handle && connection.usable && !connection.carriedFullTurn) {
      const count = run.handles.noteAcceptThenClose(connection.handle.value);
      run.event('accept-then-close', { conn: connection.id, handle: connection.handle.fingerprint, count });
      if (run.decisions.shouldAbandonHandle(connection.handle, count, run.view)) {
        this.dropHandle(connection.handle, `its resumed connections closed before a full agent turn ${count} times`);
      }
    }
    this.recover(loss.kind);
  }

  private dropHandle(handle: KeptHandle, why: string): void {
    this.run.handles.reject(handle.value);
    this.run.lastHandleDrop = `handle ${handle.fingerprint} dropped: ${why}`;
    this.run.event('handle-dropped', { handle: handle.fingerprint, why });
  }

  /** One step of an outage: the next attempt with the newest handle, or the end of resuming. */
  private recover(trigger: RecoveryTrigger): void {
    const run = this.run;
    if (run.done) return;
    const handle = run.handles.newest();
    if (!handle) {
      const why = run.lastHandleDrop
        ? `resume impossible: ${run.lastHandleDrop}`
        : run.everHadHandle
          ? 'resume impossible: no usable handle'
          : 'resume impossible: the connection was lost before the server issued any resume handle';
      run.event('resume-impossible', { trigger, why });
      this.recoverWithoutHandle(why);
      return;
    }
    run.attempts += 1;
    if (run.decisions.exceedsAttemptBudget(run.attempts, run.view)) {
      const why = `resume failed: ${run.attempts - 1} attempts in this outage did not bring back a working connection`;
      run.event('attempts-exhausted', { trigger, attempts: run.attempts - 1 });
      this.recoverWithoutHandle(why);
      return;
    }
    const delay = trigger === 'rotation' ? 0 : run.decisions.reconnectDelayMs(run.attempts, run.jitterRng, run.view);
    run.event('reconnect-scheduled', { trigger, attempt: run.attempts, delayMs: delay, handle: handle.fingerprint });
    if (delay <= 0) this.reconnectNow();
    else run.after('reconnect', delay, () => this.reconnectNow());
  }

  private reconnectNow(): void {
    const handle = this.run.handles.newest();
    if (!handle) {
      this.recoverWithoutHandle(`resume impossible: ${this.run.lastHandleDrop ?? 'no usable handle'}`);
      return;
    }
    this.run.lifecycle.openConnection(handle);
  }

  resetAttempts(after: 'open' | 'resumed' | 'full-turn'): void {
    if (this.run.attempts !== 0) this.run.event('attempts-reset', { after, was: this.run.attempts });
    this.run.attempts = 0;
  }

  /** T8/T10/T13: no handle to resume with: give up, or start over on a new session and say so. */
  private recoverWithoutHandle(reason: string): void {
    const action = this.run.decisions.withoutHandle(reason, this.run.view);
    if (action === 'new-session') {
      this.startFallbackSession(reason);
      return;
    }
    if (action === 'fresh-connection') {
      this.run.lifecycle.openConnection(null);
      return;
    }
    this.giveUp(reason);
  }

  /** T10: the context did not survive; the post-mortem is written by finish(). */
  giveUp(reason: string): void {
    if (this.run.decisions.givesUp(reason, this.run.view)) this.run.end.finish('failed', reason, true);
  }

  private startFallbackSession(reason: string): void {
    const run = this.run;
    run.fallbacksUsed += 1;
    run.contextLost = true;
    run.event('fallback-new-session', { reason, previousConversationId: run.session?.conversationId ?? null });
    run.timers.clear('reconnect');
    run.lifecycle.detachCurrent();
    run.handles.forgetAll();
    run.attempts = 0;
    run.ledger.pendingReply = null;
    // The new model session knows nothing, but the prospect's script goes on where it was: the
    // next unanswered message follows the new greeting. contextLost tells the judge why.
    run.ledger.contextThrough = run.ledger.turns;
    run.turnTaking.cancelThinking();
    void run.end.createSession('fallback').then((created) => {
      if (created) run.guard('fallback connect', () => run.lifecycle.openConnection(null));
    });
  }
}
