/**
 * The Gemini Live WebSocket endpoint as real clients reach it: which upgrade requests a
 * Gemini face accepts, and how it refuses the others (docs/gemini-live.md
 * §1.1 endpoints and authentication, §1.8 URL building, §5 "Handshake").
 *
 *   GET /ws/google.ai.generativelanguage.{v1|v1beta|v1alpha}.GenerativeService.BidiGenerateContent?key=KEY
 *   GET /ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens/…
 *
 * - @google/genai builds `${new URL(base).toString()}/ws/…`, so the path starts with "//ws/"
 *   (§1.8); repeated slashes are collapsed.
 * - 2.32.0 uses v1beta, 3.x v1, ADK's JS runner v1alpha (gemini-live-mock-facts.md).
 * - The key comes as `?key=` (js-genai, §1.1) or the `x-goog-api-key` header (python-genai,
 *   §1.1); an ephemeral token as `?access_token=` (js-genai, docs) or `Authorization: Token …`
 *   (python-genai, §1.1).
 */
import { GeminiCloses, type GeminiClose } from './close-codes.ts';

export const API_VERSIONS = ['v1', 'v1beta', 'v1alpha'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const BIDI_METHODS = ['BidiGenerateContent', 'BidiGenerateContentConstrained'] as const;
export type BidiMethod = (typeof BIDI_METHODS)[number];

/** Prefix of an ephemeral token's name (js-genai `Live.connect`, §1.1). */
export const EPHEMERAL_TOKEN_PREFIX = 'auth_tokens/';

export type Credential =
  | { readonly kind: 'apiKey'; readonly key: string; readonly via: 'query' | 'header' }
  | { readonly kind: 'ephemeralToken'; readonly token: string; readonly via: 'query' | 'header' };

export interface GeminiEndpoint {
  readonly ok: true;
  readonly apiVersion: ApiVersion;
  readonly method: BidiMethod;
  readonly credential: Credential;
  /** The path with repeated slashes collapsed and the prefix removed. */
  readonly path: string;
  /** True when the request path had repeated slashes (every @google/genai client does). */
  readonly collapsedSlashes: boolean;
}

/**
 * A refused upgrade. `http`: answer the upgrade request with that status and do not
 * switch protocols. `close`: accept the upgrade, then close with that code and reason,
 * as Gemini does for credential errors (the SDK reports "Session closed. API key not
 * valid…", js-genai #600 — the socket had opened).
 */
export type EndpointRefusal =
  | {
      readonly ok: false;
      readonly kind: 'not-found';
      readonly via: 'http';
      readonly status: 404;
      readonly message: string;
      readonly source: string;
    }
  | {
      readonly ok: false;
      readonly kind: 'no-credential' | 'ephemeral-token-as-key' | 'ephemeral-token-on-unconstrained';
      readonly via: 'close';
      readonly close: GeminiClose;
      readonly message: string;
      readonly source: string;
    };

export type EndpointResult = GeminiEndpoint | EndpointRefusal;

export interface UpgradeRequest {
  /** The request target as the server sees it (`IncomingMessage.url`): path and query. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface EndpointOptions {
  /**
   * A path the mock is mounted under (a client whose base URL has a path, `http://h/proxy`,
   * sends `/proxy/ws/…`, §1.8). Default: none, as on generativelanguage.googleapis.com.
   */
  readonly pathPrefix?: string;
}

const PATH_PATTERN = /^\/ws\/google\.ai\.generativelanguage\.([A-Za-z0-9]+)\.GenerativeService\.([A-Za-z]+)$/;

function header(headers: UpgradeRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' && first.length > 0 ? first : undefined;
  }
  return undefined;
}

const notFound = (message: string): EndpointRefusal => ({
  ok: false,
  kind: 'not-found',
  via: 'http',
  status: 404,
  message,
  // Google's front end answering an unknown path with 404 before any upgrade is the
  // research's suggestion (§5 "optionally reject the upgrade", F20 "404/403"), [inference].
  source: '§5 Handshake; F20 (js-genai #1257), [inference]',
});

export function parseEndpoint(request: UpgradeRequest, options: EndpointOptions = {}): EndpointResult {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1));

  // §1.8: `new URL(base).toString()` ends in "/", and the SDK appends "/ws/…".
  const collapsed = rawPath.replace(/\/{2,}/g, '/');
  const prefix = (options.pathPrefix ?? '').replace(/\/{2,}/g, '/').replace(/\/$/, '');
  if (prefix && !collapsed.startsWith(`${prefix}/`)) return notFound(`path ${rawPath} is not under ${prefix}`);
  const path = prefix ? collapsed.slice(prefix.length) : collapsed;

  const match = PATH_PATTERN.exec(path);
  if (!match) return notFound(`no Gemini Live endpoint at ${rawPath}`);
  const [, version = '', method = ''] = match;
  if (!(API_VERSIONS as readonly string[]).includes(version)) {
    return notFound(`API version "${version}" is not one of ${API_VERSIONS.join(', ')}`);
  }
  if (!(BIDI_METHODS as readonly string[]).includes(method)) {
    return notFound(`method "${method}" is not one of ${BIDI_METHODS.join(', ')}`);
  }
  const apiVersion = version as ApiVersion;
  const bidiMethod = method as BidiMethod;

  const queryKey = query.get('key') || undefined;
  const headerKey = header(request.headers, 'x-goog-api-key');
  const queryToken = query.get('access_token') || undefined;
  const authorization = header(request.headers, 'authorization');
  const headerToken = authorization?.match(/^Token\s+(\S+)$/i)?.[1];

  const key: Credential | undefined = queryKey
    ? { kind: 'apiKey', key: queryKey, via: 'query' }
    : headerKey
      ? { kind: 'apiKey', key: headerKey, via: 'header' }
      : undefined;
  const token: Credential | undefined = queryToken
    ? { kind: 'ephemeralToken', token: queryToken, via: 'query' }
    : headerToken
      ? { kind: 'ephemeralToken', token: headerToken, via: 'header' }
      : undefined;

  const accepted = (credential: Credential): GeminiEndpoint => ({
    ok: true,
    apiVersion,
    method: bidiMethod,
    credential,
    path,
    collapsedSlashes: collapsed !== rawPath,
  });

  if (key?.kind === 'apiKey' && key.key.startsWith(EPHEMERAL_TOKEN_PREFIX)) {
    // An ephemeral token sent where a key belongs: "Session closed. API key not valid. Please
    // pass a valid API key." (js-genai #600, 2025-05).
    return {
      ok: false,
      kind: 'ephemeral-token-as-key',
      via: 'close',
      close: GeminiCloses.apiKeyInvalid,
      message: `an ephemeral token (${EPHEMERAL_TOKEN_PREFIX}…) was sent as an API key (${key.via === 'query' ? '?key=' : 'x-goog-api-key'})`,
      source: 'js-genai #600 (not in the research); §1.7 for the 1007',
    };
  }
  if (bidiMethod === 'BidiGenerateContentConstrained') {
    // §1.1: the Constrained method takes the ephemeral token. Whether it also takes a plain
    // key is not known; a face is never stricter than Gemini, so a key is accepted.
    // Outside v1alpha the SDK only warns (§1.1); what the service then does is unknown
    // (js-genai #1257: connect() "may never return"), so the version is left to the face.
    const credential = token ?? key;
    if (credential) return accepted(credential);
  } else {
    if (key) return accepted(key);
    if (token) {
      // google-gemini/cookbook #821: `?access_token=auth_tokens/…` on BidiGenerateContent is
      // refused with "Method doesn't allow unregistered callers…"; the same URL with
      // BidiGenerateContentConstrained works.
      return {
        ok: false,
        kind: 'ephemeral-token-on-unconstrained',
        via: 'close',
        close: GeminiCloses.unregisteredCaller,
        message: 'an ephemeral token was sent to BidiGenerateContent; it is only accepted by BidiGenerateContentConstrained',
        source: 'google-gemini/cookbook #821 (not in the research); close code [inference]',
      };
    }
  }
  return {
    ok: false,
    kind: 'no-credential',
    via: 'close',
    close: GeminiCloses.unregisteredCaller,
    message:
      bidiMethod === 'BidiGenerateContentConstrained'
        ? 'no ephemeral token: expected ?access_token= or "Authorization: Token …"'
        : 'no API key: expected ?key= or the x-goog-api-key header',
    // Google's wording for a call with no credential; that Gemini Live answers it with this
    // close after the upgrade is [inference].
    source: '§1.1 (where credentials go); google-gemini/cookbook #821 for the text; [inference]',
  };
}

/**
 * The request path @google/genai builds for a base URL (§1.8), for tests and for telling
 * a person where to point a client.
 */
export function sdkRequestPath(apiVersion: ApiVersion, method: BidiMethod, credential: string): string {
  const keyName = method === 'BidiGenerateContentConstrained' ? 'access_token' : 'key';
  return `//ws/google.ai.generativelanguage.${apiVersion}.GenerativeService.${method}?${keyName}=${credential}`;
}
