/**
 * Turn taking (spec §6.5): the agent's turns as they arrive, the prospect's thinking and
 * replies in strict alternation, and the graceful end once every turn is done.
 */
import { thinkDelayMs } from './pace.ts';
import type { Connection } from './connection.ts';
import { prospectMessage } from './persona.ts';
import { snippet, type RunContext, type TurnTakingPart } from './run-context.ts';

/** How long a ready reply waits for the turn boundary of a planned rotation (protocol ms): the handle follows the agent's final chunk at once. */
const BOUNDARY_HOLD_MS = 2000;

export class TurnTaking implements TurnTakingPart {
  constructor(private readonly run: RunContext) {}

  onTranscript(connection: Connection, text: string, final: boolean): void {
    if (connection.isResume && !connection.usable) {
      this.run.resume.onTranscriptBeforeResumed(connection);
      return;
    }
    // A turn streams as chunks; only the whole turn's words identify it (F19's repeated turn).
    if (!final) {
      connection.agentText += text;
      return;
    }
    const whole = connection.agentText + text;
    connection.agentText = '';
    this.onAgentFinal(connection, whole);
  }

  private onAgentFinal(connection: Connection, text: string): void {
    const run = this.run;
    const ledger = run.ledger;
    if (run.decisions.isRepeatedAgentTurn(connection, text, run.view)) {
      run.event('agent-turn-repeated', { conn: connection.id, text: snippet(text) });
      return;
    }
    ledger.finalsSeen += 1;
    const answered = ledger.pendingReply;
    if (!answered) {
      run.event('agent-final-unsolicited', { conn: connection.id, text: snippet(text) });
      return;
    }
    ledger.pendingReply = null;
    connection.carriedFullTurn = true;
    let progress: boolean;
    if (answered.kind === 'greeting') {
      progress = true;
      ledger.agentTurnTexts.set(ledger.contextThrough, text);
      run.event('agent-greeting', { conn: connection.id, text: snippet(text) });
    } else {
      progress = answered.index > ledger.turns;
      ledger.agentTurnTexts.set(answered.index, text);
      ledger.contextThrough = answered.index;
      ledger.turns = Math.max(ledger.turns, answered.index);
      run.event('turn-answered', { conn: connection.id, index: answered.index, turns: ledger.turns, text: snippet(text) });
    }
    if (progress && run.decisions.resetAttemptsAfter('full-turn', run.view)) run.resume.resetAttempts('full-turn');
    run.lifecycle.armInactivity();
    if (ledger.contextThrough >= run.maxTurns) this.beginEnding(connection);
    else this.planNext(ledger.contextThrough + 1);
    run.resume.maybeRotateAtBoundary();
  }

  /** After a resume that owes nothing: end if done, else keep (or start) thinking about the next line. */
  continueConversation(connection: Connection): void {
    const ledger = this.run.ledger;
    if (ledger.contextThrough >= this.run.maxTurns) {
      this.beginEnding(connection);
      return;
    }
    const next = ledger.contextThrough + 1;
    if (ledger.thinkingFor !== null && ledger.thinkingFor !== next) this.cancelThinking();
    if (ledger.readyToSend !== null && ledger.readyToSend !== next) ledger.readyToSend = null;
    if (ledger.readyToSend === next) this.trySendNext();
    else if (ledger.thinkingFor === null) this.planNext(next);
  }

  planNext(index: number): void {
    const run = this.run;
    this.cancelThinking();
    run.ledger.thinkingFor = index;
    const [min, max] = run.thinkRange;
    const delay = thinkDelayMs(run.pace, index, () => Math.round(run.rng.fork(`think/${index}`).between(min, max)));
    run.after('think', delay, () => {
      run.ledger.thinkingFor = null;
      run.ledger.readyToSend = index;
      this.trySendNext();
    });
  }

  cancelThinking(): void {
    this.run.timers.clear('think');
    this.run.ledger.thinkingFor = null;
    this.run.ledger.readyToSend = null;
  }

  trySendNext(): void {
    const run = this.run;
    const index = run.ledger.readyToSend;
    const connection = run.current;
    if (index === null || !connection || !connection.usable) return;
    if (!run.decisions.maySendProspect(index, run.view)) return;
    if (this.holdsForRotation(connection)) return;
    // Each reply is held at most once: the next one may meet the boundary the handle brings.
    connection.boundaryHoldOver = false;
    run.timers.clear('boundary-hold');
    run.ledger.readyToSend = null;
    this.sendProspect(connection, index, 'reply');
  }

  /**
   * spec §6.2: rotate at a turn boundary where possible. With a rotation planned, a reply ready
   * at once (a client with no think time) would be sent before the handle that closes the agent's
   * turn arrives, and no boundary would ever come. Hold it, briefly: the handle makes the boundary
   * (resume-flow.ts rotates, and the reply goes on the new connection); if none comes within
   * BOUNDARY_HOLD_MS the reply goes out here, and the rotation happens at its deadline.
   */
  private holdsForRotation(connection: Connection): boolean {
    const run = this.run;
    if (!connection.rotationPlanned || connection.boundaryHoldOver || run.phase !== 'conversing') return false;
    if (!run.timers.has('boundary-hold')) {
      run.after('boundary-hold', BOUNDARY_HOLD_MS, () => {
        connection.boundaryHoldOver = true;
        this.trySendNext();
      });
    }
    return true;
  }

  sendProspect(connection: Connection, index: number, why: 'reply' | 'resend'): void {
    const run = this.run;
    const ledger = run.ledger;
    if (!run.decisions.maySendProspect(index, run.view)) {
      run.event('prospect-send-refused', { conn: connection.id, index, why });
      return;
    }
    const text = prospectMessage(run.persona, index);
    // State first, then the wire: an in-process server may answer synchronously inside send().
    const before = { lastSent: ledger.lastSent, pendingReply: ledger.pendingReply };
    ledger.lastSent = Math.max(ledger.lastSent, index);
    ledger.pendingReply = { kind: 'prospect', index };
    run.event('prospect-sent', { conn: connection.id, index, resend: why === 'resend', text });
    if (!connection.send(run.wire.prospectMessage(text))) {
      // The socket is going away; its close event starts the recovery, which sends it again.
      ledger.lastSent = before.lastSent;
      ledger.pendingReply = before.pendingReply;
      run.event('prospect-send-failed', { conn: connection.id, index, why });
      ledger.readyToSend = index;
      return;
    }
    run.lifecycle.armInactivity();
  }

  beginEnding(connection: Connection): void {
    const run = this.run;
    if (run.phase !== 'conversing') return;
    run.phase = 'ending';
    this.cancelThinking();
    run.timers.clear('rotation');
    run.timers.clear('inactivity');
    const sent = connection.send(run.wire.endConversation());
    run.event('end-sent', { conn: connection.id, sent });
    run.after('end', run.policy.endTimeoutMs, () => {
      // Every turn was answered; only the server's acknowledgement is missing.
      run.event('end-timeout', { afterMs: run.policy.endTimeoutMs });
      run.end.finish('completed');
    });
  }
}
