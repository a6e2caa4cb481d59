/**
 * A second face fits beside the AI-voice one without touching the core: the test-only stub
 * face (testing/stub-face.ts, a made-up newline-JSON wire) runs a conversation over the
 * unchanged core — turns, handle updates, an expiry, a resume — and the core never imports
 * a wire.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ServerCore } from '../core/server-core.ts';
import { ServerScript } from '../script/schema.ts';
import { FakePort, manualClock } from '../testing/fake-port.ts';
import { encodeStub, StubFace, stubFrames } from '../testing/stub-face.ts';

const CORE_DIR = fileURLToPath(new URL('../core/', import.meta.url));

function stubServer() {
  const clock = manualClock();
  const script = ServerScript.parse({ expiry: { lifetime: 40, timeLeft: 10 }, agent: { replyDelay: [1, 1] } });
  const core = new ServerCore({ clock, seed: 3, script });
  return { clock, core, face: new StubFace(core) };
}

const utter = (words: string): string => encodeStub({ kind: 'utter', words });

describe('a second protocol face over the same core', () => {
  it('turns, handle updates, an expiry and a resume go over the stub wire', () => {
    const { clock, core, face } = stubServer();
    const conversation = face.open();
    const first = new FakePort();
    expect(face.connect(conversation, first)).not.toBeNull();

    // The greeting streams as `say` chunks; a `token` follows the completed turn 0.
    clock.tick(3_000);
    let frames = stubFrames(first.raw);
    expect(frames.filter((f) => f.kind === 'say').length).toBeGreaterThan(1);
    expect(frames.filter((f) => f.kind === 'say').at(-1)).toMatchObject({ done: true });
    const greetingToken = frames.find((f) => f.kind === 'token' && f.ok === true);
    expect(greetingToken).toMatchObject({ kind: 'token', ok: true });

    first.receive(utter("I'm Ada from Borealis, we need better call routing."));
    clock.tick(5_000);
    frames = stubFrames(first.raw);
    const reply = frames.filter((f) => f.kind === 'say').map((f) => f.words).join('');
    expect(reply).toContain('Ada');
    const tokens = frames.filter((f) => f.kind === 'token' && f.ok === true).map((f) => f.value as string);
    expect(tokens).toHaveLength(2);
    // While the agent generates, the handle is withdrawn (F11): `token` with ok false.
    expect(frames.some((f) => f.kind === 'token' && f.ok === false)).toBe(true);

    // The connection's lifetime runs out: the latest token again, then `ttl`, then the close.
    clock.tick(33_000);
    frames = stubFrames(first.raw);
    const ttl = frames.findIndex((f) => f.kind === 'ttl');
    expect(frames[ttl]).toEqual({ kind: 'ttl', secs: 10, withToken: true });
    expect(frames[ttl - 1]).toEqual({ kind: 'token', value: tokens[1], ok: true });
    expect(first.closedWith).toEqual({ code: 1000, reason: 'session expired' });

    // A new connection presenting the latest token resumes the context.
    const second = new FakePort();
    face.connect(conversation, second, tokens[1]);
    expect(stubFrames(second.raw)[0]).toEqual({ kind: 'restored', id: conversation.id });
    second.receive(utter('Who else should join the call?'));
    clock.tick(5_000);
    expect(stubFrames(second.raw).filter((f) => f.kind === 'say').map((f) => f.words).join('')).toContain("That's point 2 we've covered.");

    second.receive(encodeStub({ kind: 'quit' }));
    expect(stubFrames(second.raw).at(-1)).toEqual({ kind: 'bye', why: 'completed' });
    expect(second.closedWith).toEqual({ code: 1000, reason: 'conversation ended' });

    // The core journals the same neutral facts as under the AI-voice face; the face journals its frames.
    const opens = core.journal.of('open');
    expect(opens.map((o) => o.resume)).toEqual(['none', 'resumed']);
    expect(opens[1]).toMatchObject({ contextTurns: 1, handle: { seq: 2 } });
    expect(core.journal.of('expiring')).toHaveLength(1);
    expect(core.journal.of('handle-issued').map((h) => h.reason)).toEqual(['turn', 'turn', 'turn']);
    expect(core.journal.of('frame-out').map((f) => f.type)).toContain('ttl');
    // Secrets stay out of the journal whatever the wire: tokens appear as fingerprints only.
    expect(JSON.stringify(core.journal.events)).not.toContain(tokens[1]);
  });

  it('the core imports no wire: nothing in mock-server/core reaches protocol/messages', () => {
    const sources = readdirSync(CORE_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(join(CORE_DIR, file), 'utf8');
      expect(text, file).not.toMatch(/from '[^']*protocol\/messages(\.ts)?'/);
      expect(text, file).not.toMatch(/from '[^']*faces\//);
    }
  });
});
