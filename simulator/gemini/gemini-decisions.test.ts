import { describe, expect, it } from 'vitest';
import { DEFAULT_GEMINI_DECISIONS, resolveGeminiDecisions, type HandleUpdateContext } from './gemini-decisions.ts';
import { GEMINI_MUTANTS } from './gemini-mutants.ts';

const ctx = (kept: string | null, newHandle: string | undefined, resumable: boolean | undefined, turnsOnConnection = 1): HandleUpdateContext => ({
  kept,
  update: { newHandle, resumable },
  beforeConnectResolved: false,
  turnsOnConnection,
});

describe('DEFAULT_GEMINI_DECISIONS.keepHandle', () => {
  it('keeps the newest non-empty handle of a resumable update', () => {
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx(null, 'h1', true))).toBe('h1');
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx('h1', 'h2', true))).toBe('h2');
  });

  it('ignores resumable:false, empty handles and updates without resumable', () => {
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx('h1', '', false))).toBe('h1');
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx('h1', 'h2', false))).toBe('h1');
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx('h1', '', true))).toBe('h1');
    expect(DEFAULT_GEMINI_DECISIONS.keepHandle(ctx('h1', 'h2', undefined))).toBe('h1');
  });
});

describe('resolveGeminiDecisions', () => {
  it('keeps the defaults where an override is undefined', () => {
    const resolved = resolveGeminiDecisions({ rotateOnGoAway: undefined });
    expect(resolved.rotateOnGoAway()).toBe(true);
    expect(resolved.connectTimeoutMs(10_000)).toBe(10_000);
    expect(resolved.historyOnResume([{ prospect: 'a', model: 'b' }])).toEqual([]);
  });
});

describe('GEMINI_MUTANTS', () => {
  const decisionsOf = (id: string) => resolveGeminiDecisions(GEMINI_MUTANTS.find((m) => m.id === id)!.decisions);

  it('are g1–g8, each overriding exactly one decision', () => {
    expect(GEMINI_MUTANTS.map((m) => m.id)).toEqual(['g1-no-reconnect-after-abnormal-close', 'g2-replays-history-on-resume', 'g3-loses-handle-after-setup', 'g4-waits-on-connect-forever', 'g5-presents-stale-handle', 'g6-ignores-goaway', 'g7-keeps-not-resumable-handle', 'g8-never-resends-in-flight']);
    for (const m of GEMINI_MUTANTS) expect(Object.keys(m.decisions)).toHaveLength(1);
  });

  it('g3 loses updates before the first turn of a connection; g5 keeps the first handle; g7 keeps the empty one', () => {
    expect(decisionsOf('g3-loses-handle-after-setup').keepHandle(ctx(null, 'h0', true, 0))).toBeNull();
    expect(decisionsOf('g3-loses-handle-after-setup').keepHandle(ctx('h0', 'h1', true, 1))).toBe('h1');
    expect(decisionsOf('g5-presents-stale-handle').keepHandle(ctx('h0', 'h1', true))).toBe('h0');
    expect(decisionsOf('g5-presents-stale-handle').keepHandle(ctx(null, 'h1', true))).toBe('h1');
    expect(decisionsOf('g7-keeps-not-resumable-handle').keepHandle(ctx('h1', '', false))).toBe('');
  });

  it('g4 has no connect timeout; g1, g6, g8 answer no; g2 replays all it is given', () => {
    expect(decisionsOf('g4-waits-on-connect-forever').connectTimeoutMs(10_000)).toBeNull();
    expect(decisionsOf('g1-no-reconnect-after-abnormal-close').reconnectAfterAbnormalClose(1006)).toBe(false);
    expect(decisionsOf('g6-ignores-goaway').rotateOnGoAway()).toBe(false);
    expect(decisionsOf('g8-never-resends-in-flight').resendInFlight()).toBe(false);
    expect(decisionsOf('g2-replays-history-on-resume').historyOnResume([{ prospect: 'a', model: 'b' }])).toHaveLength(1);
  });
});
