/**
 * An application close code of the server's own invention at expiry: 4000 "session expired".
 * A client knows the codes of ai-voice-protocol.md §7 only; an unknown 4xxx reads as a refusal
 * (F21: a close the client cannot classify).
 */
import { REFERENCE_BEHAVIOUR } from '../reference/behaviour.ts';
import { serverMutant } from './server-mutant.ts';

export const S15_APP_CLOSE_CODE = serverMutant(
  {
    id: 's15-app-close-code',
    title: 'close 4000 at expiry',
    axis: 'close-codes',
    bug: 'closes the client with 4000 "session expired" when the upstream ends after goAway, a code not in ai-voice-protocol.md §7',
    standsFor: 'server-contract.md §2, Closing: "a code from ai-voice-protocol.md §7: 1000 if the upstream ended at expiry"; F21',
  },
  { clientCloseWhenUpstreamEnds: (end) => (end.afterGoAway && !end.beforeSetup ? { code: 4000, reason: 'session expired' } : REFERENCE_BEHAVIOUR.clientCloseWhenUpstreamEnds(end)) },
);
