/**
 * The mutant gallery: the reference simulator with exactly one trap re-introduced each.
 * They are the harness's proof as a measuring instrument — every one must be caught by at
 * least one scenario, and the reference by none (resume-harness matrix).
 */
import type { SessionResumptionUpdateMessage } from '../../protocol/messages.ts';
import { ProspectSimulator, type SimulatorOptions } from '../../simulator/prospect-simulator.ts';
import type { Connection } from '../../simulator/connection.ts';
import { CATALOG_MUTANTS } from './catalog-mutants.ts';
import type { z } from 'zod';

type Update = z.infer<typeof SessionResumptionUpdateMessage>;

export interface Mutant {
  /** Stable id, used as `--sut mutant:<id>` and in the matrix. */
  readonly id: string;
  readonly trap: string;
  /** The bug, in one sentence. */
  readonly bug: string;
  /**
   * The modes in which the bug can show at all (default: both). A bug below msw's WebSocket —
   * pings, TCP — cannot in virtual mode: the matrix shows such a mutant as not applicable
   * there, rather than as an escape.
   */
  readonly modes?: readonly ('virtual' | 'network')[];
  /**
   * The verdict the bug deserves (default FAILED). NON-STRICT for a deviation the spec words as
   * "allowed, not ideal": the matrix counts the harness grading it NON-STRICT as detection.
   */
  readonly detectedAs?: 'FAILED' | 'NON-STRICT';
  create(options: SimulatorOptions): { run(): Promise<unknown> };
}

class NoReconnectOn1000 extends ProspectSimulator {
  protected override shouldReconnect(code: number, reason: string): boolean {
    return code !== 1000 && super.shouldReconnect(code, reason);
  }
}
class ResumeOnOpen extends ProspectSimulator {
  protected override confirmsResume(): boolean {
    return true;
  }
}
class ActsOnReplacedSockets extends ProspectSimulator {
  protected override isCurrent(): boolean {
    return true;
  }
}
class NoBackoff extends ProspectSimulator {
  protected override reconnectDelayMs(): number {
    return 0;
  }
}
class FixedDelay extends ProspectSimulator {
  protected override reconnectDelayMs(): number {
    return 2000;
  }
}
class UnboundedAttempts extends ProspectSimulator {
  protected override exceedsAttemptBudget(): boolean {
    return false;
  }
}
class ResetOnResumed extends ProspectSimulator {
  protected override resetAttemptsAfter(kind: 'open' | 'resumed' | 'full-turn'): boolean {
    return kind !== 'open';
  }
}
class ClearsHandleOnNotResumable extends ProspectSimulator {
  protected override onHandleUpdate(message: Update, connection: Connection): void {
    const newest = this.handles.newest();
    if (!message.resumable && newest) this.handles.reject(newest.value);
    super.onHandleUpdate(message, connection);
  }
}
class WaitsForServerClose extends ProspectSimulator {
  protected override onExpiring(): void {}
}
class NoResend extends ProspectSimulator {
  protected override messageToResend(): number | null {
    return null;
  }
}
class ResendsAlways extends ProspectSimulator {
  protected override messageToResend(): number | null {
    return this.lastSent > 0 ? this.lastSent : null;
  }
  protected override maySendProspect(): boolean {
    return this.current !== null && this.current.usable && this.pendingReply === null;
  }
}
class SilentNewSession extends ProspectSimulator {
  constructor(options: SimulatorOptions) {
    super({ ...options, policy: { ...options.policy, fallback: 'new-session' } });
  }
  protected override finish(status: 'completed' | 'failed', reason?: string): void {
    // Forget that the fallback lost the context, as the seed's "recover silently" would.
    (this as unknown as { contextLost: boolean }).contextLost = false;
    super.finish(status, reason, false);
  }
}
class NoHalfOpenDetection extends ProspectSimulator {
  protected override inactivityTimeoutMs(): number {
    return 1e12;
  }
}
class NeverEnds extends ProspectSimulator {
  protected override giveUp(): void {}
}
class IgnoresConversationEnd extends ProspectSimulator {
  protected override onConversationEnd(): void {}
}
class LogsSecrets extends ProspectSimulator {
  protected override redactSecrets(text: string): string {
    return text;
  }
}
class ReconnectsWithoutHandle extends ProspectSimulator {
  protected override recoverWithoutHandle(): void {
    this.openConnection(null);
  }
}
class KeepsRejectedHandle extends ProspectSimulator {
  protected override rejectsHandle(): boolean {
    return false;
  }
}
class NeverAbandonsHandle extends ProspectSimulator {
  protected override shouldAbandonHandle(): boolean {
    return false;
  }
}
class ReconnectsAfter4001 extends ProspectSimulator {
  protected override shouldReconnect(): boolean {
    return true;
  }
}

const m = (id: string, trap: string, bug: string, Class: new (o: SimulatorOptions) => ProspectSimulator): Mutant => ({
  id,
  trap,
  bug,
  create: (options) => new Class(options),
});

export const MUTANTS: readonly Mutant[] = [
  m('t1-no-reconnect-on-1000', 'T1', 'skips the reconnect when the close code is 1000 (the seed plan)', NoReconnectOn1000),
  m('t2-resume-on-open', 'T2', 'takes an open socket as a confirmed resume', ResumeOnOpen),
  m('t3-acts-on-replaced-sockets', 'T3', 'acts on events of sockets it has replaced, their late close included', ActsOnReplacedSockets),
  m('t4-no-backoff', 'T4', 'retries at once, with no delay between attempts', NoBackoff),
  { ...m('t4-fixed-delay', 'T4', 'waits a fixed 2 s between attempts (the seed plan\'s code)', FixedDelay), detectedAs: 'NON-STRICT' },
  m('t4-unbounded', 'T4', 'never stops retrying', UnboundedAttempts),
  m('t4-reset-on-resumed', 'T4', 'resets the attempt count on session:resumed (the seed plan)', ResetOnResumed),
  m('t5-clears-handle-on-not-resumable', 'T5', 'drops its handle on resumable:false', ClearsHandleOnNotResumable),
  m('t6-waits-for-server-close', 'T6', 'ignores session_expiring and waits for the server to close', WaitsForServerClose),
  m('t7-no-resend', 'T7', 'does not re-send the in-flight prospect message after a resume', NoResend),
  m('t7-resends-always', 'T7', 're-sends its last prospect message after every resume, answered or not', ResendsAlways),
  m('t8-silent-new-session', 'T8', 'recovers with a new HTTP session and reports the context as intact', SilentNewSession),
  m('t9-no-half-open-detection', 'T9', 'never notices a connection that went silent', NoHalfOpenDetection),
  m('t10-never-ends', 'T10', 'never ends when every attempt failed', NeverEnds),
  m('t11-ignores-conversation-end', 'T11', 'ignores conversation_end and reconnects after it', IgnoresConversationEnd),
  m('t12-logs-secrets', 'T12', 'logs full handles and tokens', LogsSecrets),
  m('t13-reconnects-without-handle', 'T13', 'reconnects with no handle and carries on as if nothing was lost', ReconnectsWithoutHandle),
  m('t14-keeps-rejected-handle', 'T14', 'presents a handle again after 4003', KeepsRejectedHandle),
  m('t14-never-abandons-handle', 'T14', 'keeps presenting a handle that is accepted then closed every time', NeverAbandonsHandle),
  m('reconnects-after-4001', 'T14', 'reconnects after 4001 unauthorised', ReconnectsAfter4001),
  ...CATALOG_MUTANTS,
];

export function findMutant(id: string): Mutant | undefined {
  return MUTANTS.find((mutant) => mutant.id === id);
}
