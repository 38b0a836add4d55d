"""Benchmark: message-to-reply latency of `jielong run` against a local Wechaty puppet service.

    python bench/live_bench.py [--messages 60]

Starts tests/wechaty_service/server.mjs (the real wechaty-puppet-service in
front of wechaty-puppet-mock, on 127.0.0.1) and `jielong run` against it,
opens a round, then has room members order one at a time. For each message
it measures from the moment the service says the message is in the puppet to
the moment the bot's reply mentioning its sender reaches the puppet, and
prints p50/p99/max. Asserts nothing; needs node, `npm install` in
tests/wechaty_service and the wechat extra (`make test-deps wechaty-service-deps`).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "tests" / "wechaty_service"
JIELONG = Path(sys.executable).with_name("jielong")
BOT, BOT_NAME, ADMIN, ROOM = "bot", "小龙", "wxid_admin", "bench@chatroom"
CONFIG = """\
[bot]
id = "{bot}"
name = "{bot_name}"
transport = "wechaty"
admins = ["{admin}"]

[[products]]
name = "苹果"
price = 8
unit = "斤"

[wechaty]
endpoint = "127.0.0.1:{port}"
token = "{token}"
"""


class Service:
    """server.mjs: commands as JSON lines on stdin, events (with our arrival time) from stdout."""

    def __init__(self, port: int, token: str, log: Path) -> None:
        self.events: list[tuple[float, dict]] = []
        self.changed = threading.Condition()
        self.ref = 0
        with open(log, "ab") as stderr:
            self.proc = subprocess.Popen(
                ["node", "server.mjs", "--port", str(port), "--token", token, "--bot-id", BOT,
                 "--bot-name", BOT_NAME],
                cwd=SERVICE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                encoding="utf-8")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            event = json.loads(line)
            with self.changed:
                self.events.append((time.perf_counter(), event))
                self.changed.notify_all()

    def wait_for(self, match, timeout: float, since: int = 0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for at, event in self.events[since:]:
                    if match(event):
                        return at, event
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    sys.exit(f"timed out; last events: {[e for _, e in self.events[-5:]]}")
                self.changed.wait(min(left, 0.5))

    def command(self, cmd: str, **fields) -> tuple[float, dict]:
        self.ref += 1
        ref = self.ref
        self.proc.stdin.write(json.dumps({"cmd": cmd, "ref": ref, **fields}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self.wait_for(lambda e: e.get("ref") == ref, 10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    if not (SERVICE / "node_modules" / "wechaty-puppet-service").is_dir():
        print("live latency: skipped (no node_modules in tests/wechaty_service: make wechaty-service-deps)")
        return
    members = [f"wxid_m{i:03d}" for i in range(args.messages)]
    setup = {"contacts": [{"id": ADMIN, "name": "团长"}] + [{"id": m, "name": f"顾客{i}"}
                                                            for i, m in enumerate(members)],
             "rooms": [{"id": ROOM, "topic": "团购群", "members": [ADMIN, *members]}]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port, token = _free_port(), "bench-" + secrets.token_hex(6)
        (tmp / "config.toml").write_text(CONFIG.format(bot=BOT, bot_name=BOT_NAME, admin=ADMIN, port=port,
                                                       token=token), encoding="utf-8")
        service = Service(port, token, tmp / "service.log")
        bot = None
        try:
            service.wait_for(lambda e: e["event"] == "ready", 30)
            service.command("setup", **setup)
            with open(tmp / "bot.log", "wb") as log:
                bot = subprocess.Popen([str(JIELONG), "run", "--config", str(tmp / "config.toml"),
                                        "--db", f"sqlite:///{tmp / 'live.db'}"], cwd=tmp, stdout=log,
                                       stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            service.wait_for(lambda e: e["event"] == "online", 60)
            mark = len(service.events)
            service.command("say", contact=ADMIN, room=ROOM, text="开团 周末水果", mentions=[])
            service.wait_for(lambda e: e["event"] == "bot-said", 30, mark)
            latencies = []
            for member in members:          # one at a time: latency, not throughput
                mark = len(service.events)
                arrived, _ = service.command("say", contact=member, room=ROOM, text=f"@{BOT_NAME} 苹果2斤",
                                             mentions=[BOT])
                replied, _ = service.wait_for(lambda e, m=member: e["event"] == "bot-said" and m in e["mentions"],
                                              30, mark)
                latencies.append(replied - arrived)
        finally:
            if bot is not None:
                bot.terminate()
                try:
                    bot.wait(10)
                except subprocess.TimeoutExpired:
                    bot.kill()
            service.stop()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"live, jielong run against the local puppet service: {len(latencies)} messages, message-to-reply "
          f"p50={pick(0.5):.0f}ms p99={pick(0.99):.0f}ms max={latencies[-1] * 1000:.0f}ms")


if __name__ == "__main__":
    main()
