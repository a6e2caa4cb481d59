/**
 * A client that hangs (issue 12, item 4): it creates its session, opens the WebSocket, and then
 * does nothing at all — it answers no turn, never reconnects, never reports. Over the network
 * the harness must cut it soon (harness/run/hang-limits.ts), not at the scenario's 4-hour limit.
 */
import { WebSocket } from 'ws';
import type { SystemUnderTest } from '../../harness/sut/system-under-test.ts';

export function hangingClient(): SystemUnderTest {
  return {
    id: 'hangs',
    kind: 'builtin',
    modes: ['network'],
    protocols: ['ai-voice'],
    async run(ctx) {
      const response = await fetch(`${ctx.httpUrl}/api/sales-agent/${ctx.shareToken}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prospectName: 'Hang' }) });
      const { sessionToken } = (await response.json()) as { sessionToken: string };
      const socket = new WebSocket(`${ctx.wsUrl}?mode=sales_agent&sessionToken=${encodeURIComponent(sessionToken)}&shareToken=${encodeURIComponent(ctx.shareToken)}`);
      socket.on('error', () => {});
      return new Promise(() => {});
    },
  };
}
