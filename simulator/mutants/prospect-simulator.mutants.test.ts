/**
 * Each resume decision, broken on purpose the way the seed plan (or a plausible slip) breaks it,
 * must be caught by its scenario: the reference passes the check, the mutant fails it. This keeps
 * the decisions wired (a decision the simulator stopped asking would make its mutant pass) and
 * proves that the scenarios can fail.
 */
import { describe, expect, it } from 'vitest';
import { createPersona, DEFAULT_DECISIONS, prospectMessage, type ResumeDecisions, type SimulatorResult } from '../index.ts';
import type { FakeConnection } from '../testing/fake-agent-server.ts';
import { createFixture, type Fixture, type FixtureOptions } from '../testing/simulator-fixture.ts';

const say = (index: number): string => prospectMessage(createPersona(7), index);

interface Scenario {
  options: (fixture: () => Fixture) => FixtureOptions;
  holds: (f: Fixture, result: SimulatorResult | null) => boolean;
}

type Decisions = Partial<ResumeDecisions>;

async function holds(scenario: Scenario, decisions?: Decisions): Promise<boolean> {
  let fixture: Fixture | undefined;
  const options = scenario.options(() => fixture as Fixture);
  fixture = createFixture({ ...options, ...(decisions ? { decisions } : {}) });
  let result: SimulatorResult | null;
  try {
    result = await fixture.run(4 * 3_600_000);
  } catch {
    result = null; // never settled: a run that does not terminate fails every check
  }
  return scenario.holds(fixture, result);
}

const conns = (f: Fixture): FakeConnection[] => f.server.connections;

const dropAfterAnswer = (code: number, connIndex = 0, answer = 1): Scenario['options'] => (fx) => ({
  maxTurns: 3,
  afterAnswer: (c, index) => {
    if (c.index === connIndex && index === answer) fx().server.at(10, () => fx().server.drop(c, code, 'bye'));
  },
});

const scenarios = {
  closeAfterExpiring: {
    options: (fx) => ({
      maxTurns: 3,
      onProspect: (c, index) => {
        if (c.index !== 0 || index !== 2) return 'answer';
        fx().server.expire(c, 60);
        fx().server.at(100, () => fx().server.drop(c, 1000, 'session expired'));
        return 'ignore';
      },
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f)[1]?.presentedHandle === conns(f)[0]?.lastHandle,
  },
  openWithoutResumed: {
    options: (fx) => ({
      maxTurns: 3,
      plan: (i) => (i === 1 ? { resume: 'no-confirm' } : {}),
      ...{ afterAnswer: dropAfterAnswer(1006)(fx).afterAnswer },
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f)[1]?.received.length === 0,
  },
  lateCloseOfOldSocket: {
    options: (fx) => ({
      maxTurns: 5,
      clientCloseEventDelayMs: 2_000,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) fx().server.expire(c, 60);
      },
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f).length === 2,
  },
  everyAttemptRefused: {
    options: (fx) => ({ ...dropAfterAnswer(1006)(fx), plan: (i) => (i >= 1 ? { open: 'refuse' } : {}) }),
    holds: (f, r) => {
      const c = conns(f);
      if (r?.status !== 'failed' || c.length !== 4) return false;
      const gap2 = c[2]!.createdAt - (c[1]!.createdAt + 5);
      const gap3 = c[3]!.createdAt - (c[2]!.createdAt + 5);
      return c[1]!.createdAt === c[0]!.serverClose!.at && gap2 >= 1600 && gap2 <= 2400 && gap3 >= 3200 && gap3 <= 4800;
    },
  },
  acceptThenCloseForever: {
    options: (fx) => ({
      ...dropAfterAnswer(1011)(fx),
      plan: (i) => (i >= 1 ? { closeAfterResumed: 1011 } : {}),
      simulator: { policy: { maxAcceptThenClose: 100 } },
    }),
    holds: (f, r) => r?.status === 'failed' && conns(f).length === 4,
  },
  acceptThenCloseTwice: {
    options: (fx) => ({ ...dropAfterAnswer(1011)(fx), plan: (i) => (i >= 1 ? { closeAfterResumed: 1011 } : {}) }),
    holds: (f, r) => r?.status === 'failed' && conns(f).length === 3 && /2 times/.test(r.reason ?? ''),
  },
  resumableFalse: {
    options: (fx) => ({
      maxTurns: 3,
      resumableAfter: (index) => index !== 2,
      afterAnswer: dropAfterAnswer(1011, 0, 2)(fx).afterAnswer,
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f)[1]?.presentedHandle === [...f.server.handles.keys()][1],
  },
  expiringAtBoundary: {
    options: (fx) => ({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) fx().server.expire(c, 60);
      },
    }),
    holds: (f, r) => {
      const first = conns(f)[0]!;
      return r?.status === 'completed' && first.serverClose === null && first.clientClose?.at === conns(f)[1]?.createdAt && conns(f).length === 2;
    },
  },
  expiringMidTurn: {
    options: (fx) => ({
      maxTurns: 3,
      simulator: { policy: { inactivityTimeoutMs: 120_000 } },
      onProspect: (c, index) => {
        if (c.index !== 0 || index !== 2) return 'answer';
        fx().server.expire(c, 60);
        // A server that enforces the deadline: past it, it closes with 1008.
        fx().server.at(60_000, () => fx().server.drop(c, 1008, 'past timeLeft'));
        return 'ignore';
      },
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f)[0]?.serverClose === null && conns(f)[0]?.clientClose?.code === 1000,
  },
  dropMidTurn: {
    options: (fx) => ({
      maxTurns: 4,
      onProspect: (c, index) => {
        if (c.index !== 0 || index !== 3) return 'answer';
        fx().server.at(100, () => fx().server.drop(c, 1006, ''));
        return 'ignore';
      },
    }),
    holds: (f, r) => r?.status === 'completed' && JSON.stringify(conns(f)[1]?.prospectTexts) === JSON.stringify([say(3), say(4)]),
  },
  halfOpen: {
    options: (fx) => ({
      maxTurns: 3,
      onProspect: (c, index) => (c.index === 0 && index === 2 ? 'ignore' : 'answer'),
    }),
    holds: (f, r) => r?.status === 'completed' && conns(f).length === 2 && r.turns === 3,
  },
  serverEndsConversation: {
    options: (fx) => ({
      maxTurns: 3,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          fx().server.at(10, () => {
            c.socket.serverSend({ type: 'conversation_end', reason: 'agent hung up' });
            fx().server.drop(c, 1000, 'conversation ended');
          });
        }
      },
    }),
    holds: (f, r) => r?.status === 'failed' && conns(f).length === 1,
  },
  unauthorised: {
    options: dropAfterAnswer(4001),
    holds: (f, r) => r?.status === 'failed' && r.contextLost && conns(f).length === 1,
  },
  handleRejected: {
    options: (fx) => ({
      ...dropAfterAnswer(1011)(fx),
      simulator: { policy: { fallback: 'new-session' } },
      plan: (i) => (i === 1 ? { resume: 'reject-4003' } : {}),
    }),
    holds: (f, r) => {
      const rejected = conns(f)[1]?.presentedHandle;
      return r?.status === 'completed' && r.contextLost && conns(f).slice(2).every((c) => c.presentedHandle !== rejected);
    },
  },
  dropBeforeFirstHandle: {
    options: (fx) => ({
      maxTurns: 3,
      replyDelayMs: 1_000,
      plan: (i, c) => {
        if (i === 0) fx().server.at(105, () => fx().server.drop(c, 1006, ''));
        return {};
      },
    }),
    holds: (f, r) => r?.status === 'failed' && r.contextLost && conns(f).length === 1 && f.server.sessionsCreated.length === 1,
  },
  secretsEchoed: {
    options: (fx) => ({
      maxTurns: 2,
      afterAnswer: (c, index) => {
        if (c.index === 0 && index === 1) {
          c.socket.serverSend({ type: 'error', code: 'auth', message: `token ${fx().server.sessionTokens[0]} / ${c.lastHandle}` });
        }
      },
    }),
    holds: (f, r) => {
      const text = f.logs.join('\n') + JSON.stringify(r);
      return r !== null && [f.server.shareToken, ...f.server.sessionTokens, ...f.server.handles.keys()].every((s) => !text.includes(s));
    },
  },
} satisfies Record<string, Scenario>;

const mutants: [string, keyof typeof scenarios, Decisions][] = [
  ['T1 seed plan: no reconnect on 1000', 'closeAfterExpiring', { shouldReconnect: (close, ctx) => close.code !== 1000 && DEFAULT_DECISIONS.shouldReconnect(close, ctx) }],
  ['T2 seed plan: an open socket is taken as a resume', 'openWithoutResumed', { confirmsResume: () => true }],
  ['T3: events of replaced sockets are not filtered', 'lateCloseOfOldSocket', { isCurrent: () => true }],
  ['T4 seed plan: fixed 2 s delay', 'everyAttemptRefused', { reconnectDelayMs: () => 2000 }],
  ['T4: unbounded attempts', 'everyAttemptRefused', { exceedsAttemptBudget: () => false }],
  ['T4 seed plan: attempts reset on session:resumed', 'acceptThenCloseForever', { resetAttemptsAfter: (kind) => kind !== 'open' }],
  ['T14: accept-then-close handles are never abandoned', 'acceptThenCloseTwice', { shouldAbandonHandle: () => false }],
  [
    'T5: resumable:false clears the handle',
    'resumableFalse',
    { handleUpdate: (update, ctx) => (!update.resumable && ctx.newestHandle ? 'drop-newest-then-offer' : 'offer') },
  ],
  ['T6: session_expiring ignored (waits for the server to close)', 'expiringAtBoundary', { expiringResponse: () => 'ignore' }],
  ['T6: rotation planned at the deadline itself', 'expiringMidTurn', { rotationDelayMs: (timeLeftSeconds) => timeLeftSeconds * 1000 + 1 }],
  ['T7: nothing re-sent after resume', 'dropMidTurn', { messageToResend: () => null }],
  ['T9: no half-open detection', 'halfOpen', { inactivityTimeoutMs: () => 1e12 }],
  ['T11: conversation_end ignored', 'serverEndsConversation', { honoursConversationEnd: () => false }],
  ['4001: reconnects anyway', 'unauthorised', { shouldReconnect: () => true }],
  ['T14: 4003 does not drop the handle', 'handleRejected', { rejectsHandle: () => false }],
  ['T8/T13: silent new model session when no handle', 'dropBeforeFirstHandle', { withoutHandle: () => 'fresh-connection' }],
  ['T12: no redaction', 'secretsEchoed', { redactSecrets: (text) => text }],
];

describe('scenarios hold for the reference simulator', () => {
  it.each(Object.keys(scenarios))('%s', async (name) => {
    expect(await holds(scenarios[name as keyof typeof scenarios])).toBe(true);
  });
});

describe('each re-introduced bug is caught by its scenario', () => {
  it.each(mutants)('%s (%s)', async (_name, scenario, decisions) => {
    expect(await holds(scenarios[scenario], decisions)).toBe(false);
  });
});
