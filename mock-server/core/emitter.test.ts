import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.ts';

type Events = { said: [text: string, final: boolean]; closed: [] };

describe('Emitter', () => {
  it('calls listeners at once, in subscription order, with the typed arguments', () => {
    const emitter = new Emitter<Events>();
    const heard: string[] = [];
    emitter.on('said', (text, final) => heard.push(`a:${text}:${final}`)).on('said', (text) => heard.push(`b:${text}`));
    expect(emitter.emit('said', 'hi', true)).toBe(true);
    heard.push('after');
    expect(heard).toEqual(['a:hi:true', 'b:hi', 'after']);
  });

  it('off removes one listener; an event nobody hears reports false', () => {
    const emitter = new Emitter<Events>();
    let calls = 0;
    const listener = (): void => { calls += 1; };
    emitter.on('closed', listener);
    emitter.off('closed', listener);
    expect(emitter.emit('closed')).toBe(false);
    expect(calls).toBe(0);
  });

  it('a listener added while emitting hears the next emit, not the current one', () => {
    const emitter = new Emitter<Events>();
    const heard: string[] = [];
    emitter.on('closed', () => {
      heard.push('first');
      emitter.on('closed', () => heard.push('late'));
    });
    emitter.emit('closed');
    expect(heard).toEqual(['first']);
    emitter.emit('closed');
    expect(heard).toEqual(['first', 'first', 'late']);
  });
});
