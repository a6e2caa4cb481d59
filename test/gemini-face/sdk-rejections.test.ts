/**
 * What the Gemini face refuses, as the real @google/genai 2.32.0 (and a raw `ws` client, for
 * what the SDK never sends) meets it: bad resumption handles (docs/gemini-live.md §1.6),
 * transparent resumption (§1.3), bad first frames and garbage (§1.2, §1.7), and a frame over
 * the transport's limit. In 2.32.0 `connect()` never settles when the server closes before
 * setupComplete (§1.8, §7.4): those tests race it against `onclose` and never await it.
 * No timers: every wait is on an event or a promise.
 */
import { Modality } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { GeminiCloses } from '../../protocol/gemini-live/close-codes.ts';
import { geminiPath, jumpClock, nextHandle, rawClient, sdkConnect, startGemini, untilTurnComplete, whenJournaled, type Closed, type GeminiRig, type SdkSession } from '../testing/gemini-sdk.ts';

let rig: GeminiRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TEXT = [Modality.TEXT];
const SESSION_NOT_FOUND = { code: 1008, reason: 'BidiGenerateContent session not found' };
const INVALID_ARGUMENT = { code: GeminiCloses.invalidArgument.code, reason: GeminiCloses.invalidArgument.reason };

/** The server closed before setupComplete: onclose fired, connect() is still pending, nothing reached onmessage. */
async function closedBeforeSetup(sdk: SdkSession): Promise<Closed> {
  const outcome = await Promise.race([sdk.connecting.then(() => 'connected' as const), sdk.closed]);
  if (outcome === 'connected') throw new Error('connect() resolved: the server sent setupComplete');
  // Let every pending callback and promise job run: connect() still has not settled (§7.4).
  await new Promise((resolve) => setImmediate(resolve));
  expect(sdk.settled()).toBe('pending');
  expect(sdk.log).toEqual([]);
  return outcome;
}

/** A first connection that takes a handle (after one turn) and leaves cleanly. */
async function handleFromFirstConnection(r: GeminiRig): Promise<string> {
  const first = sdkConnect(r.ai, { responseModalities: TEXT, sessionResumption: {} });
  const session = await first.connecting;
  session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: "Hi, I'm Dana from Acme." }] }] });
  await untilTurnComplete(first.messages);
  const handle = await nextHandle(first.messages);
  session.close();
  await first.closed;
  await whenJournaled(r.server.journal, 'close', (c) => c.conn === r.server.journal.of('open')[0]!.conn);
  return handle;
}

describe('a resumption handle the face rejects (§1.6)', () => {
  it('an unknown handle: 1008 "BidiGenerateContent session not found" before setupComplete', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle: 'no-such-handle' } });
    expect(await closedBeforeSetup(sdk)).toEqual(SESSION_NOT_FOUND);
    expect(rig.server.journal.of('open')).toMatchObject([{ resume: 'rejected', rejectReason: 'unknown' }]);
    expect(rig.server.journal.of('close')).toMatchObject([{ ...SESSION_NOT_FOUND, by: 'server' }]);
    expect(rig.server.journal.of('frame-out').filter((f) => f.type === 'setupComplete')).toEqual([]);
  });

  it('an expired handle (two hours after its connection closed, §1.5): the same close, journaled as expired', async () => {
    const clock = jumpClock();
    rig = await startGemini({}, { clock });
    const handle = await handleFromFirstConnection(rig);
    clock.jump(2 * 3600 * 1000 + 1000);
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle } });
    expect(await closedBeforeSetup(sdk)).toEqual(SESSION_NOT_FOUND);
    expect(rig.server.journal.of('open')[1]).toMatchObject({ resume: 'rejected', rejectReason: 'expired' });
  });

  it('the same handle a moment later still resumes (the expiry above is the TTL, not the handle)', async () => {
    rig = await startGemini();
    const handle = await handleFromFirstConnection(rig);
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle } });
    (await sdk.connecting).close();
    expect(await sdk.messages.next()).toEqual({ setupComplete: {} });
    expect(rig.server.journal.of('open')[1]).toMatchObject({ resume: 'resumed', contextTurns: 1 });
  });

  it('validation reject "close" with rejectClose 1007 "Invalid session handle"', async () => {
    rig = await startGemini({ validation: { reject: 'close', rejectClose: { code: 1007, reason: 'Invalid session handle' } } });
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle: 'no-such-handle' } });
    expect(await closedBeforeSetup(sdk)).toEqual({ code: 1007, reason: GeminiCloses.invalidSessionHandle.reason });
  });

  it('validation rejectAll: even a valid handle is refused, before setupComplete', async () => {
    rig = await startGemini({ validation: { rejectAll: true } });
    const handle = await handleFromFirstConnection(rig);
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle } });
    expect(await closedBeforeSetup(sdk)).toEqual(SESSION_NOT_FOUND);
    expect(rig.server.journal.of('open')[1]).toMatchObject({ resume: 'rejected', rejectReason: 'forced' });
  });

  it('validation reject "accept-then-close": setupComplete (connect() resolves), then the close', async () => {
    rig = await startGemini({ validation: { reject: 'accept-then-close', acceptThenClose: { after: 0.01 } } });
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle: 'no-such-handle' } });
    await sdk.connecting;
    expect(await sdk.closed).toEqual({ code: 1011, reason: 'Internal error occurred.' });
    expect(sdk.log[0]).toEqual({ setupComplete: {} });
    expect(sdk.log.filter((m) => m.serverContent)).toEqual([]);
    expect(rig.server.journal.of('open')).toMatchObject([{ resume: 'rejected' }]);
  });

  it('a resume that asks for another model: setupComplete, then 1011 "Internal error occurred." (§1.2, §1.6)', async () => {
    rig = await startGemini();
    const handle = await handleFromFirstConnection(rig);
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle } }, 'gemini-live-2.5-flash-preview');
    await sdk.connecting;
    expect(await sdk.closed).toEqual({ code: GeminiCloses.internal.code, reason: GeminiCloses.internal.reason });
    expect(sdk.log[0]).toEqual({ setupComplete: {} });
    expect(rig.server.journal.of('open')[1]).toMatchObject({ resume: 'rejected', rejectReason: 'foreign' });
    // The model, not the handle, was the problem: the same handle on the same model still resumes.
    const again = sdkConnect(rig.ai, { responseModalities: TEXT, sessionResumption: { handle } });
    (await again.connecting).close();
    expect(rig.server.journal.of('open')[2]).toMatchObject({ resume: 'resumed' });
  });

  it('transparent: true is refused by the SDK itself (§1.3), and by the face with 1007', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { sessionResumption: { handle: 'h', transparent: true } });
    await expect(sdk.connecting).rejects.toThrow('transparent parameter is only supported in Gemini Enterprise Agent Platform mode, not in Gemini Developer API mode.');

    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}?key=${rig.server.apiKey}`);
    await raw.opened;
    raw.send('{"setup":{"model":"models/x","sessionResumption":{"transparent":true}}}');
    expect(await raw.closed).toEqual(INVALID_ARGUMENT);
    expect(raw.frames.size).toBe(0);
    expect(rig.server.journal.of('frame-in').at(-1)).toMatchObject({ type: 'setup', decoded: 'invalid', problem: expect.stringContaining('transparent') });
  });
});

describe('frames the face refuses (§1.2, §1.7)', () => {
  async function openRaw(r: GeminiRig) {
    const raw = rawClient(`${r.wsOrigin}${geminiPath()}?key=${r.server.apiKey}`);
    await raw.opened;
    return raw;
  }

  it('a first frame that is not setup (clientContent): 1007, and the journal marks the frame invalid', async () => {
    rig = await startGemini();
    const raw = await openRaw(rig);
    raw.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello' }] }], turnComplete: true } });
    expect(await raw.closed).toEqual(INVALID_ARGUMENT);
    expect(raw.frames.size).toBe(0);
    expect(rig.server.journal.of('frame-in')).toMatchObject([{ type: 'clientContent', decoded: 'invalid', problem: 'the first frame must be setup, got clientContent' }]);
    expect(rig.server.journal.of('close')).toMatchObject([{ ...INVALID_ARGUMENT, by: 'server' }]);
    expect(rig.server.journal.of('prospect-turn')).toEqual([]);
  });

  it('a first frame that is not JSON: 1007, journaled as not-json', async () => {
    rig = await startGemini();
    const raw = await openRaw(rig);
    raw.send('this is not json {');
    expect(await raw.closed).toEqual(INVALID_ARGUMENT);
    expect(rig.server.journal.of('frame-in')).toMatchObject([{ decoded: 'not-json' }]);
  });

  it('garbage after the setup: 1007, journaled as not-json', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT });
    await sdk.connecting;
    const raw = await openRaw(rig);
    raw.send({ setup: { model: 'models/x' } });
    expect(JSON.parse((await raw.frames.next()).text)).toEqual({ setupComplete: {} });
    raw.send('{"clientContent": ');
    expect(await raw.closed).toEqual(INVALID_ARGUMENT);
    expect(rig.server.journal.of('frame-in').at(-1)).toMatchObject({ decoded: 'not-json' });
    // The other connection of the conversation is untouched.
    expect(rig.server.journal.of('close')).toHaveLength(1);
  });

  it('a second setup on an open connection: 1007', async () => {
    rig = await startGemini();
    const raw = await openRaw(rig);
    raw.send({ setup: { model: 'models/x' } });
    await raw.frames.next();
    raw.send({ setup: { model: 'models/x' } });
    expect(await raw.closed).toEqual(INVALID_ARGUMENT);
    expect(rig.server.journal.of('frame-in').at(-1)).toMatchObject({ type: 'setup', decoded: 'invalid', problem: 'a second setup on an open connection' });
  });

  it('a frame over the transport\'s 1 MiB maxPayload: the server closes 1009 and keeps serving (ws-server.ts)', async () => {
    rig = await startGemini();
    const sdk = sdkConnect(rig.ai, { responseModalities: TEXT });
    const session = await sdk.connecting;
    session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'x'.repeat(1024 * 1024) }] }] });
    expect(await sdk.closed).toEqual({ code: 1009, reason: '' });
    expect(await whenJournaled(rig.server.journal, 'close')).toMatchObject({ code: 1009, by: 'server' });
    expect(rig.server.journal.of('prospect-turn')).toEqual([]);
    // The process survived the frame: the next connection is served.
    const next = sdkConnect(rig.ai, { responseModalities: TEXT });
    const again = await next.connecting;
    again.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
    expect((await untilTurnComplete(next.messages)).at(-1)?.serverContent?.turnComplete).toBe(true);
    again.close();
    await next.closed;
  });
});
