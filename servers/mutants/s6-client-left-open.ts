/**
 * The upstream's end not carried to the client: after goAway's deadline, or an upstream error,
 * the client's socket stays open and nothing more comes on it. A client waits on a dead
 * conversation until its own inactivity timeout, if it has one (F14, seen from the server).
 */
import { serverMutant } from './server-mutant.ts';

export const S6_CLIENT_LEFT_OPEN = serverMutant(
  {
    id: 's6-client-left-open',
    title: 'client left open and silent',
    axis: 'expiry-relay',
    bug: 'when the upstream ends (after goAway or on an error) it leaves the client socket open and silent',
    standsFor: 'server-contract.md §2, Closing: "It never leaves the client connection open and silent"; F14',
  },
  { clientCloseWhenUpstreamEnds: () => 'leave-open' },
);
