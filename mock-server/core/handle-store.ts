/**
 * Resume handles (spec §5): opaque, ≥ 128 bits, bound to a share token and conversation,
 * capturing the model state at issue time, expiring a while after their connection closed.
 * Values come from an HMAC keyed by the run's seed: unpredictable to the client, yet the
 * same seed gives the same handles, so reports stay byte-identical across runs.
 */
import { createHmac } from 'node:crypto';
import type { HandleRef, RejectReason } from './journal.ts';
import { fingerprint } from '../../protocol/redact.ts';
import { turnsOf, type ModelState } from './sales-agent.ts';

export interface HandleRecord {
  readonly value: string;
  readonly shareToken: string;
  readonly conversationId: string;
  readonly state: ModelState;
  readonly ref: HandleRef;
  closedAt: number | null;
}

export interface HandleRules {
  ttlMs: number;
  ttlFromIssue: boolean;
  onlyNewestValid: boolean;
}

export type Validation = { ok: true; record: HandleRecord } | { ok: false; reason: RejectReason; record?: HandleRecord };

export class HandleStore {
  private readonly byValue = new Map<string, HandleRecord>();
  /**
   * Handles not yet closed, by the connection that issued them: a close touches only its own.
   * (Every close walked every handle ever issued: under load, a thousand conversations, that was
   * the mock's largest cost after redaction — bench:load's profile.)
   */
  private readonly openByConnection = new Map<number, HandleRecord[]>();
  private readonly revoked = new Set<string>();
  private counter = 0;

  /** `onIssue` hears every new handle value, so redaction knows it before it is ever sent. */
  constructor(private readonly key: Uint8Array, private readonly bytes: number, private readonly onIssue: (value: string) => void = () => undefined) {}

  issue(args: { shareToken: string; conversationId: string; state: ModelState; connection: number; now: number; seq: number }): HandleRecord {
    this.counter += 1;
    const value = `rh_${this.randomPart(this.counter)}`;
    const record: HandleRecord = {
      value,
      shareToken: args.shareToken,
      conversationId: args.conversationId,
      state: args.state,
      ref: { id: fingerprint(value), seq: args.seq, turns: turnsOf(args.state), issuedOnConnection: args.connection, issuedAt: args.now },
      closedAt: null,
    };
    this.byValue.set(value, record);
    const open = this.openByConnection.get(args.connection);
    if (open) open.push(record);
    else this.openByConnection.set(args.connection, [record]);
    this.onIssue(value);
    return record;
  }

  /** The issuing connection closed: the TTL starts now (Gemini: "2 hours after the last session termination"). */
  connectionClosed(connection: number, now: number): void {
    for (const record of this.openByConnection.get(connection) ?? []) {
      if (record.closedAt === null) record.closedAt = now;
    }
    this.openByConnection.delete(connection);
  }

  validate(value: string, shareToken: string, conversationId: string, now: number, rules: HandleRules, newestSeq: number): Validation {
    if (this.revoked.has(value)) return { ok: false, reason: 'revoked' };
    const record = this.byValue.get(value);
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.shareToken !== shareToken || record.conversationId !== conversationId) return { ok: false, reason: 'foreign', record };
    const from = rules.ttlFromIssue ? record.ref.issuedAt : record.closedAt;
    if (from !== null && now - from > rules.ttlMs) return { ok: false, reason: 'expired', record };
    if (rules.onlyNewestValid && record.ref.seq !== newestSeq) return { ok: false, reason: 'stale', record };
    return { ok: true, record };
  }

  /** A server restart forgets every handle it issued. */
  forgetAll(): void {
    for (const value of this.byValue.keys()) this.revoked.add(value);
    this.byValue.clear();
    this.openByConnection.clear();
  }

  lookup(value: string): HandleRecord | undefined {
    return this.byValue.get(value);
  }

  /** Every handle value ever issued: what redaction must hide. */
  values(): string[] {
    return [...this.byValue.keys(), ...this.revoked];
  }

  private randomPart(counter: number): string {
    const out: Buffer[] = [];
    let total = 0;
    for (let block = 0; total < this.bytes; block++) {
      const chunk = createHmac('sha256', this.key).update(`handle:${counter}:${block}`).digest();
      out.push(chunk);
      total += chunk.length;
    }
    return Buffer.concat(out).subarray(0, this.bytes).toString('base64url');
  }
}

/** Secret material derived from the seed: tokens and handles are reproducible per seed. */
export function deriveSecret(key: Uint8Array, label: string, bytes: number): string {
  return createHmac('sha256', key).update(label).digest().subarray(0, bytes).toString('hex');
}
