/** The result a system under test reports (docs/sut-contract.md §4). */
import { z } from 'zod';

export const SutResult = z.looseObject({
  status: z.enum(['completed', 'failed']),
  conversationId: z.string().optional(),
  turns: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  contextLost: z.boolean(),
});
export type SutResult = z.infer<typeof SutResult>;

/** Environment variables of the external-process contract (sut-contract §3), by their exact names. */
export const SutEnv = {
  httpUrl: 'RESUME_HARNESS_HTTP_URL',
  wsUrl: 'RESUME_HARNESS_WS_URL',
  shareToken: 'RESUME_HARNESS_SHARE_TOKEN',
  maxTurns: 'RESUME_HARNESS_MAX_TURNS',
  seed: 'RESUME_HARNESS_SEED',
  timeScale: 'RESUME_HARNESS_TIME_SCALE',
  result: 'RESUME_HARNESS_RESULT',
} as const;

/**
 * What a Gemini Live client is given on top of SutEnv (sut-contract §6): the variable
 * `@google/genai` reads for its base URL, and a key the mock accepts.
 */
export const GeminiSutEnv = {
  baseUrl: 'GOOGLE_GEMINI_BASE_URL',
  apiKey: 'GEMINI_API_KEY',
} as const;

/** The wire a run speaks: the AI-voice protocol v1, or Gemini Live itself (`--protocol`). */
export const PROTOCOLS = ['ai-voice', 'gemini-live'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
