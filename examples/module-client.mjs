/**
 * A minimal client of the AI-voice protocol v1 that resumes its session as spec §6 asks —
 * plain JavaScript, the global fetch, WebSocket and timers, nothing else. It is the
 * `module:` example of resume-harness:
 *
 *   npx resume-harness run goaway delayed-close invalid-handle flapping --sut module:examples/module-client.mjs
 *
 * The harness calls the default export once per run with
 *   { httpUrl, wsUrl, shareToken, maxTurns, seed, timeScale, signal }
 * and takes the object it resolves with as the client's result (sut-contract §4).
 * All durations below are protocol milliseconds; `timeScale` turns them into real ones.
 */

const OPEN = 1;
const MAX_ATTEMPTS = 3; // per outage (spec §6.4)
const BASE_DELAY_MS = 2000; // before the 2nd attempt, doubling, ±10 % jitter
const RESUME_CONFIRM_MS = 10_000; // session:resumed must come by then (spec §5.2)
const INACTIVITY_MS = 30_000; // silence while awaiting the agent = half-open (spec §6.8)
const EXPIRY_MARGIN_MS = 10_000; // rotate at the latest this long before timeLeft runs out
const MAX_ACCEPT_THEN_CLOSE = 2; // resumed-then-closed cycles before a handle is abandoned
const BOUNDARY_GRACE_MS = 50; // real ms: a conversation_end right behind session_expiring wins over the rotation
const THINK_MS = [4000, 9000]; // the prospect's pause before each reply

export default function run(config) {
  return new Promise((resolve) => new Client(config, resolve).start());
}

class Client {
  constructor({ httpUrl, wsUrl, shareToken, maxTurns, seed = 0, timeScale = 1, signal }, resolve) {
    Object.assign(this, { httpUrl, wsUrl, shareToken, maxTurns, timeScale, resolve });
    this.random = mulberry32(Number(seed) >>> 0);
    this.seed = Number(seed) >>> 0;
    this.session = null; // { sessionToken, conversationId }
    this.handle = null; // { value, covers }: the newest usable handle and the answers it captured
    this.dropped = new Set(); // handles never to present again (spec §7: 4003)
    this.acceptThenClose = new Map();
    this.conn = null; // the current connection; events of any other are ignored (spec §6.5)
    this.connections = 0;
    this.attempts = 0;
    this.answered = 0; // prospect messages answered in the current model state
    this.turns = 0; // the highest message the agent ever answered
    this.inFlight = null; // the message sent on this connection and not answered yet
    this.timers = new Map();
    this.done = false;
    signal?.addEventListener('abort', () => this.finish('failed', 'aborted by the harness', true));
  }

  async start() {
    try {
      const response = await fetch(`${this.httpUrl}/api/sales-agent/${encodeURIComponent(this.shareToken)}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prospectName: 'Alex Example' }),
      });
      if (response.status !== 201) throw new Error(`HTTP ${response.status}`);
      this.session = await response.json();
    } catch (error) {
      return this.finish('failed', `could not create a session: ${error.message}`, false);
    }
    this.connect();
  }

  // ── connections ──

  connect() {
    if (this.done) return;
    this.attempts += 1;
    this.connections += 1;
    const handle = this.handle;
    const query = new URLSearchParams({ mode: 'sales_agent', sessionToken: this.session.sessionToken, shareToken: this.shareToken });
    if (handle) query.set('resumeHandle', handle.value);
    const conn = { handle, confirmed: !handle, fullTurn: false, rotating: false, ws: null };
    this.conn = conn;
    this.inFlight = null;
    log(`connection ${this.connections}${handle ? ', resuming' : ''}`);
    try {
      conn.ws = new WebSocket(`${this.wsUrl}?${query}`);
    } catch (error) {
      return this.lost(conn, 1006);
    }
    const mine = (fn) => (event) => {
      if (this.conn === conn && !this.done) fn(event);
    };
    conn.ws.addEventListener('open', mine(() => {
      if (handle) this.after('confirm', RESUME_CONFIRM_MS, () => this.abandon(conn, 'no session:resumed'));
    }));
    conn.ws.addEventListener('message', mine((event) => this.onFrame(conn, event.data)));
    conn.ws.addEventListener('close', mine((event) => this.lost(conn, event.code)));
    conn.ws.addEventListener('error', () => {}); // a close event follows; without a listener `ws` would throw
  }

  onFrame(conn, data) {
    if (this.inFlight !== null) this.after('inactivity', INACTIVITY_MS, () => this.abandon(conn, 'half-open'));
    if (typeof data !== 'string') return; // agent audio
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return log('ignored a frame that is not JSON');
    }
    switch (msg.type) {
      case 'transcript':
        if (!conn.confirmed) return this.silentlyRejected(conn);
        if (msg.final) this.onAgentTurn(conn);
        break;
      case 'session_resumption_update':
        // resumable:false means "keep the previous handle" (spec §3); an unconfirmed resume adopts nothing.
        if (!msg.resumable || !msg.handle || !conn.confirmed) break;
        this.handle = { value: msg.handle, covers: this.answered };
        if (conn.rotateAtBoundary && this.inFlight === null) this.after('rotate', 0, () => this.rotate(conn), BOUNDARY_GRACE_MS);
        break;
      case 'session_expiring': {
        if (conn.expiryPlanned) break;
        conn.expiryPlanned = true;
        const left = Math.max(0, msg.timeLeft * 1000);
        // At a turn boundary now: rotate, after a moment (a conversation_end right behind the notice wins).
        if (this.inFlight === null && this.handle) return this.after('rotate', 0, () => this.rotate(conn), BOUNDARY_GRACE_MS);
        conn.rotateAtBoundary = true;
        this.after('rotate', Math.max(0, left - Math.min(EXPIRY_MARGIN_MS, left / 2)), () => this.rotate(conn));
        break;
      }
      case 'session:resumed':
        if (conn.confirmed) break;
        conn.confirmed = true;
        this.clear('confirm');
        this.answered = conn.handle.covers; // the restored state (spec §5.1)
        this.sendNext(0); // re-sends the message the state lacks, or the next one
        break;
      case 'conversation_end':
        this.finish(this.turns >= this.maxTurns ? 'completed' : 'failed', `conversation_end: ${msg.reason}`, false);
        break;
      default:
        break; // error reports and unknown types are ignored (spec §2)
    }
  }

  onAgentTurn(conn) {
    this.clear('inactivity');
    if (this.inFlight !== null) {
      this.answered = this.inFlight;
      this.turns = Math.max(this.turns, this.answered);
      this.inFlight = null;
    }
    conn.fullTurn = true;
    this.attempts = 0; // only a full agent turn ends an outage (spec §6.4)
    if (this.answered >= this.maxTurns) {
      conn.ws.send(JSON.stringify({ type: 'end_conversation' }));
      this.after('end', 10_000, () => this.finish('completed', 'no conversation_end came', false));
      return;
    }
    if (!conn.rotateAtBoundary) this.sendNext(this.between(...THINK_MS));
  }

  sendNext(delay) {
    this.after('think', delay, () => {
      const conn = this.conn;
      if (!conn || !conn.confirmed || conn.ws.readyState !== OPEN || this.inFlight !== null) return;
      const index = this.answered + 1;
      conn.ws.send(JSON.stringify({ type: 'prospect_message', text: prospectText(this.seed, index) }));
      this.inFlight = index;
      this.after('inactivity', INACTIVITY_MS, () => this.abandon(conn, 'half-open'));
    });
  }

  // ── leaving a connection ──

  /** Expiry (spec §6.2): close it ourselves and resume on a new one at once. */
  rotate(conn) {
    if (this.conn !== conn || this.done || !this.handle) return; // no handle: nothing to rotate to
    log('rotating before the goAway deadline');
    this.detach(conn, 'rotating');
    this.attempts = 0;
    this.connect();
  }

  /** A connection we give up on (half-open, unconfirmed resume): an outage like any other. */
  abandon(conn, why) {
    if (this.conn !== conn || this.done) return;
    log(`leaving connection: ${why}`);
    this.detach(conn, why);
    this.recover(conn);
  }

  /** A transcript before session:resumed: the server started a fresh session; the handle is dead (spec §5.2). */
  silentlyRejected(conn) {
    this.dropHandle(conn.handle);
    this.detach(conn, 'resume rejected');
    this.recover(conn);
  }

  lost(conn, code) {
    this.conn = null;
    this.clearAll();
    if (code === 4001) return this.finish('failed', 'unauthorised (4001): not reconnecting', true);
    if (code === 4003 && conn.handle) this.dropHandle(conn.handle);
    this.recover(conn);
  }

  recover(conn) {
    if (this.done) return;
    if (conn.handle && conn.confirmed && !conn.fullTurn) {
      const count = (this.acceptThenClose.get(conn.handle.value) ?? 0) + 1;
      this.acceptThenClose.set(conn.handle.value, count);
      if (count >= MAX_ACCEPT_THEN_CLOSE) this.dropHandle(conn.handle);
    }
    if (!this.handle) return this.finish('failed', 'resume impossible: no usable handle', true);
    if (this.attempts >= MAX_ATTEMPTS) return this.finish('failed', `resume failed after ${this.attempts} attempts`, true);
    const delay = this.attempts === 0 ? 0 : BASE_DELAY_MS * 2 ** (this.attempts - 1) * this.between(0.9, 1.1);
    this.after('reconnect', delay, () => this.connect());
  }

  detach(conn, reason) {
    this.conn = null;
    this.clearAll();
    try {
      conn.ws.close(1000, reason);
    } catch {
      // already closing
    }
  }

  dropHandle(handle) {
    this.dropped.add(handle.value);
    if (this.handle && this.dropped.has(this.handle.value)) this.handle = null;
  }

  finish(status, reason, contextLost) {
    if (this.done) return;
    this.done = true;
    this.clearAll();
    const conn = this.conn;
    this.conn = null;
    if (conn?.ws && conn.ws.readyState <= OPEN) conn.ws.close(1000, status);
    log(`${status}: ${reason}`);
    this.resolve({
      status,
      conversationId: this.session?.conversationId,
      turns: this.turns,
      reconnects: Math.max(0, this.connections - 1),
      contextLost: status === 'failed' ? contextLost : false,
      reason,
    });
  }

  // ── time: protocol milliseconds, scaled ──

  after(name, ms, fn, minRealMs = 0) {
    this.clear(name);
    this.timers.set(name, setTimeout(() => {
      this.timers.delete(name);
      if (!this.done) fn();
    }, Math.max(ms * this.timeScale, minRealMs)));
  }

  clear(name) {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  clearAll() {
    for (const name of [...this.timers.keys()]) this.clear(name);
  }

  between(min, max) {
    return min + (max - min) * this.random();
  }
}

/** The prospect's n-th message: the same text every time it is (re-)sent. */
function prospectText(seed, n) {
  const topics = ['our pipeline reporting', 'onboarding new reps', 'the renewal process', 'pricing for 40 seats', 'the data migration'];
  return `Message ${n}: tell me more about ${topics[(seed + n) % topics.length]}.`;
}

function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Never a handle or a token: they are bearer credentials (spec §5.1). */
function log(line) {
  console.log(`[module-client] ${line}`);
}
