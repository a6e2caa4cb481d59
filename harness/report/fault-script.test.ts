import { describe, expect, it } from 'vitest';
import { ServerScript } from '../../mock-server/index.ts';
import { actionText, scriptedFaults, triggerText } from './fault-script.ts';

describe('the fault script in words', () => {
  it('describes each trigger kind', () => {
    expect(triggerText({ at: 30 })).toBe('at 30 s');
    expect(triggerText({ turn: 3, phase: 'mid-turn' })).toBe('turn 3, mid-turn');
    expect(triggerText({ connection: 2 })).toBe('when connection 2 opens');
    expect(triggerText({ event: 'resumed', nth: 2 })).toBe('on 2nd resumed');
    expect(triggerText({ event: 'open' })).toBe('on every open');
    expect(triggerText({ every: 10, jitter: 2, count: 5, start: 0 })).toBe('every 10 s ±2 s, 5 times, from 0 s');
  });

  it('describes actions, with a generic form for the rest', () => {
    expect(actionText({ close: { code: 1011, reason: 'boom', delay: 0 } })).toBe('close 1011 "boom"');
    expect(actionText({ outage: { attempts: 3, code: 1011, reason: 'x' } })).toBe('outage: next 3 attempts closed with 1011');
    expect(actionText({ halfOpen: {} })).toBe('halfOpen');
    expect(actionText({ pings: 'ignore' })).toBe('pings "ignore"');
  });

  it('summarises the expiry policy as the server applies it', () => {
    const scripted = scriptedFaults(ServerScript.parse({ expiry: { closeCode: 1011, closeAfter: 90, silentAfterNotice: true } }));
    expect(scripted.expiry).toMatchObject({ lifetimeS: 600, timeLeftS: 60, closeAfterS: 90, closeCode: 1011 });
    expect(scripted.expiry.summary).toBe('Every connection lives 600 s: session_expiring (timeLeft 60 s) at 540 s, then the server closes with 1011 "session expired" 90 s after the notice, silent in between.');
    expect(scripted.validation).toBe('A rejected handle: the server opens a fresh session silently.');
    expect(scriptedFaults(ServerScript.parse({ expiry: { dropAtDeadline: true } })).expiry.summary).toContain('drops the connection (1006, no close frame)');
  });
});

describe('standing toxics', () => {
  it('are listed as Toxiproxy would list them', () => {
    const script = ServerScript.parse({ toxics: [{ type: 'latency', name: 'slow link', attributes: { latency: 200, jitter: 50 } }, { type: 'down', toxicity: 0.5, attributes: { duration: 3000 } }] });
    expect(scriptedFaults(script).toxics).toEqual(['latency "slow link" downstream {"latency":200,"jitter":50}', 'down {"duration":3000} toxicity 0.5']);
  });
});
