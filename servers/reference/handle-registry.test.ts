import { describe, expect, it } from 'vitest';
import { HandleRegistry } from './handle-registry.ts';

describe('HandleRegistry (server-contract.md §2, accepting a resumeHandle)', () => {
  const mine = { shareToken: 'share_a', conversationId: 'conv_1' };
  it('accepts a handle only under the share token and conversation it was issued for', () => {
    const registry = new HandleRegistry();
    registry.record('h1', mine);
    expect(registry.check('h1', mine)).toBe('accepted');
    expect(registry.check('h1', { shareToken: 'share_b', conversationId: 'conv_1' })).toBe('other-share-token');
    expect(registry.check('h1', { shareToken: 'share_a', conversationId: 'conv_2' })).toBe('other-conversation');
    expect(registry.check('never-issued', mine)).toBe('unknown');
  });

  it('keeps the first owner of a handle, and ignores empty handles', () => {
    const registry = new HandleRegistry();
    registry.record('h1', mine);
    registry.record('h1', { shareToken: 'share_b', conversationId: 'conv_9' });
    registry.record('', mine);
    expect(registry.check('h1', mine)).toBe('accepted');
    expect(registry.size).toBe(1);
  });
});
