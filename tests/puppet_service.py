"""The local Wechaty puppet service (tests/wechaty_service/server.mjs), driven from Python.

server.mjs runs wechaty-puppet-service's PuppetServer (what real deployments
connect to) in front of wechaty-puppet-mock. It takes commands as JSON lines
on stdin and prints events as JSON lines on stdout. One copy of this code
for everything that starts it: tests/test_wechaty_transport.py,
tests/test_doctor.py and bench/live_bench.py (which also reads when each
event arrived).
"""
from __future__ import annotations

import ctypes
import importlib.util
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "tests" / "wechaty_service"
BOT, BOT_NAME = "bot", "小龙"


def unavailable() -> str | None:
    """Why the service cannot run here, or None."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node and npm are not on PATH"
    if not (SERVICE / "node_modules" / "wechaty-puppet-service").is_dir():
        return f"no node_modules: run `npm install` in {SERVICE.relative_to(ROOT)}"
    if importlib.util.find_spec("wechaty_puppet_service") is None:
        return "the wechat extra is not installed: pip install -e '.[wechat]'"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_the_caller() -> None:
    """Linux: the child gets SIGTERM if the test process dies without cleaning up."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class PuppetServiceProcess:
    """server.mjs: commands as JSON lines on stdin, events as JSON lines on stdout.

    `events` are the events in order, `arrived` the time.perf_counter() each was read."""

    def __init__(self, port: int, token: str, log: Path, setup: dict | None = None, *,
                 bot: str = BOT, bot_name: str = BOT_NAME) -> None:
        self.port, self.token, self.log, self.setup = port, token, log, setup
        self.bot, self.bot_name = bot, bot_name
        self.events: list[dict] = []
        self.arrived: list[float] = []
        self.changed = threading.Condition()
        self.ref = 0

    def start(self, timeout: float = 20) -> PuppetServiceProcess:
        with open(self.log, "ab") as stderr:
            self.proc = subprocess.Popen(
                ["node", "server.mjs", "--port", str(self.port), "--token", self.token,
                 "--bot-id", self.bot, "--bot-name", self.bot_name],
                cwd=SERVICE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                text=True, encoding="utf-8", preexec_fn=_die_with_the_caller,
            )
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda e: e["event"] == "ready", timeout, "the service to listen")
        if self.setup is not None:
            self.command("setup", **self.setup)
        return self

    def _read(self) -> None:
        for line in self.proc.stdout:
            event = json.loads(line)
            with self.changed:
                self.events.append(event)
                self.arrived.append(time.perf_counter())
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, match: Callable[[dict], bool], timeout: float, what: str, since: int = 0) -> dict:
        return self.wait_for_timed(match, timeout, what, since)[1]

    def wait_for_timed(self, match: Callable[[dict], bool], timeout: float, what: str,
                       since: int = 0) -> tuple[float, dict]:
        """The first event from `since` on that matches, and when it arrived."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for index in range(since, len(self.events)):
                    if match(self.events[index]):
                        return self.arrived[index], self.events[index]
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(
                        f"timed out waiting for {what}; last events: {self.events[-6:]}\n"
                        f"--- service log ---\n{_tail(self.log)}")
                self.changed.wait(min(left, 0.2))

    def command_timed(self, cmd: str, **fields) -> tuple[float, dict]:
        """Send a command; its answer and when the answer arrived."""
        self.ref += 1
        ref = self.ref
        self.proc.stdin.write(json.dumps({"cmd": cmd, "ref": ref, **fields}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        at, answer = self.wait_for_timed(lambda e: e.get("ref") == ref, 10, f"an answer to {cmd}")
        assert answer["event"] != "error", answer
        return at, answer

    def command(self, cmd: str, **fields) -> dict:
        return self.command_timed(cmd, **fields)[1]

    def say(self, who: str, room: str, text: str, mentions: tuple[str, ...] = (), type: int = 7) -> None:
        self.command("say", contact=who, room=room, text=text, mentions=list(mentions), type=type)

    def bot_said(self) -> list[dict]:
        with self.changed:
            return [e for e in self.events if e["event"] == "bot-said"]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)          # a crash, not a goodbye
        self.proc.wait(5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()                    # server.mjs stops when stdin closes
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
