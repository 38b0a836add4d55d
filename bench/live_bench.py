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
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from puppet_service import SERVICE, PuppetServiceProcess, free_port  # noqa: E402  (tests/puppet_service.py)

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
        port, token = free_port(), "bench-" + secrets.token_hex(6)
        (tmp / "config.toml").write_text(CONFIG.format(bot=BOT, bot_name=BOT_NAME, admin=ADMIN, port=port,
                                                       token=token), encoding="utf-8")
        service = PuppetServiceProcess(port, token, tmp / "service.log", setup, bot=BOT, bot_name=BOT_NAME)
        bot = None
        try:
            service.start(timeout=30)
            with open(tmp / "bot.log", "wb") as log:
                bot = subprocess.Popen([str(JIELONG), "run", "--config", str(tmp / "config.toml"),
                                        "--db", f"sqlite:///{tmp / 'live.db'}"], cwd=tmp, stdout=log,
                                       stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            service.wait_for(lambda e: e["event"] == "online", 60, "the bot to log in")
            mark = len(service.events)
            service.command("say", contact=ADMIN, room=ROOM, text="开团 周末水果", mentions=[])
            service.wait_for(lambda e: e["event"] == "bot-said", 30, "the round opened", mark)
            latencies = []
            for member in members:          # one at a time: latency, not throughput
                mark = len(service.events)
                arrived, _ = service.command_timed("say", contact=member, room=ROOM, text=f"@{BOT_NAME} 苹果2斤",
                                             mentions=[BOT])
                replied, _ = service.wait_for_timed(
                    lambda e, m=member: e["event"] == "bot-said" and m in e["mentions"], 30, "the reply", mark)
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
