/**
 * The AI-voice protocol's session call (§4): `POST /api/sales-agent/{shareToken}/session`,
 * bounded in time, its answer validated. Throws with the HTTP status and the server's error.
 */
import { CreateSessionResponse, HttpErrorBody, sessionPath } from '../../../protocol/messages.ts';
import { redactUrl } from '../../../protocol/redact.ts';
import type { SessionRequest } from '../../core/wire.ts';

/** Bound on session creation (protocol ms): generous, because at a time scale it is also real time. */
const HTTP_TIMEOUT_MS = 60_000;

export interface AiVoiceEndpoint {
  /** Base URL for `POST /api/sales-agent/{shareToken}/session`. */
  readonly httpUrl: string;
  /** WebSocket endpoint without query string. */
  readonly wsUrl: string;
  readonly shareToken: string;
  readonly testMode?: string;
}

export async function createAiVoiceSession(endpoint: AiVoiceEndpoint, request: SessionRequest): Promise<CreateSessionResponse> {
  const fetchFn = request.fetch;
  if (!fetchFn) throw new Error('no fetch implementation');
  const url = `${endpoint.httpUrl.replace(/\/+$/, '')}${sessionPath(endpoint.shareToken)}`;
  const controller = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    request.timers.set('http', HTTP_TIMEOUT_MS, () => {
      controller.abort();
      reject(new Error(`no answer within ${HTTP_TIMEOUT_MS} ms`));
    });
  });
  timeout.catch(() => undefined);
  try {
    const body: Record<string, string> = { prospectName: request.prospectName };
    if (endpoint.testMode) body.testMode = endpoint.testMode;
    request.event('session-request', { url: redactUrl(url) });
    const response = await Promise.race([
      fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      }),
      timeout,
    ]);
    const text = await Promise.race([response.text(), timeout]);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${response.status}: body is not JSON`);
    }
    if (!response.ok) {
      const problem = HttpErrorBody.safeParse(json);
      throw new Error(`HTTP ${response.status}${problem.success ? ` ${problem.data.error}: ${problem.data.message}` : ''}`);
    }
    const parsed = CreateSessionResponse.safeParse(json);
    if (!parsed.success) throw new Error(`HTTP ${response.status}: unexpected body (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  } finally {
    request.timers.clear('http');
  }
}
