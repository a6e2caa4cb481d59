/**
 * One upstream Gemini Live connection (docs/gemini-live.md), through @google/genai 2.32.0,
 * which reads GOOGLE_GEMINI_BASE_URL itself (§1.8, §7.1). Opened with the agent's model and
 * `sessionResumption` ({} fresh, { handle } resume), as server-contract.md §2 asks.
 *
 * 2.32.0's `connect()` waits for setupComplete and never settles when the upstream closes
 * (or refuses) before it (§1.8, §7.4). So readiness is not `await connect()`: the connection
 * is ready when connect() resolves, and it has failed when `onclose` fires first or when the
 * connect deadline (10 protocol seconds, on the scaled clock) passes first. A socket whose
 * connect() never settled can only be closed through the SDK's WebSocket factory, which is
 * wrapped for that one purpose (protocol/gemini-live/sdk-socket.ts).
 */
import { GoogleGenAI, Modality, type LiveConnectConfig, type LiveServerMessage, type Session } from '@google/genai';
import type { Clock, TimerHandle } from '../../protocol/clock.ts';
import { liveSocketCatcher } from '../../protocol/gemini-live/sdk-socket.ts';

export interface UpstreamRequest {
  readonly model: string;
  /** Fresh sessions only: a resume keeps the instruction Gemini has. */
  readonly systemInstruction?: string;
  /** Resume with this handle; absent: a fresh session. */
  readonly handle?: string;
  /** For log lines: which client connection this upstream serves. */
  readonly label: string;
}

export interface UpstreamClosed {
  readonly code: number;
  readonly reason: string;
  /** The upstream ended before setupComplete: Gemini rejected the setup (or never answered it). */
  readonly beforeReady: boolean;
  /** The connect deadline passed before setupComplete; the server closed the socket itself. */
  readonly timedOut: boolean;
}

export interface UpstreamEvents {
  /** The upstream socket opened: the setup is on its way, nothing is answered yet. Proves nothing about a handle. */
  opened?(): void;
  /** setupComplete: the session exists (for a resume, Gemini accepted the handle). */
  ready(): void;
  /** Every server message after setupComplete, in order. */
  message(message: LiveServerMessage): void;
  /** The upstream ended, not at this server's request. Called at most once, never after close(). */
  closed(closed: UpstreamClosed): void;
}

export interface Upstream {
  /** One user turn with turnComplete (the kick-off, or a prospect message). Only after ready. */
  sendTurn(text: string): void;
  /** Ends the connection (whether ready or not); no `closed` event follows. */
  close(): void;
}

export type UpstreamFactory = (request: UpstreamRequest, events: UpstreamEvents) => Upstream;

export interface GeminiUpstreamOptions {
  readonly apiKey: string;
  /** Protocol time: the connect deadline is counted on it. */
  readonly clock: Clock;
  /** Protocol milliseconds until a setup without setupComplete has failed. */
  readonly connectTimeoutMs: number;
  /** The upstream base URL; absent (the server's case), @google/genai reads GOOGLE_GEMINI_BASE_URL. */
  readonly baseUrl?: string;
}

export function geminiUpstreamFactory(options: GeminiUpstreamOptions): UpstreamFactory {
  const ai = new GoogleGenAI({ apiKey: options.apiKey, ...(options.baseUrl !== undefined ? { httpOptions: { baseUrl: options.baseUrl } } : {}) });
  const opening = liveSocketCatcher(ai);

  return (request, events) => {
    let state: 'connecting' | 'ready' | 'closed' = 'connecting';
    let session: Session | undefined;
    let sawSetupComplete = false;
    // Messages the SDK delivers before connect() has returned (it flushes its own queue just
    // before returning), and a close that came right behind setupComplete: replayed in order.
    const early: LiveServerMessage[] = [];
    let closeBehindSetup: UpstreamClosed | undefined;

    const finish = (closed: UpstreamClosed): void => {
      if (state === 'closed') return;
      state = 'closed';
      options.clock.clearTimeout(deadline);
      events.closed(closed);
    };

    const deadline: TimerHandle = options.clock.setTimeout(() => {
      if (state !== 'connecting' || sawSetupComplete) return;
      finish({ code: 0, reason: 'no setupComplete before the connect deadline', beforeReady: true, timedOut: true });
      closeSocket();
    }, options.connectTimeoutMs);

    const config: LiveConnectConfig = {
      responseModalities: [Modality.AUDIO],
      outputAudioTranscription: {},
      sessionResumption: request.handle !== undefined ? { handle: request.handle } : {},
      ...(request.systemInstruction ? { systemInstruction: request.systemInstruction } : {}),
    };

    let connecting!: Promise<Session>;
    const socket = opening(() => {
      connecting = ai.live.connect({
        model: request.model,
        config,
        callbacks: {
          onopen: () => {
            if (state === 'connecting') events.opened?.();
          },
          onmessage: (message: LiveServerMessage) => {
            if (state === 'ready') {
              events.message(message);
              return;
            }
            if (state !== 'connecting') return;
            if (message.setupComplete !== undefined) sawSetupComplete = true;
            early.push(message);
          },
          onclose: (event: { code: number; reason: string }) => {
            const closed = { code: event.code, reason: String(event.reason ?? ''), beforeReady: state === 'connecting', timedOut: false };
            // setupComplete has arrived and connect() is about to resolve: the close comes after it.
            if (state === 'connecting' && sawSetupComplete) closeBehindSetup = { ...closed, beforeReady: false };
            else finish(closed);
          },
          onerror: () => {
            // The close that follows says what happened.
          },
        },
      });
    });

    const closeSocket = (): void => {
      try {
        if (session) session.close();
        else socket?.close();
      } catch {
        // Not connected yet, or already closed: nothing is left open.
      }
    };

    connecting.then(
      (opened) => {
        session = opened;
        if (state !== 'connecting') {
          closeSocket();
          return;
        }
        state = 'ready';
        options.clock.clearTimeout(deadline);
        events.ready();
        for (const message of early.splice(0)) {
          if (message.setupComplete !== undefined) continue;
          if (state !== 'ready') break;
          events.message(message);
        }
        if (closeBehindSetup && state === 'ready') finish(closeBehindSetup);
      },
      // @google/genai 3.x rejects where 2.32.0 hangs: the same failure.
      (error: unknown) => finish({ code: 0, reason: `connect failed: ${(error as Error)?.message ?? String(error)}`, beforeReady: true, timedOut: false }),
    );

    return {
      sendTurn: (text) => {
        if (state !== 'ready' || !session) return;
        session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
      },
      close: () => {
        if (state === 'closed') return;
        state = 'closed';
        options.clock.clearTimeout(deadline);
        closeSocket();
      },
    };
  };
}
