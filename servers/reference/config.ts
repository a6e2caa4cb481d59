/**
 * The server's configuration, read from the environment the harness sets
 * (docs/server-contract.md §1), validated once at start. Nothing else reads process.env.
 */
import { z } from 'zod';
import { ServerEnv } from '../../protocol/server-env.ts';

/** The variable names of the contract (server-contract.md §1), exactly: one list, shared with the harness. */
export { ServerEnv };

export const Agent = z.object({
  shareToken: z.string().min(1),
  model: z.string().min(1),
  systemInstruction: z.string().default(''),
});
export type Agent = z.infer<typeof Agent>;

export interface ServerConfig {
  readonly port: number;
  /** The upstream base URL, if set: @google/genai reads the variable itself, this is for the log. */
  readonly baseUrl: string | undefined;
  readonly apiKey: string;
  /** Agents by share token. */
  readonly agents: ReadonlyMap<string, Agent>;
  /** Real seconds per protocol second (1 when unset). */
  readonly timeScale: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const port = Number(env[ServerEnv.port]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${ServerEnv.port} must be a TCP port (1–65535), got ${JSON.stringify(env[ServerEnv.port] ?? null)}`);
  const apiKey = env[ServerEnv.apiKey];
  if (!apiKey) throw new ConfigError(`${ServerEnv.apiKey} is not set`);
  const scaleText = env[ServerEnv.timeScale];
  const timeScale = scaleText === undefined || scaleText === '' ? 1 : Number(scaleText);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new ConfigError(`${ServerEnv.timeScale} must be a number > 0, got ${JSON.stringify(scaleText)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(env[ServerEnv.agents] ?? '');
  } catch (error) {
    throw new ConfigError(`${ServerEnv.agents} is not JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(Agent).min(1).safeParse(raw);
  // The issue's path and message only: the value holds share tokens, which are secrets.
  if (!parsed.success) throw new ConfigError(`${ServerEnv.agents} is not an array of {shareToken, model, systemInstruction}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const agents = new Map<string, Agent>();
  for (const agent of parsed.data) {
    if (agents.has(agent.shareToken)) throw new ConfigError(`${ServerEnv.agents} lists one share token twice`);
    agents.set(agent.shareToken, agent);
  }
  return { port, baseUrl: env[ServerEnv.baseUrl] || undefined, apiKey, agents, timeScale };
}
