/**
 * goAway relayed notice-first: session_expiring, then the newest handle. A client that rotates
 * as soon as it hears session_expiring (at a turn boundary) does so with the handle it had,
 * one older than the newest, or with none at all (hasHandle said true).
 */
import { serverMutant } from './server-mutant.ts';

export const S3_EXPIRING_BEFORE_HANDLE = serverMutant(
  {
    id: 's3-expiring-before-handle',
    title: 'session_expiring before the handle',
    axis: 'handle-relay',
    bug: 'on goAway it sends session_expiring first and the newest handle after it',
    standsFor: 'server-contract.md §2, goAway: "the newest handle (again …), then session_expiring"',
  },
  { goAwayOrder: () => 'expiring-then-handle' },
);
