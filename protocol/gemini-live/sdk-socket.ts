/**
 * The one reach into @google/genai's internals that a Gemini Live client or relay needs: the
 * socket behind a `live.connect()` call. 2.32.0's `connect()` never settles when the server
 * closes before setupComplete (docs/gemini-live.md §1.8, §7.4), so the caller that gives up
 * waiting has no session to close; closing this socket is the only way to end the connection.
 *
 * It wraps the Live module's private WebSocket factory. In Gemini API mode `connect()` creates
 * its socket synchronously, before its first await (read in 2.32.0's `Live.connect`, both
 * builds), so the socket created during a call is that call's. Typed structurally: protocol/
 * does not depend on the SDK.
 */

/** The SDK's transport, as far as closing it needs. */
export interface LiveSocket {
  close(): void;
}

interface SocketFactory {
  create(...args: unknown[]): LiveSocket;
}

/** For a `GoogleGenAI` client: runs `open` (one `live.connect(...)` call) and gives the socket it created, if any. */
export function liveSocketCatcher(ai: object): (open: () => void) => LiveSocket | undefined {
  const live = (ai as { live?: { webSocketFactory?: SocketFactory } }).live;
  const factory = live?.webSocketFactory;
  let created: LiveSocket | undefined;
  if (live && factory && typeof factory.create === 'function') {
    live.webSocketFactory = {
      create: (...args: unknown[]) => {
        created = factory.create(...args);
        return created;
      },
    };
  }
  return (open) => {
    created = undefined;
    open();
    const socket = created;
    created = undefined;
    return socket;
  };
}
