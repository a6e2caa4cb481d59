/**
 * Where the mock listens: 127.0.0.1 unless a host is given, and a warning for any host that is
 * not loopback (the mock trusts whoever holds its share token and handles).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../protocol/testing/manual-clock.ts';
import { AiVoiceServer } from '../faces/ai-voice/ai-voice-server.ts';
import { isLoopbackHost, startWsServer } from './ws-server.ts';

describe('the ws transport binds loopback', () => {
  it('listens on 127.0.0.1 by default, without a warning', async () => {
    const warnings: string[] = [];
    const running = await startWsServer(new AiVoiceServer({ clock: new ManualClock(), seed: 1 }), { warn: (m) => warnings.push(m) });
    try {
      expect(running.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(warnings).toEqual([]);
    } finally {
      await running.close();
    }
  });

  it('knows loopback: 127.0.0.0/8, ::1, localhost; nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('warns before listening anywhere else (a TEST-NET address no interface has: the listen fails, the warning came first)', async () => {
    const warnings: string[] = [];
    await expect(startWsServer(new AiVoiceServer({ clock: new ManualClock(), seed: 1 }), { host: '192.0.2.1', warn: (m) => warnings.push(m) })).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/listens on 192\.0\.2\.1, not loopback/);
  });
});
