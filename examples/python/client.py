#!/usr/bin/env python3
"""A minimal client of the AI-voice protocol v1 that resumes its session as spec section 6
asks, in Python 3.11 with nothing but the standard library -- the WebSocket client it needs
(RFC 6455: handshake, masking, text frames, fragments, close, ping/pong) is written below.

It is the `cmd:` example of resume-harness (sut-contract section 3):

    npx resume-harness run goaway delayed-close invalid-handle flapping \\
        --mode network --sut "cmd:python3 examples/python/client.py"

Configuration comes from the RESUME_HARNESS_* variables; the result goes to the file named by
RESUME_HARNESS_RESULT; the exit status is 0 only when the conversation completed. Every
duration below is in protocol milliseconds and is scaled by RESUME_HARNESS_TIME_SCALE.
"""
from __future__ import annotations

import base64
import hashlib
import heapq
import itertools
import json
import os
import queue
import random
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode, urlsplit

MAX_ATTEMPTS = 3  # per outage (spec 6.4)
BASE_DELAY_MS = 2000  # before the 2nd attempt, doubling, +-10 % jitter
RESUME_CONFIRM_MS = 10_000  # session:resumed must come by then (spec 5.2)
INACTIVITY_MS = 30_000  # silence while awaiting the agent = half-open (spec 6.8)
EXPIRY_MARGIN_MS = 10_000  # rotate at the latest this long before timeLeft runs out
MAX_ACCEPT_THEN_CLOSE = 2  # resumed-then-closed cycles before a handle is abandoned
BOUNDARY_GRACE_S = 0.05  # real seconds: a conversation_end right behind session_expiring wins over the rotation
THINK_MS = (4000, 9000)  # the prospect's pause before each reply


# ───────────────────────── a minimal RFC 6455 client ─────────────────────────

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class WebSocket:
    """One client connection. A reader thread connects, shakes hands and reads frames; it
    reports ("open",), ("text", str), ("binary", n) and ("close", code, reason) -- exactly
    one close, always last -- to `events` as (conn_id, event...)."""

    def __init__(self, url: str, conn_id: int, events: queue.Queue):
        self.url, self.id, self.events = url, conn_id, events
        self.sock: socket.socket | None = None
        self.open = False
        self.close_sent = False
        self.write_lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    def send_text(self, text: str) -> None:
        self._send(OP_TEXT, text.encode("utf-8"))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Starts the closing handshake; the server's close frame ends the reader."""
        if self.close_sent or not self.open:
            self._shutdown()
            return
        self.close_sent = True
        self._send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])

    def _send(self, opcode: int, payload: bytes) -> None:
        if self.sock is None:
            return
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)  # every client frame is masked (RFC 6455 5.3)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        try:
            with self.write_lock:
                self.sock.sendall(header + mask + masked)
        except OSError:
            pass  # the reader reports the close

    def _shutdown(self) -> None:
        try:
            if self.sock is not None:
                self.sock.close()
        except OSError:
            pass

    def _run(self) -> None:
        code, reason = 1006, ""
        try:
            buffer = self._handshake()
            self.open = True
            self.events.put((self.id, "open"))
            code, reason = self._read_frames(buffer)
        except (OSError, ValueError) as error:
            reason = str(error)
        finally:
            self._shutdown()
            self.events.put((self.id, "close", code, reason))

    def _handshake(self) -> bytearray:
        parts = urlsplit(self.url)
        if parts.scheme != "ws":
            raise ValueError(f"only ws:// is supported, not {parts.scheme}://")
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode("ascii"))
        buffer = bytearray()
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ValueError("connection closed during the handshake")
            buffer += chunk
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ")
        if len(status) < 2 or status[1] != "101":
            raise ValueError(f"upgrade refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise ValueError("bad Sec-WebSocket-Accept")
        self.sock.settimeout(None)  # half-open detection is the client's job (spec 6.8)
        return bytearray(rest)

    def _read_frames(self, buffer: bytearray) -> tuple[int, str]:
        def take(n: int) -> bytes:
            while len(buffer) < n:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection lost")
                buffer.extend(chunk)
            out = bytes(buffer[:n])
            del buffer[:n]
            return out

        fragments: list[bytes] = []
        fragment_op = OP_TEXT
        while True:
            b0, b1 = take(2)
            fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", take(8))[0]
            mask = take(4) if b1 & 0x80 else None
            payload = take(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == OP_PING:
                self._send(OP_PONG, payload)
            elif opcode == OP_PONG:
                pass
            elif opcode == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                reason = payload[2:].decode("utf-8", "replace")
                if not self.close_sent:  # echo it (RFC 6455 5.5.1)
                    self.close_sent = True
                    self._send(OP_CLOSE, payload[:2])
                return code, reason
            elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                if opcode != OP_CONT:
                    fragments, fragment_op = [], opcode
                fragments.append(payload)
                if fin:
                    data = b"".join(fragments)
                    fragments = []
                    if fragment_op == OP_TEXT:
                        self.events.put((self.id, "text", data.decode("utf-8", "replace")))
                    else:
                        self.events.put((self.id, "binary", len(data)))


# ───────────────────────── the resuming client (spec 6) ─────────────────────────


class Conn:
    def __init__(self, conn_id: int, handle: dict | None):
        self.id, self.handle = conn_id, handle
        self.confirmed = handle is None  # a resume counts only after session:resumed (spec 5.2)
        self.full_turn = False
        self.expiry_planned = False
        self.rotate_at_boundary = False
        self.ws: WebSocket | None = None


class Client:
    def __init__(self, env: dict[str, str]):
        self.http_url = env["RESUME_HARNESS_HTTP_URL"].rstrip("/")
        self.ws_url = env["RESUME_HARNESS_WS_URL"]
        self.share_token = env["RESUME_HARNESS_SHARE_TOKEN"]
        self.max_turns = int(env["RESUME_HARNESS_MAX_TURNS"])
        self.seed = int(env.get("RESUME_HARNESS_SEED") or 0)
        self.scale = float(env.get("RESUME_HARNESS_TIME_SCALE") or 1)
        self.random = random.Random(self.seed)
        self.events: queue.Queue = queue.Queue()
        self.timers: list = []  # heap of (due, seq, name)
        self.timer_fns: dict = {}  # name -> (seq, fn): the live timer of each name
        self.seq = itertools.count()
        self.session: dict | None = None
        self.handle: dict | None = None  # {"value", "covers"}: the newest usable handle
        self.dropped: set[str] = set()
        self.accept_then_close: dict[str, int] = {}
        self.conn: Conn | None = None  # events of any other connection are ignored (spec 6.5)
        self.connections = 0
        self.attempts = 0
        self.answered = 0  # prospect messages answered in the current model state
        self.turns = 0  # the highest message the agent ever answered
        self.in_flight: int | None = None
        self.result: dict | None = None

    # ── the event loop: socket events and protocol timers, one thread ──

    def run(self) -> dict:
        try:
            self.session = self.create_session()
        except (OSError, ValueError, urllib.error.URLError) as error:
            self.finish("failed", f"could not create a session: {error}", False)
            return self.result
        self.connect()
        while self.result is None:
            timeout = None
            while self.timers and self.timer_fns.get(self.timers[0][2], (None,))[0] != self.timers[0][1]:
                heapq.heappop(self.timers)  # cancelled or replaced
            if self.timers:
                timeout = max(0.0, self.timers[0][0] - time.monotonic())
            try:
                event = self.events.get(timeout=timeout)
            except queue.Empty:
                due, seq, name = heapq.heappop(self.timers)
                _, fn = self.timer_fns.pop(name)
                fn()
                continue
            conn_id, kind, *args = event
            if self.conn is None or conn_id != self.conn.id:
                continue
            if kind == "open":
                if self.conn.handle:
                    conn = self.conn
                    self.after("confirm", RESUME_CONFIRM_MS, lambda: self.abandon(conn, "no session:resumed"))
            elif kind == "text":
                self.on_text(self.conn, args[0])
            elif kind == "binary":
                self.touch()
            elif kind == "close":
                self.lost(self.conn, args[0])
        return self.result

    def after(self, name: str, ms: float, fn, min_real_s: float = 0.0) -> None:
        seq = next(self.seq)
        self.timer_fns[name] = (seq, fn)
        heapq.heappush(self.timers, (time.monotonic() + max(ms * self.scale / 1000, min_real_s), seq, name))

    def clear(self, name: str) -> None:
        self.timer_fns.pop(name, None)

    def clear_all(self) -> None:
        self.timer_fns.clear()

    # ── the protocol ──

    def create_session(self) -> dict:
        url = f"{self.http_url}/api/sales-agent/{quote(self.share_token, safe='')}/session"
        body = json.dumps({"prospectName": "Alex Example"}).encode()
        request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 201:
                raise ValueError(f"HTTP {response.status}")
            return json.loads(response.read())

    def connect(self) -> None:
        self.attempts += 1
        self.connections += 1
        conn = Conn(self.connections, self.handle)
        self.conn, self.in_flight = conn, None
        params = {"mode": "sales_agent", "sessionToken": self.session["sessionToken"], "shareToken": self.share_token}
        if conn.handle:
            params["resumeHandle"] = conn.handle["value"]
        log(f"connection {conn.id}{', resuming' if conn.handle else ''}")
        conn.ws = WebSocket(f"{self.ws_url}?{urlencode(params)}", conn.id, self.events)

    def touch(self) -> None:
        if self.in_flight is not None:
            conn = self.conn
            self.after("inactivity", INACTIVITY_MS, lambda: self.abandon(conn, "half-open"))

    def on_text(self, conn: Conn, text: str) -> None:
        self.touch()
        try:
            msg = json.loads(text)
        except ValueError:
            log("ignored a frame that is not JSON")
            return
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "transcript":
            if not conn.confirmed:
                return self.silently_rejected(conn)
            if msg.get("final"):
                self.on_agent_turn(conn)
        elif kind == "session_resumption_update":
            # resumable:false means "keep the previous handle" (spec 3); an unconfirmed resume adopts nothing.
            if msg.get("resumable") and msg.get("handle") and conn.confirmed:
                self.handle = {"value": msg["handle"], "covers": self.answered}
                if conn.rotate_at_boundary and self.in_flight is None:
                    self.after("rotate", 0, lambda: self.rotate(conn), BOUNDARY_GRACE_S)
        elif kind == "session_expiring":
            if conn.expiry_planned:
                return
            conn.expiry_planned = True
            left = max(0.0, float(msg.get("timeLeft") or 0) * 1000)
            if self.in_flight is None and self.handle:
                # A turn boundary now: rotate, after a moment (a conversation_end right behind the notice wins).
                return self.after("rotate", 0, lambda: self.rotate(conn), BOUNDARY_GRACE_S)
            conn.rotate_at_boundary = True
            self.after("rotate", max(0.0, left - min(EXPIRY_MARGIN_MS, left / 2)), lambda: self.rotate(conn))
        elif kind == "session:resumed":
            if conn.confirmed:
                return
            conn.confirmed = True
            self.clear("confirm")
            self.answered = conn.handle["covers"]  # the restored state (spec 5.1)
            self.send_next(0)  # re-sends the message the state lacks, or the next one
        elif kind == "conversation_end":
            status = "completed" if self.turns >= self.max_turns else "failed"
            self.finish(status, f"conversation_end: {msg.get('reason')}", False)
        # error reports and unknown types are ignored (spec 2)

    def on_agent_turn(self, conn: Conn) -> None:
        self.clear("inactivity")
        if self.in_flight is not None:
            self.answered = self.in_flight
            self.turns = max(self.turns, self.answered)
            self.in_flight = None
        conn.full_turn = True
        self.attempts = 0  # only a full agent turn ends an outage (spec 6.4)
        if self.answered >= self.max_turns:
            conn.ws.send_text(json.dumps({"type": "end_conversation"}))
            self.after("end", 10_000, lambda: self.finish("completed", "no conversation_end came", False))
        elif not conn.rotate_at_boundary:
            self.send_next(self.random.uniform(*THINK_MS))

    def send_next(self, delay: float) -> None:
        def send() -> None:
            conn = self.conn
            if conn is None or not conn.confirmed or self.in_flight is not None:
                return
            index = self.answered + 1
            conn.ws.send_text(json.dumps({"type": "prospect_message", "text": prospect_text(self.seed, index)}))
            self.in_flight = index
            self.after("inactivity", INACTIVITY_MS, lambda: self.abandon(conn, "half-open"))

        self.after("think", delay, send)

    def rotate(self, conn: Conn) -> None:
        """Expiry (spec 6.2): close it ourselves and resume on a new one at once."""
        if self.conn is not conn or self.result is not None or not self.handle:
            return
        log("rotating before the goAway deadline")
        self.detach(conn, "rotating")
        self.attempts = 0
        self.connect()

    def abandon(self, conn: Conn, why: str) -> None:
        """A connection we give up on (half-open, unconfirmed resume): an outage like any other."""
        if self.conn is not conn or self.result is not None:
            return
        log(f"leaving connection: {why}")
        self.detach(conn, why)
        self.recover(conn)

    def silently_rejected(self, conn: Conn) -> None:
        """A transcript before session:resumed: a fresh session; the handle is dead (spec 5.2)."""
        self.drop_handle(conn.handle)
        self.detach(conn, "resume rejected")
        self.recover(conn)

    def lost(self, conn: Conn, code: int) -> None:
        self.conn = None
        self.clear_all()
        if code == 4001:
            return self.finish("failed", "unauthorised (4001): not reconnecting", True)
        if code == 4003 and conn.handle:
            self.drop_handle(conn.handle)
        self.recover(conn)

    def recover(self, conn: Conn) -> None:
        if self.result is not None:
            return
        if conn.handle and conn.confirmed and not conn.full_turn:
            count = self.accept_then_close.get(conn.handle["value"], 0) + 1
            self.accept_then_close[conn.handle["value"]] = count
            if count >= MAX_ACCEPT_THEN_CLOSE:
                self.drop_handle(conn.handle)
        if not self.handle:
            return self.finish("failed", "resume impossible: no usable handle", True)
        if self.attempts >= MAX_ATTEMPTS:
            return self.finish("failed", f"resume failed after {self.attempts} attempts", True)
        delay = 0 if self.attempts == 0 else BASE_DELAY_MS * 2 ** (self.attempts - 1) * self.random.uniform(0.9, 1.1)
        self.after("reconnect", delay, self.connect)

    def detach(self, conn: Conn, reason: str) -> None:
        self.conn = None
        self.clear_all()
        conn.ws.close(1000, reason)

    def drop_handle(self, handle: dict) -> None:
        self.dropped.add(handle["value"])
        if self.handle and self.handle["value"] in self.dropped:
            self.handle = None

    def finish(self, status: str, reason: str, context_lost: bool) -> None:
        if self.result is not None:
            return
        self.clear_all()
        if self.conn is not None:
            self.conn.ws.close(1000, status)
            self.conn = None
        log(f"{status}: {reason}")
        self.result = {
            "status": status,
            "conversationId": (self.session or {}).get("conversationId"),
            "turns": self.turns,
            "reconnects": max(0, self.connections - 1),
            "contextLost": context_lost if status == "failed" else False,
            "reason": reason,
        }
        if self.result["conversationId"] is None:
            del self.result["conversationId"]


def prospect_text(seed: int, n: int) -> str:
    """The prospect's n-th message: the same text every time it is (re-)sent."""
    topics = ["our pipeline reporting", "onboarding new reps", "the renewal process", "pricing for 40 seats", "the data migration"]
    return f"Message {n}: tell me more about {topics[(seed + n) % len(topics)]}."


def log(line: str) -> None:
    """Never a handle or a token: they are bearer credentials (spec 5.1)."""
    print(f"[python-client] {line}", file=sys.stderr, flush=True)


def main() -> int:
    missing = [name for name in ("RESUME_HARNESS_HTTP_URL", "RESUME_HARNESS_WS_URL", "RESUME_HARNESS_SHARE_TOKEN", "RESUME_HARNESS_MAX_TURNS") if not os.environ.get(name)]
    if missing:
        print(f"client.py: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    result = Client(dict(os.environ)).run()
    text = json.dumps(result, indent=2) + "\n"
    path = os.environ.get("RESUME_HARNESS_RESULT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0 if result["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
