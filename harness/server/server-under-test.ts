/**
 * A server under test (docs/server-contract.md): an AI-voice server the harness starts between
 * its two neighbours — the client (a system under test of sut/) and the mock Gemini Live
 * upstream — and stops whatever happens. Two ways to run one, behind this one contract:
 *
 *   cmd:COMMAND   a process through `sh -c`, in a process group of its own   (cmd-server.ts)
 *   image:NAME    a container with host networking, through testcontainers  (image-server.ts)
 *   reference     the cmd form of servers/reference/                         (parse-server.ts)
 *   mutant:ID     the reference with one bug of servers/mutants/, in cmd form (parse-server.ts)
 *
 * Nothing here throws at the harness: a server that cannot start, never listens, exits or
 * crashes is a finding with a reason (a ServerRecord), never an exception.
 */
import { ServerEnv, type ServerAgent } from '../../protocol/server-env.ts';

export interface ServerStartContext {
  /** The contract's variables (server-contract.md §1), by their exact names: serverEnv(). */
  readonly env: Readonly<Record<string, string>>;
  /** RESUME_HARNESS_PORT, on 127.0.0.1: readiness is a TCP connection to it. */
  readonly port: number;
  /** Real ms the server has to accept a TCP connection on its port (server-contract.md §1, Ready). */
  readonly readyTimeoutMs: number;
  /** Real ms between SIGTERM and SIGKILL when stopping (server-contract.md §1, Stop). */
  readonly stopGraceMs: number;
}

export type Readiness =
  | { readonly state: 'ready'; readonly ms: number }
  | { readonly state: 'never-ready'; readonly ms: number; readonly reason: string }
  | { readonly state: 'exited-early'; readonly ms: number; readonly reason: string };

/**
 * What happened to the server over the run:
 * - `ready`: it listened in time and ran until the harness stopped it;
 * - `never-ready`: it ran, but its port never accepted within the bound;
 * - `exited-early`: it exited (or could not start) before its port accepted;
 * - `crashed`: it became ready, then exited before the harness stopped it.
 */
export type ServerState = 'ready' | 'never-ready' | 'exited-early' | 'crashed';

export interface ServerRecord {
  /** As given on the command line: `reference`, `cmd:COMMAND`, `image:NAME`; `mutant:<full id>` for a mutant. */
  readonly id: string;
  readonly kind: 'cmd' | 'image';
  readonly state: ServerState;
  /** One sentence a person can act on. */
  readonly reason: string;
  /** The exit status of the process or container; null when a signal ended it, or unknown. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Real ms from the start until the port accepted; null when it never did. */
  readonly readyMs: number | null;
  /** How the harness stopped it: SIGTERM sufficed, SIGKILL was needed, or it had already exited. */
  readonly stoppedWith: 'SIGTERM' | 'SIGKILL' | 'already-exited';
  /** Real ms the stop took. */
  readonly stopMs: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Lines printed beyond the bound, dropped. */
  readonly droppedLines: number;
  /** Image form: real ms testcontainers took to create and start the container, before the port probe. */
  readonly containerStartMs?: number;
  /** Kind-specific facts (the command and its pid, the image and the container's id). */
  readonly details?: Readonly<Record<string, string>>;
}

/** A started server: readiness once, and a stop that always ends with nothing left running. */
export interface ServerInstance {
  /** Resolves once, never rejects. */
  readonly readiness: Promise<Readiness>;
  /** Resolves, with a sentence, when the server has exited for whatever reason (a stop included). */
  readonly exited: Promise<string>;
  /** SIGTERM, SIGKILL after the grace period; then the record. Idempotent, never rejects. */
  stop(): Promise<ServerRecord>;
}

export interface ServerUnderTest {
  readonly id: string;
  readonly kind: 'cmd' | 'image';
  /** Never rejects: a server that cannot even start resolves with an `exited-early` readiness. */
  start(context: ServerStartContext): Promise<ServerInstance>;
}

export interface ServerEnvInput {
  readonly port: number;
  /** The mock Gemini Live upstream's base URL. */
  readonly geminiBaseUrl: string;
  /** The key the mock accepts. */
  readonly apiKey: string;
  readonly agents: readonly ServerAgent[];
  readonly timeScale: number;
}

/**
 * The contract's environment (server-contract.md §1), exactly these variables: only
 * GEMINI_API_KEY as the key (with GOOGLE_API_KEY set too, the SDK warns on every client).
 */
export function serverEnv(input: ServerEnvInput): Record<string, string> {
  return {
    [ServerEnv.port]: String(input.port),
    [ServerEnv.baseUrl]: input.geminiBaseUrl,
    [ServerEnv.apiKey]: input.apiKey,
    [ServerEnv.agents]: JSON.stringify(input.agents),
    [ServerEnv.timeScale]: String(input.timeScale),
  };
}

/** The harness's own environment, without what would contradict the contract's. */
export function inheritedEnv(): Record<string, string> {
  const { GOOGLE_API_KEY: _dropped, ...rest } = process.env;
  return Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => e[1] !== undefined));
}

/** How much of a server's output a run keeps, both streams together, whichever way it was started. */
export const SERVER_OUTPUT_LIMITS = { maxLines: 5_000, maxLineLength: 2_048 } as const;
