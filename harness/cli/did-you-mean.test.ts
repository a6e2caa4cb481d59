import { describe, expect, it } from 'vitest';
import { closestNames, didYouMean, editDistance } from './did-you-mean.ts';

describe('did you mean', () => {
  it('measures edits: insertion, deletion, substitution', () => {
    expect(editDistance('goaway', 'goaway')).toBe(0);
    expect(editDistance('goawy', 'goaway')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest known names, best first, and nothing for a name far from all', () => {
    const known = ['goaway', 'goaway.close-1006', 'invalid-handle', 'flapping'];
    expect(closestNames('goawy', known)).toEqual(['goaway']);
    expect(closestNames('goaway.close-106', known)).toEqual(['goaway.close-1006']);
    expect(closestNames('zzzzzzzzzz', known)).toEqual([]);
    expect(didYouMean('flaping', known)).toBe(' (did you mean "flapping"?)');
    expect(didYouMean('zzzzzzzzzz', known)).toBe('');
    expect(closestNames('handle-relay', ['server:handle-relay', 'server:expiry-relay', 'reconnect'])).toEqual(['server:handle-relay']);
  });
});
