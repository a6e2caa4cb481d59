/**
 * The scriptable AI-voice server, transport-agnostic: HTTP session creation (spec §1),
 * the upgrade decision (spec §2), and conversations behind them. Transports (real `ws`
 * on 127.0.0.1, in-process msw) only move bytes to and from here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../protocol/clock.ts';
import { CreateSessionRequest, type HttpErrorBody } from '../../protocol/messages.ts';
import { fingerprint, SecretRedactor } from '../../protocol/redact.ts';
import { createRng, type Rng } from '../../protocol/rng.ts';
import { ServerScript, type ServerScriptInput } from '../script/schema.ts';
import type { HttpResponseLike, UpgradeDecision } from './connection-port.ts';
import { Conversation } from './conversation.ts';
import { deriveSecret, HandleStore } from './handle-store.ts';
import { Journal } from './journal.ts';
import { SalesAgent } from './sales-agent.ts';

export interface AiVoiceServerOptions {
  clock: Clock;
  /** Seeds tokens, handles, the agent's words and every random fault. Absent: fresh randomness. */
  seed?: number;
  script?: ServerScriptInput | ServerScript;
  /** The share token under which the agent is shared; derived from the seed by default. */
  shareToken?: string;
  journal?: Journal;
}

export class AiVoiceServer {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly script: ServerScript;
  readonly shareToken: string;
  readonly handles: HandleStore;
  readonly agent: SalesAgent;
  private readonly key: Uint8Array;
  private readonly rng: Rng;
  private readonly bySessionToken = new Map<string, Conversation>();
  /** Learns every secret as it is made: frames reach the journal already redacted. */
  private readonly redactor = new SecretRedactor();
  private connectionIds = 0;
  readonly conversations: Conversation[] = [];

  constructor(options: AiVoiceServerOptions) {
    this.clock = options.clock;
    this.journal = options.journal ?? new Journal();
    this.script = ServerScript.parse(options.script ?? {});
    const seed = options.seed ?? randomBytes(4).readUInt32LE(0);
    this.key = options.seed === undefined ? randomBytes(32) : createHash('sha256').update(`resume-harness:${seed}`).digest();
    this.rng = createRng(seed);
    this.shareToken = options.shareToken ?? `share_${deriveSecret(this.key, 'share-token', 12)}`;
    this.redactor.add(this.shareToken);
    this.handles = new HandleStore(this.key, this.script.handles.bytes, (value) => this.redactor.add(value));
    this.agent = new SalesAgent({ seed });
  }

  createSession(shareToken: string, rawBody: string): HttpResponseLike {
    const t = this.clock.now();
    if (shareToken !== this.shareToken) {
      this.journal.record({ kind: 'http-session', t, status: 404, problem: 'unknown share token' });
      return errorResponse(404, 'unknown_share_token', 'No agent is shared under that token.');
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      this.journal.record({ kind: 'http-session', t, status: 400, problem: 'body is not JSON' });
      return errorResponse(400, 'bad_request', 'The body is not JSON.');
    }
    const parsed = CreateSessionRequest.safeParse(body);
    if (!parsed.success) {
      const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      this.journal.record({ kind: 'http-session', t, status: 400, problem });
      return errorResponse(400, 'bad_request', problem);
    }
    const n = this.conversations.length + 1;
    const sessionToken = `st_${deriveSecret(this.key, `session-token:${n}`, 16)}`;
    this.redactor.add(sessionToken);
    const conversationId = `conv_${deriveSecret(this.key, `conversation:${n}`, 6)}`;
    const conversation = new Conversation(conversationId, sessionToken, this.shareToken, n, this.rng.fork(`conversation:${n}`), this.hostFor());
    this.conversations.push(conversation);
    this.bySessionToken.set(sessionToken, conversation);
    this.journal.record({ kind: 'http-session', t, status: 201, conversationId, sessionToken: fingerprint(sessionToken) });
    return { status: 201, body: { sessionToken, conversationId } };
  }

  /** Decides an upgrade of `GET /ws/ai-voice?…` (spec §2). */
  upgrade(url: URL): UpgradeDecision {
    const t = this.clock.now();
    const q = url.searchParams;
    const sessionToken = q.get('sessionToken');
    const shareToken = q.get('shareToken');
    const presented = q.get('resumeHandle');
    const conversation = sessionToken ? this.bySessionToken.get(sessionToken) : undefined;
    const handleNote = presented ? { handle: fingerprint(presented) } : {};
    if (q.get('mode') !== 'sales_agent') {
      this.journal.record({ kind: 'upgrade-rejected', t, status: 400, reason: `mode must be sales_agent, got ${q.get('mode') ?? 'none'}`, ...handleNote });
      return { accept: false, status: 400, body: 'unsupported mode' };
    }
    if (!conversation || shareToken !== conversation.shareToken) {
      const reason = !sessionToken ? 'missing sessionToken' : !conversation ? 'unknown sessionToken' : 'shareToken does not match the session';
      this.journal.record({ kind: 'upgrade-rejected', t, status: 401, reason, ...(conversation ? { conversationId: conversation.id } : {}), ...handleNote });
      return { accept: false, status: 401, body: 'unauthorised' };
    }
    if (conversation.ended) {
      // A finished conversation's token no longer opens anything.
      this.journal.record({ kind: 'upgrade-rejected', t, status: 401, reason: 'the conversation has ended', conversationId: conversation.id, ...handleNote });
      return { accept: false, status: 401, body: 'conversation ended' };
    }
    const gate = conversation.gate();
    if (gate.rejectStatus !== undefined) {
      this.journal.record({ kind: 'upgrade-rejected', t, status: gate.rejectStatus, reason: 'fault: outage', conversationId: conversation.id, attempt: conversation.attempts, ...handleNote });
      return { accept: false, status: gate.rejectStatus, body: 'service unavailable' };
    }
    return {
      accept: true,
      delayMs: gate.delayMs,
      attach: (port) => {
        conversation.attach(port, presented && presented.length > 0 ? presented : null, gate);
      },
    };
  }

  /** Everything redaction must hide: the share token, session tokens, every handle. */
  secrets(): string[] {
    return [this.shareToken, ...this.conversations.map((c) => c.sessionToken), ...this.handles.values()];
  }

  restart(code: number, reason: string, forgetHandles: boolean): void {
    this.journal.record({ kind: 'restart', t: this.clock.now() });
    if (forgetHandles) this.handles.forgetAll();
    for (const conversation of this.conversations) {
      for (const conn of conversation.openConnections()) conn.serverClose(code, reason, 'fault: restart');
    }
  }

  /** Stops every timer; open connections are left to the transport to close. */
  dispose(): void {
    for (const conversation of this.conversations) {
      for (const conn of conversation.openConnections()) conn.serverClose(1001, 'server shutting down', 'shutdown');
      conversation.dispose();
    }
  }

  private hostFor(): ConstructorParameters<typeof Conversation>[5] {
    return {
      clock: this.clock,
      journal: this.journal,
      handles: this.handles,
      agent: this.agent,
      script: this.script,
      redact: (text) => this.redactor.redact(text),
      restart: (code, reason, forget) => this.restart(code, reason, forget),
      nextConnectionId: () => ++this.connectionIds,
    };
  }
}

function errorResponse(status: number, error: HttpErrorBody['error'], message: string): HttpResponseLike {
  return { status, body: { error, message } satisfies HttpErrorBody };
}
