"""The replay transport: a chat recorded as JSONL, fed through the bot.

Every line is checked before the first message is handled, so a broken file
fails at once with `FILE:LINE: reason` and changes nothing.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.messages import Incoming, Reply


class ChatFileError(Exception):
    """A chat file that cannot be replayed; str() is one line naming file and line."""


def _field(raw: dict, key: str, where: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ChatFileError(f"{where}: missing \"{key}\"")
        return None
    if not isinstance(value, (str, int)):
        raise ChatFileError(f"{where}: \"{key}\" must be a string")
    return str(value)


def parse_message(line: str, where: str) -> Incoming:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ChatFileError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise ChatFileError(f"{where}: a message must be a JSON object")
    try:
        ts = datetime.fromisoformat(_field(raw, "ts", where))
    except ValueError:
        raise ChatFileError(f"{where}: \"ts\" is not an ISO 8601 time") from None
    if ts.tzinfo is None:
        raise ChatFileError(f"{where}: \"ts\" needs a UTC offset, e.g. +08:00")
    mentions = raw.get("mentions") or []
    if not isinstance(mentions, list):
        raise ChatFileError(f"{where}: \"mentions\" must be a list")
    return Incoming(
        id=_field(raw, "id", where), ts=ts, room=_field(raw, "room", where),
        sender=_field(raw, "sender", where), name=_field(raw, "name", where, required=False) or "",
        text=_field(raw, "text", where, required=False) or "",
        mentions=tuple(str(m) for m in mentions), room_name=_field(raw, "room_name", where, required=False),
    )


def read_chat(path: str | Path) -> list[Incoming]:
    """All messages of a chat file, or ChatFileError at the first bad line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        raise ChatFileError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ChatFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ChatFileError(f"{path}: cannot read ({exc.strerror})") from None
    return [parse_message(line, f"{path}:{number}")
            for number, line in enumerate(lines, 1) if line.strip()]


@dataclass
class ReplayStats:
    messages: int = 0
    replies: int = 0
    latencies: list[float] = field(default_factory=list)   # seconds per message


def format_reply(reply: Reply) -> str:
    """A reply as the log shows it; attachments (already written to disk) by path."""
    lines = [f"小龙 → {reply.text}"]
    lines += [f"  [{'图片' if a.kind == 'image' else '文件'}] {a.path}" for a in reply.attachments]
    return "\n".join(lines)


def replay(messages: list[Incoming], handle: Callable[[Incoming], list[Reply]],
           out: TextIO | None = None) -> ReplayStats:
    """Feed messages in order; print each reply as a block."""
    stats = ReplayStats()
    for msg in messages:
        start = time.perf_counter()
        replies = handle(msg)
        stats.latencies.append(time.perf_counter() - start)
        stats.messages += 1
        stats.replies += len(replies)
        if out is not None and replies:
            first = msg.text.split("\n")[-1] if msg.text.startswith("#接龙") else msg.text
            out.write(f"[{msg.ts:%m-%d %H:%M}] {msg.name}: {first[:80]}\n")
            for reply in replies:
                out.write(format_reply(reply) + "\n\n")
    return stats


