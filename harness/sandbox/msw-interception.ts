/**
 * One msw server for the process, routed to whichever mock AI-voice server the current
 * virtual run uses. msw patches `globalThis.WebSocket`, which Node 20 lacks without a flag:
 * the `ws` class stands in as the class msw wraps (it is never constructed while a handler
 * matches).
 */
import { WebSocket as WsWebSocket } from 'ws';
import type { SetupServer } from 'msw/node';
import type { TransportFace } from '../../mock-server/index.ts';
import { mswTransport, type MswTransport } from '../../mock-server/index.ts';
import { HarnessError } from '../errors.ts';

let api: SetupServer | null = null;
let transport: MswTransport | null = null;
let current: TransportFace | null = null;

export async function interceptFor(server: TransportFace): Promise<void> {
  current = server;
  if (api) return;
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
    (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
  }
  const { setupServer } = await import('msw/node');
  const made = mswTransport(() => {
    if (!current) throw new HarnessError('SANDBOX_NO_SERVER', 'no mock server is active for this virtual run');
    return current;
  });
  const created = setupServer(...made.handlers);
  created.listen({ onUnhandledRequest: 'error' });
  api = created;
  transport = made;
}

export function releaseInterception(): void {
  current = null;
}

/** Stops intercepting entirely (tests that need the real globals back). */
export function stopInterception(): void {
  // Before the handlers go: what msw keeps for them outlives the server otherwise (msw-handlers.ts).
  transport?.dispose();
  api?.close();
  api = null;
  transport = null;
  current = null;
}
