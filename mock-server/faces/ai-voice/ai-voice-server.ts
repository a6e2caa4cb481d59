/**
 * The scriptable AI-voice server, transport-agnostic: the AI-voice protocol v1 face over the
 * protocol-neutral core. HTTP session creation (spec §1), the upgrade decision (spec §2), and
 * the codec of each connection are this face's; conversations live in the core. Transports
 * (real `ws` on 127.0.0.1, in-process msw) only move bytes to and from here.
 */
import type { Clock } from '../../../protocol/clock.ts';
import { SESSION_PATH_PATTERN, WS_PATH } from '../../../protocol/messages.ts';
import type { HttpResponseLike, TransportFace, UpgradeDecision, UpgradeRequest } from '../../core/connection-port.ts';
import type { Conversation } from '../../core/conversation.ts';
import type { HandleStore } from '../../core/handle-store.ts';
import type { Journal } from '../../core/journal.ts';
import type { SalesAgent } from '../../core/sales-agent.ts';
import { ServerCore } from '../../core/server-core.ts';
import { acceptScript, type ServerScript, type ServerScriptInput } from '../../script/schema.ts';
import { createSession } from './session-route.ts';
import { decideUpgrade } from './upgrade.ts';

export interface AiVoiceServerOptions {
  clock: Clock;
  /** Seeds tokens, handles, the agent's words and every random fault. Absent: fresh randomness. */
  seed?: number;
  script?: ServerScriptInput | ServerScript;
  /** The share token under which the agent is shared; derived from the seed by default. */
  shareToken?: string;
  /** More share tokens served, each a tenant of its own (a handle of one is foreign to another). */
  tenants?: readonly string[];
  journal?: Journal;
}

export class AiVoiceServer implements TransportFace {
  readonly core: ServerCore;
  readonly wsPath = WS_PATH;

  constructor(options: AiVoiceServerOptions) {
    const { script, ...rest } = options;
    this.core = new ServerCore({ ...rest, script: acceptScript(script) });
  }

  get clock(): Clock { return this.core.clock; }
  get journal(): Journal { return this.core.journal; }
  get script(): ServerScript { return this.core.script; }
  get shareToken(): string { return this.core.shareToken; }
  get handles(): HandleStore { return this.core.handles; }
  get agent(): SalesAgent { return this.core.agent; }
  get conversations(): Conversation[] { return this.core.conversations; }

  createSession(shareToken: string, rawBody: string): HttpResponseLike {
    return createSession(this.core, shareToken, rawBody);
  }

  /** Decides an upgrade of `GET /ws/ai-voice?…` (spec §2). */
  upgrade(url: URL): UpgradeDecision {
    return decideUpgrade(this.core, url);
  }

  /** Any upgrade a transport received: only the AI-voice path opens a WebSocket (repeated slashes collapse). */
  upgradeRequest(request: UpgradeRequest): UpgradeDecision {
    const url = new URL(request.rawUrl.replace(/^\/{2,}/, '/'), 'http://127.0.0.1');
    if (url.pathname.replace(/\/{2,}/g, '/') !== WS_PATH) return { accept: false, status: 404, body: 'not found' };
    return this.upgrade(url);
  }

  /** `POST /api/sales-agent/{shareToken}/session` (spec §1); nothing else is routed. */
  httpRequest(method: string, rawPath: string, body: string): HttpResponseLike | undefined {
    const path = new URL(rawPath.replace(/^\/{2,}/, '/'), 'http://127.0.0.1').pathname.replace(/\/{2,}/g, '/');
    const match = SESSION_PATH_PATTERN.exec(path);
    if (method !== 'POST' || !match) return undefined;
    return this.createSession(decodeURIComponent(match[1] ?? ''), body);
  }

  /** Everything redaction must hide: the share token, session tokens, every handle. */
  secrets(): string[] {
    return this.core.secrets();
  }

  restart(code: number, reason: string, forgetHandles: boolean): void {
    this.core.restart(code, reason, forgetHandles);
  }

  /** Stops every timer; open connections are left to the transport to close. */
  dispose(): void {
    this.core.dispose();
  }
}
