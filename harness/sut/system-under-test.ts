/**
 * The three ways a client is plugged in (sut-contract §1–§3), behind one contract. Every
 * kind yields a ClientReport and never throws: a misbehaving client is a finding, not a
 * harness failure.
 */
import type { Protocol, SutResult } from '../../protocol/sut-result.ts';

export type Mode = 'virtual' | 'network';

/** What the client reported, or why nothing usable came back. */
export type ClientReport =
  | { readonly state: 'reported'; readonly result: SutResult }
  | { readonly state: 'missing'; readonly reason: string }
  | { readonly state: 'invalid'; readonly reason: string }
  | { readonly state: 'hung'; readonly reason: string };

export interface SutRunContext {
  /** The wire of the run: the mock speaks it, the client must. */
  readonly protocol: Protocol;
  /** AI-voice: the session API's base URL. Gemini Live: the base URL for GOOGLE_GEMINI_BASE_URL. */
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** AI-voice: the share token. Gemini Live: the API key the mock accepts (GEMINI_API_KEY). */
  readonly shareToken: string;
  readonly maxTurns: number;
  readonly seed: number;
  readonly mode: Mode;
  /** Real seconds per protocol second (network mode). */
  readonly timeScale: number;
  /** A folder of this run's own, for result and state files. */
  readonly workDir: string;
  /** Real milliseconds the client may take (network mode); virtual mode bounds protocol time instead. */
  readonly wallLimitMs: number;
  /** Collects what the client prints or logs, for the secrets axis and the report. */
  readonly output: (line: string) => void;
  /**
   * Network mode: aborted when the harness stops waiting before `wallLimitMs` (a client that
   * hangs, harness/run/hang-limits.ts). An adapter that runs a process kills it then. Virtual
   * mode: aborted as the run ends, while its fake clock is still installed, so a module is told
   * before its server goes away.
   */
  readonly stop?: AbortSignal;
}

export interface SystemUnderTest {
  /** As given on the command line: `builtin`, `module:PATH`, `cmd:COMMAND`. */
  readonly id: string;
  readonly kind: 'builtin' | 'module' | 'cmd';
  readonly modes: readonly Mode[];
  /** The wires it speaks; absent: any (a module or a command is told which by its context). */
  readonly protocols?: readonly Protocol[];
  run(context: SutRunContext): Promise<SutRunOutcome>;
}

export interface SutRunOutcome {
  readonly report: ClientReport;
  /** Anything the client kept for post-mortem (the simulator's event log, a process's exit status). */
  readonly extra?: Record<string, unknown>;
}
