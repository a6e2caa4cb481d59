/**
 * `handles.resumeHandleDelay`: a resumed Gemini session sends its own handle soon after
 * `setupComplete` (gemini-live.md §1.4), at once by default; the option holds it back, and a
 * connection closed sooner never gets it (F6: accepted, then closed within 100 ms, the client
 * still holding the handle it presented). accept-then-close-loop.newer-handle rests on it.
 */
import { describe, expect, it } from 'vitest';
import { geminiFace, userTurn } from '../../testing/gemini-port.ts';

const script = (resumeHandleDelay?: number) => ({
  expiry: { enabled: false },
  agent: { replyDelay: [1, 1] as [number, number], greetingDelay: 0.5, chunkGap: 0.2 },
  ...(resumeHandleDelay === undefined ? {} : { handles: { resumeHandleDelay } }),
});

/** A first connection that carries one turn and leaves, and the newest handle it was given. */
function afterOneTurn(resumeHandleDelay?: number) {
  const face = geminiFace({ script: script(resumeHandleDelay) });
  const first = face.connect();
  first.send(userTurn('Hello, who am I speaking with?'));
  face.clock.tick(5_000);
  const handle = first.handles.at(-1)!;
  first.clientClose();
  return { ...face, handle };
}

describe('handles.resumeHandleDelay (the resumed session\'s own handle)', () => {
  it('by default comes at once, with setupComplete', () => {
    const { server, connect, handle } = afterOneTurn();
    const resumed = connect(handle);
    expect(resumed.got[0]).toEqual({ setupComplete: {} });
    expect(resumed.handles).toHaveLength(1);
    expect(server.journal.of('handle-issued').at(-1)).toMatchObject({ reason: 'session-start', conn: 2 });
  });

  it('with a delay comes that many seconds after the resume is confirmed', () => {
    const { clock, server, connect, handle } = afterOneTurn(0.5);
    const resumed = connect(handle);
    const openedAt = clock.now();
    clock.tick(499);
    expect(resumed.handles).toEqual([]);
    clock.tick(1);
    expect(resumed.handles).toHaveLength(1);
    expect(server.journal.of('handle-issued').at(-1)).toMatchObject({ reason: 'session-start', conn: 2, t: openedAt + 500 });
  });

  it('never comes on a connection closed before the delay is over', () => {
    const { clock, server, connect, handle } = afterOneTurn(0.5);
    const resumed = connect(handle);
    clock.tick(100);
    resumed.clientClose();
    clock.tick(5_000);
    expect(resumed.handles).toEqual([]);
    expect(server.journal.of('handle-issued').filter((h) => h.conn === 2)).toEqual([]);
  });
});
