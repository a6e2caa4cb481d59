/**
 * HTTP session creation (ai-voice-protocol.md §1): POST /api/sales-agent/{shareToken}/session
 * makes one session token for one conversation, bound to the share token it was created under.
 * The WebSocket upgrade (§2) looks the token up here.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreateSessionRequest, SESSION_PATH_PATTERN, type CreateSessionResponse, type HttpErrorBody } from '../../protocol/messages.ts';
import type { Agent } from './config.ts';
import type { Log } from './log.ts';

export interface Session {
  readonly sessionToken: string;
  readonly conversationId: string;
  readonly shareToken: string;
  readonly agent: Agent;
}

export type CreateOutcome =
  | { readonly status: 201; readonly body: CreateSessionResponse; readonly session: Session }
  | { readonly status: 400 | 404; readonly body: HttpErrorBody };

const MAX_BODY_BYTES = 64 * 1024;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private conversations = 0;

  constructor(
    private readonly agents: ReadonlyMap<string, Agent>,
    private readonly log: Log,
  ) {}

  /** §1: the body is checked after the share token, so an unknown agent is a 404 whatever was sent. */
  create(shareToken: string, bodyText: string): CreateOutcome {
    const agent = this.agents.get(shareToken);
    if (!agent) return { status: 404, body: { error: 'unknown_share_token', message: 'no agent is shared under this token' } };
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return { status: 400, body: { error: 'bad_request', message: 'the body is not JSON' } };
    }
    const parsed = CreateSessionRequest.safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: 'bad_request', message: `prospectName: ${parsed.error.issues[0]?.message ?? 'invalid'}` } };
    const sessionToken = `sess_${randomBytes(24).toString('base64url')}`;
    this.log.secret(sessionToken);
    const conversationId = `conv_${++this.conversations}_${randomBytes(4).toString('hex')}`;
    const session: Session = { sessionToken, conversationId, shareToken, agent };
    this.sessions.set(sessionToken, session);
    return { status: 201, body: { sessionToken, conversationId }, session };
  }

  get(sessionToken: string): Session | undefined {
    return this.sessions.get(sessionToken);
  }

  /** The HTTP route; false when the request is not for it. */
  route(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = SESSION_PATH_PATTERN.exec(path);
    if (!match || req.method !== 'POST') return false;
    let shareToken: string;
    try {
      shareToken = decodeURIComponent(match[1]!);
    } catch {
      send(res, 404, { error: 'unknown_share_token', message: 'no agent is shared under this token' });
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        send(res, 400, { error: 'bad_request', message: 'the body is too large' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const outcome = this.create(shareToken, Buffer.concat(chunks).toString('utf8'));
      this.log.info(`http: session ${outcome.status}${outcome.status === 201 ? ` ${outcome.session.conversationId} (agent ${outcome.session.agent.model}, share token ${shareToken})` : ''}`);
      send(res, outcome.status, outcome.body);
    });
    return true;
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
