import { describe, expect, it } from 'vitest';
import { createPersona, prospectMessage } from './persona.ts';

describe('persona', () => {
  it('is the same for the same seed, byte for byte', () => {
    const a = createPersona(42);
    const b = createPersona(42);
    expect(b).toEqual(a);
    for (let i = 1; i <= 30; i++) expect(prospectMessage(b, i)).toBe(prospectMessage(a, i));
  });

  it('differs between seeds', () => {
    const a = createPersona(1);
    const b = createPersona(2);
    expect(a.fullName === b.fullName && a.company === b.company).toBe(false);
    expect(prospectMessage(a, 1)).not.toBe(prospectMessage(b, 1));
  });

  it('introduces the prospect by full name and company, with the need, in the first message', () => {
    const p = createPersona(7);
    const first = prospectMessage(p, 1);
    expect(first).toContain(`I'm ${p.fullName} from ${p.company}`);
    expect(first).toContain(p.need);
  });

  it('gives details in later messages that the agent can refer back to', () => {
    const p = createPersona(7);
    const later = Array.from({ length: 8 }, (_, i) => prospectMessage(p, i + 2)).join('\n');
    expect(later).toContain(p.budget);
    expect(later).toContain(p.currentTool);
    expect(later).toContain(p.timeline);
  });

  it('does not depend on the order in which messages are asked for', () => {
    const p = createPersona(9);
    const forward = [1, 2, 3, 4, 5, 6].map((i) => prospectMessage(p, i));
    const backward = [6, 5, 4, 3, 2, 1].map((i) => prospectMessage(p, i)).reverse();
    expect(backward).toEqual(forward);
  });

  it('always produces a non-empty message and refuses index 0 (the greeting is the agent\'s)', () => {
    const p = createPersona(3);
    for (let i = 1; i <= 50; i++) expect(prospectMessage(p, i).length).toBeGreaterThan(10);
    expect(() => prospectMessage(p, 0)).toThrow(RangeError);
  });
});
