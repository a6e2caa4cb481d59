/**
 * No close handler on the client socket: when the client goes, its Gemini connection stays open
 * (and billed) until Gemini's own deadline ends it.
 */
import { serverMutant } from './server-mutant.ts';

export const S12_ORPHAN_UPSTREAM = serverMutant(
  {
    id: 's12-orphan-upstream',
    title: 'orphan upstream',
    axis: 'upstream',
    bug: 'leaves the upstream Gemini connection open when the client socket closes',
    standsFor: 'server-contract.md §2, Closing: "When the client connection ends, the server closes its upstream connection. No upstream connection is left orphaned"',
  },
  { upstreamWhenClientCloses: () => 'leave-open' },
);
