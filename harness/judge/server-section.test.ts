/** What is judged of a server under test itself: its lifecycle and the secrets in its output. */
import { describe, expect, it } from 'vitest';
import type { ServerRecord } from '../server/server-under-test.ts';
import { judgeServer } from './server-section.ts';

const record = (over: Partial<ServerRecord>): ServerRecord => ({
  id: 'cmd:my-server', kind: 'cmd', state: 'ready', reason: 'cmd:my-server was ready in time and stopped by SIGTERM (exit 0)',
  exitCode: 0, signal: null, readyMs: 800, stoppedWith: 'SIGTERM', stopMs: 30, stdout: [], stderr: [], droppedLines: 0, ...over,
});
const HANDLE = 'rh_0123456789abcdef0123456789abcdef';
const TOKEN = 'share_0123456789abcdef01234567';

describe('judgeServer', () => {
  it('ready and quiet about secrets: OK on both; without a history of its wires, the wire axes are UNKNOWN, never a pass', () => {
    const j = judgeServer(record({ stdout: ['listening on 127.0.0.1:4000', 'c1: resume with handle ‹1a2b3c4d›'] }), [HANDLE, TOKEN]);
    expect(j).toMatchObject({ verdict: 'UNKNOWN', lifecycle: { verdict: 'OK' }, secrets: { verdict: 'OK', reason: 'No handle, share token or API key in full in 2 lines of server output.' } });
    expect(j.axes['handle-relay']).toEqual({ verdict: 'UNKNOWN', reason: 'Not judged: the server never served the run.' });
  });

  it('a handle or a token in full, on either stream: FAILED, naming the line and only the fingerprint', () => {
    const j = judgeServer(record({ stderr: ['boot', `resume failed for ${HANDLE}`] }), [HANDLE, TOKEN]);
    expect(j.verdict).toBe('FAILED');
    expect(j.secrets.reason).toMatch(/^The server's stderr line 2 contains a secret in full \(‹[0-9a-f]{8}›\)/);
    expect(j.secrets.reason).not.toContain(HANDLE);
    expect(judgeServer(record({ stdout: [`agent ${TOKEN}`] }), [HANDLE, TOKEN]).secrets.verdict).toBe('FAILED');
  });

  it('never ready, or exited at once: UNKNOWN, with the reason; crashed mid-run: FAILED', () => {
    expect(judgeServer(record({ state: 'never-ready', reason: 'cmd:my-server never accepted a TCP connection' }), [])).toMatchObject({ verdict: 'UNKNOWN', lifecycle: { reason: 'The server never became ready, nothing could be judged: cmd:my-server never accepted a TCP connection.' } });
    expect(judgeServer(record({ state: 'exited-early', reason: 'cmd:my-server exited with status 2' }), []).verdict).toBe('UNKNOWN');
    expect(judgeServer(record({ state: 'crashed', reason: 'cmd:my-server was killed by SIGSEGV' }), []).verdict).toBe('FAILED');
  });
});
