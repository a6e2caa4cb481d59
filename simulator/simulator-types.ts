/** Public option and result types of the Prospect Simulator (re-exported by prospect-simulator.ts). */
import type { Clock } from '../protocol/clock.ts';
import type { SutResult } from '../protocol/sut-result.ts';
import type { WebSocketCtor } from './connection.ts';
import type { ResumePolicy } from './policy.ts';

export interface SimulatorOptions {
  /** Base URL for `POST /api/sales-agent/{shareToken}/session`. */
  httpUrl: string;
  /** WebSocket endpoint without query string, e.g. ws://127.0.0.1:4000/ws/ai-voice. */
  wsUrl: string;
  shareToken: string;
  /** Prospect turns to complete. */
  maxTurns: number;
  seed: number;
  testMode?: string;
  /** All waiting goes through it. Default: globalClock. */
  clock?: Clock;
  /** Default: globalThis.WebSocket, looked up when the run starts. */
  WebSocket?: WebSocketCtor;
  /** Default: globalThis.fetch, looked up when the run starts. */
  fetch?: typeof fetch;
  policy?: Partial<ResumePolicy>;
  /** The prospect's "thinking/speaking" delay before each reply, [min, max] protocol ms, seeded. */
  thinkTimeMs?: [number, number];
  /** Receives redacted log lines. Default: no output. */
  logger?: (line: string) => void;
  /** Where to write the post-mortem JSON when the run ends (always written when set). */
  stateFile?: string;
}

/** One entry of the run's event log. `t` is the clock's now(); never holds a secret. */
export interface SimulatorEvent {
  t: number;
  kind: string;
  [k: string]: unknown;
}

export interface SimulatorResult extends SutResult {
  reason?: string;
  events: SimulatorEvent[];
}
