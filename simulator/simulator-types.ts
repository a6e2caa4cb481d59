/** Public option and result types of the Prospect Simulator (exported by index.ts). */
import type { Clock } from '../protocol/clock.ts';
import type { SutResult } from '../protocol/sut-result.ts';
import type { WebSocketCtor } from './core/connection.ts';
import type { ResumeDecisions } from './core/decisions.ts';
import type { SimulatorEvent } from './core/event-log.ts';
import type { ResumePolicy } from './core/policy.ts';
import type { Pace } from './core/pace.ts';

export type { SimulatorEvent } from './core/event-log.ts';

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
  /** Resume decisions to replace (the rest stay DEFAULT_DECISIONS): how the mutants put a bug back. */
  decisions?: Partial<ResumeDecisions>;
  /** The prospect's "thinking/speaking" delay before each reply, [min, max] protocol ms, seeded. */
  thinkTimeMs?: [number, number];
  /** How the prospect paces its replies (core/pace.ts): default 'natural', the seeded thinkTimeMs. */
  pace?: Pace;
  /** Receives redacted log lines. Default: no output. */
  logger?: (line: string) => void;
  /** Where to write the post-mortem JSON when the run ends (always written when set). */
  stateFile?: string;
}

export interface SimulatorResult extends SutResult {
  reason?: string;
  events: SimulatorEvent[];
}
