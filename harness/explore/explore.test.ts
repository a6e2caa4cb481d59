/**
 * explore finds a client's bug without the catalog, shrinks it, and writes a scenario that
 * `validate` accepts and `run` replays with the same verdict; one seed gives one result; a
 * schedule the reference fails too is never held against the client under test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run/run-scenario.ts';
import { validateFiles } from '../scenario/loader.ts';
import { builtinSut } from '../sut/builtin-sut.ts';
import { mutantSut, allMutants } from '../sut/parse-sut.ts';
import { explore } from './explore.ts';
import { scheduleArbitrary, scheduleSize, type Schedule } from './schedule-arbitrary.ts';
import { scenarioOf, scheduleId } from './schedule-scenario.ts';
import { writeFoundScenario } from './write-found.ts';

const mutant = (id: string) => mutantSut(allMutants().find((m) => m.id === id)!);

describe('explore', () => {
  it('finds t7-no-resend (the in-flight message never re-sent), shrinks it, and writes a scenario that replays the failure', async () => {
    const result = await explore({ sut: mutant('t7-no-resend'), seed: 1, runs: 200, reference: builtinSut() });
    expect(result.failure).not.toBeNull();
    const failure = result.failure!;
    expect(failure.verdict).toBe('FAILED');
    expect(failure.reasons.some((r) => r.startsWith('turns FAILED'))).toBe(true);
    expect(scheduleSize(failure.schedule).faults).toBeLessThanOrEqual(2);

    const dir = mkdtempSync(join(tmpdir(), 'rh-explore-'));
    try {
      const written = writeFoundScenario(dir, failure.schedule, { sut: 't7-no-resend', seed: 1, run: failure.runsToFailure, shrinks: failure.shrinks });
      expect(written.replay).toBe(`npx resume-harness run ${written.path} --sut t7-no-resend --seed 1`);
      const { scenarios, problems } = validateFiles([written.path]);
      expect(problems).toEqual([]);
      const file = JSON.parse(readFileSync(written.path, 'utf8')) as Record<string, unknown>;
      // The catalog's fields, so that a person can promote it as it is.
      for (const field of ['$schema', 'id', 'title', 'description', 'expectation', 'why', 'provenance', 'group', 'severity', 'expect']) expect(file).toHaveProperty(field);
      expect(scenarios[0]!.scenario.id).toBe(scheduleId(failure.schedule));
      const replayed = await runScenario(scenarios[0]!.scenario, mutant('t7-no-resend'), { mode: 'virtual', seed: 1, timeScale: 1 });
      expect(replayed.judgement.overall).toBe('FAILED');
      const reference = await runScenario(scenarios[0]!.scenario, builtinSut(), { mode: 'virtual', seed: 1, timeScale: 1 });
      expect(reference.judgement.overall).not.toBe('FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  // Bugs only the wider schedules reach: conversation_end (ended), tolerated frames and a slow
  // agent (steady, maxReconnects 0), a notice on every resumed connection (F3).
  for (const [id, family, axis] of [
    ['t11-ignores-conversation-end', 'ended', 'reconnect'],
    ['reconnects-after-4001', 'ended', 'reconnect'],
    ['closes-on-invalid-json', 'steady', 'reconnect'],
    ['impatient-inactivity', 'steady', 'reconnect'],
    ['rotates-right-after-resume', 'recoverable', 'reconnect'],
  ] as const) {
    it(`finds ${id} with a ${family} schedule, failed on ${axis}`, async () => {
      const result = await explore({ sut: mutant(id), seed: 1, runs: 150, reference: builtinSut() });
      expect(result.failure).not.toBeNull();
      expect(result.failure!.schedule.family).toBe(family);
      expect(result.failure!.reasons.some((r) => r.startsWith(`${axis} FAILED`))).toBe(true);
      expect(scheduleSize(result.failure!.schedule).faults).toBeLessThanOrEqual(2);
    }, 120_000);
  }

  it('one seed, one result: the same schedules, the same failure, the same shrink', async () => {
    const a = await explore({ sut: mutant('t5-clears-handle-on-not-resumable'), seed: 7, runs: 100, reference: builtinSut() });
    const b = await explore({ sut: mutant('t5-clears-handle-on-not-resumable'), seed: 7, runs: 100, reference: builtinSut() });
    expect(a.failure).not.toBeNull();
    expect(JSON.stringify(b.failure)).toBe(JSON.stringify(a.failure));
    expect(b.runs).toBe(a.runs);
  }, 120_000);

  it('a schedule the reference fails too is suspect, not a failure of the client', async () => {
    // A "reference" with the client's own bug fails every schedule the client fails: none is held against the client.
    const result = await explore({ sut: mutant('t7-no-resend'), seed: 1, runs: 40, reference: mutant('t7-no-resend') });
    expect(result.failure).toBeNull();
    expect(result.suspect).toBeGreaterThan(0);
    expect(result.firstSuspect!.reasons.some((r) => r.startsWith('turns FAILED'))).toBe(true);
  }, 120_000);
});

/**
 * Schedules the reference failed while exploring, each triaged (a false alarm of the judge, a bug
 * of the reference, or a schedule the arbitrary must not draw) and fixed: the reference survives
 * each one now.
 */
const REFERENCE_REGRESSIONS: ReadonlyArray<{ readonly found: string; readonly schedule: Schedule }> = [
  {
    // explore --sut builtin --runs 10000 --seed 1, schedule 8772: a drop right after the last
    // turn's answer, before end_conversation reached the server. The judge asked for a reconnect;
    // §6.3 asks for one only after a close the client did not ask for, and end_conversation asks
    // for it (§4): a judge false alarm, fixed in judge/reconnect-axis.ts (answeredEveryTurn).
    found: 'drop after the last answer',
    schedule: { family: 'recoverable', maxTurns: 5, server: { agent: {}, expiry: { lifetime: 200, timeLeft: 20 }, faults: [{ when: { turn: 5, phase: 'after-final' }, do: { drop: { delay: 0 } } }] } },
  },
  {
    // explore --sut builtin --runs 10000 --seed 1, schedule 3729 (after the schedules widened): a
    // notice on every resumed connection; a silence swallows the answer to the last message, the
    // client waits on that connection until its margin before the deadline, rotates and completes.
    // The judge read the rotation as a retry 0 s after a failed attempt; §6.2 asks for exactly that
    // rotation before timeLeft: a judge false alarm, fixed in judge/reconnect-axis.ts (rotatedLateInNotice).
    found: 'a rotation late in a notice\'s lead time, after a silence',
    schedule: {
      family: 'recoverable',
      maxTurns: 5,
      server: {
        agent: { chunkGap: 0 },
        handles: {},
        faults: [
          { when: { turn: 1, phase: 'after-final' }, do: { expire: { timeLeft: 0, closeAfter: 8.1, closeCode: 1000, silent: false, resendHandle: false } }, after: 0.1 },
          { when: { at: 41.6 }, do: { silence: { duration: 10.9 } } },
          { when: { event: 'resumed' }, times: 69, do: { expire: { timeLeft: 50 } } },
        ],
      },
    },
  },
];

describe('schedules the reference once failed', () => {
  for (const { found, schedule } of REFERENCE_REGRESSIONS) {
    it(`the reference survives: ${found}`, async () => {
      const run = await runScenario(scenarioOf(schedule), builtinSut(), { mode: 'virtual', seed: 1, timeScale: 1 });
      const failing = Object.entries(run.judgement.axes).filter(([, a]) => a.verdict === 'FAILED').map(([axis, a]) => `${axis}: ${a.reason}`);
      expect(failing).toEqual([]);
      expect(run.judgement.overall).not.toBe('UNKNOWN');
    }, 60_000);
  }
});

describe('the schedules', () => {
  it('every drawn schedule is a valid scenario, with an outcome that follows from its family', () => {
    fc.assert(fc.property(scheduleArbitrary, (schedule) => {
      const scenario = scenarioOf(schedule);
      expect(scenario.expect.outcome).toBe({ recoverable: 'completes', steady: 'completes', rejected: 'reports-loss', ended: 'gives-up' }[schedule.family]);
      // Nothing closes a steady schedule: a conformant client never needs to reconnect.
      expect(scenario.expect.maxReconnects).toBe(schedule.family === 'steady' ? 0 : undefined);
      expect(scenario.conversation.maxTurns).toBe(schedule.maxTurns);
    }), { seed: 5, numRuns: 300 });
  });
});
