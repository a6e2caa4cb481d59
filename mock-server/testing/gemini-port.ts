/**
 * A Gemini Live client's end of a connection to the mock's Gemini face, on a manual clock: the
 * test support of the face's unit tests (kick-off.test.ts, resume-handle-delay.test.ts,
 * tenants.test.ts).
 */
import type { ConnectionPort, IncomingData } from '../core/connection-port.ts';
import { GEMINI_WS_PATH, GeminiLiveServer, type GeminiLiveServerOptions } from '../faces/gemini-live/gemini-live-server.ts';
import { manualClock } from './fake-port.ts';

/** A Gemini client's end of one connection: what it sends, and the server messages it got (binary JSON frames). */
export class GeminiPort implements ConnectionPort {
  readonly capabilities = { pings: false, halfOpen: 'emulated' as const };
  readonly got: Array<Record<string, unknown>> = [];
  closedWith: { code: number; reason: string } | null = null;
  private data: ((data: IncomingData) => void) | null = null;
  private closeListener: ((code: number, reason: string, by: 'client' | 'server' | 'network') => void) | null = null;
  sendText(text: string): void { this.got.push(JSON.parse(text) as Record<string, unknown>); }
  sendBinary(bytes: Uint8Array): void { this.got.push(JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>); }
  close(code: number, reason: string): void { this.closedWith = { code, reason }; }
  drop(): void {}
  halfOpen(): void {}
  setPongs(): void {}
  onData(listener: (data: IncomingData) => void): void { this.data = listener; }
  onClose(listener: (code: number, reason: string, by: 'client' | 'server' | 'network') => void): void { this.closeListener = listener; }
  send(message: object): void { this.data?.({ text: JSON.stringify(message) }); }
  clientClose(): void { this.closeListener?.(1000, '', 'client'); }
  /** The words of the model's completed turns, one entry per turnComplete. */
  get turns(): string[] {
    const turns: string[] = [];
    let current = '';
    for (const m of this.got) {
      const content = m.serverContent as { modelTurn?: { parts: Array<{ text?: string }> }; turnComplete?: boolean } | undefined;
      for (const part of content?.modelTurn?.parts ?? []) current += part.text ?? '';
      if (content?.turnComplete) { turns.push(current); current = ''; }
    }
    return turns;
  }
  get handles(): string[] {
    return this.got.flatMap((m) => {
      const u = m.sessionResumptionUpdate as { newHandle: string; resumable: boolean } | undefined;
      return u?.resumable ? [u.newHandle] : [];
    });
  }
}

export const TEXT_SETUP = { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] }, sessionResumption: {} };
export const userTurn = (text: string) => ({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } });
/** The face on a manual clock (agent: greeting 0.5 s, replies 1 s, chunks 0.2 s apart), and a connect that sends a text setup, with a handle or none. */
export function geminiFace(options: Partial<GeminiLiveServerOptions> = {}) {
  const clock = manualClock();
  const server = new GeminiLiveServer({ clock, seed: 9, script: { expiry: { enabled: false }, agent: { replyDelay: [1, 1], greetingDelay: 0.5, chunkGap: 0.2 } }, ...options });
  const connect = (handle?: string): GeminiPort => {
    const decision = server.upgradeRequest({ rawUrl: `${GEMINI_WS_PATH}?key=${server.apiKey}`, headers: {} });
    if (!decision.accept) throw new Error('upgrade refused');
    const port = new GeminiPort();
    decision.attach(port);
    port.send({ setup: { ...TEXT_SETUP, sessionResumption: handle ? { handle } : {} } });
    return port;
  };
  return { clock, server, connect };
}
