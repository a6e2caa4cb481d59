/**
 * The run's event log and its one exit for log lines (T12): every string that leaves the
 * simulator passes `ResumeDecisions.redactSecrets` with the secrets the run has learnt so far.
 */
import type { Clock } from '../../protocol/clock.ts';
import { SecretRedactor } from '../../protocol/redact.ts';
import type { ResumeDecisions } from './decisions.ts';

/** One entry of the run's event log. `t` is the clock's now(); never holds a secret. */
export interface SimulatorEvent {
  t: number;
  kind: string;
  [k: string]: unknown;
}

export class EventLog {
  readonly events: SimulatorEvent[] = [];
  // Short session tokens of other servers are secrets too: anything from 4 characters on.
  private readonly redactor = new SecretRedactor(4);

  constructor(
    private readonly clock: Clock,
    private readonly decisions: ResumeDecisions,
    private readonly logger: ((line: string) => void) | undefined,
  ) {}

  /** A secret learnt during the run (token, handle): redacted from here on. */
  addSecret(secret: string): void {
    this.redactor.add(secret);
  }

  redact(text: string): string {
    return this.decisions.redactSecrets(text, this.redactor);
  }

  /** The one exit for log lines. */
  logLine(line: string): void {
    this.logger?.(this.redact(line));
  }

  event(kind: string, fields: Record<string, unknown> = {}): void {
    const entry: SimulatorEvent = { t: this.clock.now(), kind };
    // One pass over the fields builds the entry and the line's details (it was four arrays per
    // event); the details are the fields' but `t` and `kind`, in the entry's order, as before.
    // The line is redacted whole still: a secret inside a non-string value (an object, an
    // array) is only caught there.
    let details = '';
    for (const key of Object.keys(fields)) {
      const raw = fields[key];
      const value = typeof raw === 'string' ? this.redact(raw) : raw;
      entry[key] = value;
      if (key === 't' || key === 'kind') continue;
      details += `${details === '' ? '' : ' '}${key}=${JSON.stringify(value) ?? 'undefined'}`;
    }
    this.events.push(entry);
    this.logLine(`[sim t=${Math.round(entry.t)}] ${kind}${details ? ` ${details}` : ''}`);
  }
}
