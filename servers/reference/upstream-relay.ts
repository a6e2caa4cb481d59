/**
 * What one upstream Gemini Live connection says, as AI-voice messages for its client
 * (server-contract.md §2; ai-voice-protocol.md §3). Pure: no sockets, no timers.
 *
 * - Agent words (outputTranscription in AUDIO sessions, text parts in TEXT ones) become
 *   `transcript` chunks. Gemini marks the end of a turn only with turnComplete, after the
 *   words, so one chunk is held back and goes out as the `final: true` one then.
 * - Audio parts become binary frames (the only thing binary frames carry).
 * - `sessionResumptionUpdate` with `resumable: true` and a handle becomes
 *   `session_resumption_update`; one with `resumable: false` is passed on only as
 *   `resumable: false` with an empty handle, never as a resumable one.
 * - `goAway` becomes the newest handle again (if there is one), then `session_expiring` with
 *   goAway's timeLeft and `hasHandle`.
 *
 * What a handle update becomes, the goAway order and timeLeft are decisions of the server's
 * behaviour (behaviour.ts): the reference's by default, a mutant's in the gallery.
 */
import type { LiveServerMessage } from '@google/genai';
import type { ServerMessage } from '../../protocol/messages.ts';
import { REFERENCE_BEHAVIOUR, type ServerBehaviour } from './behaviour.ts';

export { timeLeftSeconds } from './behaviour.ts';

export type ClientFrame = { readonly kind: 'json'; readonly message: ServerMessage } | { readonly kind: 'audio'; readonly bytes: Buffer };

export interface Relayed {
  readonly frames: ClientFrame[];
  /** A resumable handle Gemini issued in this message. */
  readonly issued?: string;
}

/** The parts of a LiveServerMessage the relay reads (the SDK's class adds getters it does not need). */
export type UpstreamMessage = Pick<LiveServerMessage, 'serverContent' | 'sessionResumptionUpdate' | 'goAway'>;

export const EXPIRING_MESSAGE = 'The session is about to end: reconnect with the newest handle.';

export class UpstreamRelay {
  private held: string | undefined;
  private newest: string | undefined;
  private goAway = false;
  private relayedResumable = 0;

  constructor(private readonly behaviour: Pick<ServerBehaviour, 'relayedHandle' | 'goAwayOrder' | 'expiringTimeLeft'> = REFERENCE_BEHAVIOUR) {}

  /** The newest handle this upstream connection's client was given as resumable (the reference: Gemini's newest resumable one). */
  get newestHandle(): string | undefined {
    return this.newest;
  }

  /** Gemini has announced the end of this connection. */
  get expiring(): boolean {
    return this.goAway;
  }

  relay(message: UpstreamMessage): Relayed {
    const frames: ClientFrame[] = [];
    let issued: string | undefined;
    const content = message.serverContent;
    if (content) {
      for (const part of content.modelTurn?.parts ?? []) {
        const data = part.inlineData?.data;
        if (typeof data === 'string' && data.length > 0 && (part.inlineData?.mimeType ?? '').startsWith('audio/')) frames.push({ kind: 'audio', bytes: Buffer.from(data, 'base64') });
        if (typeof part.text === 'string' && part.text.length > 0 && part.thought !== true) this.words(part.text, frames);
      }
      const spoken = content.outputTranscription?.text;
      if (typeof spoken === 'string' && spoken.length > 0) this.words(spoken, frames);
      if (content.turnComplete === true) {
        frames.push({ kind: 'json', message: { type: 'transcript', role: 'agent', text: this.held ?? '', final: true } });
        this.held = undefined;
      }
    }
    const update = message.sessionResumptionUpdate;
    if (update) {
      // What Gemini issued is recorded whatever the client is told: the registry holds Gemini's handles.
      if (update.resumable === true && typeof update.newHandle === 'string' && update.newHandle.length > 0) issued = update.newHandle;
      const out = this.behaviour.relayedHandle(update, { newest: this.newest, relayedResumable: this.relayedResumable });
      if (out) {
        if (out.resumable && out.handle.length > 0) {
          this.newest = out.handle;
          this.relayedResumable += 1;
        }
        frames.push({ kind: 'json', message: { type: 'session_resumption_update', handle: out.handle, resumable: out.resumable } });
      }
    }
    if (message.goAway) {
      this.goAway = true;
      const again: ClientFrame[] = this.newest !== undefined ? [{ kind: 'json', message: { type: 'session_resumption_update', handle: this.newest, resumable: true } }] : [];
      const expiring: ClientFrame = { kind: 'json', message: { type: 'session_expiring', message: EXPIRING_MESSAGE, timeLeft: this.behaviour.expiringTimeLeft(message.goAway.timeLeft), hasHandle: this.newest !== undefined } };
      if (this.behaviour.goAwayOrder() === 'handle-then-expiring') frames.push(...again, expiring);
      else frames.push(expiring, ...again);
    }
    return issued !== undefined ? { frames, issued } : { frames };
  }

  private words(text: string, frames: ClientFrame[]): void {
    if (this.held !== undefined) frames.push({ kind: 'json', message: { type: 'transcript', role: 'agent', text: this.held, final: false } });
    this.held = text;
  }
}
