/**
 * `run --jobs N` starts the longest scenarios first: a two-hour session started last would set
 * the wall time of the whole run alone (longest-processing-time scheduling).
 */
import { describe, expect, it } from 'vitest';
import { expectedDurationS } from '../scenario/expected-duration.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { longestFirst } from './run-command.ts';

describe('longestFirst', () => {
  const loaded = loadCatalog();
  it('orders by expected protocol duration, longest first, when several run at once', () => {
    const order = longestFirst(loaded, 4).map((l) => expectedDurationS(l.scenario));
    expect(order).toEqual([...order].sort((a, b) => b - a));
    expect(longestFirst(loaded, 4)[0]!.scenario.id).toBe('two-hour-session');
    expect(new Set(longestFirst(loaded, 4))).toEqual(new Set(loaded));
  });

  it('keeps the selection order for a sequential run', () => {
    expect(longestFirst(loaded, 1)).toBe(loaded);
  });
});
