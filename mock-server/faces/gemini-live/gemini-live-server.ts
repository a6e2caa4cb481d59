/**
 * The scriptable Gemini Live server: Google's BidiGenerateContent WebSocket
 * (docs/gemini-live.md §1) as a face over the same protocol-neutral core as the AI-voice
 * server. Gemini has no HTTP session: the API key stands where the AI-voice share token does
 * (it is the one secret a client needs, GEMINI_API_KEY), and the conversation under test is
 * opened by the first upgrade that carries it. A setup without a handle joins it as a fresh
 * model session (its context empty), a setup with a handle resumes it.
 */
import type { Clock } from '../../../protocol/clock.ts';
import type { GeminiClose } from '../../../protocol/gemini-live/close-codes.ts';
import { parseEndpoint } from '../../../protocol/gemini-live/endpoint.ts';
import { GeminiCloses } from '../../../protocol/gemini-live/close-codes.ts';
import type { HttpResponseLike, TransportFace, UpgradeDecision, UpgradeRequest } from '../../core/connection-port.ts';
import type { Conversation } from '../../core/conversation.ts';
import type { HandleStore } from '../../core/handle-store.ts';
import type { Journal } from '../../core/journal.ts';
import { ServerCore } from '../../core/server-core.ts';
import { acceptScript, type ServerScript, type ServerScriptInput } from '../../script/schema.ts';
import { geminiScript } from './gemini-script.ts';
import type { KickOff } from './gemini-codec.ts';
import { awaitSetup, type ModelMemory } from './setup-gate.ts';

export interface GeminiLiveServerOptions {
  clock: Clock;
  /** Seeds the API key, handles, the model's words and every random fault. Absent: fresh randomness. */
  seed?: number;
  script?: ServerScriptInput | ServerScript;
  /** The API key the mock accepts; derived from the seed by default. */
  apiKey?: string;
  /**
   * More API keys the mock accepts, each a tenant with a conversation of its own: a handle
   * minted under one key is foreign under another (spec §5.1), so a cross-tenant resume is refused.
   */
  tenants?: readonly string[];
  journal?: Journal;
  /**
   * The first turn of a fresh session: a user turn like any other (`prospect-turn`, Gemini's
   * reading, the default), or an AI-voice server's kick-off that asks the model to greet
   * (`greeting-request`, server-contract.md §2: the agent streams its greeting as turn 0, no
   * prospect turn is counted). The harness sets it when a server under test stands between the
   * client and this face.
   */
  kickOff?: KickOff;
}

/** Where the SDK connects, after the base URL (§1.8): shown to people, any API version works. */
export const GEMINI_WS_PATH = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

export class GeminiLiveServer implements TransportFace {
  readonly core: ServerCore;
  readonly wsPath = GEMINI_WS_PATH;
  readonly kickOff: KickOff;
  /** Each key's conversation, opened by the first upgrade that carries the key. */
  private readonly byKey = new Map<string, Conversation>();
  private readonly models = new WeakMap<Conversation, string>();
  private readonly modelMemory: ModelMemory = {
    modelOf: (conversation) => this.models.get(conversation),
    remember: (conversation, model) => { this.models.set(conversation, model); },
  };

  constructor(options: GeminiLiveServerOptions) {
    const { script, apiKey, kickOff, ...rest } = options;
    this.kickOff = kickOff ?? 'prospect-turn';
    this.core = new ServerCore({ ...rest, ...(apiKey !== undefined ? { shareToken: apiKey } : {}), script: geminiScript(acceptScript(script)) });
  }

  get clock(): Clock { return this.core.clock; }
  get journal(): Journal { return this.core.journal; }
  get script(): ServerScript { return this.core.script; }
  /** The key a client must present (`?key=`, `x-goog-api-key`, or `?access_token=` on …Constrained). */
  get apiKey(): string { return this.core.shareToken; }
  get handles(): HandleStore { return this.core.handles; }
  get conversations(): Conversation[] { return this.core.conversations; }

  /** The key's conversation (the main key's is the one under test), opened by the first upgrade that carries the key. */
  private conversationNow(key: string): Conversation {
    let conversation = this.byKey.get(key);
    if (conversation === undefined) {
      conversation = this.core.openConversation(key);
      this.byKey.set(key, conversation);
    }
    return conversation;
  }

  upgradeRequest(request: UpgradeRequest): UpgradeDecision {
    const t = this.core.clock.now();
    const endpoint = parseEndpoint({ url: request.rawUrl, headers: request.headers });
    if (!endpoint.ok) {
      const reason = this.core.redact(endpoint.message);
      if (endpoint.via === 'http') {
        this.core.journal.record({ kind: 'upgrade-rejected', t, status: endpoint.status, reason });
        return { accept: false, status: endpoint.status, body: endpoint.message };
      }
      return this.closeAfterUpgrade(endpoint.close, reason);
    }
    const presented = endpoint.credential.kind === 'apiKey' ? endpoint.credential.key : endpoint.credential.token;
    if (!this.core.serves(presented)) return this.closeAfterUpgrade(GeminiCloses.apiKeyInvalid, 'the API key is not the one this mock accepts');
    const conversation = this.conversationNow(presented);
    const gate = conversation.gate();
    if (gate.rejectStatus !== undefined) {
      this.core.journal.record({ kind: 'upgrade-rejected', t, status: gate.rejectStatus, reason: 'fault: outage', conversationId: conversation.id, attempt: conversation.attempts });
      return { accept: false, status: gate.rejectStatus, body: 'service unavailable' };
    }
    return { accept: true, delayMs: gate.delayMs, attach: (port) => awaitSetup(port, conversation, gate, this.core, this.modelMemory, this.kickOff) };
  }

  /** Gemini Live has no plain HTTP routes the harness serves. */
  httpRequest(): HttpResponseLike | undefined {
    return undefined;
  }

  /** Everything redaction must hide: the API key and every handle. */
  secrets(): string[] {
    return this.core.secrets();
  }

  restart(code: number, reason: string, forgetHandles: boolean): void {
    this.core.restart(code, reason, forgetHandles);
  }

  dispose(): void {
    this.core.dispose();
  }

  /** Gemini refuses bad credentials after the upgrade, with a close (§1.7): the socket opens, then closes. */
  private closeAfterUpgrade(close: GeminiClose, reason: string): UpgradeDecision {
    this.core.journal.record({ kind: 'upgrade-rejected', t: this.core.clock.now(), status: 101, closeCode: close.code, reason });
    return { accept: true, delayMs: 0, attach: (port) => port.close(close.code, close.reason) };
  }
}
