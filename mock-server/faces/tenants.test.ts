/**
 * Handles are bearer credentials (spec §5.1): at least 128 bits a client cannot guess, and bound
 * to the share token (the API key on the Gemini face) they were minted under. A server serving
 * several tenants refuses a handle of one presented under another: the resume is rejected as
 * `foreign` and the connection starts with none of the other tenant's context.
 */
import { describe, expect, it } from 'vitest';
import { FakePort, manualClock } from '../testing/fake-port.ts';
import { GeminiPort } from '../testing/gemini-port.ts';
import { AiVoiceServer } from './ai-voice/ai-voice-server.ts';
import { GEMINI_WS_PATH, GeminiLiveServer } from './gemini-live/gemini-live-server.ts';

const TENANT_B = 'share_tenant_b_0123456789';

function aiVoice(seed?: number) {
  const clock = manualClock();
  const server = new AiVoiceServer({ clock, ...(seed !== undefined ? { seed } : {}), script: { expiry: { enabled: false } }, tenants: [TENANT_B] });
  const connect = (shareToken: string, sessionToken: string, handle?: string): FakePort => {
    const url = new URL(`ws://127.0.0.1/ws/ai-voice?mode=sales_agent&sessionToken=${sessionToken}&shareToken=${shareToken}${handle ? `&resumeHandle=${encodeURIComponent(handle)}` : ''}`);
    const decision = server.upgrade(url);
    if (!decision.accept) throw new Error(`refused ${decision.status}`);
    const port = new FakePort();
    decision.attach(port);
    return port;
  };
  const session = (shareToken: string): string => (server.createSession(shareToken, '{"prospectName":"Ada"}').body as { sessionToken: string }).sessionToken;
  return { clock, server, connect, session };
}

/** The raw base64url part of an `rh_…` handle, as bytes. */
const bytesOf = (handle: string): Buffer => Buffer.from(handle.slice(3), 'base64url');

describe('handles carry at least 128 bits (spec §5.1)', () => {
  it('a handle is at least 16 bytes, every handle of a run is distinct, and each bit is a coin flip across them', () => {
    const { clock, server, connect, session } = aiVoice(11);
    const port = connect(server.shareToken, session(server.shareToken));
    clock.tick(5_000);
    for (let i = 0; i < 300; i++) {
      port.receive({ type: 'prospect_message', text: `message ${i}` });
      clock.tick(15_000);
    }
    const handles = port.handles;
    expect(handles.length).toBeGreaterThan(300);
    expect(new Set(handles).size).toBe(handles.length);
    for (const h of handles) expect(bytesOf(h).length).toBeGreaterThanOrEqual(16);
    // Per-bit frequency over the first 16 bytes: an HMAC output has no bit fixed or biased.
    const ones = new Array<number>(128).fill(0);
    for (const h of handles) {
      const bytes = bytesOf(h);
      for (let bit = 0; bit < 128; bit++) ones[bit]! += (bytes[bit >> 3]! >> (bit & 7)) & 1;
    }
    for (const count of ones) expect(count / handles.length).toBeGreaterThan(0.38), expect(count / handles.length).toBeLessThan(0.62);
  });

  it('without a seed the key is fresh randomness: two servers mint different handles for the same history', () => {
    const first = aiVoice();
    const second = aiVoice();
    const a = first.connect(first.server.shareToken, first.session(first.server.shareToken));
    const b = second.connect(second.server.shareToken, second.session(second.server.shareToken));
    first.clock.tick(5_000);
    second.clock.tick(5_000);
    expect(a.handles).toHaveLength(1);
    expect(b.handles).toHaveLength(1);
    expect(a.handles[0]).not.toBe(b.handles[0]);
    expect(first.server.shareToken).not.toBe(second.server.shareToken);
  });
});

describe('a cross-tenant resume is refused (spec §5.1)', () => {
  it('AI-voice: a handle minted under share token A, presented under B, is rejected as foreign with an empty context', () => {
    const { clock, server, connect, session } = aiVoice(12);
    const a = connect(server.shareToken, session(server.shareToken));
    clock.tick(5_000);
    a.receive({ type: 'prospect_message', text: "I'm Dana Whitfield from Borealis Freight." });
    clock.tick(15_000);
    const handle = a.handles.at(-1)!;
    const b = connect(TENANT_B, session(TENANT_B), handle);
    clock.tick(5_000);
    expect(b.of('session:resumed')).toHaveLength(0);
    expect(b.finals.join(' ')).not.toMatch(/Dana|Borealis/);
    const open = server.journal.of('open').at(-1)!;
    expect(open).toMatchObject({ resume: 'rejected', rejectReason: 'foreign', contextTurns: 0 });
    // Tenant B's own token is a secret too: nothing of it reaches the journal.
    expect(JSON.stringify(server.journal.events)).not.toContain(TENANT_B);
    expect(server.secrets()).toContain(TENANT_B);
  });

  it('AI-voice: share token B cannot open tenant A\'s session at all (401 before any resume is considered)', () => {
    const { server, session } = aiVoice(13);
    const decision = server.upgrade(new URL(`ws://h/ws/ai-voice?mode=sales_agent&sessionToken=${session(server.shareToken)}&shareToken=${TENANT_B}`));
    expect(decision).toMatchObject({ accept: false, status: 401 });
    expect(server.journal.of('upgrade-rejected').at(-1)).toMatchObject({ status: 401, reason: 'shareToken does not match the session' });
  });

  it('Gemini Live: a handle minted under API key A, presented in a setup under key B, is refused (foreign, closed) and B gets none of A\'s context', () => {
    const clock = manualClock();
    const server = new GeminiLiveServer({ clock, seed: 14, script: { expiry: { enabled: false }, agent: { replyDelay: [1, 1], greetingDelay: 0.5, chunkGap: 0.2 } }, tenants: [TENANT_B] });
    const connect = (key: string, handle?: string): GeminiPort => {
      const decision = server.upgradeRequest({ rawUrl: `${GEMINI_WS_PATH}?key=${key}`, headers: {} });
      if (!decision.accept) throw new Error('upgrade refused');
      const port = new GeminiPort();
      decision.attach(port);
      port.send({ setup: { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: handle ? { handle } : {} } });
      return port;
    };
    const a = connect(server.apiKey);
    a.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: "I'm Dana from Borealis." }] }], turnComplete: true } });
    clock.tick(5_000);
    const handle = a.handles.at(-1)!;
    expect(handle).toBeDefined();
    const b = connect(TENANT_B, handle);
    clock.tick(5_000);
    const open = server.journal.of('open').at(-1)!;
    expect(open).toMatchObject({ resume: 'rejected', rejectReason: 'foreign', contextTurns: 0 });
    expect(open.conversationId).not.toBe(server.journal.of('open')[0]!.conversationId);
    expect(b.closedWith).not.toBeNull();
    // The same handle still resumes under its own key.
    connect(server.apiKey, handle);
    expect(server.journal.of('open').at(-1)).toMatchObject({ resume: 'resumed', contextTurns: 1 });
  });
});
