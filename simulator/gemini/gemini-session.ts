/**
 * One Gemini Live connection through @google/genai 2.32.0 (docs/gemini-live.md §1.8, §7.4),
 * wrapped so that opening it always ends: with the session once `connect()` resolves, with the
 * close when the server closes before setupComplete (the SDK's `connect()` then never settles,
 * only `onclose` runs: that close is the server's answer, typically a rejected handle, §1.6),
 * or with a timeout on the client's clock.
 */
import type { Clock } from '../../protocol/clock.ts';
import { liveSocketCatcher } from '../../protocol/gemini-live/sdk-socket.ts';

export type SdkBuild = 'node' | 'web';

/** The parts of a server message the client reads (the SDK's LiveServerMessage). */
export interface GeminiServerMessage {
  setupComplete?: unknown;
  serverContent?: {
    modelTurn?: { parts?: { text?: string }[] };
    outputTranscription?: { text?: string };
    generationComplete?: boolean;
    turnComplete?: boolean;
    interrupted?: boolean;
  };
  sessionResumptionUpdate?: { newHandle?: string; resumable?: boolean };
  goAway?: { timeLeft?: string };
}

/** The parts of the SDK's Session the client uses. */
interface SdkSession {
  sendClientContent(params: { turns?: { role: string; parts: { text: string }[] }[]; turnComplete?: boolean }): void;
  close(): void;
}

interface SdkModule {
  GoogleGenAI: new (options: { apiKey: string; httpOptions?: { baseUrl?: string } }) => {
    live: {
      connect(params: {
        model: string;
        config: Record<string, unknown>;
        callbacks: {
          onopen?: () => void;
          onmessage: (message: GeminiServerMessage) => void;
          onerror?: (event: unknown) => void;
          onclose?: (event: { code?: number; reason?: string }) => void;
        };
      }): Promise<SdkSession>;
    };
  };
}

const sdkModules = new Map<SdkBuild, Promise<SdkModule>>();

/** The SDK build, loaded once: the web build uses globalThis.WebSocket (msw can intercept it). */
export function loadSdk(build: SdkBuild): Promise<SdkModule> {
  let module = sdkModules.get(build);
  if (!module) {
    module = (build === 'web' ? import('@google/genai/web') : import('@google/genai')) as unknown as Promise<SdkModule>;
    sdkModules.set(build, module);
  }
  return module;
}

export interface OpenOptions {
  sdk: SdkBuild;
  baseUrl: string;
  apiKey: string;
  model: string;
  /** The handle to resume with; null asks for a fresh session that receives handles (`sessionResumption: {}`). */
  handle: string | null;
  clock: Clock;
  /** null: no timeout, wait for `connect()` alone. */
  connectTimeoutMs: number | null;
  /** With a timeout: a close before setupComplete ends the wait (null timeout: the SDK's behaviour, it does not). */
  onMessage(message: GeminiServerMessage, beforeConnectResolved: boolean): void;
  /** A close after the session opened (not for closes the client asked for through `close()`). */
  onClose(code: number, reason: string): void;
}

export type OpenResult =
  | { readonly ok: true; readonly session: GeminiSession }
  | { readonly ok: false; readonly why: 'closed'; readonly code: number; readonly reason: string }
  | { readonly ok: false; readonly why: 'timeout' }
  | { readonly ok: false; readonly why: 'error'; readonly message: string };

export class GeminiSession {
  private closedByClient = false;
  private closeWaiters: (() => void)[] = [];
  closed = false;

  constructor(private readonly sdkSession: SdkSession) {}

  /** A user turn the model answers (turnComplete: true, the SDK's default). */
  sendUserTurn(text: string): void {
    this.sdkSession.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
  }

  /** Turns written into the context without asking for an answer (§1.3: seeded history). */
  sendHistory(turns: readonly { role: 'user' | 'model'; text: string }[]): void {
    this.sdkSession.sendClientContent({ turns: turns.map((t) => ({ role: t.role, parts: [{ text: t.text }] })), turnComplete: false });
  }

  get closing(): boolean {
    return this.closedByClient;
  }

  /** Closes the connection; its close is not reported through onClose. Resolves when it closed, or after `waitMs`. */
  close(clock: Clock, waitMs: number): Promise<void> {
    if (!this.closedByClient) {
      this.closedByClient = true;
      try {
        this.sdkSession.close();
      } catch {
        // already closed
      }
    }
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => resolve(), waitMs);
      this.closeWaiters.push(() => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  /** @internal the SDK's onclose for this session. */
  markClosed(): boolean {
    this.closed = true;
    for (const waiter of this.closeWaiters.splice(0)) waiter();
    return !this.closedByClient;
  }
}

/** Opens a connection; always settles when `connectTimeoutMs` is set (see the file comment). */
export async function openGeminiSession(o: OpenOptions): Promise<OpenResult> {
  const sdk = await loadSdk(o.sdk);
  const ai = new sdk.GoogleGenAI({ apiKey: o.apiKey, httpOptions: { baseUrl: o.baseUrl } });
  // 2.32.0's connect() may never settle: the socket it opened is what a timeout closes.
  const opening = liveSocketCatcher(ai);
  let session: GeminiSession | null = null;
  let settled = false;
  let abandoned = false;
  let settle: (result: OpenResult) => void = () => undefined;
  const result = new Promise<OpenResult>((resolve) => {
    settle = (r) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
  });
  let preSetupClose: { code: number; reason: string } | null = null;

  const config: Record<string, unknown> = {
    responseModalities: ['TEXT'],
    sessionResumption: o.handle === null ? {} : { handle: o.handle },
  };
  let connecting!: ReturnType<typeof ai.live.connect>;
  const socket = opening(() => {
    connecting = ai.live.connect({
      model: o.model,
      config,
      callbacks: {
        // Messages the SDK queued until setupComplete are delivered before connect() resolves.
        onmessage: (message) => {
          if (abandoned) return;
          o.onMessage(message, session === null);
        },
        onerror: () => undefined,
        onclose: (event) => {
          const code = typeof event?.code === 'number' ? event.code : 1006;
          const reason = typeof event?.reason === 'string' ? event.reason : '';
          if (session !== null) {
            if (session.markClosed() && !abandoned) o.onClose(code, reason);
            return;
          }
          if (o.connectTimeoutMs === null) return; // the SDK alone: connect() never settles
          // connect() may still resolve if setupComplete arrived just before the close: look again
          // once the SDK's own continuation has had its turn.
          preSetupClose = { code, reason };
          o.clock.setTimeout(() => {
            if (session === null && preSetupClose) settle({ ok: false, why: 'closed', ...preSetupClose });
          }, 0);
        },
      },
    });
  });
  connecting.then(
    (sdkSession) => {
      session = new GeminiSession(sdkSession);
      if (abandoned || settled) {
        abandoned = true;
        session.close(o.clock, 0).catch(() => undefined);
        return;
      }
      if (preSetupClose) {
        // Opened and closed in the same breath: report the close as the session's.
        session.markClosed();
        const close = preSetupClose;
        settle({ ok: true, session });
        o.clock.setTimeout(() => o.onClose(close.code, close.reason), 0);
        return;
      }
      settle({ ok: true, session });
    },
    (error: unknown) => settle({ ok: false, why: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
  if (o.connectTimeoutMs !== null) {
    const timer = o.clock.setTimeout(() => {
      if (settled) return;
      abandoned = true;
      // Given up: the connection goes now, not whenever the server gets round to answering.
      try {
        socket?.close();
      } catch {
        // already closing
      }
      settle({ ok: false, why: 'timeout' });
    }, o.connectTimeoutMs);
    void result.then(() => o.clock.clearTimeout(timer));
  }
  return result;
}
