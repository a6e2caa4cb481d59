/**
 * The kick-off sent whenever the upstream is ready, resume or not: the resumed model greets the
 * prospect again in the middle of the conversation (F8's "greeted again", caused by the server).
 */
import { serverMutant } from './server-mutant.ts';

export const S14_KICKS_OFF_ON_RESUME = serverMutant(
  {
    id: 's14-kicks-off-on-resume',
    title: 'kick-off on resume',
    axis: 'upstream',
    bug: 'sends the greeting kick-off turn on a resume too',
    standsFor: 'server-contract.md §2, Resume: "The server sends no kick-off turn"; F8 (the model greeted again)',
  },
  { kicksOff: () => true },
);
