import { describe, expect, it } from 'vitest';
import { meaningOf, protocolOf } from './frame-meaning.ts';

describe('protocolOf', () => {
  it('tells the wires apart, and neither from another protocol', () => {
    expect(protocolOf({ type: 'transcript' })).toBe('ai-voice');
    expect(protocolOf({ setupComplete: {} })).toBe('gemini-live');
    expect(protocolOf({ event: 'message' })).toBeNull();
    expect(protocolOf([1, 2])).toBeNull();
  });
});

describe('meaningOf', () => {
  it('AI-voice: a final transcript, an empty handle as resumable:false, a handle, an unknown type kept as sent', () => {
    expect(meaningOf('ai-voice', 'out', '{"type":"transcript","role":"agent","text":"a","final":true}')).toEqual({ kind: 'agent-final' });
    expect(meaningOf('ai-voice', 'out', '{"type":"session_resumption_update","handle":"","resumable":false}')).toEqual({ kind: 'not-resumable' });
    expect(meaningOf('ai-voice', 'out', '{"type":"session_resumption_update","handle":"h-123456789","resumable":true}')).toEqual({ kind: 'handle', handle: 'h-123456789' });
    expect(meaningOf('ai-voice', 'out', '{"type":"usage_metadata","n":1}')).toMatchObject({ kind: 'odd', json: { type: 'usage_metadata', n: 1 }, problem: 'unknown type "usage_metadata"' });
    expect(meaningOf('ai-voice', 'out', '{"type":"transcr')).toMatchObject({ kind: 'odd', json: null, problem: 'not JSON' });
  });

  it('Gemini Live: goAway\'s duration string, setup with a handle, a completed client turn (docs/gemini-live.md §1.3–§1.5)', () => {
    expect(meaningOf('gemini-live', 'out', '{"goAway":{"timeLeft":"50s"}}')).toEqual({ kind: 'expiring', timeLeft: 50 });
    expect(meaningOf('gemini-live', 'in', '{"setup":{"sessionResumption":{"handle":"abc-123456"}}}')).toEqual({ kind: 'setup', resume: true, handle: 'abc-123456' });
    expect(meaningOf('gemini-live', 'in', '{"setup":{"sessionResumption":{}}}')).toEqual({ kind: 'setup', resume: false, handle: null });
    expect(meaningOf('gemini-live', 'in', '{"clientContent":{"turns":[{"role":"user","parts":[{"text":"hi"}]}],"turnComplete":true}}')).toEqual({ kind: 'prospect', text: 'hi' });
    expect(meaningOf('gemini-live', 'out', '{"serverContent":{"turnComplete":true}}')).toEqual({ kind: 'agent-final' });
    expect(meaningOf('gemini-live', 'out', '{"usageMetadata":{"totalTokenCount":3}}')).toEqual({ kind: 'ignored' });
  });
});
