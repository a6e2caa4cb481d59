/**
 * Optimism: the registry knows the handle, so the resume is confirmed at once, before Gemini
 * has even been asked. When Gemini rejects the handle, the server falls back to a fresh session
 * (the reference's fallback): the client was told its context survived, and it did not (F8).
 */
import { serverMutant } from './server-mutant.ts';

export const S5_RESUMED_BEFORE_ACCEPT = serverMutant(
  {
    id: 's5-resumed-before-accept',
    title: 'session:resumed before Gemini accepted',
    axis: 'resume-passthrough',
    bug: 'sends session:resumed as soon as it accepts a presented handle, before the upstream answered, and falls back to a fresh session when Gemini rejects it',
    standsFor: 'server-contract.md §2, "session:resumed is sent only after … setupComplete"; §3, a fresh session confirmed as resumed; F8',
  },
  { confirmsResumeAt: () => 'handle-accepted' },
);
