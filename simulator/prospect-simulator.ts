/**
 * The reference Prospect Simulator: a client of the AI-voice protocol v1
 * (docs/ai-voice-protocol.md) that plays a sales prospect and implements spec §6.
 *
 * It is assembled from parts, one concern each, over one run's shared state (core/run-context.ts):
 *   core/turn-taking.ts           the agent's turns and the prospect's replies (spec §6.5)
 *   core/resume-flow.ts           handles, rotation before expiry, resume and recovery (spec §5–§6)
 *   core/connection-lifecycle.ts  connections, their events and watches (spec §5.2, §6.8)
 *   core/decisions.ts             every choice a trap of the seed plan gets wrong, as a policy
 *                                 object (`SimulatorOptions.decisions` overrides it)
 *   wire/ai-voice/                the AI-voice protocol's session call, URL, messages and frames
 * This file validates the options, starts the run, creates sessions and ends the run.
 *
 * Resolved ambiguities of the spec:
 * - A handle captures the answers the current context held when it arrived (`coveredThrough`);
 *   a repeated copy of the current handle keeps its first arrival's bookkeeping.
 * - After a resume, the first prospect message the restored state lacks is (re-)sent at once; if
 *   the state lags by more than one message (possible only after resumable:false), the later ones
 *   are replayed in order, one per agent turn, so the context is rebuilt rather than skipped.
 * - The attempt counter resets after a full agent turn that answered a prospect message not
 *   answered before (or a greeting), so replays cannot loop forever against a flapping server.
 * - Fallback 'new-session' is used at most once per run; the script continues where it was (the
 *   next unanswered message follows the new greeting).
 */
import { isPace, PACES } from './core/pace.ts';
import { globalClock } from '../protocol/clock.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { createRng } from '../protocol/rng.ts';
import { ConnectionLifecycle } from './core/connection-lifecycle.ts';
import type { WebSocketCtor } from './core/connection.ts';
import { resolveDecisions } from './core/decisions.ts';
import { EventLog } from './core/event-log.ts';
import { HandleKeeper } from './core/handle-keeper.ts';
import { NamedTimers } from './core/named-timers.ts';
import { createPersona } from './core/persona.ts';
import { DEFAULT_RESUME_POLICY, DEFAULT_THINK_TIME_MS, resolvePolicy, type ResumePolicy } from './core/policy.ts';
import { writePostMortem, type PostMortem } from './core/post-mortem.ts';
import { ResumeFlow } from './core/resume-flow.ts';
import { describeError, RunContext, type RunEnd } from './core/run-context.ts';
import { TurnLedger } from './core/turn-ledger.ts';
import { TurnTaking } from './core/turn-taking.ts';
import type { SimulatorOptions, SimulatorResult } from './simulator-types.ts';
import { AiVoiceWire } from './wire/ai-voice/ai-voice-wire.ts';

export class ProspectSimulator {
  private readonly options: SimulatorOptions;
  private readonly configError: string | null;
  private readonly run_: RunContext;

  private runPromise: Promise<SimulatorResult> | null = null;
  private resolveRun: ((result: SimulatorResult) => void) | null = null;
  private result: SimulatorResult | null = null;

  constructor(options: SimulatorOptions) {
    this.options = options;
    const clock = options.clock ?? globalClock;
    const timers = new NamedTimers(clock);
    const problems: string[] = [];
    let policy: ResumePolicy;
    try {
      policy = resolvePolicy(options.policy);
    } catch (error) {
      problems.push((error as Error).message);
      policy = { ...DEFAULT_RESUME_POLICY };
    }
    const think = options.thinkTimeMs ?? DEFAULT_THINK_TIME_MS;
    if (!(think.length === 2 && think[0] >= 0 && think[1] >= think[0] && Number.isFinite(think[1]))) {
      problems.push(`thinkTimeMs must be [min, max] with 0 <= min <= max, got ${JSON.stringify(think)}`);
    }
    const thinkRange: readonly [number, number] = [think[0], think[1]];
    const pace = options.pace ?? 'natural';
    if (!isPace(pace)) problems.push(`pace must be one of ${PACES.join(', ')}, got ${String(pace)}`);
    if (!Number.isInteger(options.maxTurns) || options.maxTurns < 0) {
      problems.push(`maxTurns must be an integer >= 0, got ${String(options.maxTurns)}`);
    }
    const maxTurns = Number.isInteger(options.maxTurns) && options.maxTurns >= 0 ? options.maxTurns : 0;
    if (!Number.isFinite(options.seed)) problems.push(`seed must be a finite number, got ${String(options.seed)}`);
    const seed = Number.isFinite(options.seed) ? options.seed : 0;
    for (const key of ['httpUrl', 'wsUrl', 'shareToken'] as const) {
      if (typeof options[key] !== 'string' || options[key].length === 0) problems.push(`${key} is required`);
    }
    this.configError = problems.length > 0 ? problems.join('; ') : null;
    const rng = createRng(seed);
    const jitterRng = rng.fork('reconnect-jitter');
    const persona = createPersona(seed);
    const decisions = resolveDecisions(options.decisions);
    const log = new EventLog(clock, decisions, options.logger);
    const run = new RunContext({
      clock,
      timers,
      log,
      ledger: new TurnLedger(),
      handles: new HandleKeeper(),
      policy,
      decisions,
      persona,
      rng,
      jitterRng,
      maxTurns,
      thinkRange,
      pace: isPace(pace) ? pace : 'natural',
      wire: new AiVoiceWire(options),
      webSocket: () => this.webSocketClass(),
    });
    log.addSecret(options.shareToken);
    const end: RunEnd = {
      finish: (status, reason, contextLost) => this.finish(status, reason, contextLost),
      createSession: (purpose) => this.createSession(purpose),
    };
    run.end = end;
    run.turnTaking = new TurnTaking(run);
    run.resume = new ResumeFlow(run);
    run.lifecycle = new ConnectionLifecycle(run);
    this.run_ = run;
  }

  /** Runs the conversation to its end. Never rejects: every failure is a result with a reason. */
  run(): Promise<SimulatorResult> {
    if (this.runPromise) return this.runPromise;
    this.runPromise = new Promise<SimulatorResult>((resolve) => {
      this.resolveRun = resolve;
      this.run_.guard('start', () => this.start());
    });
    return this.runPromise;
  }

  private start(): void {
    const run = this.run_;
    if (this.configError) {
      this.finish('failed', `invalid options: ${this.configError}`, false);
      return;
    }
    const WebSocketClass = this.webSocketClass();
    if (!WebSocketClass) {
      this.finish('failed', 'no WebSocket implementation: pass options.WebSocket or provide globalThis.WebSocket', false);
      return;
    }
    if (!this.fetchFn()) {
      this.finish('failed', 'no fetch implementation: pass options.fetch or provide globalThis.fetch', false);
      return;
    }
    run.event('run-start', {
      maxTurns: run.maxTurns,
      seed: this.options.seed,
      persona: run.persona.fullName,
      company: run.persona.company,
      policy: { ...run.policy },
    });
    run.phase = 'conversing';
    void this.createSession('initial').then((created) => {
      if (created) run.guard('first connect', () => run.lifecycle.openConnection(null));
    });
  }

  private webSocketClass(): WebSocketCtor | undefined {
    return this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  }

  private fetchFn(): typeof fetch | undefined {
    return this.options.fetch ?? globalThis.fetch;
  }

  /** Creates a session; on failure it ends the run itself and resolves false. */
  private async createSession(purpose: 'initial' | 'fallback'): Promise<boolean> {
    const run = this.run_;
    try {
      const session = await run.wire.createSession({
        fetch: this.fetchFn(),
        prospectName: run.persona.fullName,
        timers: run.timers,
        event: (kind, fields) => run.event(kind, fields),
      });
      if (run.done) return false;
      run.session = session;
      run.sessionsCreated += 1;
      run.log.addSecret(session.sessionToken);
      run.event('session-created', { purpose, conversationId: session.conversationId });
      return true;
    } catch (error) {
      if (!run.done) {
        run.event('session-failed', { purpose, error: describeError(error) });
        this.finish('failed', `could not create a session (${purpose}): ${describeError(error)}`, purpose === 'fallback');
      }
      return false;
    }
  }

  /** The run's end, from any path: exactly once, every timer stopped, the socket closed, the state saved. */
  private finish(status: 'completed' | 'failed', reason?: string, contextLost = false): void {
    const run = this.run_;
    if (this.result) return;
    if (contextLost) run.contextLost = true;
    // T8: the decisions say whether a lost context is reported as lost.
    run.contextLost = run.decisions.reportsContextLost(run.contextLost, run.view);
    run.phase = 'done';
    run.timers.clearAll();
    const connection = run.current;
    run.current = null;
    connection?.close(CloseCode.normal, status === 'completed' ? 'conversation complete' : 'giving up');
    run.event('run-end', {
      status,
      reason: reason ?? null,
      turns: run.ledger.turns,
      reconnects: run.reconnects,
      contextLost: run.contextLost,
    });
    const result: SimulatorResult = {
      status,
      turns: run.ledger.turns,
      reconnects: run.reconnects,
      contextLost: run.contextLost,
      events: [...run.log.events],
    };
    if (run.session) result.conversationId = run.session.conversationId;
    if (reason !== undefined) result.reason = run.log.redact(reason);
    this.result = result;
    run.done = true;
    const resolve = (): void => this.resolveRun?.(result);
    const stateFile = this.options.stateFile;
    if (!stateFile) {
      resolve();
      return;
    }
    writePostMortem(stateFile, this.postMortem(result))
      .catch((error: unknown) => run.log.logLine(`post-mortem could not be written: ${describeError(error)}`))
      .finally(resolve);
  }

  private postMortem(result: SimulatorResult): PostMortem {
    const run = this.run_;
    return {
      status: result.status,
      reason: result.reason ?? null,
      conversationId: result.conversationId ?? null,
      turns: result.turns,
      maxTurns: run.maxTurns,
      reconnects: result.reconnects,
      contextLost: result.contextLost,
      handle: run.handles.newest()?.fingerprint ?? null,
      lastProspectMessageSent: run.ledger.lastSent,
      sessionsCreated: run.sessionsCreated,
      seed: this.options.seed,
      endedAt: run.clock.now(),
      events: result.events,
    };
  }
}
