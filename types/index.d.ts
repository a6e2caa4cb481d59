/**
 * Types for clients plugged into resume-harness as `--sut module:PATH` (docs/sut-contract.md
 * §2): the module's default export is a `ModuleClient`; it is called once per run with a
 * `ModuleClientConfig` and resolves with a `ModuleClientResult` (sut-contract §4).
 *
 *   import type { ModuleClient } from 'resume-harness';
 *   const run: ModuleClient = async (config) => { … };
 *   export default run;
 *
 * Kept in step with the harness's own types (harness/sut/module-sut.ts, protocol/sut-result.ts)
 * by test/sut/module-client-types.test.ts.
 */

/** virtual: the harness's faked clock and msw; network: real sockets on 127.0.0.1. */
export type Mode = 'virtual' | 'network';

/** The wire of the run: the AI-voice protocol v1, or Gemini Live itself (sut-contract §6). */
export type Protocol = 'ai-voice' | 'gemini-live';

/** What the harness gives the module's default export, once per run. */
export interface ModuleClientConfig {
  /** Base URL for `POST /api/sales-agent/{shareToken}/session`. */
  readonly httpUrl: string;
  /** WebSocket endpoint without query string. */
  readonly wsUrl: string;
  readonly shareToken: string;
  /** Prospect turns to complete. */
  readonly maxTurns: number;
  /** Seed for any randomness of the client. */
  readonly seed: number;
  /** Real seconds per protocol second: 1 in virtual mode, `--time-scale` in network mode. Multiply your delays by it. */
  readonly timeScale: number;
  readonly mode: Mode;
  /** The wire: 'ai-voice', or 'gemini-live', where the next two are set. */
  readonly protocol: Protocol;
  /** Gemini Live: GOOGLE_GEMINI_BASE_URL, the mock's base URL (the same as httpUrl). */
  readonly googleGeminiBaseUrl?: string;
  /** Gemini Live: GEMINI_API_KEY, a key the mock accepts (the same as shareToken). */
  readonly geminiApiKey?: string;
  /** Aborted once the run is over for the harness (a result, or it stopped waiting): stop whatever is left running. */
  readonly signal: AbortSignal;
}

/** The result a client reports (sut-contract §4). Other keys are allowed and ignored. */
export interface ModuleClientResult {
  /** completed: the client believes it finished the conversation. */
  status: 'completed' | 'failed';
  conversationId?: string;
  /** The prospect turns the client counted. */
  turns: number;
  /** The connections the client opened after the first one. */
  reconnects: number;
  /** true when the client knows the context did not survive: it fell back to a fresh session, or gave up. */
  contextLost: boolean;
  [extra: string]: unknown;
}

/** A `module:` client: the module's default export (or a named export `run`). */
export type ModuleClient = (config: ModuleClientConfig) => Promise<ModuleClientResult> | ModuleClientResult;
