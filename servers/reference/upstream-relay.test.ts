import { describe, expect, it } from 'vitest';
import { EXPIRING_MESSAGE, timeLeftSeconds, UpstreamRelay, type UpstreamMessage } from './upstream-relay.ts';

const json = (relay: UpstreamRelay, message: UpstreamMessage): unknown[] => relay.relay(message).frames.map((f) => (f.kind === 'json' ? f.message : { audio: f.bytes.length }));

describe('UpstreamRelay: Gemini Live messages as AI-voice messages', () => {
  it('holds one chunk back so the last words of a turn go out as the final transcript', () => {
    const relay = new UpstreamRelay();
    expect(json(relay, { serverContent: { outputTranscription: { text: 'Hello, ' } } })).toEqual([]);
    expect(json(relay, { serverContent: { outputTranscription: { text: 'I am Riley.' } } })).toEqual([{ type: 'transcript', role: 'agent', text: 'Hello, ', final: false }]);
    expect(json(relay, { serverContent: { generationComplete: true } })).toEqual([]);
    expect(json(relay, { serverContent: { turnComplete: true } })).toEqual([{ type: 'transcript', role: 'agent', text: 'I am Riley.', final: true }]);
  });

  it('TEXT parts are words too; audio parts become binary frames', () => {
    const relay = new UpstreamRelay();
    const audio = Buffer.alloc(960).toString('base64');
    expect(json(relay, { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: audio } }] } } })).toEqual([{ audio: 960 }]);
    expect(json(relay, { serverContent: { modelTurn: { parts: [{ text: 'Hi.' }] } } })).toEqual([]);
    expect(json(relay, { serverContent: { turnComplete: true } })).toEqual([{ type: 'transcript', role: 'agent', text: 'Hi.', final: true }]);
  });

  it('passes resumable handles on, and resumable:false only as resumable:false with an empty handle', () => {
    const relay = new UpstreamRelay();
    const issued = relay.relay({ sessionResumptionUpdate: { newHandle: 'h-1', resumable: true } });
    expect(issued).toEqual({ frames: [{ kind: 'json', message: { type: 'session_resumption_update', handle: 'h-1', resumable: true } }], issued: 'h-1' });
    // A non-resumable update that still carries a handle never passes it on as resumable.
    expect(json(relay, { sessionResumptionUpdate: { newHandle: 'h-2', resumable: false } })).toEqual([{ type: 'session_resumption_update', handle: '', resumable: false }]);
    expect(json(relay, { sessionResumptionUpdate: {} })).toEqual([{ type: 'session_resumption_update', handle: '', resumable: false }]);
    expect(relay.newestHandle).toBe('h-1');
  });

  it('goAway: the newest handle again, then session_expiring with timeLeft and hasHandle', () => {
    const relay = new UpstreamRelay();
    relay.relay({ sessionResumptionUpdate: { newHandle: 'h-1', resumable: true } });
    expect(json(relay, { goAway: { timeLeft: '50s' } })).toEqual([
      { type: 'session_resumption_update', handle: 'h-1', resumable: true },
      { type: 'session_expiring', message: EXPIRING_MESSAGE, timeLeft: 50, hasHandle: true },
    ]);
    expect(relay.expiring).toBe(true);
  });

  it('goAway with no handle yet: hasHandle false and no handle message', () => {
    expect(json(new UpstreamRelay(), { goAway: { timeLeft: '0.500s' } })).toEqual([{ type: 'session_expiring', message: EXPIRING_MESSAGE, timeLeft: 0.5, hasHandle: false }]);
  });

  it('timeLeft: a protobuf Duration in seconds; 0 when absent or malformed', () => {
    expect(timeLeftSeconds('30s')).toBe(30);
    expect(timeLeftSeconds(undefined)).toBe(0);
    expect(timeLeftSeconds('30')).toBe(0);
  });
});
