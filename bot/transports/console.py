"""An interactive console: type as different people in one room.

    李明> 苹果2斤            a message from 李明
    /as wxid_boss 老板      switch who is typing (id, then display name)
    /admin                  type as the first admin of the config
    /quit
Lines ending in "\\" continue the message (for pasting a #接龙 list).
"""
from __future__ import annotations

import itertools
import sys
from datetime import datetime, timezone
from typing import TextIO

from bot.config import Config
from bot.messages import Incoming
from bot.transports.outbox import mark_delivered
from bot.transports.replay import format_reply

ROOM = "console-room"
BANNER = (
    "jielong console：@{bot} 在群「控制台」里，你现在是顾客。\n"
    "  /as ID 名字   换成别人发言，例如 /as wxid_li 李明\n"
    "  /admin        换成团长（配置里 admins 的第一个）\n"
    "  /quit         退出\n"
    "  粘贴多行接龙：除最后一行外，每行末尾加 \\ （反斜杠），最后一行不加即整条发出\n"
)


def run_console(bot, config: Config, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    sender, name = "wxid_customer", "顾客"
    counter = itertools.count(1)
    stdout.write(BANNER.format(bot=config.bot_name))
    buffer: list[str] = []
    while True:
        stdout.write(f"{name}> " if not buffer else "... ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip("\n")
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        text = "\n".join(buffer + [line])
        buffer = []
        if text.strip() == "/quit":
            break
        if text.startswith("/as "):
            parts = text.split(maxsplit=2)
            sender = parts[1]
            name = parts[2] if len(parts) > 2 else parts[1]
            continue
        if text.strip() == "/admin":
            sender = next(iter(sorted(config.admins)), "admin")
            name = "团长"
            continue
        if not text.strip():
            continue
        mentions = (config.bot_id,) if f"@{config.bot_name}" in text else ()
        msg = Incoming(id=f"console-{datetime.now(timezone.utc).timestamp()}-{next(counter)}",
                       ts=datetime.now(timezone.utc).astimezone(), room=ROOM, sender=sender, name=name,
                       text=text, mentions=mentions, room_name="控制台")
        for reply in bot.handle(msg):
            stdout.write(format_reply(reply) + "\n")
        if getattr(bot, "db", None) is not None:
            mark_delivered(bot.db, msg.id)      # shown on the spot: nothing left for a live transport
