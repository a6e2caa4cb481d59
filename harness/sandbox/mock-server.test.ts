import { describe, expect, it } from 'vitest';
import { globalClock } from '../../protocol/clock.ts';
import { isValidScript } from '../../mock-server/index.ts';
import { loadCatalog } from '../scenario/loader.ts';
import { mockServerFor } from './mock-server.ts';

describe('a scenario is validated once', () => {
  const catalog = loadCatalog();

  it('the loader hands every scenario\'s server script on already validated', () => {
    const unvalidated = catalog.filter(({ scenario }) => !isValidScript(scenario.server)).map(({ scenario }) => scenario.id);
    expect(catalog.length).toBeGreaterThan(0);
    expect(unvalidated).toEqual([]);
  });

  it('the mock server runs the loader\'s script object itself, not a second parse of it', () => {
    const { scenario } = catalog.find(({ scenario }) => scenario.server.faults.length > 0)!;
    const server = mockServerFor(scenario, globalClock, 1);
    try {
      expect(server.script).toBe(scenario.server);
    } finally {
      server.dispose();
    }
  });

  it('a plain object that merely looks like a script is validated (and refused when wrong)', () => {
    const { scenario } = catalog[0]!;
    const copy = structuredClone(scenario.server) as Record<string, unknown>;
    expect(isValidScript(copy)).toBe(false);
    expect(() => mockServerFor({ ...scenario, server: { ...copy, faults: [{ bogus: true }] } as never }, globalClock, 1)).toThrow(/faults/);
  });
});
