/**
 * `POST /api/sales-agent/{shareToken}/session` (spec §1): checks the share token and the body,
 * opens a conversation in the core, and answers with its session token and id.
 */
import { CreateSessionRequest, type HttpErrorBody } from '../../../protocol/messages.ts';
import { fingerprint } from '../../../protocol/redact.ts';
import type { HttpResponseLike } from '../../core/connection-port.ts';
import type { ServerCore } from '../../core/server-core.ts';

export function createSession(core: ServerCore, shareToken: string, rawBody: string): HttpResponseLike {
  const t = core.clock.now();
  if (!core.serves(shareToken)) {
    core.journal.record({ kind: 'http-session', t, status: 404, problem: 'unknown share token' });
    return errorResponse(404, 'unknown_share_token', 'No agent is shared under that token.');
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    core.journal.record({ kind: 'http-session', t, status: 400, problem: 'body is not JSON' });
    return errorResponse(400, 'bad_request', 'The body is not JSON.');
  }
  const parsed = CreateSessionRequest.safeParse(body);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    core.journal.record({ kind: 'http-session', t, status: 400, problem });
    return errorResponse(400, 'bad_request', problem);
  }
  const conversation = core.openConversation(shareToken);
  const { sessionToken, id: conversationId } = conversation;
  core.journal.record({ kind: 'http-session', t, status: 201, conversationId, sessionToken: fingerprint(sessionToken) });
  return { status: 201, body: { sessionToken, conversationId } };
}

function errorResponse(status: number, error: HttpErrorBody['error'], message: string): HttpResponseLike {
  return { status, body: { error, message } satisfies HttpErrorBody };
}
