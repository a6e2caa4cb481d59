/** How the server matrix reads its runs: a mutant is caught on its own axis, never by accident elsewhere. */
import { describe, expect, it } from 'vitest';
import { SERVER_AXES, type ServerAxis } from '../judge/server-section.ts';
import type { Verdict } from '../judge/verdict.ts';
import { SERVER_AXES as GALLERY_AXES, SERVER_MUTANTS } from '../../servers/mutants/index.ts';
import { buildServerMatrix, classifyServerCell, renderServerMatrixMarkdown, serverMatrixPasses, type ServerRunDigest, type ServerSubject } from './server-matrix.ts';

const REFERENCE: ServerSubject = { server: 'reference', role: 'reference', detectedAs: 'FAILED', bug: 'none', standsFor: '—' };
const S3: ServerSubject = { server: 'mutant:s3-expiring-before-handle', role: 'mutant', axis: 'handle-relay', detectedAs: 'FAILED', bug: 'notice first', standsFor: '§2' };
const S8: ServerSubject = { server: 'mutant:s8-resends-system-instruction', role: 'mutant', axis: 'upstream', detectedAs: 'NON-STRICT', bug: 'instruction again', standsFor: '§2' };

function digest(server: string, scenario: string, seed: number, overall: Verdict, failing: Partial<Record<ServerAxis, Verdict>> = {}): ServerRunDigest {
  const serverAxes = Object.fromEntries(SERVER_AXES.map((a) => [a, { verdict: failing[a] ?? 'OK', reason: failing[a] ? `${a} went wrong` : 'fine' }])) as ServerRunDigest['serverAxes'];
  return { server, scenario, seed, overall, serverAxes, clientAxes: { context: { verdict: 'OK', reason: 'fine' } }, wallMs: 10 };
}

describe('classifyServerCell', () => {
  it('caught only on the axis the mutant names; FAILED elsewhere is "elsewhere", not a catch', () => {
    expect(classifyServerCell(S3, [digest(S3.server, 'goaway', 1, 'FAILED', { 'handle-relay': 'FAILED' })])).toBe('caught');
    expect(classifyServerCell(S3, [digest(S3.server, 'goaway', 1, 'FAILED', { 'handle-relay': 'FAILED' }), digest(S3.server, 'goaway', 2, 'OK')])).toBe('caught-some');
    expect(classifyServerCell(S3, [digest(S3.server, 'goaway', 1, 'FAILED', { 'close-codes': 'FAILED' })])).toBe('elsewhere');
    expect(classifyServerCell(S3, [digest(S3.server, 'goaway', 1, 'OK')])).toBe('passed');
  });

  it('a bug the contract allows is caught by exactly its NON-STRICT grade', () => {
    expect(classifyServerCell(S8, [digest(S8.server, 'goaway', 1, 'NON-STRICT', { upstream: 'NON-STRICT' })])).toBe('caught');
    expect(classifyServerCell(S8, [digest(S8.server, 'goaway', 1, 'FAILED', { upstream: 'FAILED' })])).toBe('elsewhere');
  });

  it('the reference passes only on OK or INFORMATIONAL', () => {
    expect(classifyServerCell(REFERENCE, [digest('reference', 'goaway', 1, 'INFORMATIONAL')])).toBe('passed');
    expect(classifyServerCell(REFERENCE, [digest('reference', 'goaway', 1, 'NON-STRICT', { upstream: 'NON-STRICT' })])).toBe('false-alarm');
  });
});

describe('the gallery and the judge', () => {
  it('name the same server axes (servers/ imports nothing of the harness, so the list is kept twice and checked here)', () => {
    expect([...GALLERY_AXES]).toEqual([...SERVER_AXES]);
    for (const mutant of SERVER_MUTANTS) expect(SERVER_AXES).toContain(mutant.axis);
  });
});

describe('buildServerMatrix', () => {
  it('an escape, a false alarm and a harness error each fail the matrix', () => {
    const clean = buildServerMatrix({ subjects: [REFERENCE, S3], scenarios: ['goaway'], seeds: [1], digests: [digest('reference', 'goaway', 1, 'OK'), digest(S3.server, 'goaway', 1, 'FAILED', { 'handle-relay': 'FAILED' })], timeScale: 0.02, wallMs: 1 });
    expect(serverMatrixPasses(clean)).toBe(true);
    expect(clean.rows.map((r) => r.status)).toEqual(['clean', 'caught']);
    const escaped = buildServerMatrix({ subjects: [REFERENCE, S3], scenarios: ['goaway'], seeds: [1], digests: [digest('reference', 'goaway', 1, 'OK'), digest(S3.server, 'goaway', 1, 'OK')], timeScale: 0.02, wallMs: 1 });
    expect(escaped.escaped).toEqual([S3.server]);
    expect(serverMatrixPasses(escaped)).toBe(false);
    const alarm = buildServerMatrix({ subjects: [REFERENCE], scenarios: ['goaway'], seeds: [1], digests: [digest('reference', 'goaway', 1, 'FAILED', { 'expiry-relay': 'FAILED' })], timeScale: 0.02, wallMs: 1 });
    expect(alarm.falseAlarms).toHaveLength(1);
    const unknown = buildServerMatrix({ subjects: [REFERENCE], scenarios: ['goaway'], seeds: [1], digests: [digest('reference', 'goaway', 1, 'UNKNOWN', { lifecycle: 'UNKNOWN' })], timeScale: 0.02, wallMs: 1 });
    expect(serverMatrixPasses(unknown)).toBe(false);
  });

  it('renders Markdown with the run count and wall time, a row per server, and the verdict line', () => {
    const m = buildServerMatrix({ subjects: [REFERENCE, S3], scenarios: ['goaway'], seeds: [1, 2], digests: [digest('reference', 'goaway', 1, 'OK'), digest('reference', 'goaway', 2, 'OK'), digest(S3.server, 'goaway', 1, 'FAILED', { 'handle-relay': 'FAILED' }), digest(S3.server, 'goaway', 2, 'OK')], timeScale: 0.02, wallMs: 12_345 });
    const md = renderServerMatrixMarkdown(m);
    expect(md).toContain('1 mutants + the reference × 1 scenarios × 2 seed(s) = 4 runs in 12.3 s (network mode, time scale 0.02)');
    expect(md).toContain('| `reference` | — | none | — | passes all 1 |');
    expect(md).toContain('| `mutant:s3-expiring-before-handle` | handle-relay | notice first | §2 | 1/1: goaway |');
    expect(md).toContain('1/1 server mutants caught on their axis · 0 false alarms · 0 harness errors');
  });
});

