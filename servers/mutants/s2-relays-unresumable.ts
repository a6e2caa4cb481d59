/**
 * `resumable: false` (Gemini is mid-generation or mid tool call: no handle is valid now) passed
 * on as a resumable handle: the newest one again, or the update's own handle. A client that
 * rotates on it resumes from a state older than the conversation (F11).
 */
import { REFERENCE_BEHAVIOUR } from '../reference/behaviour.ts';
import { serverMutant } from './server-mutant.ts';

export const S2_RELAYS_UNRESUMABLE = serverMutant(
  {
    id: 's2-relays-unresumable',
    title: 'resumable:false relayed as resumable',
    axis: 'handle-relay',
    bug: 'on resumable:false it sends the newest handle again (or the update\'s own handle) as resumable:true instead of resumable:false with an empty handle',
    standsFor: 'server-contract.md §2, Handles: "resumable:false … must never be passed on as a resumable one"; F11',
  },
  {
    relayedHandle: (update, view) => {
      if (update.resumable === true) return REFERENCE_BEHAVIOUR.relayedHandle(update, view);
      const handle = view.newest ?? update.newHandle;
      return handle !== undefined && handle.length > 0 ? { handle, resumable: true } : REFERENCE_BEHAVIOUR.relayedHandle(update, view);
    },
  },
);
