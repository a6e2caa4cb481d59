/**
 * One setup builder for both cases: the system instruction goes into the setup of a resume too.
 * Gemini accepts it (and keeps the instruction it has); the contract grades it NON-STRICT.
 */
import { serverMutant } from './server-mutant.ts';

export const S8_RESENDS_SYSTEM_INSTRUCTION = serverMutant(
  {
    id: 's8-resends-system-instruction',
    title: 'system instruction on resume',
    axis: 'upstream',
    bug: 'sends the agent\'s system instruction in the setup of a resume too',
    standsFor: 'server-contract.md §2, Resume: "no system instruction … Gemini allows sending it again; the harness grades that NON-STRICT"',
    detectedAs: 'NON-STRICT',
  },
  { setupIncludesInstruction: () => true },
);
