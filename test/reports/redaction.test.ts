/**
 * No full handle or token in any output format: not from the journal (fingerprints already),
 * not from a client that prints its secrets (T12), not from a client result or post-mortem
 * data that carries them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../protocol/redact.ts';
import type { ScenarioRun } from '../../harness/run/run-scenario.ts';
import { loadCatalog } from '../../harness/scenario/loader.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { brokenSut, leakySut, runAndReport, type ReportedRun } from '../testing/report-fixtures.ts';

const ids = ['goaway.close-1006', 'invalid-handle', 'flapping'];
let result: ReportedRun;

/** A client that prints everything it was given: every secret the server issued, everywhere it could. */
function leakEverything(run: ScenarioRun): ScenarioRun {
  return {
    ...run,
    output: [...run.output, ...run.secrets.map((s) => `debug: handle=${s} url=ws://x/?resumeHandle=${encodeURIComponent(s)}&raw=${s}`)],
    clientExtra: { ...run.clientExtra, secrets: run.secrets, [`key-${run.secrets[0] ?? ''}`]: 'a key can leak too' },
    client: run.client.state === 'reported'
      ? { state: 'reported', result: { ...run.client.result, reason: `last handle ${run.secrets.at(-1) ?? ''}` } }
      : run.client,
  };
}

/** Every file under the run folder, with its text. */
function files(dir: string): Array<[string, string]> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => [join(d.parentPath, d.name), readFileSync(join(d.parentPath, d.name), 'utf8')]);
}

beforeAll(async () => {
  const scenarios = loadCatalog().map((l) => l.scenario).filter((s) => ids.includes(s.id));
  result = await runAndReport(scenarios, [builtinSut(), brokenSut(), leakySut()], { tamper: leakEverything });
});

describe('redaction across every format', () => {
  it('ran with secrets in the client\'s output, result and post-mortem data, and a client that logs its tokens', () => {
    expect(result.runs).toHaveLength(ids.length * 3);
    for (const run of result.runs) {
      expect(run.secrets.length).toBeGreaterThan(1);
      expect(run.output.join('\n')).toContain(run.secrets[0]);
    }
    // The leaky client's own logs carry a full token: NON-STRICT on the secrets axis (spec §5.1 SHOULD NOT).
    const leaky = result.runs.filter((r) => r.sut.id.includes('leaky'));
    expect(leaky.every((r) => r.judgement.axes.secrets.verdict === 'NON-STRICT')).toBe(true);
  });

  it('writes no full handle or token into any file: JSON, Markdown, JUnit, HTML', () => {
    const secrets = [...new Set(result.runs.flatMap((r) => r.secrets))];
    const written = files(result.summary.runDir);
    expect(written.map(([f]) => f.split('.').at(-1))).toEqual(expect.arrayContaining(['json', 'md', 'xml', 'html']));
    const leaks = written.flatMap(([file, text]) => secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s))).map((s) => `${file}: ${fingerprint(s)}`));
    expect(leaks).toEqual([]);
  });

  it('keeps what the client said, with fingerprints in place of the secrets', () => {
    const run = result.runs.find((r) => r.sut.id === 'broken' && r.scenario.id === 'flapping')!;
    const report = JSON.parse(readFileSync(join(result.summary.runDir, 'broken', 'flapping.json'), 'utf8'));
    const secret = run.secrets[0]!;
    // Handles are base64url: a URL carries them unchanged, so the same redaction covers both spots.
    expect(encodeURIComponent(secret)).toBe(secret);
    expect(report.client.output).toContain(`debug: handle=${fingerprint(secret)} url=ws://x/?resumeHandle=${fingerprint(secret)}&raw=${fingerprint(secret)}`);
    expect(report.client.extra[`key-${fingerprint(secret)}`]).toBe('a key can leak too');
    expect(report.comparison.client.reason).toBe(`last handle ${fingerprint(run.secrets.at(-1)!)}`);
  });
});
