/**
 * The protocol-neutral server: the secrets derived from the seed, the handle store, the agent,
 * the journal, and the conversations with their fault runners. A protocol face (faces/) opens
 * conversations here and attaches connections to them; nothing here knows any wire.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../protocol/clock.ts';
import { SecretRedactor } from '../../protocol/redact.ts';
import { createRng, type Rng } from '../../protocol/rng.ts';
import type { ServerScript } from '../script/schema.ts';
import { Conversation, type ConversationHost } from './conversation.ts';
import { FaultRunner } from './fault-runner.ts';
import { deriveSecret, HandleStore } from './handle-store.ts';
import { Journal } from './journal.ts';
import { SalesAgent } from './sales-agent.ts';

export interface ServerCoreOptions {
  clock: Clock;
  /** Seeds tokens, handles, the agent's words and every random fault. Absent: fresh randomness. */
  seed?: number;
  /** Already validated: faces validate raw scripts before they get here. */
  script: ServerScript;
  /** The share token under which the agent is shared; derived from the seed by default. */
  shareToken?: string;
  /**
   * More share tokens (API keys on the Gemini face) the server also serves, each a tenant of its
   * own: a handle minted under one is `foreign` under another (spec §5.1), so a cross-tenant
   * resume can be tried against one server.
   */
  tenants?: readonly string[];
  journal?: Journal;
}

export class ServerCore {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly script: ServerScript;
  readonly shareToken: string;
  /** Every share token served: the main one first, then `tenants`. */
  readonly shareTokens: readonly string[];
  readonly handles: HandleStore;
  readonly agent: SalesAgent;
  readonly conversations: Conversation[] = [];
  private readonly key: Uint8Array;
  private readonly rng: Rng;
  private readonly bySessionToken = new Map<string, Conversation>();
  /** Learns every secret as it is made: frames reach the journal already redacted. */
  private readonly redactor = new SecretRedactor();
  private connectionIds = 0;

  constructor(options: ServerCoreOptions) {
    this.clock = options.clock;
    this.journal = options.journal ?? new Journal();
    this.script = options.script;
    const seed = options.seed ?? randomBytes(4).readUInt32LE(0);
    this.key = options.seed === undefined ? randomBytes(32) : createHash('sha256').update(`resume-harness:${seed}`).digest();
    this.rng = createRng(seed);
    this.shareToken = options.shareToken ?? `share_${deriveSecret(this.key, 'share-token', 12)}`;
    this.shareTokens = [this.shareToken, ...(options.tenants ?? []).filter((t) => t !== this.shareToken)];
    for (const token of this.shareTokens) this.redactor.add(token);
    this.handles = new HandleStore(this.key, this.script.handles.bytes, (value) => this.redactor.add(value));
    this.agent = new SalesAgent({ seed });
  }

  /**
   * A new conversation with its secret session token; its fault runner starts at once, so a
   * rule `at: 0` acts as the conversation is created, before anything is journaled about it.
   */
  openConversation(shareToken: string = this.shareToken): Conversation {
    const n = this.conversations.length + 1;
    const sessionToken = `st_${deriveSecret(this.key, `session-token:${n}`, 16)}`;
    this.redactor.add(sessionToken);
    const conversationId = `conv_${deriveSecret(this.key, `conversation:${n}`, 6)}`;
    const rng = this.rng.fork(`conversation:${n}`);
    const conversation = new Conversation(conversationId, sessionToken, shareToken, n, rng, this.hostFor());
    new FaultRunner(conversation, this.script.faults, rng.fork('faults')).start();
    this.conversations.push(conversation);
    this.bySessionToken.set(sessionToken, conversation);
    return conversation;
  }

  /** A share token this server serves (any tenant's). */
  serves(shareToken: string): boolean {
    return this.shareTokens.includes(shareToken);
  }

  conversationOf(sessionToken: string): Conversation | undefined {
    return this.bySessionToken.get(sessionToken);
  }

  /** A text with every secret the server knows replaced by its fingerprint. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Everything redaction must hide: the share token, session tokens, every handle. */
  secrets(): string[] {
    return [...this.shareTokens, ...this.conversations.map((c) => c.sessionToken), ...this.handles.values()];
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

  private hostFor(): ConversationHost {
    return {
      clock: this.clock,
      journal: this.journal,
      handles: this.handles,
      agent: this.agent,
      script: this.script,
      restart: (code, reason, forget) => this.restart(code, reason, forget),
      nextConnectionId: () => ++this.connectionIds,
    };
  }
}
