/**
 * The harness's own tiny AI-voice client (ai-voice-protocol.md §1–4), for the two server checks
 * the client under test cannot make (docs/server-contract.md §2, "Accepting a resumeHandle"; §3,
 * "whether a rejected or foreign handle was ever confirmed", "whether two conversations ever saw
 * each other's turns or handles"):
 *
 * - tenant: a handle Gemini issued under one share token is presented under another one. It
 *   MUST be refused: accepting it is a security failure.
 * - isolation: two conversations under one share token, open at the same time, each with its own
 *   prospect text: neither may see the other's turns or handles.
 *
 * Each probe talks through a recording proxy of its own party, so what it did is in the WireLog
 * and judged from there; the outcome says only whether the probe could do its part. Probes never
 * throw and never leave a socket open; every real wait is bounded by a timer that is cleared.
 */
import { WebSocket, type RawData } from 'ws';
import type { Clock } from '../../protocol/clock.ts';
import { buildConnectUrl, sessionPath } from '../../protocol/messages.ts';
import { fingerprint } from '../../protocol/redact.ts';
import type { RecordingProxy } from './recording-proxy.ts';

export interface ProbeOutcome {
  readonly probe: 'tenant' | 'isolation';
  readonly exercised: boolean;
  /** one sentence: what was done, or why it could not be */
  readonly note: string;
  /** clock ms */
  readonly from: number;
  readonly to: number;
  /** tenant: the fingerprint of the handle presented under the other share token */
  readonly presented?: string;
  /** isolation: fingerprints (protocol/redact.ts fingerprint) of the prospect texts each probe conversation sent */
  readonly texts?: { readonly a: string; readonly b: string };
}

/** Protocol seconds a probe gives the server for one step (a greeting, an answer, a close). */
export const PROBE_STEP_SECONDS = 15;
/** The least real time a step gets, whatever the time scale: a loaded machine is not a silent server. */
export const PROBE_STEP_MIN_MS = 2_000;

/** The prospect texts of the isolation probe: deterministic, and each unlike anything else said. */
export const ISOLATION_TEXTS = {
  a: 'Isolation probe A: we run 12 stores and want solar on each roof.',
  b: 'Isolation probe B: we are one dairy farm and want to cut our diesel bill.',
} as const;

const PROSPECT_NAME = 'Harness probe';

/** Real ms for one probe step at this time scale (real seconds per protocol second). */
export function probeStepMs(timeScale: number): number {
  const scaled = PROBE_STEP_SECONDS * 1000 * (timeScale > 0 && Number.isFinite(timeScale) ? timeScale : 1);
  return Math.max(PROBE_STEP_MIN_MS, scaled);
}

/* ------------------------------------------------------------------------------------------ */
/* The tenant probe                                                                             */
/* ------------------------------------------------------------------------------------------ */

export async function tenantProbe(input: { proxy: RecordingProxy; foreignShareToken: string; handle: string | undefined; clock: Clock; timeScale: number }): Promise<ProbeOutcome> {
  const { proxy, foreignShareToken, handle, clock } = input;
  const from = clock.now();
  const done = (exercised: boolean, note: string, extra: { presented?: string } = {}): ProbeOutcome => ({ probe: 'tenant', exercised, note, from, to: clock.now(), ...extra });
  if (handle === undefined || handle.length === 0) return done(false, 'no handle was relayed to the client, so none could be presented under another share token');
  const presented = fingerprint(handle);
  const stepMs = probeStepMs(input.timeScale);
  try {
    const session = await createSession(proxy, foreignShareToken, stepMs);
    if (!session.ok) return done(false, `no session could be created under the other share token (${session.why}), so the handle was not presented`, { presented });
    const socket = new ProbeSocket(buildConnectUrl(proxy.wsUrl, { sessionToken: session.sessionToken, shareToken: foreignShareToken, resumeHandle: handle }));
    try {
      const opened = await socket.opened(stepMs);
      // ai-voice-protocol.md §2 lets a server refuse at the upgrade: a refusal is an answer.
      if (opened.kind === 'refused') return done(true, `presented the handle under another share token: the server refused the upgrade with HTTP ${opened.status}`, { presented });
      if (opened.kind !== 'open') return done(false, `presented the handle under another share token, but the connection did not open (${describeOpen(opened)})`, { presented });
      const answer = await socket.until((m) => m.type === 'session:resumed' || isFinalTranscript(m), 0, stepMs);
      await socket.end(stepMs);
      return tenantAnswer(answer, stepMs, input.timeScale, (exercised, note) => done(exercised, note, { presented }));
    } finally {
      socket.terminate();
    }
  } catch (error) {
    return done(false, `the probe failed before the server answered: ${(error as Error)?.message ?? String(error)}`, { presented });
  }
}

function tenantAnswer(answer: Waited, stepMs: number, timeScale: number, done: (exercised: boolean, note: string) => ProbeOutcome): ProbeOutcome {
  const prefix = 'presented a handle of another share token';
  if (answer.kind === 'message' && answer.message.type === 'session:resumed') return done(true, `${prefix}: the server confirmed it with session:resumed`);
  if (answer.kind === 'message') return done(true, `${prefix}: the server opened a fresh session (a greeting, no session:resumed)`);
  if (answer.kind === 'closed') return done(true, `${prefix}: the server closed the connection with ${answer.code}${answer.reason ? ` (${answer.reason})` : ''} before any session:resumed or greeting`);
  return done(false, `${prefix}, but the server neither closed, confirmed nor greeted within ${stepSeconds(stepMs, timeScale)} protocol seconds`);
}

/* ------------------------------------------------------------------------------------------ */
/* The isolation probe                                                                          */
/* ------------------------------------------------------------------------------------------ */

export async function isolationProbe(input: { a: RecordingProxy; b: RecordingProxy; shareToken: string; clock: Clock; timeScale: number }): Promise<ProbeOutcome> {
  const { clock } = input;
  const from = clock.now();
  const texts = { a: fingerprint(ISOLATION_TEXTS.a), b: fingerprint(ISOLATION_TEXTS.b) };
  const done = (exercised: boolean, note: string): ProbeOutcome => ({ probe: 'isolation', exercised, note, from, to: clock.now(), texts });
  const stepMs = probeStepMs(input.timeScale);
  const sockets: ProbeSocket[] = [];
  try {
    const sessions = await Promise.all([createSession(input.a, input.shareToken, stepMs), createSession(input.b, input.shareToken, stepMs)]);
    const failed = sessions.find((s) => !s.ok);
    if (failed && !failed.ok) return done(false, `two sessions could not be created under the share token (${failed.why})`);
    const [sa, sb] = sessions as [CreatedSession, CreatedSession];
    const a = new ProbeSocket(buildConnectUrl(input.a.wsUrl, { sessionToken: sa.sessionToken, shareToken: input.shareToken }));
    const b = new ProbeSocket(buildConnectUrl(input.b.wsUrl, { sessionToken: sb.sessionToken, shareToken: input.shareToken }));
    sockets.push(a, b);
    const steps = await isolationSteps(a, b, stepMs, input.timeScale);
    await Promise.all([a.end(stepMs), b.end(stepMs)]);
    return done(steps.exercised, steps.note);
  } catch (error) {
    return done(false, `the probe failed: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

/**
 * Both sockets open at once; both greeted (turn 0, ai-voice-protocol.md §4); then A's prospect
 * message and B's right behind it, so both turns are in flight together; each waits for its
 * answer and, bounded, the handle issued after it (§3: one after each completed agent turn).
 */
async function isolationSteps(a: ProbeSocket, b: ProbeSocket, stepMs: number, timeScale: number): Promise<{ exercised: boolean; note: string }> {
  const within = `within ${stepSeconds(stepMs, timeScale)} protocol seconds`;
  const opened = await Promise.all([a.opened(stepMs), b.opened(stepMs)]);
  const notOpen = opened.findIndex((o) => o.kind !== 'open');
  if (notOpen >= 0) return { exercised: false, note: `probe conversation ${'AB'[notOpen]} did not open (${describeOpen(opened[notOpen]!)})` };
  const greetings = await Promise.all([a.until(isFinalTranscript, 0, stepMs), b.until(isFinalTranscript, 0, stepMs)]);
  const ungreeted = greetings.findIndex((g) => g.kind !== 'message');
  if (ungreeted >= 0) return { exercised: false, note: `probe conversation ${'AB'[ungreeted]} got no greeting ${within} (${describeWait(greetings[ungreeted]!)})` };
  const marks = [a.send({ type: 'prospect_message', text: ISOLATION_TEXTS.a }), b.send({ type: 'prospect_message', text: ISOLATION_TEXTS.b })] as const;
  const answers = await Promise.all([a.until(isFinalTranscript, marks[0], stepMs), b.until(isFinalTranscript, marks[1], stepMs)]);
  const unanswered = answers.findIndex((w) => w.kind !== 'message');
  if (unanswered >= 0) return { exercised: false, note: `probe conversation ${'AB'[unanswered]} got no answer to its prospect message ${within} (${describeWait(answers[unanswered]!)})` };
  const after = answers.map((w) => (w.kind === 'message' ? w.index + 1 : 0));
  const handles = await Promise.all([a.until(isResumableUpdate, after[0]!, stepMs), b.until(isResumableUpdate, after[1]!, stepMs)]);
  const got = handles.map((h) => (h.kind === 'message' ? 'a handle' : 'no handle'));
  return { exercised: true, note: `two conversations under one share token, open at once: each was greeted, sent its own prospect message and was answered (A then ${got[0]}, B then ${got[1]})` };
}

/* ------------------------------------------------------------------------------------------ */
/* The probe's AI-voice client                                                                  */
/* ------------------------------------------------------------------------------------------ */

type CreatedSession = { readonly ok: true; readonly sessionToken: string };
type SessionResult = CreatedSession | { readonly ok: false; readonly why: string };

/** POST /api/sales-agent/{shareToken}/session (ai-voice-protocol.md §1), bounded. */
async function createSession(proxy: RecordingProxy, shareToken: string, ms: number): Promise<SessionResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const response = await fetch(proxy.httpUrl + sessionPath(shareToken), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prospectName: PROSPECT_NAME }),
      signal: abort.signal,
    });
    const body = (await response.json().catch(() => undefined)) as { sessionToken?: unknown } | undefined;
    if (response.status !== 201) return { ok: false, why: `HTTP ${response.status}` };
    if (typeof body?.sessionToken !== 'string' || body.sessionToken.length === 0) return { ok: false, why: 'the 201 carried no sessionToken' };
    return { ok: true, sessionToken: body.sessionToken };
  } catch (error) {
    return { ok: false, why: abort.signal.aborted ? `no answer within ${ms} real ms` : (error as Error)?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

type Message = Readonly<Record<string, unknown>>;
type Opened = { readonly kind: 'open' } | { readonly kind: 'refused'; readonly status: number } | { readonly kind: 'failed'; readonly why: string } | { readonly kind: 'timeout' };
type Waited = { readonly kind: 'message'; readonly message: Message; readonly index: number } | { readonly kind: 'closed'; readonly code: number; readonly reason: string } | { readonly kind: 'timeout' };

const isFinalTranscript = (m: Message): boolean => m.type === 'transcript' && m.final === true;
const isResumableUpdate = (m: Message): boolean => m.type === 'session_resumption_update' && m.resumable === true;

function describeOpen(opened: Opened): string {
  if (opened.kind === 'refused') return `HTTP ${opened.status}`;
  if (opened.kind === 'failed') return opened.why;
  return opened.kind === 'timeout' ? 'no answer to the upgrade in time' : 'open';
}

function describeWait(waited: Waited): string {
  if (waited.kind === 'closed') return `the server closed with ${waited.code}`;
  return waited.kind === 'timeout' ? 'nothing came' : 'answered';
}

function stepSeconds(stepMs: number, timeScale: number): string {
  return String(Math.round((stepMs / (timeScale > 0 ? timeScale : 1)) / 100) / 10);
}

/**
 * One WebSocket of a probe: the JSON messages of its text frames in order (binary audio is
 * ignored, §2), and bounded waits on them or on the close.
 */
class ProbeSocket {
  private readonly ws: WebSocket;
  private readonly messages: Message[] = [];
  private readonly wakers = new Set<() => void>();
  private openState: Opened | undefined;
  private closeState: { code: number; reason: string } | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', (error: Error) => this.settleOpen({ kind: 'failed', why: error.message }));
    this.ws.on('unexpected-response', (_req, res) => {
      this.settleOpen({ kind: 'refused', status: res.statusCode ?? 0 });
      res.resume();
      this.ws.terminate();
    });
    this.ws.on('open', () => this.settleOpen({ kind: 'open' }));
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const message = parseObject(data);
      if (message) this.messages.push(message);
      this.wake();
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      this.settleOpen({ kind: 'failed', why: `closed with ${code} before opening` });
      this.closeState = { code, reason: reason.toString('utf8') };
      this.wake();
    });
  }

  /** Whether the upgrade was accepted, refused (with its status) or failed, within `ms`. */
  opened(ms: number): Promise<Opened> {
    return this.waitFor(() => this.openState, ms, { kind: 'timeout' });
  }

  /** The first message from index `from` on that matches, or the close, or a timeout. */
  until(match: (m: Message) => boolean, from: number, ms: number): Promise<Waited> {
    return this.waitFor<Waited>(() => {
      for (let i = from; i < this.messages.length; i++) if (match(this.messages[i]!)) return { kind: 'message', message: this.messages[i]!, index: i };
      return this.closeState ? { kind: 'closed', ...this.closeState } : undefined;
    }, ms, { kind: 'timeout' });
  }

  /** Sends a client message (§4); returns the index of the next message to arrive. */
  send(message: { type: 'prospect_message'; text: string } | { type: 'end_conversation' }): number {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
    return this.messages.length;
  }

  /** §4: end_conversation, then close 1000, and wait (bounded) for the close. */
  async end(ms: number): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.send({ type: 'end_conversation' });
      this.ws.close(1000, 'probe done');
    }
    await this.waitFor(() => (this.closeState || this.ws.readyState === WebSocket.CLOSED ? true : undefined), ms, false);
  }

  terminate(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  private settleOpen(opened: Opened): void {
    if (this.openState) return;
    this.openState = opened;
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Resolves with `check()`'s first defined value, re-checked on every socket event, or `fallback` after `ms`. */
  private waitFor<T>(check: () => T | undefined, ms: number, fallback: T): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve) => {
      const finish = (value: T): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const timer = setTimeout(() => finish(fallback), ms);
      this.wakers.add(wake);
    });
  }
}

function parseObject(data: RawData): Message | undefined {
  try {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Message) : undefined;
  } catch {
    return undefined;
  }
}
