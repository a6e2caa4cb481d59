/**
 * The run's state saved when it ends (spec §6.7: "save the run's state for post-mortem either
 * way"), so a failed training run can be understood without re-running it. No secrets in it:
 * handles appear as fingerprints, the event log is already redacted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SutResult } from '../../protocol/sut-result.ts';
import type { SimulatorEvent } from './event-log.ts';

export interface PostMortem {
  status: SutResult['status'];
  reason: string | null;
  conversationId: string | null;
  turns: number;
  maxTurns: number;
  reconnects: number;
  contextLost: boolean;
  /** Fingerprint of the handle the simulator would have presented next, if any. */
  handle: string | null;
  lastProspectMessageSent: number;
  sessionsCreated: number;
  seed: number;
  endedAt: number;
  events: SimulatorEvent[];
}

/**
 * Synchronous on purpose: the run ends right here, and a write still under way while a
 * virtual clock keeps running would make the run's length depend on the disk.
 */
export async function writePostMortem(path: string, postMortem: PostMortem): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(postMortem, null, 2)}\n`, 'utf8');
}
