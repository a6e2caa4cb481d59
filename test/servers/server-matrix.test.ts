/**
 * The server detection matrix, for real (docs/server-contract.md §3): three scenarios through
 * the reference AI-voice server and every server mutant of servers/mutants/, with the reference
 * simulator in front and the Gemini face upstream. The reference passes all three; each mutant
 * is caught on the axis it names, with the grade its bug deserves. Three scenarios suffice to
 * reach every axis: an expiry with early close (the goAway relay, the resume, the client's
 * rotation), a handle Gemini does not know (the rejection and the client leaving), and an old
 * socket still open at resume with a 30 s notice (a timeLeft that is not 60).
 */
import { describe, expect, it } from 'vitest';
import { SERVER_MIN_TIME_SCALE } from '../../harness/cli/run-command.ts';
import { renderServerMatrixText, runServerMatrix, type ServerSubject } from '../../harness/matrix/server-matrix.ts';
import { parseServer } from '../../harness/server/parse-server.ts';
import { builtinSut } from '../../harness/sut/builtin-sut.ts';
import { SERVER_MUTANTS } from '../../servers/mutants/index.ts';
import { CATALOG } from '../testing/catalog-support.ts';

// Each mutant caught by at least two of them where its bug allows (s11's fixed timeLeft shows wherever goAway says other than 60 s), so one run starved on a loaded machine does not make an escape.
const IDS = ['goaway.early-close', 'goaway.no-time-left', 'handle-not-found', 'resume-while-old-open'];

describe('matrix --server reference', () => {
  it('the reference passes every scenario; every server mutant is caught on its own axis', async () => {
    const subjects: ServerSubject[] = [
      { server: 'reference', role: 'reference', detectedAs: 'FAILED', bug: 'the reference', standsFor: '—' },
      ...SERVER_MUTANTS.map((m): ServerSubject => ({ server: `mutant:${m.id}`, role: 'mutant', axis: m.axis, detectedAs: m.detectedAs ?? 'FAILED', bug: m.bug, standsFor: m.standsFor })),
    ];
    const matrix = await runServerMatrix({
      scenarios: IDS.map((id) => CATALOG.find((s) => s.id === id)!),
      subjects,
      seeds: [1],
      timeScale: SERVER_MIN_TIME_SCALE,
      jobs: 3,
      serverFor: (spec) => parseServer(spec),
      client: () => builtinSut(),
    });
    const text = renderServerMatrixText(matrix);
    expect(matrix.falseAlarms, text).toEqual([]);
    expect(matrix.harnessErrors, text).toEqual([]);
    expect(matrix.escaped, text).toEqual([]);
    expect(matrix.rows.filter((r) => r.subject.role === 'mutant').map((r) => r.status), text).toEqual(SERVER_MUTANTS.map(() => 'caught'));
  }, 600_000);
});
