import { describe, expect, it } from 'vitest';
import { parseUpgradeQuery } from './upgrade.ts';

describe('the upgrade query (spec §2)', () => {
  it('reads mode, tokens and the resume handle; absent ones are null', () => {
    expect(parseUpgradeQuery(new URL('ws://h/ws/ai-voice?mode=sales_agent&sessionToken=st_1&shareToken=share_2&resumeHandle=rh%2Bx'))).toEqual({
      mode: 'sales_agent',
      sessionToken: 'st_1',
      shareToken: 'share_2',
      resumeHandle: 'rh+x',
    });
    expect(parseUpgradeQuery(new URL('ws://h/ws/ai-voice'))).toEqual({ mode: null, sessionToken: null, shareToken: null, resumeHandle: null });
  });
});
