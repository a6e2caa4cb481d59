/**
 * Where the Gemini face listens and whom it lets in (docs/gemini-live.md §1.1, §1.8, §7.1–§7.2):
 * every API version a client uses, the SDK's double slash, the key in the query or in the
 * header, an ephemeral token on …Constrained; a wrong key opens and closes 1007, a wrong path
 * is an HTTP 404. The real @google/genai 2.32.0 where it can say it, a raw `ws` client for the
 * rest. No timers: every wait is on an event or a promise.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GeminiCloses } from '../../protocol/gemini-live/close-codes.ts';
import { geminiPath, rawClient, sdkConnect, startGemini, type GeminiRig, type RawClient } from '../testing/gemini-sdk.ts';

let rig: GeminiRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  vi.restoreAllMocks();
});

const API_KEY_INVALID = { code: 1007, reason: 'API key not valid. Please pass a valid API key.' };

/** A raw client that sends a setup and expects setupComplete back. */
async function setupCompletes(raw: RawClient): Promise<void> {
  await raw.opened;
  raw.send({ setup: { model: 'models/x' } });
  expect(JSON.parse((await raw.frames.next()).text)).toEqual({ setupComplete: {} });
  raw.ws.close();
  await raw.closed;
}

describe('the paths and credentials the face accepts (§1.1, §1.8)', () => {
  it.each(['v1', 'v1beta', 'v1alpha'])('the SDK with apiVersion %s (its own path, with the double slash and ?key=) gets setupComplete', async (apiVersion) => {
    rig = await startGemini();
    const ai = new GoogleGenAI({ apiKey: rig.server.apiKey, httpOptions: { baseUrl: rig.running.httpUrl, apiVersion } });
    const sdk = sdkConnect(ai, { responseModalities: [Modality.TEXT] });
    (await sdk.connecting).close();
    expect(await sdk.messages.next()).toEqual({ setupComplete: {} });
    expect(rig.server.journal.of('upgrade-rejected')).toEqual([]);
    expect(rig.server.journal.of('open')).toHaveLength(1);
  });

  it('single and double leading slashes lead to the same endpoint', async () => {
    rig = await startGemini();
    await setupCompletes(rawClient(`${rig.wsOrigin}${geminiPath()}?key=${rig.server.apiKey}`));
    await setupCompletes(rawClient(`${rig.wsOrigin}/${geminiPath()}?key=${rig.server.apiKey}`));
    await setupCompletes(rawClient(`${rig.wsOrigin}//${geminiPath('v1alpha')}?key=${rig.server.apiKey}`));
    expect(rig.server.journal.of('open')).toHaveLength(3);
  });

  it('the key in the x-goog-api-key header, as python-genai sends it', async () => {
    rig = await startGemini();
    await setupCompletes(rawClient(`${rig.wsOrigin}${geminiPath()}`, { 'x-goog-api-key': rig.server.apiKey }));
    expect(rig.server.journal.of('upgrade-rejected')).toEqual([]);
  });

  it('BidiGenerateContentConstrained?access_token=KEY', async () => {
    rig = await startGemini();
    await setupCompletes(rawClient(`${rig.wsOrigin}${geminiPath('v1alpha', 'BidiGenerateContentConstrained')}?access_token=${rig.server.apiKey}`));
    expect(rig.server.journal.of('upgrade-rejected')).toEqual([]);
  });

  it('the SDK with an ephemeral token (auth_tokens/…) goes to …Constrained?access_token= and gets setupComplete', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    rig = await startGemini({}, { apiKey: 'auth_tokens/mock-token' });
    const ai = new GoogleGenAI({ apiKey: 'auth_tokens/mock-token', httpOptions: { baseUrl: rig.running.httpUrl, apiVersion: 'v1alpha' } });
    const sdk = sdkConnect(ai, { responseModalities: [Modality.TEXT] });
    (await sdk.connecting).close();
    expect(await sdk.messages.next()).toEqual({ setupComplete: {} });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ephemeral token support is experimental'));
    // The same token sent as ?key= is an API key that is not valid (js-genai #600).
    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}?key=auth_tokens/mock-token`);
    await raw.opened;
    expect(await raw.closed).toEqual(API_KEY_INVALID);
  });
});

describe('what the face refuses at the door (§1.1, §1.7)', () => {
  it('a wrong key: the SDK\'s socket opens, then closes 1007 "API key not valid…"; connect() never settles (§7.4)', async () => {
    rig = await startGemini();
    const ai = new GoogleGenAI({ apiKey: 'not-the-key', httpOptions: { baseUrl: rig.running.httpUrl } });
    const sdk = sdkConnect(ai, { responseModalities: [Modality.TEXT] });
    const outcome = await Promise.race([sdk.connecting.then(() => 'connected' as const), sdk.closed]);
    expect(outcome).toEqual(API_KEY_INVALID);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sdk.settled()).toBe('pending');
    expect(sdk.log).toEqual([]);
    expect(rig.server.journal.of('upgrade-rejected')).toMatchObject([{ status: 101, closeCode: 1007 }]);
    // No conversation was touched, and the key the client sent is not in the journal.
    expect(rig.server.journal.of('open')).toEqual([]);
    expect(JSON.stringify(rig.server.journal.events)).not.toContain('not-the-key');
    expect(JSON.stringify(rig.server.journal.events)).not.toContain(rig.server.apiKey);
  });

  it('a wrong key in the header: upgrade, then 1007', async () => {
    rig = await startGemini();
    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}`, { 'x-goog-api-key': 'not-the-key' });
    await raw.opened;
    expect(await raw.closed).toEqual(API_KEY_INVALID);
  });

  it('no credential at all: upgrade, then 1008 (unregistered caller)', async () => {
    rig = await startGemini();
    const raw = rawClient(`${rig.wsOrigin}${geminiPath()}`);
    await raw.opened;
    expect(await raw.closed).toEqual({ code: GeminiCloses.unregisteredCaller.code, reason: GeminiCloses.unregisteredCaller.reason });
  });

  it.each([
    ['an unknown path', '/ws/something.else'],
    ['an unknown API version', geminiPath('v2')],
    ['an unknown method', geminiPath('v1beta', 'StreamGenerateContent')],
    ['the root', '/'],
  ])('%s: HTTP 404, no upgrade', async (_what, path) => {
    rig = await startGemini();
    const raw = rawClient(`${rig.wsOrigin}${path}?key=${rig.server.apiKey}`);
    expect(await raw.refused).toBe(404);
    expect(rig.server.journal.of('upgrade-rejected')).toMatchObject([{ status: 404 }]);
    expect(rig.server.journal.of('open')).toEqual([]);
  });

  it('a plain HTTP request to the face: 404', async () => {
    rig = await startGemini();
    const response = await fetch(`${rig.running.httpUrl}${geminiPath()}?key=${rig.server.apiKey}`);
    expect(response.status).toBe(404);
  });
});
