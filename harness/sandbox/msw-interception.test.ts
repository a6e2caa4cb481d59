/**
 * A stopped interception leaves nothing of itself in msw. msw (2.15) puts 'message' listeners on
 * one process-wide BroadcastChannel (one per `ws.link()`, one per open connection); the matrix
 * stops interception before every virtual run, and each run used to leave its link's listener,
 * holding all of that run's clients: Node's MaxListenersExceededWarning after ten runs of
 * `resume-harness matrix`, and memory that grew with the matrix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../run/run-scenario.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { stopInterception } from './msw-interception.ts';

type AddEventListener = (this: unknown, type: string, listener: unknown, options?: { signal?: AbortSignal }) => void;
const proto = BroadcastChannel.prototype as unknown as { addEventListener: AddEventListener };
const original = proto.addEventListener;

/** Counts the 'message' listeners added to any BroadcastChannel from now on and not removed (by their abort signal). */
function watchChannelListeners(): () => number {
  let live = 0;
  proto.addEventListener = function (type, listener, options) {
    if (type === 'message') {
      live += 1;
      options?.signal?.addEventListener('abort', () => { live -= 1; });
    }
    return original.call(this, type, listener, options);
  };
  return () => live;
}

afterEach(() => {
  proto.addEventListener = original;
});

describe('stopping the interception', () => {
  it('lets go of every listener msw added for it, run after run', async () => {
    const scenario = loadCatalog().map((l) => l.scenario).find((s) => s.id === 'accept-then-close-loop')!;
    stopInterception();
    const live = watchChannelListeners();
    for (let run = 0; run < 12; run++) {
      // As the matrix does (detection-matrix.ts, runJob): a fresh interception per run.
      stopInterception();
      const result = await runScenario(scenario, builtinSut(), { mode: 'virtual', seed: run, timeScale: 1 });
      expect(result.judgement.overall).toBe('OK');
    }
    expect(live()).toBeGreaterThan(0);
    stopInterception();
    await Promise.resolve();
    expect(live()).toBe(0);
  });
});
