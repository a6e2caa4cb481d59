/**
 * What a conversation's next upgrades meet before any connection exists: an outage (refused
 * or closed at once), a slow accept, or the proxy being `down` (spec §2; Toxiproxy `down`).
 */
export interface ConnectionGate {
  /** Upgrade rejected with this HTTP status (outage, down). */
  rejectStatus?: number;
  /** Accepted, then closed at once with this code (outage). */
  closeAtOnce?: { code: number; reason: string };
  delayMs: number;
}

export class AdmissionGate {
  private outage: { remaining: number; status?: number; code: number; reason: string } | null = null;
  private slowAccept: { remaining: number; delayMs: number } | null = null;
  private downUntil: number | null = null;
  private connectionAttempts = 0;

  /** Called before the upgrade completes: outages, `down` and slow accepts act here. */
  gate(now: number): ConnectionGate {
    this.connectionAttempts += 1;
    if (this.downUntil !== null && now < this.downUntil) return { rejectStatus: 503, delayMs: 0 };
    let delayMs = 0;
    if (this.slowAccept && this.slowAccept.remaining > 0) {
      this.slowAccept.remaining -= 1;
      delayMs = this.slowAccept.delayMs;
    }
    if (this.outage && this.outage.remaining > 0) {
      this.outage.remaining -= 1;
      if (this.outage.status !== undefined) return { rejectStatus: this.outage.status, delayMs };
      return { closeAtOnce: { code: this.outage.code, reason: this.outage.reason }, delayMs };
    }
    return { delayMs };
  }

  /** Upgrades attempted so far, refused ones included. */
  get attempts(): number {
    return this.connectionAttempts;
  }

  startOutage(attempts: number, status: number | undefined, code: number, reason: string): void {
    this.outage = { remaining: attempts, code, reason, ...(status !== undefined ? { status } : {}) };
  }

  startSlowAccept(attempts: number, delayMs: number): void {
    this.slowAccept = { remaining: attempts, delayMs };
  }

  goDownUntil(at: number): void {
    this.downUntil = at;
  }
}
