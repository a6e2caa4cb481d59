/**
 * Sockets kept in a map keyed by share token, not by conversation: a conversation's handle
 * updates go to the newest client connection of its share token. Two prospects talking to one
 * agent at once get each other's handles (and the later one's own never reach it).
 */
import { serverMutant } from './server-mutant.ts';

export const S10_MIXED_HANDLES = serverMutant(
  {
    id: 's10-mixed-handles',
    title: 'handles routed by share token',
    axis: 'isolation',
    bug: 'sends each conversation\'s handle updates to the newest client connection of its share token, so two concurrent conversations under one share token mix handles',
    standsFor: 'server-contract.md §3, "whether two conversations ever saw each other\'s turns or handles"; ai-voice-protocol.md §5.1 (a handle belongs to its conversation)',
  },
  { handleUpdatesGoTo: () => 'newest-of-share-token' },
);
