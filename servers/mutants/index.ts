/**
 * The server mutant gallery: the reference AI-voice server with one realistic bug each
 * (server-mutant.ts). Run one as `--server mutant:<id>` (or `mutant:sN`), or directly as
 * `node --import tsx servers/reference/server.ts --mutant <id>`.
 */
import { S1_SEED_LITERAL } from './s1-seed-literal.ts';
import { S2_RELAYS_UNRESUMABLE } from './s2-relays-unresumable.ts';
import { S3_EXPIRING_BEFORE_HANDLE } from './s3-expiring-before-handle.ts';
import { S4_NO_SHARE_TOKEN_CHECK } from './s4-no-share-token-check.ts';
import { S5_RESUMED_BEFORE_ACCEPT } from './s5-resumed-before-accept.ts';
import { S6_CLIENT_LEFT_OPEN } from './s6-client-left-open.ts';
import { S7_LOGS_FULL_HANDLES } from './s7-logs-full-handles.ts';
import { S8_RESENDS_SYSTEM_INSTRUCTION } from './s8-resends-system-instruction.ts';
import { S9_BINARY_FRAMES } from './s9-binary-frames.ts';
import { S10_MIXED_HANDLES } from './s10-mixed-handles.ts';
import { S11_FIXED_TIME_LEFT } from './s11-fixed-time-left.ts';
import { S12_ORPHAN_UPSTREAM } from './s12-orphan-upstream.ts';
import { S13_FIRST_HANDLE_ONLY } from './s13-first-handle-only.ts';
import { S14_KICKS_OFF_ON_RESUME } from './s14-kicks-off-on-resume.ts';
import { S15_APP_CLOSE_CODE } from './s15-app-close-code.ts';
import type { ServerMutant } from './server-mutant.ts';

export { SERVER_AXES, type ServerAxis, type ServerMutant } from './server-mutant.ts';

export const SERVER_MUTANTS: readonly ServerMutant[] = Object.freeze([
  S1_SEED_LITERAL,
  S2_RELAYS_UNRESUMABLE,
  S3_EXPIRING_BEFORE_HANDLE,
  S4_NO_SHARE_TOKEN_CHECK,
  S5_RESUMED_BEFORE_ACCEPT,
  S6_CLIENT_LEFT_OPEN,
  S7_LOGS_FULL_HANDLES,
  S8_RESENDS_SYSTEM_INSTRUCTION,
  S9_BINARY_FRAMES,
  S10_MIXED_HANDLES,
  S11_FIXED_TIME_LEFT,
  S12_ORPHAN_UPSTREAM,
  S13_FIRST_HANDLE_ONLY,
  S14_KICKS_OFF_ON_RESUME,
  S15_APP_CLOSE_CODE,
]);

/** A mutant by its full id, or by its `sN` prefix ("s4" is s4-no-share-token-check, never s40-…). */
export function findServerMutant(idOrPrefix: string): ServerMutant | undefined {
  const prefix = /^s\d+$/.test(idOrPrefix) ? `${idOrPrefix}-` : undefined;
  return SERVER_MUTANTS.find((mutant) => mutant.id === idOrPrefix || (prefix !== undefined && mutant.id.startsWith(prefix)));
}

/** The ids, in gallery order (for error messages). */
export function serverMutantIds(): string[] {
  return SERVER_MUTANTS.map((mutant) => mutant.id);
}
