/**
 * No library warning in a run's output (issue 14): msw kept a BroadcastChannel listener for
 * every intercepted connection closed before it tracked it (refused upgrades, at-once
 * closes), and Node printed a MaxListenersExceededWarning in the middle of every full run.
 * These scenarios closed twelve such connections; any process warning during them fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';

describe('a run prints no library warning', () => {
  it('flapping and outage scenarios (many refused and at-once-closed connections) in virtual mode', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
      const code = await main(['run', 'flapping', 'outage*', 'invalid-handle*', '--seed', '3', '--format', 'json', '--report-dir', mkdtempSync(join(tmpdir(), 'rh-warn-'))], { stdout: sink, stderr: sink, cwd: process.cwd() });
      expect(code).toBe(0);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
