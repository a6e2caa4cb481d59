/**
 * The AI-voice protocol v1 (shared/spec/ai-voice-protocol.md) as the simulator's wire: the HTTP
 * session call (§4), the connect URL with its query (§2), the prospect's messages and the
 * server's frames (§3). Unknown types MUST be ignored and invalid JSON MUST NOT crash (§2):
 * such frames reach the core as `ignored`.
 */
import {
  buildConnectUrl,
  CreateSessionResponse,
  decodeServerFrame,
  encodeMessage,
  HttpErrorBody,
  sessionPath,
} from '../../../protocol/messages.ts';
import { redactUrl } from '../../../protocol/redact.ts';
import type { FrameSink, SessionRequest, SimulatorWire, WireSession } from '../../core/wire.ts';

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

export class AiVoiceWire implements SimulatorWire {
  constructor(private readonly endpoint: AiVoiceEndpoint) {}

  async createSession(request: SessionRequest): Promise<CreateSessionResponse> {
    const fetchFn = request.fetch;
    if (!fetchFn) throw new Error('no fetch implementation');
    const url = `${this.endpoint.httpUrl.replace(/\/+$/, '')}${sessionPath(this.endpoint.shareToken)}`;
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
      if (this.endpoint.testMode) body.testMode = this.endpoint.testMode;
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

  connectUrl(session: WireSession, resumeHandle: string | undefined): string {
    return buildConnectUrl(this.endpoint.wsUrl, {
      sessionToken: session.sessionToken,
      shareToken: this.endpoint.shareToken,
      testMode: this.endpoint.testMode,
      resumeHandle,
    });
  }

  prospectMessage(text: string): string {
    return encodeMessage({ type: 'prospect_message', text });
  }

  endConversation(): string {
    return encodeMessage({ type: 'end_conversation' });
  }

  readFrame(text: string, sink: FrameSink): void {
    const decoded = decodeServerFrame(text);
    if (decoded.state !== 'valid') {
      sink.ignored(decoded.state, decoded.state === 'unknown-type' ? decoded.type : decoded.problem);
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'transcript':
        sink.transcript(message.text, message.final);
        return;
      case 'session_resumption_update':
        sink.handleUpdate(message);
        return;
      case 'session_expiring':
        sink.expiring(message);
        return;
      case 'session:resumed':
        sink.resumed(message.conversationId);
        return;
      case 'conversation_end':
        sink.conversationEnd(message.reason);
        return;
      case 'error':
        sink.serverError(message.code, message.message);
        return;
    }
  }
}
