/**
 * The seed plan's client logic, ported literally (the project's original plan,
 * sections A–E): one more mutant of the gallery, and the harness's proof that it catches the
 * plan as written. It is a standalone client — not the reference simulator with a decision
 * broken — over the WHATWG WebSocket, fetch and a Clock, so it runs as a system under test
 * in both modes (`--sut seed-plan` or `--sut mutant:seed-plan`).
 *
 * Kept exactly as the plan writes it, traps included:
 * - A  `resumeHandle`, `sessionExpiring`, `reconnectAttempts`, MAX_RECONNECT_ATTEMPTS = 3,
 *      RECONNECT_DELAY_MS = 2000;
 * - B  the handle goes into the URL when known (and a 20-character preview into the log);
 * - C  `session_resumption_update` saves any non-empty handle, `session_expiring` only sets
 *      the flag (no proactive reconnect), `session:resumed` clears the flag and the counter;
 * - D  the close handler of every socket reconnects only if running, with a handle, and the
 *      code is not 1000 — the code the server uses at expiry;
 * - E  `attemptReconnect`: a fixed 2 s wait, connect, then poll every 100 ms for up to 10 s
 *      until `sessionExpiring` is false on an open socket — which an abrupt drop or a silently
 *      rejected handle satisfies as well — reset the counter on that "success", and retry by
 *      recursion on failure; the poll's interval is not cleared on timeout, as in the plan.
 *
 * What the plan leaves out is filled in as its surrounding code evidently did, and marked
 * "assumed": the prospect answers every final agent transcript after a think time, sends
 * `end_conversation` once its turns are done, `connectToWebSocket` resolves on `open` and
 * rejects on `error`, and setting `isRunning = false` ends the training. The result for the
 * harness (sut-contract §4) is read off that state: the plan never knows its context was
 * lost, so `contextLost` is always false.
 *
 * The plan's handlers trust every frame (`message.handle.substring(…)`): a malformed one
 * throws inside a socket listener, which in the plan's Node process is an uncaught exception
 * that kills it. In-process that would kill the harness, so the port models the crash
 * instead: the run rejects with the error, and the harness reports a client that died with
 * no result.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import { globalClock } from '../../protocol/clock.ts';
import { createRng, type Rng } from '../../protocol/rng.ts';
import type { SutResult } from '../../protocol/sut-result.ts';
import type { WebSocketCtor, WebSocketLike } from '../core/connection.ts';
import { createPersona, prospectMessage, type Persona } from '../core/persona.ts';
import { DEFAULT_THINK_TIME_MS } from '../core/policy.ts';
import type { SimulatorOptions } from '../simulator-types.ts';
import type { Mutant } from './mutant.ts';

const OPEN = 1;

export interface SeedPlanResult extends SutResult {
  reason: string;
}

export class SeedPlanSimulator {
  // A. Proprietà nuove
  private resumeHandle: string | null = null;
  private sessionExpiring = false;
  private reconnectAttempts = 0;
  private static readonly MAX_RECONNECT_ATTEMPTS = 3;
  private static readonly RECONNECT_DELAY_MS = 2000;

  // The simulator the plan modifies (assumed from its references: isRunning, ws, currentTurn…).
  private isRunning = false;
  private ws: WebSocketLike | null = null;
  private sessionToken: string | null = null;
  private conversationId: string | null = null;
  private currentTurn = 0;
  private messageCount = 0;
  private readonly maxTurns: number;

  // The harness adapter: what the result file reports.
  private readonly clock: Clock;
  private readonly persona: Persona;
  private readonly thinkRng: Rng;
  private connectionsOpened = 0;
  private turnsDone = false;
  private resolveRun: ((result: SeedPlanResult) => void) | null = null;
  private rejectRun: ((error: unknown) => void) | null = null;
  private result: SeedPlanResult | null = null;

  constructor(private readonly options: SimulatorOptions) {
    this.clock = options.clock ?? globalClock;
    this.maxTurns = options.maxTurns;
    this.persona = createPersona(options.seed);
    this.thinkRng = createRng(options.seed).fork('seed-plan-think');
  }

  run(): Promise<SeedPlanResult> {
    return new Promise<SeedPlanResult>((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
      this.crashOnThrow(this.start());
    });
  }

  private async start(): Promise<void> {
    this.isRunning = true;
    try {
      await this.createSession();
      await this.connectToWebSocket();
    } catch (error) {
      this.console.error(` [PROSPECT SIMULATOR] Could not start the training:`, error);
      this.stopTraining(`could not start: ${(error as Error).message}`);
    }
  }

  // B. buildWebSocketUrl()
  private buildWebSocketUrl(): string {
    const params = new URLSearchParams({
      mode: 'sales_agent',
      sessionToken: this.sessionToken!,
      shareToken: this.options.shareToken,
    });
    if (this.options.testMode) {
      params.set('testMode', this.options.testMode);
    }
    if (this.resumeHandle) {
      params.set('resumeHandle', this.resumeHandle);
      this.console.log(` [PROSPECT SIMULATOR] Including resumeHandle in WebSocket URL`);
      this.console.log(`   → Handle preview: ${this.resumeHandle.substring(0, 20)}...`);
    }
    return `${this.options.wsUrl}?${params.toString()}`;
  }

  /** Assumed: the socket's handlers are attached here, so every socket gets the close handler D. */
  private connectToWebSocket(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const WebSocketClass = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
      if (!WebSocketClass) throw new Error('no WebSocket implementation');
      const ws = new WebSocketClass(this.buildWebSocketUrl());
      this.ws = ws;
      this.connectionsOpened++;
      ws.addEventListener('open', () => {
        this.console.log(` [PROSPECT SIMULATOR] WebSocket connected`);
        resolve();
      });
      ws.addEventListener('message', (event: { data?: unknown }) => this.crashOnThrow(() => this.handleServerMessage(event.data)));
      ws.addEventListener('error', () => {
        this.console.error(` [PROSPECT SIMULATOR] WebSocket error`);
        reject(new Error('WebSocket error'));
      });
      ws.addEventListener('close', (event: { code?: number; reason?: string }) => {
        this.crashOnThrow(this.onClose(event.code ?? 1006, event.reason ?? ''));
      });
    });
  }

  // C. handleServerMessage()
  private handleServerMessage(data: unknown): void {
    if (typeof data !== 'string') return; // agent audio
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data) as Record<string, unknown>;
    } catch {
      this.console.error(` [PROSPECT SIMULATOR] Invalid message from server`);
      return;
    }
    switch (message.type) {
      case 'transcript':
        if (message.final === true) this.crashOnThrow(this.respondToAgent());
        break;

      case 'conversation_end':
        this.console.log(` [PROSPECT SIMULATOR] Conversation ended: ${String(message.reason)}`);
        this.stopTraining(`conversation_end: ${String(message.reason)}`);
        break;

      case 'error':
        this.console.error(` [PROSPECT SIMULATOR] Server error: ${String(message.code)}`);
        break;

      // Session resume - Il server invia un nuovo handle dopo ogni risposta AI
      case 'session_resumption_update':
        if (message.handle) {
          this.resumeHandle = message.handle as string;
          this.console.log(` [PROSPECT SIMULATOR] Session handle received and saved`);
          this.console.log(`   → Handle preview: ${(message.handle as string).substring(0, 20)}...`);
          this.console.log(`   → Resumable: ${String(message.resumable)}`);
        }
        break;

      // Session expiring - Gemini avvisa 60s prima del timeout
      case 'session_expiring':
        this.console.log(` [PROSPECT SIMULATOR] SESSION EXPIRING WARNING`);
        this.console.log(`     Time remaining: ~${(message.timeLeft as number) || 60} seconds`);
        this.console.log(`    Resume handle ready: ${message.hasHandle ? 'YES' : 'NO'}`);
        this.console.log(`    Current turn: ${this.currentTurn}/${this.maxTurns}`);
        this.console.log(`    Preparing for automatic reconnect...`);
        this.sessionExpiring = true;
        break;

      // Session resumed - Conferma che il resume è andato a buon fine
      case 'session:resumed':
        this.console.log(`✅ [PROSPECT SIMULATOR] SESSION RESUMED SUCCESSFULLY`);
        this.console.log(`    Resuming from turn: ${this.currentTurn}`);
        this.console.log(`    Message count: ${this.messageCount}`);
        this.console.log(`    Reconnect attempts reset to 0`);
        this.sessionExpiring = false;
        this.reconnectAttempts = 0;
        break;

      default:
        break;
    }
  }

  // D. ws.on('close')
  private async onClose(code: number, reason: string): Promise<void> {
    this.console.log(` [PROSPECT SIMULATOR] WebSocket closed: ${code} - ${reason}`);

    if (this.isRunning && this.resumeHandle && code !== 1000) {
      this.console.log(` [PROSPECT SIMULATOR] Session closed unexpectedly, attempting reconnect...`);
      this.console.log(`   → Has resumeHandle: YES`);
      this.console.log(`   → Current turn: ${this.currentTurn}/${this.maxTurns}`);
      this.console.log(`   → Reconnect attempts: ${this.reconnectAttempts}/${SeedPlanSimulator.MAX_RECONNECT_ATTEMPTS}`);

      const reconnected = await this.attemptReconnect();
      if (reconnected) {
        this.console.log(`✅ [PROSPECT SIMULATOR] Reconnect successful, continuing training...`);
        return;
      }
    }

    // Se non riusciamo a riconnetterci, ferma la sessione
    this.stopTraining(`the socket closed with ${code}${reason ? ` "${reason}"` : ''} and no reconnect followed`);
  }

  // E. attemptReconnect()
  private async attemptReconnect(): Promise<boolean> {
    if (this.reconnectAttempts >= SeedPlanSimulator.MAX_RECONNECT_ATTEMPTS) {
      this.console.error(` [PROSPECT SIMULATOR] Max reconnect attempts (${SeedPlanSimulator.MAX_RECONNECT_ATTEMPTS}) reached`);
      return false;
    }

    this.reconnectAttempts++;

    this.console.log(` [PROSPECT SIMULATOR] RECONNECT ATTEMPT ${this.reconnectAttempts}/${SeedPlanSimulator.MAX_RECONNECT_ATTEMPTS}`);
    this.console.log(`    Resume handle: ${this.resumeHandle?.substring(0, 20)}...`);
    this.console.log(`    Current turn: ${this.currentTurn}`);
    this.console.log(`    Messages so far: ${this.messageCount}`);
    this.console.log(`    Waiting ${SeedPlanSimulator.RECONNECT_DELAY_MS}ms before attempt...`);

    await new Promise((resolve) => this.setTimeout(resolve, SeedPlanSimulator.RECONNECT_DELAY_MS));

    try {
      // Riconnetti con il resumeHandle incluso nell'URL
      await this.connectToWebSocket();

      // Aspetta conferma del resume (max 10 secondi)
      const resumeConfirmed = await this.waitForSessionResumed(10000);

      if (resumeConfirmed) {
        this.console.log(`✅ [PROSPECT SIMULATOR] Resume confirmed! Continuing from turn ${this.currentTurn}`);
        this.reconnectAttempts = 0; // Reset counter on success
        return true;
      }

      this.console.warn(`⚠ [PROSPECT SIMULATOR] Resume not confirmed, will retry...`);
      return this.attemptReconnect(); // Retry recursively
    } catch (error) {
      this.console.error(` [PROSPECT SIMULATOR] Reconnect attempt ${this.reconnectAttempts} failed:`, error);
      return this.attemptReconnect(); // Retry recursively
    }
  }

  /** E's confirmation wait, as written: the flag cleared and the socket open count as "resumed". */
  private waitForSessionResumed(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timeout = this.setTimeout(() => {
        this.console.warn(`⚠ [PROSPECT SIMULATOR] Resume confirmation timeout after 10s`);
        resolve(false);
      }, timeoutMs);

      // Il flag sessionExpiring viene resettato quando riceviamo 'session:resumed'
      const checkInterval = this.setInterval(() => {
        if (!this.sessionExpiring && this.ws?.readyState === OPEN) {
          this.clearTimeout(timeout);
          this.clearInterval(checkInterval);
          resolve(true);
        }
      }, 100);
    });
  }

  /** Assumed: the prospect answers each final agent transcript after thinking, and ends after its last turn. */
  private async respondToAgent(): Promise<void> {
    this.messageCount++;
    if (this.currentTurn >= this.maxTurns) {
      this.completeSession();
      return;
    }
    const [min, max] = this.options.thinkTimeMs ?? DEFAULT_THINK_TIME_MS;
    await new Promise((resolve) => this.setTimeout(resolve, this.thinkRng.between(min, max)));
    if (!this.isRunning) return;
    this.currentTurn++;
    const text = prospectMessage(this.persona, this.currentTurn);
    if (this.ws?.readyState === OPEN) {
      this.ws.send(JSON.stringify({ type: 'prospect_message', text }));
      this.console.log(` [PROSPECT SIMULATOR] Turn ${this.currentTurn}/${this.maxTurns} sent`);
    }
  }

  /** Assumed: the training's graceful end once every turn is done. */
  private completeSession(): void {
    if (!this.isRunning) return;
    this.turnsDone = true;
    this.console.log(` [PROSPECT SIMULATOR] Training complete, ending the conversation`);
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify({ type: 'end_conversation' }));
    // The server answers with conversation_end; should it not, the training ends anyway.
    this.setTimeout(() => this.stopTraining('no conversation_end after end_conversation'), 10000);
  }

  /** What an uncaught exception does to the plan's process: it dies, with no result. */
  private crashOnThrow(work: (() => void) | Promise<unknown>): void {
    const crash = (error: unknown): void => {
      this.isRunning = false;
      if (this.result) return;
      this.result = { status: 'failed', turns: this.currentTurn, reconnects: Math.max(0, this.connectionsOpened - 1), contextLost: false, reason: 'crashed' };
      this.rejectRun?.(error);
    };
    if (typeof work === 'function') {
      try {
        work();
      } catch (error) {
        crash(error);
      }
    } else {
      work.catch(crash);
    }
  }

  /** `this.isRunning = false`: the training is over (assumed to end the run, as the plan's callers expect). */
  private stopTraining(reason: string): void {
    this.isRunning = false;
    if (this.result) return;
    const completed = this.turnsDone;
    this.result = {
      status: completed ? 'completed' : 'failed',
      turns: this.currentTurn,
      reconnects: Math.max(0, this.connectionsOpened - 1),
      contextLost: false,
      reason,
      ...(this.conversationId ? { conversationId: this.conversationId } : {}),
    };
    this.resolveRun?.(this.result);
  }

  private async createSession(): Promise<void> {
    const fetchFn = this.options.fetch ?? globalThis.fetch;
    const url = `${this.options.httpUrl.replace(/\/+$/, '')}/api/sales-agent/${encodeURIComponent(this.options.shareToken)}/session`;
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prospectName: this.persona.fullName, ...(this.options.testMode ? { testMode: this.options.testMode } : {}) }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { sessionToken: string; conversationId: string };
    this.sessionToken = body.sessionToken;
    this.conversationId = body.conversationId;
    this.console.log(` [PROSPECT SIMULATOR] Session created: ${body.conversationId}`);
  }

  // ── the plan's globals, on the clock it is given ──

  private setTimeout(fn: (value?: unknown) => void, ms: number): TimerHandle {
    return this.clock.setTimeout(() => fn(), ms);
  }

  private clearTimeout(handle: TimerHandle): void {
    this.clock.clearTimeout(handle);
  }

  private setInterval(fn: () => void, ms: number): { cleared: boolean; timer: TimerHandle | null } {
    const interval = { cleared: false, timer: null as TimerHandle | null };
    const tick = (): void => {
      if (interval.cleared) return;
      interval.timer = this.clock.setTimeout(tick, ms);
      fn();
    };
    interval.timer = this.clock.setTimeout(tick, ms);
    return interval;
  }

  private clearInterval(interval: { cleared: boolean; timer: TimerHandle | null }): void {
    interval.cleared = true;
    if (interval.timer) this.clock.clearTimeout(interval.timer);
  }

  /** The plan's console, to the logger it is given. */
  private readonly console = {
    log: (...parts: unknown[]): void => this.options.logger?.(parts.map(String).join(' ')),
    warn: (...parts: unknown[]): void => this.options.logger?.(parts.map(String).join(' ')),
    error: (...parts: unknown[]): void => this.options.logger?.(parts.map(String).join(' ')),
  };
}

/** The seed plan as a gallery entry: `--sut seed-plan`, `--sut mutant:seed-plan`, a row of the matrix. */
export const SEED_PLAN_MUTANT: Mutant = {
  id: 'seed-plan',
  trap: 'seed',
  bug: 'the seed plan\'s code as written: no reconnect on 1000, an open socket taken as a resume, a fixed 2 s delay, the counter reset on every "success"',
  create: (options) => new SeedPlanSimulator(options),
};
