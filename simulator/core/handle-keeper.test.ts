import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../protocol/redact.ts';
import { HandleKeeper } from './handle-keeper.ts';

const arrival = (coveredThrough: number, receivedAt = 0) => ({ receivedAt, coveredThrough, sentAtArrival: coveredThrough, finalsBefore: coveredThrough + 1 });

describe('HandleKeeper', () => {
  it('keeps the newest resumable handle', () => {
    const k = new HandleKeeper();
    expect(k.newest()).toBeNull();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    k.offer('handle-two-xxxxxxxx', true, arrival(1));
    expect(k.newest()?.value).toBe('handle-two-xxxxxxxx');
    expect(k.newest()?.coveredThrough).toBe(1);
    expect(k.newest()?.fingerprint).toBe(fingerprint('handle-two-xxxxxxxx'));
  });

  it('keeps the previous handle on resumable:false (T5)', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    const outcome = k.offer('', false, arrival(1));
    expect(outcome.kind).toBe('kept-previous');
    expect(k.newest()?.value).toBe('handle-one-xxxxxxxx');
    // resumable:false with a non-empty handle is still not a handle to keep.
    k.offer('handle-bogus-xxxxxxx', false, arrival(2));
    expect(k.newest()?.value).toBe('handle-one-xxxxxxxx');
  });

  it('keeps the previous handle when resumable:true comes with an empty handle', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    expect(k.offer('', true, arrival(1)).kind).toBe('kept-previous');
    expect(k.newest()?.value).toBe('handle-one-xxxxxxxx');
  });

  it('keeps the first arrival bookkeeping when the same handle is repeated before session_expiring', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(2, 100));
    const outcome = k.offer('handle-one-xxxxxxxx', true, arrival(3, 200));
    expect(outcome.kind).toBe('same-as-current');
    expect(k.newest()?.coveredThrough).toBe(2);
    expect(k.newest()?.receivedAt).toBe(100);
  });

  it('never takes a rejected handle again (4003)', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    k.reject('handle-one-xxxxxxxx');
    expect(k.newest()).toBeNull();
    expect(k.offer('handle-one-xxxxxxxx', true, arrival(1)).kind).toBe('kept-previous');
    expect(k.newest()).toBeNull();
    expect(k.isRejected('handle-one-xxxxxxxx')).toBe(true);
  });

  it('does not fall back to an older handle when the newest is rejected (it would roll the conversation back)', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    k.offer('handle-two-xxxxxxxx', true, arrival(1));
    k.reject('handle-two-xxxxxxxx');
    expect(k.newest()).toBeNull();
  });

  it('counts accept-then-close per handle', () => {
    const k = new HandleKeeper();
    expect(k.noteAcceptThenClose('a-handle-xxxxxxxx')).toBe(1);
    expect(k.noteAcceptThenClose('a-handle-xxxxxxxx')).toBe(2);
    expect(k.noteAcceptThenClose('b-handle-xxxxxxxx')).toBe(1);
    expect(k.acceptThenCloseCount('a-handle-xxxxxxxx')).toBe(2);
  });

  it('forgets everything of the old session on fallback', () => {
    const k = new HandleKeeper();
    k.offer('handle-one-xxxxxxxx', true, arrival(0));
    k.forgetAll();
    expect(k.newest()).toBeNull();
    expect(k.offer('handle-one-xxxxxxxx', true, arrival(0)).kind).toBe('kept-previous');
  });
});
