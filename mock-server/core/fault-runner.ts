/**
 * Runs a conversation's fault rules: matches triggers as the conversation produces
 * events, applies toxicity and delays, and carries out the actions on the connection the
 * trigger concerns (or, for time-based triggers, the newest open one). It hears the
 * conversation through its events and acts through its public methods: the conversation
 * knows nothing of it.
 */
import type { Rng } from '../../protocol/rng.ts';
import type { Action, FaultRule, Toxic } from '../script/schema.ts';
import type { Connection } from './connection.ts';
import type { FaultEvent, TurnPhase } from './connection-sink.ts';
import type { Conversation } from './conversation.ts';
import { TimerGroup } from './timers.ts';

const toxicLabel = (toxic: Toxic): string => (toxic.name ? `${toxic.type} (${toxic.name})` : toxic.type);

export type { FaultEvent, TurnPhase };

export class FaultRunner {
  private readonly fired: number[];
  private readonly eventCounts = new Map<FaultEvent, number>();
  private readonly timers: TimerGroup;

  constructor(private readonly conversation: Conversation, private readonly rules: readonly FaultRule[], private readonly rng: Rng) {
    this.fired = rules.map(() => 0);
    this.timers = new TimerGroup(conversation.clock);
    conversation.events
      .on('connection-opened', (conn) => this.onConnectionOpened(conn))
      .on('event', (event, conn) => this.onEvent(event, conn))
      .on('turn-phase', (conn, turn, phase) => this.onTurnPhase(conn, turn, phase))
      .on('disposed', () => this.dispose());
  }

  /** Time-based triggers run from the conversation's creation (its HTTP session). */
  start(): void {
    this.rules.forEach((rule, index) => {
      const when = rule.when;
      // `at: 0` means "as the conversation is created": before its first upgrade, not a timer tick later.
      if ('at' in when) {
        if (when.at === 0) this.fire(index, undefined);
        else this.timers.after(when.at * 1000, () => this.fire(index, undefined));
      }
      if ('every' in when) {
        let t = when.start * 1000;
        for (let i = 0; i < when.count; i++) {
          t += when.every * 1000 + (when.jitter > 0 ? this.rng.between(-when.jitter, when.jitter) * 1000 : 0);
          this.timers.after(Math.max(0, t), () => this.fire(index, undefined));
        }
      }
    });
  }

  onConnectionOpened(conn: Connection): void {
    this.rules.forEach((rule, index) => {
      if ('connection' in rule.when && rule.when.connection === conn.number) this.fire(index, conn);
    });
    this.onEvent('open', conn);
  }

  onEvent(event: FaultEvent, conn: Connection): void {
    const count = (this.eventCounts.get(event) ?? 0) + 1;
    this.eventCounts.set(event, count);
    this.rules.forEach((rule, index) => {
      const when = rule.when;
      if ('event' in when && when.event === event && (when.nth === undefined || when.nth === count)) this.fire(index, conn);
    });
  }

  onTurnPhase(conn: Connection, turn: number, phase: TurnPhase): void {
    this.rules.forEach((rule, index) => {
      const when = rule.when;
      if ('turn' in when && when.turn === turn && when.phase === phase) this.fire(index, conn);
    });
  }

  dispose(): void {
    this.timers.dispose();
  }

  private fire(index: number, conn: Connection | undefined): void {
    const rule = this.rules[index];
    if (!rule) return;
    if (this.fired[index]! >= rule.times) return;
    if (rule.conversation !== undefined && rule.conversation !== this.conversation.salt) return;
    const target = conn ?? this.conversation.current();
    if (rule.connection !== undefined && target?.number !== rule.connection) return;
    // Toxicity is drawn per firing from the conversation's own stream: reproducible per seed.
    if (rule.toxicity < 1 && this.rng.next() >= rule.toxicity) return;
    this.fired[index]! += 1;
    const actions = Array.isArray(rule.do) ? rule.do : [rule.do];
    const run = (): void => {
      for (const action of actions) this.apply(index, action, target);
    };
    if (rule.after > 0) {
      // On the connection's own timers (cancelled if it goes away first), unless it is already
      // gone: a conversation-wide action after a close still has to happen.
      if (target && !target.closed) target.after(rule.after * 1000, run);
      else this.timers.after(rule.after * 1000, run);
    } else run();
  }

  private apply(rule: number, action: Action, conn: Connection | undefined): void {
    const conversation = this.conversation;
    const name = Object.keys(action)[0] ?? 'unknown';
    const note = (detail?: string): void =>
      conversation.record({ kind: 'fault', t: conversation.now, rule, action: name, ...(conn ? { conn: conn.id } : {}), ...(detail ? { detail } : {}) });

    // Conversation-wide actions need no open connection.
    if ('outage' in action) {
      note(`next ${action.outage.attempts} attempts fail`);
      conversation.admission.startOutage(action.outage.attempts, action.outage.status, action.outage.code, action.outage.reason);
      return;
    }
    if ('slowAccept' in action) {
      note(`next ${action.slowAccept.attempts} accepts delayed ${action.slowAccept.delay}s`);
      conversation.admission.startSlowAccept(action.slowAccept.attempts, action.slowAccept.delay * 1000);
      return;
    }
    if ('restart' in action) {
      note();
      conversation.restart(action.restart.code, action.restart.reason, action.restart.forgetHandles);
      return;
    }
    if ('toxic' in action && action.toxic.type === 'down') {
      // Toxiproxy's `down` is the proxy's, not a connection's: toxicity is drawn once per firing here.
      if (action.toxic.toxicity < 1 && conversation.toxicRng.next() >= action.toxic.toxicity) {
        note(`down spared (toxicity ${action.toxic.toxicity})`);
        return;
      }
      note(`down for ${action.toxic.attributes.duration}ms`);
      conversation.goDown(action.toxic.attributes.duration);
      return;
    }
    if (!conn || conn.closed) return;
    if ('send' in action) { note(); conn.sendScripted(action.send); return; }
    if ('sendRaw' in action) { note(); conn.sendText(action.sendRaw); return; }
    if ('sendBinary' in action) { note(`${action.sendBinary} bytes`); conn.sendBinary(action.sendBinary); return; }
    if ('expire' in action) {
      const e = action.expire;
      note(`timeLeft ${e.timeLeft}s`);
      conn.expire({
        timeLeft: e.timeLeft,
        closeAfterMs: (e.closeAfter ?? e.timeLeft) * 1000,
        closeCode: e.closeCode,
        closeReason: e.closeReason,
        drop: false,
        silent: e.silent,
        resendHandle: e.resendHandle,
      });
      return;
    }
    if ('close' in action) {
      note(`${action.close.code}`);
      const doClose = (): void => conn.serverClose(action.close.code, action.close.reason, `fault: close ${action.close.code}`);
      if (action.close.delay > 0) conn.after(action.close.delay * 1000, doClose);
      else doClose();
      return;
    }
    if ('drop' in action) {
      note();
      if (action.drop.delay > 0) conn.after(action.drop.delay * 1000, () => conn.serverDrop('fault: drop'));
      else conn.serverDrop('fault: drop');
      return;
    }
    if ('halfOpen' in action) { note(); conn.enterHalfOpen(); return; }
    if ('silence' in action) { note(); conn.goSilent(action.silence.duration === undefined ? undefined : action.silence.duration * 1000); return; }
    if ('pings' in action) {
      note(typeof action.pings === 'string' ? action.pings : `late by ${action.pings.lateBy}s`);
      conn.setPongs(action.pings === 'ignore' ? 'ignore' : { lateByMs: action.pings.lateBy * 1000 });
      return;
    }
    if ('delayMessage' in action) {
      note();
      conn.addMessageRule({ direction: action.delayMessage.direction, nth: action.delayMessage.nth, effect: { delayMs: action.delayMessage.by * 1000 } });
      return;
    }
    if ('duplicateMessage' in action) { note(); conn.addMessageRule({ direction: action.duplicateMessage.direction, nth: action.duplicateMessage.nth, effect: 'duplicate' }); return; }
    if ('dropMessage' in action) { note(); conn.addMessageRule({ direction: action.dropMessage.direction, nth: action.dropMessage.nth, effect: 'drop' }); return; }
    if ('endConversation' in action) { note(action.endConversation.drop ? 'then drop' : undefined); conversation.endConversation(conn, action.endConversation.reason, 'fault: conversation_end', action.endConversation.drop); return; }
    if ('issueHandle' in action) { note(action.issueHandle.binding); conversation.issueHandle(conn, 'fault', action.issueHandle.binding); return; }
    if ('idleTimeout' in action) {
      const idle = action.idleTimeout;
      note(`after ${idle.after}s ${idle.code === undefined ? 'drop' : `close ${idle.code}`}`);
      conn.setIdleTimeout(idle.after * 1000, idle.code, idle.reason);
      return;
    }
    if ('toxic' in action) {
      // Toxicity is drawn per connection (Toxiproxy); a spared connection is journaled as such.
      const applied = conn.applyToxic(action.toxic);
      note(applied ? toxicLabel(action.toxic) : `${toxicLabel(action.toxic)} spared (toxicity ${action.toxic.toxicity})`);
      return;
    }
  }
}
