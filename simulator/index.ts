/**
 * The simulator's public entry: the reference Prospect Simulator, its options and types, the
 * resume decisions and policy it is configured with, the persona, and the mutant gallery.
 * Code outside simulator/ imports from here only.
 */
export { ProspectSimulator } from './prospect-simulator.ts';
export type { SimulatorEvent, SimulatorOptions, SimulatorResult } from './simulator-types.ts';
export { PACES, VARIED_PACES, isPace, type Pace } from './core/pace.ts';
export { DEFAULT_RESUME_POLICY, DEFAULT_THINK_TIME_MS, resolvePolicy, type ResumePolicy } from './core/policy.ts';
export {
  DEFAULT_DECISIONS,
  resolveDecisions,
  type ConnectionView,
  type DecisionContext,
  type PendingReply,
  type ResumeDecisions,
} from './core/decisions.ts';
export type { WebSocketCtor, WebSocketLike } from './core/connection.ts';
export type { KeptHandle } from './core/handle-keeper.ts';
export { createPersona, prospectMessage, type Persona } from './core/persona.ts';
export { findMutant, MUTANTS, type Mutant } from './mutants/gallery.ts';
export { SEED_PLAN_MUTANT, SeedPlanSimulator } from './mutants/seed-plan-port.ts';
export { GeminiProspect, DEFAULT_GEMINI_MODEL, type GeminiProspectOptions } from './gemini/gemini-prospect.ts';
export { DEFAULT_GEMINI_DECISIONS, resolveGeminiDecisions, type GeminiDecisions, type GeminiExchange, type HandleUpdate, type HandleUpdateContext } from './gemini/gemini-decisions.ts';
export { GEMINI_MUTANTS, findGeminiMutant, type GeminiMutant } from './gemini/gemini-mutants.ts';
