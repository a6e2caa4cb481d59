/**
 * Issue 12, "the judge is never stricter than the protocol": a client that presents the same
 * handle on each of its bounded attempts against an accept-then-close server and then stops is
 * not FAILED (spec §6.4 allows it); it is NON-STRICT, for field experience (F6) says two cycles
 * prove the handle poisoned. A client that presents it past the budget is FAILED.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { boundedHandleClient } from '../testing/bounded-handle-client.ts';

const catalog = loadCatalog();
const scenario = (id: string) => catalog.find((l) => l.scenario.id === id)!.scenario;
const SCENARIOS = ['invalid-handle.accept-then-close', 'flapping.endless-accept-then-close'];

describe('the same handle on each of 3 attempts per outage, then stop', () => {
  for (const id of SCENARIOS) {
    for (const fallback of ['fail', 'new-session'] as const) {
      it(`${id}, then ${fallback === 'fail' ? 'ends failed' : 'falls back with contextLost:true'}: NON-STRICT, not FAILED`, async () => {
        const run = await runScenario(scenario(id), boundedHandleClient({ attempts: 3, fallback }), { mode: 'virtual', seed: 7, timeScale: 1 });
        // The first conversation's attempts (a fallback session may meet the same server again).
        const first = run.analysis.timeline.conversations[0];
        const presented = run.analysis.timeline.attempts.filter((a) => a.handle !== null && a.conversationId === first);
        // The client did what the scenario is about: one handle, presented three times, each accepted then closed.
        expect(presented).toHaveLength(3);
        expect(new Set(presented.map((a) => a.handle)).size).toBe(1);
        expect(presented.every((a) => a.state === 'opened' && a.segment.resumedSentAt !== null && a.segment.close?.code === 1011)).toBe(true);
        const result = run.client.state === 'reported' ? run.client.result : null;
        expect(result?.contextLost).toBe(true);
        if (fallback === 'new-session') expect(run.analysis.timeline.conversations.length).toBeGreaterThanOrEqual(2);
        expect(run.judgement.axes.reconnect.verdict, run.judgement.axes.reconnect.reason).toBe('NON-STRICT');
        expect(run.judgement.axes.reconnect.reason).toMatch(/a third time .* allowed within the attempt budget \(spec §6\.4\).*F6/);
        expect(Object.values(run.judgement.axes).map((a) => a.verdict)).not.toContain('FAILED');
        expect(run.judgement.overall).toBe('NON-STRICT');
      });
    }
  }
});

describe('the same handle past the attempt budget', () => {
  it('is FAILED on spec §6.4: once the budget is spent the handle must not be presented again', async () => {
    const run = await runScenario(scenario('invalid-handle.accept-then-close'), boundedHandleClient({ attempts: 7, fallback: 'fail' }), { mode: 'virtual', seed: 7, timeScale: 1 });
    expect(run.judgement.axes.reconnect.verdict).toBe('FAILED');
    expect(run.judgement.axes.reconnect.reason).toMatch(/again .* after 5 accept-then-close cycles with it, the whole attempt budget of 5 \(spec §6\.4/);
  });
});
