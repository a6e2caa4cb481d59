/**
 * A debugging line left in: every handle logged in full, and never made a secret of the log, so
 * the redactor does not know it. Anyone who reads the logs can resume the conversation.
 */
import { serverMutant } from './server-mutant.ts';

export const S7_LOGS_FULL_HANDLES = serverMutant(
  {
    id: 's7-logs-full-handles',
    title: 'handles logged in full',
    axis: 'secrets',
    bug: 'logs every handle it meets in full ("relayed handle <handle>"), bypassing redaction',
    standsFor: 'server-contract.md §2, Secrets: "Handles, tokens and keys are never printed in full"; ai-voice-protocol.md §5.1 (a handle is a bearer credential)',
  },
  { meetsHandle: (handle, how, log) => log.info(`${how === 'issued' ? 'relayed' : 'presented'} handle ${handle}`) },
);
