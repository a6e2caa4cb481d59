/**
 * The prospect's pace: how long it thinks before each reply. A scenario must reach its fault
 * whatever the client's pace (issue 12): the catalog is checked with a client that answers at
 * once, one that thinks 10 protocol seconds per turn, and one that answers in bursts.
 *
 *   natural     the seeded think time in `thinkTimeMs` (default 4–9 s): the reference's own pace
 *   at-once     no think time at all: the fastest a client can go (the new user)
 *   think-10s   10 protocol seconds before every reply: a slow, deliberate client
 *   bursts      BURST_SIZE replies at once, then BURST_PAUSE_MS of silence before the next burst
 */
export const PACES = ['natural', 'at-once', 'think-10s', 'bursts'] as const;
export type Pace = (typeof PACES)[number];

/** The paces the catalog must be exercised at besides the reference's own. */
export const VARIED_PACES: readonly Pace[] = ['at-once', 'think-10s', 'bursts'];

export const THINK_10S_MS = 10_000;
export const BURST_SIZE = 4;
/** Below the judge's stallAfter (25 s) is no longer needed for a verdict, but a pause that long is still a plausible human. */
export const BURST_PAUSE_MS = 20_000;

/**
 * Think time before prospect message `index` (1-based), in protocol ms. `natural` draws from the
 * seeded range (the caller's draw, so the reference's runs stay byte for byte what they were).
 */
export function thinkDelayMs(pace: Pace, index: number, natural: () => number): number {
  switch (pace) {
    case 'natural':
      return natural();
    case 'at-once':
      return 0;
    case 'think-10s':
      return THINK_10S_MS;
    case 'bursts':
      // Messages 1, 1+BURST_SIZE, … open a burst after a pause; the rest of the burst follows at once.
      return (index - 1) % BURST_SIZE === 0 ? BURST_PAUSE_MS : 0;
  }
}

export function isPace(value: string): value is Pace {
  return (PACES as readonly string[]).includes(value);
}
