import { describe, expect, it } from 'vitest';
import { GeminiCloses } from './close-codes.ts';
import { API_VERSIONS, parseEndpoint, sdkRequestPath, type EndpointResult } from './endpoint.ts';

const BIDI = 'google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

const accepted = (result: EndpointResult) => {
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result;
};
const refused = (result: EndpointResult) => {
  if (result.ok) throw new Error('accepted');
  return result;
};

describe('parseEndpoint: what real clients send', () => {
  it('accepts @google/genai 2.32.0 as captured: a double slash and ?key= (facts file)', () => {
    const r = accepted(parseEndpoint({ url: `//ws/${BIDI}?key=test-key`, headers: {} }));
    expect(r).toMatchObject({
      apiVersion: 'v1beta',
      method: 'BidiGenerateContent',
      credential: { kind: 'apiKey', key: 'test-key', via: 'query' },
      path: `/ws/${BIDI}`,
      collapsedSlashes: true,
    });
  });

  it.each(API_VERSIONS)('accepts API version %s (2.32.0 v1beta, 3.x v1, ADK JS v1alpha)', (version) => {
    const r = accepted(parseEndpoint({ url: sdkRequestPath(version, 'BidiGenerateContent', 'k'), headers: {} }));
    expect(r.apiVersion).toBe(version);
  });

  it('accepts the key in the x-goog-api-key header, as python-genai sends it (§1.1)', () => {
    const r = accepted(parseEndpoint({ url: `/ws/${BIDI}`, headers: { 'x-goog-api-key': 'py-key' } }));
    expect(r.credential).toEqual({ kind: 'apiKey', key: 'py-key', via: 'header' });
    expect(r.collapsedSlashes).toBe(false);
  });

  it('accepts an ephemeral token on BidiGenerateContentConstrained, by query or Authorization: Token', () => {
    const q = accepted(parseEndpoint({ url: sdkRequestPath('v1alpha', 'BidiGenerateContentConstrained', 'auth_tokens/abc'), headers: {} }));
    expect(q).toMatchObject({ apiVersion: 'v1alpha', method: 'BidiGenerateContentConstrained', credential: { kind: 'ephemeralToken', token: 'auth_tokens/abc', via: 'query' } });
    const h = accepted(
      parseEndpoint({
        url: '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained',
        headers: { Authorization: 'Token auth_tokens/xyz' },
      }),
    );
    expect(h.credential).toEqual({ kind: 'ephemeralToken', token: 'auth_tokens/xyz', via: 'header' });
  });

  it('decodes a percent-encoded key and takes the first of repeated headers', () => {
    expect(accepted(parseEndpoint({ url: `/ws/${BIDI}?key=a%2Fb`, headers: {} })).credential).toMatchObject({ key: 'a/b' });
    expect(accepted(parseEndpoint({ url: `/ws/${BIDI}`, headers: { 'x-goog-api-key': ['one', 'two'] } })).credential).toMatchObject({ key: 'one' });
  });

  it('strips a mount prefix (a base URL with a path gives /proxy/ws/…, §1.8)', () => {
    const r = accepted(parseEndpoint({ url: `/proxy//ws/${BIDI}?key=k`, headers: {} }, { pathPrefix: '/proxy/' }));
    expect(r.path).toBe(`/ws/${BIDI}`);
    expect(refused(parseEndpoint({ url: `/ws/${BIDI}?key=k`, headers: {} }, { pathPrefix: '/proxy' })).kind).toBe('not-found');
  });
});

describe('parseEndpoint: refusals', () => {
  it.each([
    ['/ws/ai-voice?key=k', 'no Gemini Live endpoint'],
    [`/ws/${BIDI.replace('v1beta', 'v2')}?key=k`, 'API version "v2"'],
    [`/ws/${BIDI.replace('v1beta', 'v1beta1')}?key=k`, 'API version "v1beta1"'],
    [`/ws/${BIDI}Music?key=k`, 'method "BidiGenerateContentMusic"'],
    ['/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateMusic?key=k', 'method "BidiGenerateMusic"'],
    ['/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent', 'no Gemini Live endpoint'],
    [`/${BIDI}?key=k`, 'no Gemini Live endpoint'],
  ])('answers %s with HTTP 404 naming the problem', (url, problem) => {
    const r = refused(parseEndpoint({ url, headers: {} }));
    expect(r).toMatchObject({ kind: 'not-found', via: 'http', status: 404 });
    expect(r.message).toContain(problem);
  });

  it('closes 1008 when no credential is given (empty ?key= counts as none)', () => {
    for (const url of [`//ws/${BIDI}`, `//ws/${BIDI}?key=`]) {
      const r = refused(parseEndpoint({ url, headers: {} }));
      expect(r).toMatchObject({ kind: 'no-credential', via: 'close', close: { code: 1008 } });
      expect(r.message).toContain('x-goog-api-key');
    }
  });

  it('closes 1007 "API key not valid" for an ephemeral token sent as a key (js-genai #600)', () => {
    const r = refused(parseEndpoint({ url: `//ws/${BIDI}?key=auth_tokens/abc`, headers: {} }));
    expect(r).toMatchObject({ kind: 'ephemeral-token-as-key', via: 'close' });
    if (r.via === 'close') expect(r.close).toBe(GeminiCloses.apiKeyInvalid);
  });

  it('closes 1008 "unregistered callers" for an ephemeral token on BidiGenerateContent (cookbook #821)', () => {
    const r = refused(parseEndpoint({ url: `//ws/${BIDI.replace('v1beta', 'v1alpha')}?access_token=auth_tokens/abc`, headers: {} }));
    expect(r).toMatchObject({ kind: 'ephemeral-token-on-unconstrained', via: 'close' });
    if (r.via === 'close') expect(r.close.reason).toContain('unregistered callers');
  });
});
