import { describe, expect, it } from 'vitest';
import { MUTANTS, type SimulatorOptions } from '../../simulator/index.ts';
import { RunOverError } from '../errors.ts';
import { runScenario } from '../run/run-scenario.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { pacedSut } from './builtin-sut.ts';

describe('the simulator adapter', () => {
  it('fences every run, a paced mutant included: abandoned at the scenario limit, it can open no socket afterwards', async () => {
    // t9 never notices a half-open connection: on toxic-timeout it is still waiting when the
    // run ends at the limit, and the server's disposal hands it a close it would reconnect on.
    // Unfenced, that reconnect went out on real timers into whatever virtual run came next.
    const t9 = MUTANTS.find((m) => m.id === 't9-no-half-open-detection')!;
    const scenario = loadCatalog().map((l) => l.scenario).find((s) => s.id === 'toxic-timeout')!;
    let given: SimulatorOptions | null = null;
    const sut = pacedSut('at-once', `mutant:${t9.id}`, (options) => {
      given = options;
      return t9.create(options);
    });
    const run = await runScenario(scenario, sut, { mode: 'virtual', seed: 1, timeScale: 1 });
    expect(run.client.state).toBe('hung');
    const options = given! as SimulatorOptions;
    expect(() => new options.WebSocket!('ws://127.0.0.1:9/ws/ai-voice')).toThrow(RunOverError);
    await expect(options.fetch!('http://127.0.0.1:9/api')).rejects.toThrow(RunOverError);
  });
});
