/** Wires a simulator to the fake server on a virtual clock, for the socket-driven tests. */
import { ProspectSimulator, type ResumeDecisions, type SimulatorOptions, type SimulatorResult } from '../index.ts';
import { FakeAgentServer, type FakeServerOptions } from './fake-agent-server.ts';
import { ManualClock } from '../../protocol/testing/manual-clock.ts';

export interface FixtureOptions extends Omit<FakeServerOptions, 'clock'> {
  maxTurns?: number;
  seed?: number;
  simulator?: Partial<SimulatorOptions>;
  /** Decisions re-introducing a bug, for mutation checks. */
  decisions?: Partial<ResumeDecisions>;
}

export interface Fixture {
  clock: ManualClock;
  server: FakeAgentServer;
  simulator: ProspectSimulator;
  logs: string[];
  options: SimulatorOptions;
  /** Runs to the end on virtual time (bounded) and returns the result. */
  run(limitMs?: number): Promise<SimulatorResult>;
}

export function createFixture(fixture: FixtureOptions = {}): Fixture {
  const clock = new ManualClock(1_000_000);
  const { maxTurns = 3, seed = 7, simulator: overrides = {}, decisions, ...serverOptions } = fixture;
  const server = new FakeAgentServer({ clock, ...serverOptions });
  const logs: string[] = [];
  const options: SimulatorOptions = {
    httpUrl: 'http://agent.test/',
    wsUrl: 'ws://agent.test/ws/ai-voice',
    shareToken: server.shareToken,
    maxTurns,
    seed,
    clock,
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    thinkTimeMs: [1000, 2000],
    logger: (line) => logs.push(line),
    ...overrides,
    ...(decisions ? { decisions } : {}),
  };
  const simulator = new ProspectSimulator(options);
  return {
    clock,
    server,
    simulator,
    logs,
    options,
    run: (limitMs = 6 * 3_600_000) => clock.settle(simulator.run(), limitMs),
  };
}
