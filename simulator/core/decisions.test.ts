import { describe, expect, it } from 'vitest';
import { createRng } from '../../protocol/rng.ts';
import { DEFAULT_DECISIONS, resolveDecisions, type ConnectionView, type DecisionContext } from './decisions.ts';
import type { KeptHandle } from './handle-keeper.ts';
import { DEFAULT_RESUME_POLICY } from './policy.ts';

const handle = (coveredThrough: number, finalsBefore: number): KeptHandle => ({
  value: 'rh_x',
  fingerprint: 'fp',
  receivedAt: 0,
  coveredThrough,
  sentAtArrival: coveredThrough,
  finalsBefore,
});
const connection = (over: Partial<ConnectionView> = {}): ConnectionView => ({
  id: 1,
  handle: null,
  isResume: false,
  usable: true,
  carriedFullTurn: true,
  ...over,
});
const context = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  policy: DEFAULT_RESUME_POLICY,
  phase: 'conversing',
  current: connection(),
  newestHandle: handle(2, 3),
  contextThrough: 2,
  maxTurns: 5,
  lastSent: 2,
  pendingReply: null,
  finalsSeen: 3,
  conversationEnded: false,
  fallbacksUsed: 0,
  agentTurnText: () => undefined,
  ...over,
});

describe('resolveDecisions', () => {
  it('puts the overrides over the defaults and keeps the defaults for undefined entries', () => {
    const confirmsResume = () => true;
    const resolved = resolveDecisions({ confirmsResume, rejectsHandle: undefined });
    expect(resolved.confirmsResume).toBe(confirmsResume);
    expect(resolved.rejectsHandle).toBe(DEFAULT_DECISIONS.rejectsHandle);
    expect(resolveDecisions()).toEqual({ ...DEFAULT_DECISIONS });
  });
});

describe('DEFAULT_DECISIONS', () => {
  it('T1/T11/4001: reconnects after any unplanned close but 4001, and never after conversation_end', () => {
    expect(DEFAULT_DECISIONS.shouldReconnect({ code: 1000, reason: '' }, context())).toBe(true);
    expect(DEFAULT_DECISIONS.shouldReconnect({ code: 4001, reason: '' }, context())).toBe(false);
    expect(DEFAULT_DECISIONS.shouldReconnect({ code: 1006, reason: '' }, context({ conversationEnded: true }))).toBe(false);
    expect(DEFAULT_DECISIONS.rejectsHandle({ code: 4003, reason: '' }, context())).toBe(true);
  });

  it('T6: a boundary needs a connection that carried a full turn and a handle newer than the last agent turn', () => {
    expect(DEFAULT_DECISIONS.isRotationBoundary(context())).toBe(true);
    expect(DEFAULT_DECISIONS.isRotationBoundary(context({ current: connection({ carriedFullTurn: false }) }))).toBe(false);
    expect(DEFAULT_DECISIONS.isRotationBoundary(context({ finalsSeen: 4 }))).toBe(false);
    expect(DEFAULT_DECISIONS.rotationDelayMs(60, context())).toBe(50_000);
    expect(DEFAULT_DECISIONS.rotationDelayMs(10, context())).toBe(5_000);
  });

  it('T4: the first attempt goes at once, the jitter is drawn from the rng it is given', () => {
    expect(DEFAULT_DECISIONS.reconnectDelayMs(1, createRng(1), context())).toBe(0);
    const delay = DEFAULT_DECISIONS.reconnectDelayMs(2, createRng(1), context());
    expect(delay).toBeGreaterThanOrEqual(1600);
    expect(delay).toBeLessThanOrEqual(2400);
    expect(DEFAULT_DECISIONS.exceedsAttemptBudget(4, context())).toBe(true);
    expect(DEFAULT_DECISIONS.resetAttemptsAfter('resumed', context())).toBe(false);
  });

  it('T7/T8: re-sends the first message the handle lacks; falls back once when the policy allows', () => {
    expect(DEFAULT_DECISIONS.messageToResend(handle(2, 3), 3, context())).toBe(3);
    expect(DEFAULT_DECISIONS.messageToResend(handle(3, 3), 3, context())).toBeNull();
    const fallback = { ...DEFAULT_RESUME_POLICY, fallback: 'new-session' as const };
    expect(DEFAULT_DECISIONS.withoutHandle('x', context())).toBe('give-up');
    expect(DEFAULT_DECISIONS.withoutHandle('x', context({ policy: fallback }))).toBe('new-session');
    expect(DEFAULT_DECISIONS.withoutHandle('x', context({ policy: fallback, fallbacksUsed: 1 }))).toBe('give-up');
  });

  it('T7: one prospect message per agent turn, in script order', () => {
    expect(DEFAULT_DECISIONS.maySendProspect(3, context())).toBe(true);
    expect(DEFAULT_DECISIONS.maySendProspect(4, context())).toBe(false);
    expect(DEFAULT_DECISIONS.maySendProspect(3, context({ pendingReply: { kind: 'greeting' } }))).toBe(false);
  });
});
