/**
 * Issue 12, "time limits that fit the scenario": the expected protocol duration worked out from
 * each scenario's script bounds what the reference took at every pace (the runs of
 * docs/exercised-faults.md), so a limit of twice it never cuts the reference; and a client that
 * hangs is cut over the network for having done nothing, not at the scenario's 4-hour limit.
 * (How many seconds that costs is measured by tools/bench-hang.ts, not asserted here.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { expectedDurationS } from '../../harness/scenario/expected-duration.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { EXERCISED_FAULTS_DOC, tableBetween } from '../../tools/write-exercised-faults.ts';
import { hangingClient } from '../testing/hanging-client.ts';

const catalog = loadCatalog().map((l) => l.scenario);

describe('the expected duration', () => {
  it('bounds every run of the reference at every pace (docs/exercised-faults.md, checked against the runs by exercised-faults.test.ts)', () => {
    const table = tableBetween(readFileSync(EXERCISED_FAULTS_DOC, 'utf8'), 'exercise-table');
    const over: string[] = [];
    let cells = 0;
    for (const line of table.split('\n')) {
      const id = /^\| `([^`]+)` \|/.exec(line)?.[1];
      if (!id) continue;
      const expected = expectedDurationS(catalog.find((s) => s.id === id)!);
      for (const [, took] of line.matchAll(/yes \([A-Z-]+, (\d+) s\)/g)) {
        cells++;
        if (Number(took) > expected) over.push(`${id}: took ${took} s, expected at most ${expected} s`);
      }
    }
    expect(cells).toBe(catalog.filter((s) => s.faces.includes('ai-voice')).length * 4);
    expect(over).toEqual([]);
  });
});

describe('a client that hangs, over the network at the default scale', () => {
  it.each(['goaway', 'flapping.half-open', 'two-hour-session'])('%s: hung for doing nothing, long before the scenario\'s limit', async (id) => {
    const scenario = catalog.find((s) => s.id === id)!;
    const run = await runScenario(scenario, hangingClient(), { mode: 'network', seed: 1, timeScale: 0.005 });
    expect(run.client.state).toBe('hung');
    expect(run.client.state === 'hung' && run.client.reason).toMatch(/nothing happened on the server for 2\.0 s of real time/);
    expect(run.judgement.overall).toBe('FAILED');
    expect(run.judgement.axes.reconnect.reason).toMatch(/never ended/);
    // Cut on the watch, not on the limit: protocol time stopped far short of the scenario's limit.
    expect(run.protocolMs).toBeLessThan(scenario.limit * 1000 / 10);
  }, 60_000);
});
