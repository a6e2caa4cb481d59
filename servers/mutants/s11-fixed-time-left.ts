/**
 * A constant where goAway's value belongs: session_expiring always says 60 seconds. A client
 * that plans its rotation on it misses a shorter deadline (and Gemini closes with 1008, F1).
 */
import { serverMutant } from './server-mutant.ts';

export const S11_FIXED_TIME_LEFT = serverMutant(
  {
    id: 's11-fixed-time-left',
    title: 'timeLeft always 60',
    axis: 'expiry-relay',
    bug: 'says timeLeft 60 in every session_expiring, whatever goAway said',
    standsFor: 'server-contract.md §2, goAway: "timeLeft is taken from the goAway"; F1 (deadline missed, then 1008)',
  },
  { expiringTimeLeft: () => 60 },
);
