/**
 * The environment of a server under test (docs/server-contract.md §1), by its exact variable
 * names: the harness sets them, a server reads them. One list for both sides.
 */
export const ServerEnv = {
  port: 'RESUME_HARNESS_PORT',
  baseUrl: 'GOOGLE_GEMINI_BASE_URL',
  apiKey: 'GEMINI_API_KEY',
  agents: 'RESUME_HARNESS_AGENTS',
  timeScale: 'RESUME_HARNESS_TIME_SCALE',
} as const;

/** One agent of RESUME_HARNESS_AGENTS: what is shared under a share token. */
export interface ServerAgent {
  readonly shareToken: string;
  readonly model: string;
  readonly systemInstruction: string;
}
