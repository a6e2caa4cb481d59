/**
 * The scriptable AI-voice server, transport-agnostic: the AI-voice protocol v1 face over the
 * protocol-neutral core. HTTP session creation (spec §1), the upgrade decision (spec §2), and
 * the codec of each connection are this face's; conversations live in the core. Transports
 * (real `ws` on 127.0.0.1, in-process msw) only move bytes to and from here.
 */
import type { Clock } from '../../../protocol/clock.ts';
import type { HttpResponseLike, UpgradeDecision } from '../../core/connection-port.ts';
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
  journal?: Journal;
}

export class AiVoiceServer {
  readonly core: ServerCore;

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
