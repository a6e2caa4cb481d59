/**
 * A "handle sent" flag set on the first relay and never reset: only the first handle of each
 * upstream connection reaches the client (and goAway repeats that one). A client that resumes
 * restores the conversation as it was after the greeting (F8's symptom, the server's cause).
 */
import { REFERENCE_BEHAVIOUR } from '../reference/behaviour.ts';
import { serverMutant } from './server-mutant.ts';

export const S13_FIRST_HANDLE_ONLY = serverMutant(
  {
    id: 's13-first-handle-only',
    title: 'first handle only',
    axis: 'handle-relay',
    bug: 'relays only the first handle of each upstream connection (a "sent" flag that is never reset)',
    standsFor: 'server-contract.md §2, Handles: "Every sessionResumptionUpdate with resumable: true goes to the client"; F8 (an older state restored)',
  },
  {
    relayedHandle: (update, view) => {
      const out = REFERENCE_BEHAVIOUR.relayedHandle(update, view);
      return out?.resumable === true && view.relayedResumable > 0 ? undefined : out;
    },
  },
);
