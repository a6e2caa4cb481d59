#!/usr/bin/env python3
"""The Python example again, written the way most Python code talks WebSocket: asyncio and the
`websockets` library (Debian's python3-websockets, or `pip install websockets`; 10.4 and later).
The resume logic is the one of client.py, which needs nothing but the standard library:
spec section 6 of docs/ai-voice-protocol.md, clause by clause.

It is a `cmd:` client of resume-harness (docs/sut-contract.md section 3):

    npx resume-harness run goaway delayed-close invalid-handle flapping \\
        --mode network --sut "cmd:python3 examples/python/websockets_client.py"

Configuration comes from the RESUME_HARNESS_* variables; the result goes to the file named by
RESUME_HARNESS_RESULT; the exit status is 0 only when the conversation completed. Every
duration below is in protocol milliseconds and is scaled by RESUME_HARNESS_TIME_SCALE.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import urllib.request
from urllib.parse import quote, urlencode

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

MAX_ATTEMPTS = 3  # per outage (spec 6.4)
BASE_DELAY_MS = 2000  # before the 2nd attempt, doubling, +-10 % jitter
RESUME_CONFIRM_MS = 10_000  # session:resumed must come by then (spec 5.2)
INACTIVITY_MS = 30_000  # silence while awaiting the agent = half-open (spec 6.8)
EXPIRY_MARGIN_MS = 10_000  # rotate at the latest this long before timeLeft runs out
MAX_ACCEPT_THEN_CLOSE = 2  # resumed-then-closed cycles before a handle is abandoned
BOUNDARY_GRACE_S = 0.05  # real seconds: a conversation_end right behind session_expiring wins over the rotation
THINK_MS = (4000, 9000)  # the prospect's pause before each reply


class Conn:
    """One connection and what the client knows about it."""

    def __init__(self, conn_id: int, handle: dict | None):
        self.id, self.handle = conn_id, handle
        self.confirmed = handle is None  # a resume counts only after session:resumed (spec 5.2)
        self.full_turn = False
        self.expiry_planned = False
        self.rotate_at_boundary = False
        self.ws = None


class Client:
    def __init__(self, env: dict[str, str]):
        self.http_url = env["RESUME_HARNESS_HTTP_URL"].rstrip("/")
        self.ws_url = env["RESUME_HARNESS_WS_URL"]
        self.share_token = env["RESUME_HARNESS_SHARE_TOKEN"]
        self.max_turns = int(env["RESUME_HARNESS_MAX_TURNS"])
        self.seed = int(env.get("RESUME_HARNESS_SEED") or 0)
        self.scale = float(env.get("RESUME_HARNESS_TIME_SCALE") or 1)
        self.random = random.Random(self.seed)
        self.session: dict | None = None
        self.handle: dict | None = None  # {"value", "covers"}: the newest usable handle
        self.dropped: set[str] = set()
        self.accept_then_close: dict[str, int] = {}
        self.conn: Conn | None = None  # the connection we talk on; we stop reading any other (spec 6.5)
        self.connections = 0
        self.attempts = 0
        self.answered = 0  # prospect messages answered in the current model state
        self.turns = 0  # the highest message the agent ever answered
        self.in_flight: int | None = None
        self.result: dict | None = None
        self.timers: dict = {}  # name -> (due, coroutine function): the connection's protocol timers
        self.reconnect_delay_ms: float | None = None  # set when an outage calls for another attempt
        self.closing: set[asyncio.Task] = set()

    # ── the conversation: one connection after another ──

    async def run(self) -> dict:
        try:
            self.session = await asyncio.to_thread(self.create_session)
        except (OSError, ValueError) as error:
            self.finish("failed", f"could not create a session: {error}", False)
            return self.result
        self.reconnect_delay_ms = 0
        while self.result is None and self.reconnect_delay_ms is not None:
            await asyncio.sleep(self.reconnect_delay_ms * self.scale / 1000)
            self.reconnect_delay_ms = None
            await self.converse()
        if self.result is None:
            self.finish("failed", "stopped with nothing left to try", True)
        # Let the closing handshakes finish before the process exits.
        if self.closing:
            await asyncio.wait(self.closing, timeout=2)
        return self.result

    def create_session(self) -> dict:
        url = f"{self.http_url}/api/sales-agent/{quote(self.share_token, safe='')}/session"
        body = json.dumps({"prospectName": "Alex Example"}).encode()
        request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 201:
                raise ValueError(f"HTTP {response.status}")
            return json.loads(response.read())

    async def converse(self) -> None:
        """Opens a connection and reads it until it closes or the client leaves it."""
        self.attempts += 1
        self.connections += 1
        conn = Conn(self.connections, self.handle)
        self.conn, self.in_flight, self.timers = conn, None, {}
        params = {"mode": "sales_agent", "sessionToken": self.session["sessionToken"], "shareToken": self.share_token}
        if conn.handle:
            params["resumeHandle"] = conn.handle["value"]
        log(f"connection {conn.id}{', resuming' if conn.handle else ''}")
        try:
            # No library keepalive: it runs on real time, and half-open detection is the client's
            # own job, in protocol time (spec 6.8).
            conn.ws = await websockets.connect(f"{self.ws_url}?{urlencode(params)}", ping_interval=None, open_timeout=30, close_timeout=2, max_size=None)
        except (OSError, InvalidHandshake, asyncio.TimeoutError) as error:
            log(f"could not connect: {type(error).__name__}")  # never the URL: it carries the tokens
            return await self.lost(conn, 1006)
        if conn.handle:
            self.after("confirm", RESUME_CONFIRM_MS, lambda: self.abandon(conn, "no session:resumed"))
        while self.conn is conn and self.result is None:
            try:
                message = await asyncio.wait_for(conn.ws.recv(), self.until_next_timer())
            except asyncio.TimeoutError:
                await self.fire_next_timer()
                continue
            except ConnectionClosed as closed:
                return await self.lost(conn, closed.rcvd.code if closed.rcvd else 1006)
            if isinstance(message, bytes):
                self.touch()  # audio: the connection is alive
            else:
                await self.on_text(conn, message)

    # ── protocol timers, in protocol milliseconds ──

    def after(self, name: str, ms: float, fn, min_real_s: float = 0.0) -> None:
        loop = asyncio.get_running_loop()
        self.timers[name] = (loop.time() + max(ms * self.scale / 1000, min_real_s), fn)

    def clear(self, name: str) -> None:
        self.timers.pop(name, None)

    def until_next_timer(self) -> float | None:
        if not self.timers:
            return None
        return max(0.0, min(due for due, _ in self.timers.values()) - asyncio.get_running_loop().time())

    async def fire_next_timer(self) -> None:
        name = min(self.timers, key=lambda n: self.timers[n][0])
        _, fn = self.timers.pop(name)
        await fn()

    # ── the protocol ──

    async def send(self, conn: Conn, message: dict) -> None:
        try:
            await conn.ws.send(json.dumps(message))
        except ConnectionClosed:
            pass  # recv() reports the close

    def touch(self) -> None:
        if self.in_flight is not None:
            conn = self.conn
            self.after("inactivity", INACTIVITY_MS, lambda: self.abandon(conn, "half-open"))

    async def on_text(self, conn: Conn, text: str) -> None:
        self.touch()
        try:
            msg = json.loads(text)
        except ValueError:
            log("ignored a frame that is not JSON")
            return
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "transcript":
            if not conn.confirmed:
                return await self.silently_rejected(conn)
            if msg.get("final"):
                await self.on_agent_turn(conn)
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

    async def on_agent_turn(self, conn: Conn) -> None:
        self.clear("inactivity")
        if self.in_flight is not None:
            self.answered = self.in_flight
            self.turns = max(self.turns, self.answered)
            self.in_flight = None
        conn.full_turn = True
        self.attempts = 0  # only a full agent turn ends an outage (spec 6.4)
        if self.answered >= self.max_turns:
            await self.send(conn, {"type": "end_conversation"})

            async def no_end() -> None:
                self.finish("completed", "no conversation_end came", False)

            self.after("end", 10_000, no_end)
        elif not conn.rotate_at_boundary:
            self.send_next(self.random.uniform(*THINK_MS))

    def send_next(self, delay: float) -> None:
        async def send() -> None:
            conn = self.conn
            if conn is None or not conn.confirmed or self.in_flight is not None:
                return
            index = self.answered + 1
            await self.send(conn, {"type": "prospect_message", "text": prospect_text(self.seed, index)})
            self.in_flight = index
            self.after("inactivity", INACTIVITY_MS, lambda: self.abandon(conn, "half-open"))

        self.after("think", delay, send)

    async def rotate(self, conn: Conn) -> None:
        """Expiry (spec 6.2): close it ourselves and resume on a new one at once."""
        if self.conn is not conn or self.result is not None or not self.handle:
            return
        log("rotating before the goAway deadline")
        self.detach(conn, "rotating")
        self.attempts = 0
        self.reconnect_delay_ms = 0

    async def abandon(self, conn: Conn, why: str) -> None:
        """A connection we give up on (half-open, unconfirmed resume): an outage like any other."""
        if self.conn is not conn or self.result is not None:
            return
        log(f"leaving connection: {why}")
        self.detach(conn, why)
        self.recover(conn)

    async def silently_rejected(self, conn: Conn) -> None:
        """A transcript before session:resumed: a fresh session; the handle is dead (spec 5.2)."""
        self.drop_handle(conn.handle)
        self.detach(conn, "resume rejected")
        self.recover(conn)

    async def lost(self, conn: Conn, code: int) -> None:
        self.conn, self.timers = None, {}
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
        self.reconnect_delay_ms = 0 if self.attempts == 0 else BASE_DELAY_MS * 2 ** (self.attempts - 1) * self.random.uniform(0.9, 1.1)

    def detach(self, conn: Conn, reason: str) -> None:
        """Leaves a connection: its close handshake runs on its own, and we read it no more."""
        self.conn, self.timers = None, {}
        if conn.ws is not None:
            task = asyncio.create_task(conn.ws.close(1000, reason))
            self.closing.add(task)
            task.add_done_callback(self.closing.discard)

    def drop_handle(self, handle: dict) -> None:
        self.dropped.add(handle["value"])
        if self.handle and self.handle["value"] in self.dropped:
            self.handle = None

    def finish(self, status: str, reason: str, context_lost: bool) -> None:
        if self.result is not None:
            return
        if self.conn is not None:
            self.detach(self.conn, status)
        self.timers = {}
        log(f"{status}: {reason}")
        self.result = {
            "status": status,
            "turns": self.turns,
            "reconnects": max(0, self.connections - 1),
            "contextLost": context_lost if status == "failed" else False,
            "reason": reason,
        }
        if self.session and self.session.get("conversationId"):
            self.result["conversationId"] = self.session["conversationId"]


def prospect_text(seed: int, n: int) -> str:
    """The prospect's n-th message: the same text every time it is (re-)sent."""
    topics = ["our pipeline reporting", "onboarding new reps", "the renewal process", "pricing for 40 seats", "the data migration"]
    return f"Message {n}: tell me more about {topics[(seed + n) % len(topics)]}."


def log(line: str) -> None:
    """Never a handle or a token: they are bearer credentials (spec 5.1)."""
    print(f"[python-websockets-client] {line}", file=sys.stderr, flush=True)


def main() -> int:
    missing = [name for name in ("RESUME_HARNESS_HTTP_URL", "RESUME_HARNESS_WS_URL", "RESUME_HARNESS_SHARE_TOKEN", "RESUME_HARNESS_MAX_TURNS") if not os.environ.get(name)]
    if missing:
        print(f"websockets_client.py: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    result = asyncio.run(Client(dict(os.environ)).run())
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
