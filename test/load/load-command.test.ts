/**
 * `resume-harness load` end to end, small: a few conversations at once against the mock over
 * real sockets on both faces, thresholds setting the exit code, shards that merge into the
 * whole run, usage errors naming the flag, and a summary that holds no secret.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import type { LoadSummary } from '../../harness/run/load-metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'resume-harness-load-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const sink = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ write: (s: string) => { sink[key] += s; return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(['load', ...args], { stdout: stream('out'), stderr: stream('err'), cwd: dir });
  return { code, ...sink };
}

// unexpected-close: one drop without a close frame, then a resume (8 turns); 1 protocol s = 40 ms.
const SMALL = ['--scenario', 'unexpected-close', '--time-scale', '0.04'];
/** What a token, a session token or a handle of the mock looks like in full. */
const SECRET_SHAPES = [/share_[0-9a-f]{8}/, /st_[0-9a-f]{8}/, /rh_[A-Za-z0-9_-]{16}/, /load_\d+_[0-9a-f]{8}/];

describe('resume-harness load', () => {
  it('runs N conversations at once against the mock, judges each, and exits 0 when the thresholds hold', async () => {
    const { code, out, err } = await load(['--sessions', '4', ...SMALL, '--threshold', 'p95_resume_ms<5000', '--threshold', 'not_ok_verdicts==0', '--threshold', 'lost_turns==0']);
    expect(err).toMatch(/4 conversations of unexpected-close against the mock \(ai-voice\)/);
    expect(out).toMatch(/completed\s+4\/4/);
    expect(out).toMatch(/held at once\s+4 conversations/);
    expect(out).toMatch(/lost turns\s+0/);
    expect(out).toMatch(/resumes\s+[4-9]\d* confirmed/);
    expect(out).toMatch(/verdicts\s+OK 4/);
    expect(out).toMatch(/✓ not_ok_verdicts==0/);
    expect(code).toBe(0);
    for (const shape of SECRET_SHAPES) expect(out + err).not.toMatch(shape);
  }, 60_000);

  it('exits 1 when a threshold is crossed, and says which', async () => {
    const { code, out } = await load(['--sessions', '2', ...SMALL, '--threshold', 'p50_resume_ms<0', '--threshold', 'lost_turns==0']);
    expect(out).toMatch(/✗ p50_resume_ms<0\s+actual \d/);
    expect(out).toMatch(/✓ lost_turns==0/);
    expect(code).toBe(1);
  }, 60_000);

  it('on the Gemini face: one API key (tenant) per conversation, each judged OK', async () => {
    const { code, out, err } = await load(['--sessions', '3', ...SMALL, '--protocol', 'gemini-live', '--threshold', 'not_ok_verdicts==0']);
    expect(out).toMatch(/completed\s+3\/3/);
    expect(out).toMatch(/verdicts\s+OK 3/);
    expect(code).toBe(0);
    for (const shape of SECRET_SHAPES) expect(out + err).not.toMatch(shape);
  }, 60_000);

  it('--shard i/n runs one slice; --merge adds the shards up to the whole run and judges the thresholds over it', async () => {
    const first = await load(['--sessions', '3', ...SMALL, '--shard', '1/2', '--json', 'a.json']);
    const second = await load(['--sessions', '3', ...SMALL, '--shard', '2/2', '--json', 'b.json']);
    expect(first.out).toMatch(/2 conversations .*shard 1\/2/);
    expect(second.out).toMatch(/1 conversations .*shard 2\/2/);
    const parts = ['a.json', 'b.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LoadSummary);
    const merged = await load(['--merge', 'a.json', 'b.json', '--threshold', 'lost_turns==0', '--threshold', 'failed_conversations==0']);
    expect(merged.out).toMatch(/3 conversations .*shards 1\/2, 2\/2/);
    expect(merged.out).toMatch(/completed\s+3\/3/);
    expect(merged.out).toMatch(new RegExp(`resumes\\s+${parts[0]!.resumes + parts[1]!.resumes} confirmed`));
    expect(merged.code).toBe(0);
  }, 90_000);

  it('usage mistakes exit 2 and name the flag', async () => {
    for (const [args, message] of [
      [[], /load needs --sessions N/],
      [['--sessions', '0'], /--sessions must be a whole number from 1/],
      [['--sessions', '2', '--shard', '3/2'], /--shard must be i\/n/],
      [['--sessions', '2', '--threshold', 'p95<1'], /--threshold "p95<1"/],
      [['--sessions', '2', '--protocol', 'sip'], /--protocol must be ai-voice or gemini-live/],
      [['--sessions', '2', '--scenario', 'nope'], /no scenario "nope"/],
      [['--merge', 'missing.json'], /cannot read .*missing\.json/],
    ] as const) {
      const { code, err } = await load([...args]);
      expect(err, args.join(' ')).toMatch(message);
      expect(code, args.join(' ')).toBe(2);
    }
  });
});

describe('resume-harness load --server', () => {
  it('loads a server under test (the reference server) through its AI-voice endpoints, the mock Gemini face upstream, and says it stayed up', async () => {
    const { code, out, err } = await load(['--sessions', '2', '--server', 'reference', '--scenario', 'unexpected-close', '--time-scale', '0.1', '--threshold', 'lost_turns==0', '--threshold', 'failed_conversations==0']);
    expect(err).toMatch(/2 conversations of unexpected-close against reference/);
    expect(out).toMatch(/completed\s+2\/2/);
    expect(out).toMatch(/server under test: stayed up/);
    expect(code).toBe(0);
    for (const shape of SECRET_SHAPES) expect(out + err).not.toMatch(shape);
  }, 90_000);
});
