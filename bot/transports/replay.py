"""The replay transport: a chat recorded as JSONL, fed through the bot.

Every line is checked before the first message is handled, so a broken file
fails at once with `FILE:LINE: reason` and changes nothing.

Replies are printed the way a live transport sends them: from the outbox
(bot/transports/outbox.py), after the message's transaction committed, each marked sent
once printed. A replay killed half-way and run again on the same database
therefore prints every reply it owes, and re-delivered messages change
nothing.

Crash tests only: JIELONG_CRASH_AFTER=N[:phase] makes the process SIGKILL
itself at message N (counting every message fed, re-deliveries included).
Phases: `handled` (default; committed, replies not yet printed), `commit`
(inside the message's transaction, just before COMMIT), `send` (right after
printing the first reply from message N on, before it is marked sent).
"""
from __future__ import annotations

import json
import os
import signal
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
    latencies: list[float] = field(default_factory=list)   # seconds per message, handling only
    wall: float = 0.0          # seconds for the whole replay: jobs, handling and delivery


def format_reply(reply: Reply) -> str:
    """A reply as the log shows it; attachments (already written to disk) by path."""
    lines = [f"小龙 → {reply.text}"]
    lines += [f"  [{'图片' if a.kind == 'image' else '文件'}] {a.path}" for a in reply.attachments]
    return "\n".join(lines)


def replay(messages: list[Incoming], handle: Callable[[Incoming], list[Reply]],
           out: TextIO | None = None, *, deliver: Callable[[], object] | None = None,
           tick: Callable[[datetime, Callable], object] | None = None) -> ReplayStats:
    """Feed messages in order; print each reply as a block.

    With `deliver` (an outbox drain that prints), replies are printed by it
    after each message instead of from what `handle` returned. With `tick`
    (the scheduler's run_due_jobs), time moves to each message's timestamp
    first, and the jobs due by then (cut-offs, reminders, summaries) run in
    order before the message is handled, each printed under its own time.
    """
    stats = ReplayStats()
    began = time.perf_counter()
    crash = CrashHook.from_env()
    if deliver is not None:
        deliver()                   # what an earlier, interrupted run still owes
    for msg in messages:
        if tick is not None:
            tick(msg.ts, lambda run: _print_job(run, msg, out, deliver))
        start = time.perf_counter()
        crash.before(stats.messages + 1)
        replies = handle(msg)
        stats.latencies.append(time.perf_counter() - start)
        stats.messages += 1
        stats.replies += len(replies)
        crash.after_handle(stats.messages)
        if out is not None and replies:
            first = msg.text.split("\n")[-1] if msg.text.startswith("#接龙") else msg.text
            out.write(f"[{msg.ts:%m-%d %H:%M}] {msg.name}: {first[:80]}\n")
            if deliver is None:
                for reply in replies:
                    out.write(format_reply(reply) + "\n\n")
        if deliver is not None and replies:
            deliver()
    if deliver is not None:
        deliver()                   # retries of anything that failed on the way
    stats.wall = time.perf_counter() - began
    return stats


def _print_job(run, msg: Incoming, out: TextIO | None, deliver: Callable[[], object] | None) -> None:
    """A scheduled job's replies, under the time it ran (in the chat's timezone)."""
    if out is not None and run.replies:
        out.write(f"[{run.at.astimezone(msg.ts.tzinfo):%m-%d %H:%M}] ⏰ 定时任务\n")
        if deliver is None:
            for reply in run.replies:
                out.write(format_reply(reply) + "\n\n")
    if deliver is not None:
        deliver()


def printer(out: TextIO | None) -> Callable[[Reply], None]:
    """An outbox `send` for the replay: print the block and flush it (or nothing)."""
    crash = CrashHook.from_env()

    def send(reply: Reply) -> None:
        if out is not None:
            out.write(format_reply(reply) + "\n\n")
            out.flush()
        crash.after_send()
    return send


class CrashHook:
    """JIELONG_CRASH_AFTER=N[:phase]: die by SIGKILL at message N (crash tests)."""

    ENV = "JIELONG_CRASH_AFTER"
    PHASES = ("handled", "commit", "send")
    _instance: CrashHook | None = None

    def __init__(self, at: int | None, phase: str) -> None:
        self.at, self.phase, self.current = at, phase, 0
        if at is not None and phase == "commit":
            from sqlalchemy import event
            from sqlalchemy.orm import Session

            event.listen(Session, "before_commit", self._before_commit)

    @classmethod
    def from_env(cls) -> CrashHook:
        if cls._instance is None:
            spec = os.environ.get(cls.ENV, "")
            number, _, phase = spec.partition(":")
            phase = phase or "handled"
            at = int(number) if number.strip().isdigit() else None
            cls._instance = cls(at if phase in cls.PHASES else None, phase)
        return cls._instance

    @staticmethod
    def _die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def before(self, number: int) -> None:
        self.current = number

    def _before_commit(self, _session) -> None:
        if self.current == self.at:
            self._die()

    def after_handle(self, number: int) -> None:
        if self.phase == "handled" and number == self.at:
            self._die()

    def after_send(self) -> None:
        if self.phase == "send" and self.at is not None and self.current >= self.at:
            self._die()


