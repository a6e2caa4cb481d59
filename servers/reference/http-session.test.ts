import { describe, expect, it } from 'vitest';
import { checkUpgrade } from './app.ts';
import { SessionStore } from './http-session.ts';
import { createLog } from './log.ts';

const AGENT = { shareToken: 'share_a', model: 'm', systemInstruction: '' };
const store = (): SessionStore => new SessionStore(new Map([[AGENT.shareToken, AGENT]]), createLog({ out: () => {}, err: () => {} }));

describe('SessionStore (ai-voice-protocol.md §1)', () => {
  it('201 with a session token and a conversation id, one conversation per session', () => {
    const sessions = store();
    const a = sessions.create('share_a', JSON.stringify({ prospectName: 'Dana' }));
    const b = sessions.create('share_a', JSON.stringify({ prospectName: 'Dana', testMode: 'x' }));
    expect(a.status).toBe(201);
    if (a.status !== 201 || b.status !== 201) throw new Error('not created');
    expect(a.body.sessionToken).not.toBe(b.body.sessionToken);
    expect(a.body.conversationId).not.toBe(b.body.conversationId);
    expect(sessions.get(a.body.sessionToken)).toMatchObject({ shareToken: 'share_a', conversationId: a.body.conversationId });
  });

  it('404 for an unknown share token, 400 for a body that is not JSON or lacks prospectName', () => {
    const sessions = store();
    expect(sessions.create('share_b', '{"prospectName":"D"}')).toMatchObject({ status: 404, body: { error: 'unknown_share_token' } });
    expect(sessions.create('share_a', 'nope')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(sessions.create('share_a', '{}')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
  });
});

describe('checkUpgrade (ai-voice-protocol.md §2)', () => {
  const sessions = store();
  const created = sessions.create('share_a', '{"prospectName":"D"}');
  if (created.status !== 201) throw new Error('not created');
  const token = created.body.sessionToken;
  it('accepts a known session token under its own share token, with or without a resumeHandle', () => {
    expect(checkUpgrade(`/ws/ai-voice?mode=sales_agent&sessionToken=${token}&shareToken=share_a`, sessions)).toMatchObject({ ok: true, resumeHandle: undefined });
    expect(checkUpgrade(`/ws/ai-voice?mode=sales_agent&sessionToken=${token}&shareToken=share_a&resumeHandle=h%2B1`, sessions)).toMatchObject({ ok: true, resumeHandle: 'h+1' });
  });

  it.each([
    ['no session token', '/ws/ai-voice?mode=sales_agent&shareToken=share_a', 401],
    ['an unknown session token', '/ws/ai-voice?mode=sales_agent&sessionToken=sess_nope&shareToken=share_a', 401],
    ['another share token', `/ws/ai-voice?mode=sales_agent&sessionToken=${token}&shareToken=share_b`, 401],
    ['another mode', `/ws/ai-voice?mode=other&sessionToken=${token}&shareToken=share_a`, 400],
    ['another path', `/ws/other?mode=sales_agent&sessionToken=${token}&shareToken=share_a`, 404],
  ])('refuses %s', (_name, url, status) => {
    expect(checkUpgrade(url, sessions)).toMatchObject({ ok: false, status });
  });
});
