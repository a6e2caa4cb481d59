/**
 * The run's state saved when it ends (spec §6.7: "save the run's state for post-mortem either
 * way"), so a failed training run can be understood without re-running it. No secrets in it:
 * handles appear as fingerprints, the event log is already redacted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulatorEvent, SimulatorResult } from './simulator-types.ts';

export interface PostMortem {
  status: SimulatorResult['status'];
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

export async function writePostMortem(path: string, postMortem: PostMortem): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(postMortem, null, 2)}\n`, 'utf8');
}
