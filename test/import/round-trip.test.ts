/**
 * Issue 11, item 2: the import round trip over the whole catalog. For each scenario the
 * reference simulator runs (virtual time, seed 1), its run is exported as a HAR capture,
 * imported, and the imported scenario run again: the round trip holds when the reference
 * passes it (OK) and every broken client the original exists to catch (catchers.json, proven
 * on the original by test/catalog) fails it on the same axis.
 *
 * The set that holds is asserted exactly, so a better inference (or a worse one) shows here.
 * Why the rest cannot hold is README "Importing a capture": a capture shows only what the
 * reference client provoked (a fault a conformant client never meets is not in its capture),
 * and refused upgrades and frames lost in the network are not frames of a WebSocket.
 */
import { describe, expect, it } from 'vitest';
import { holds, roundTrip, type Catcher, type RoundTrip } from '../../harness/import/testing/round-trip.ts';
import { tempDir } from '../../harness/import/testing/capture-run.ts';
import { CATALOG, CATCHERS, MAY_HANG } from '../testing/catalog-support.ts';

/** The brief's subset: the core scenarios and the plain unexpected close, with their variants. */
const SUBSET = /^(goaway|delayed-close|invalid-handle|flapping|unexpected-close)(\.|$)/;

export const HOLDING = [
  'gateway-ceiling', 'gateway-ceiling.idle-reap', 'outage-window', 'outage-window.refused-503', 'outage-window.every-turn', 'outage-window.at-rotation', 'proxy-down', 'flapping.endless-refused', 'resume-upgrade-refused', 'server-restart', 'server-restart.close-4003', 'toxic-limit-data', 'toxic-reset-peer',
  'toxic-timeout', 'toxic-timeout.drop-after-5s', 'unexpected-close', 'unexpected-close.one-turn', 'unexpected-close.1007-invalid-argument', 'unexpected-close.1008-aborted', 'unexpected-close.1011-quota',
  'delayed-close', 'delayed-close.late-old-close', 'flapping', 'flapping.endless', 'flapping.endless-accept-then-close', 'flapping.half-open', 'flapping.unauthorised',
  'goaway', 'goaway.close-1001', 'goaway.close-1011', 'goaway.close-1006', 'goaway.no-time-left', 'goaway.early-close', 'goaway.handle-after-turn', 'goaway.no-handle-before-deadline',
  'invalid-handle', 'invalid-handle.close-4003', 'invalid-handle.accept-then-close', 'first-handle-late.drop-after', 'in-flight-lost', 'in-flight-lost.first-turn',
  'last-turn-repeated', 'last-turn-repeated.at-boundary', 'last-turn-repeated.first-turn', 'conversation-end-mid-turn.while-expiring', 'resumable-false-window', 'resumable-false-window.expiring', 'resume-at-boundary', 'conversation-end-mid-turn', 'conversation-end-mid-turn.then-drop',
  'expiry-mid-turn.hard-cap', 'goaway-ignored', 'goaway-storm', 'goaway-storm.after-every-resume', 'malformed-frames', 'malformed-frames.unknown-type', 'malformed-frames.invalid-fields', 'malformed-frames.binary-audio', 'malformed-frames.binary-audio-long',
  'malformed-frames.error-message', 'accept-then-close-loop', 'accept-then-close-loop.newer-handle', 'handle-expired', 'handle-expired.foreign', 'handle-expired.fresh-session-handle', 'handle-not-found', 'handle-not-found.invalid-1007',
  'poisoned-resume', 'stale-handle.right-after-resume', 'late-pongs', 'late-pongs.unanswered', 'resume-confirm-late', 'slow-agent',
];

describe('import round trip: reference run → HAR → import → run again', () => {
  it('holds for the catalog scenarios a capture can express', { timeout: 900_000 }, async () => {
    const dir = tempDir();
    const results: Array<{ id: string; result: RoundTrip | null; problem?: string }> = [];
    // Scenarios whose catchers may never end run last, as in test/catalog.
    const order = CATALOG.filter((s) => s.faces.includes('ai-voice'))
      .map((s) => ({ s, hang: (CATALOG_CATCHERS(s.id)).some((c) => MAY_HANG.has(c.mutant)) }))
      .sort((a, b) => Number(a.hang) - Number(b.hang));
    for (const { s } of order) {
      try {
        results.push({ id: s.id, result: await roundTrip(s, CATALOG_CATCHERS(s.id), dir) });
      } catch (error) {
        results.push({ id: s.id, result: null, problem: (error as Error).message });
      }
    }
    const holding = results.filter((r) => r.result !== null && holds(r.result)).map((r) => r.id);
    const reasons = results.filter((r) => !holding.includes(r.id)).map((r) => `${r.id}: ${r.problem ?? JSON.stringify(r.result!.catchers.filter((c) => c.verdict !== 'FAILED' && !(c.detectedAs === 'NON-STRICT' && c.verdict === 'NON-STRICT')))}${r.result && !r.result.referencePassed ? ` reference ${r.result.referenceVerdicts}` : ''}`);
    expect([...holding].sort(), reasons.join('\n')).toEqual([...HOLDING].sort());
    expect(holding.length).toBe(HOLDING.length);
    // The brief's subset: every one holds but flapping.before-first-handle (the reference never reconnects without a
    // handle, so its capture cannot show what the server does to a client that does), goaway.conversation-end (its
    // import ends the conversation before the notice it infers: UNKNOWN on expiry since faults must happen) and
    // flapping.silent-after-resume (the agent's 40 s silence: a capture shows only that no frame came until the reference
    // left after 30 s, not a silence a client that waits longer would still meet, as in-flight-lost.swallowed) and
    // goaway.close-awaiting-handle (its close 2 s after the turn's end reads, in a capture, as the notice's own early
    // deadline: the import times it from the notice, so a client that acts differently meets it elsewhere).
    const subset = results.filter((r) => SUBSET.test(r.id));
    expect(subset.filter((r) => !holding.includes(r.id)).map((r) => r.id).sort(), reasons.join('\n')).toEqual(['flapping.before-first-handle', 'flapping.silent-after-resume', 'goaway.close-awaiting-handle', 'goaway.conversation-end']);
    // The reference never fails an imported scenario; where it is not OK, a fault the import inferred did not happen
    // (UNKNOWN, issue 12), in exactly these two.
    expect(results.filter((r) => r.result !== null && /FAILED|NON-STRICT/.test(r.result.referenceVerdicts)).map((r) => r.id)).toEqual([]);
    expect(results.filter((r) => r.result !== null && !r.result.referencePassed).map((r) => r.id).sort()).toEqual(['goaway-storm.before-resumed', 'goaway.conversation-end']);
  });
});

function CATALOG_CATCHERS(id: string): Catcher[] {
  return (CATCHERS[id] ?? []) as Catcher[];
}
