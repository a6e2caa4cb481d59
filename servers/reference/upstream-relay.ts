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
 */
import type { LiveServerMessage } from '@google/genai';
import { parseDuration, durationToMillis } from '../../protocol/gemini-live/duration.ts';
import type { ServerMessage } from '../../protocol/messages.ts';

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

  /** The newest resumable handle of this upstream connection. */
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
      if (update.resumable === true && typeof update.newHandle === 'string' && update.newHandle.length > 0) {
        this.newest = update.newHandle;
        issued = update.newHandle;
        frames.push({ kind: 'json', message: { type: 'session_resumption_update', handle: update.newHandle, resumable: true } });
      } else if (update.resumable !== true) {
        frames.push({ kind: 'json', message: { type: 'session_resumption_update', handle: '', resumable: false } });
      }
    }
    if (message.goAway) {
      this.goAway = true;
      if (this.newest !== undefined) frames.push({ kind: 'json', message: { type: 'session_resumption_update', handle: this.newest, resumable: true } });
      frames.push({ kind: 'json', message: { type: 'session_expiring', message: EXPIRING_MESSAGE, timeLeft: timeLeftSeconds(message.goAway.timeLeft), hasHandle: this.newest !== undefined } });
    }
    return issued !== undefined ? { frames, issued } : { frames };
  }

  private words(text: string, frames: ClientFrame[]): void {
    if (this.held !== undefined) frames.push({ kind: 'json', message: { type: 'transcript', role: 'agent', text: this.held, final: false } });
    this.held = text;
  }
}

/** goAway.timeLeft is a protobuf Duration string ("50s"); seconds, 0 when absent or malformed. */
export function timeLeftSeconds(timeLeft: string | undefined): number {
  if (timeLeft === undefined) return 0;
  const parsed = parseDuration(timeLeft);
  if (!parsed.ok) return 0;
  return Math.max(0, durationToMillis(parsed.duration) / 1000);
}
