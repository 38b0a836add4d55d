"""Timed work: cut-offs, reminders and daily summaries, and the deadlines behind them.

The `*_job` functions are what the job store keeps (by name, with plain
arguments), so a restarted process finds them again. Each hands its work to
the scheduler that runs it (`current()`, set by the scheduler), which runs it through
`Bot.run_job` in one unit of work, and `perform` does it there: a cut-off is
the merchant's 截单 run by the bot, a summary is the merchant's 汇总.

Every job first checks that the database still wants it (the round still
open, its deadline unchanged), so a stale job is harmless.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.chat import replies
from bot.chat.context import Context
from bot.clock import as_local, as_utc
from bot.merchant.report_commands import remind_unpaid, summary
from bot.merchant.reports import unpaid_bills
from bot.merchant.rounds import close_round
from bot.messages import Reply
from parsers.commands import Command
from parsers.deadline import Deadline, parse_time_expression, read_deadline
from storage.models import Round
from storage.queries import load_round

SUMMARY_DAYS_AFTER_CLOSE = 1   # a closed round is still summarised on the next day (until delivery)


# -- what the job store keeps ------------------------------------------------------

def close_round_job(room_id: str, round_id: int, due: str) -> list[Reply]:
    return _run("close", room_id, round_id, due)


def deadline_reminder_job(room_id: str, round_id: int, due: str) -> list[Reply]:
    return _run("remind", room_id, round_id, due)


def unpaid_reminder_job(room_id: str, round_id: int, due: str) -> list[Reply]:
    return _run("unpaid", room_id, round_id, due)


def daily_summary_job(room_id: str) -> list[Reply]:
    return _run("summary", room_id, None, None)


def _run(kind: str, room_id: str, round_id: int | None, due: str | None) -> list[Reply]:
    return current().run(kind, room_id, round_id, datetime.fromisoformat(due) if due else None)


# -- which scheduler a stored job runs on -----------------------------------------

class Runner(Protocol):
    """What a stored job hands its work to (bot.schedule.scheduler.Scheduler)."""

    def run(self, kind: str, room_id: str, round_id: int | None, due: datetime | None) -> list[Reply]: ...


_local = threading.local()
_default: Runner | None = None


def current() -> Runner:
    """The scheduler running the job being run: the driver's, else this process's."""
    scheduler = getattr(_local, "scheduler", None) or _default
    if scheduler is None:
        raise RuntimeError("a stored job ran with no scheduler in this process")
    return scheduler


@contextmanager
def running_on(scheduler: Runner) -> Iterator[None]:
    """Stored jobs called in this block (on this thread) run on `scheduler`."""
    _local.scheduler = scheduler
    try:
        yield
    finally:
        _local.scheduler = None


def set_default(scheduler: Runner | None) -> None:
    """The scheduler of this process's live thread, for jobs APScheduler calls."""
    global _default
    _default = scheduler


def default() -> Runner | None:
    return _default


# -- doing the work, inside Bot.run_job's unit of work ----------------------------

def perform(ctx: Context, kind: str, round_id: int | None, due: datetime) -> None:
    session = ctx.book.session
    rnd = session.get(Round, round_id) if round_id is not None else None
    if kind == "close":
        if _still_due(rnd, ctx.room_id, due):
            close_round(ctx, Command("close_round"))
    elif kind == "remind":
        # Still open with its cut-off ahead; a moved deadline replaced this job already.
        if _still_open(rnd, ctx.room_id) and rnd.deadline is not None and as_utc(rnd.deadline) > due:
            minutes = round((as_utc(rnd.deadline) - due).total_seconds() / 60)
            ctx.say(replies.deadline_soon(rnd, minutes, _tz(ctx)), mention=False)
    elif kind == "unpaid":
        # The merchant's 收款 for the round just closed, while it is the room's latest
        # and someone still owes: a reminder to nobody is not sent.
        latest = ctx.book.latest_round(ctx.room_id)
        if rnd is not None and latest is rnd and rnd.status == "closed" and _owing(ctx, rnd):
            remind_unpaid(ctx, Command("remind_unpaid"))
    elif kind == "summary":
        latest = ctx.book.latest_round(ctx.room_id)
        tz = _tz(ctx)
        if latest is not None and (latest.status == "open" or latest.closed_at is None or (
                due.astimezone(tz).date() - as_local(latest.closed_at, tz).date()).days <= SUMMARY_DAYS_AFTER_CLOSE):
            summary(ctx, Command("summary", "图"))   # the daily one carries the chart


def _owing(ctx: Context, rnd: Round) -> bool:
    ctx.book.session.flush()
    return bool(unpaid_bills(load_round(ctx.book.session, rnd.id), ctx.config.admins))


def _still_open(rnd: Round | None, room_id: str) -> bool:
    return rnd is not None and rnd.room_id == room_id and rnd.status == "open"


def _still_due(rnd: Round | None, room_id: str, deadline: datetime) -> bool:
    """The round is open and its deadline is still the one the job was made for."""
    return (_still_open(rnd, room_id) and rnd.deadline is not None
            and abs(as_utc(rnd.deadline) - as_utc(deadline)) < timedelta(seconds=1))


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.config.schedule.timezone)


# -- rounds opened and closed in a unit of work -------------------------------------

def deadline_for(rnd: Round, ctx: Context) -> Deadline | None:
    """A new round's cut-off: what its 接龙 title or description says (and the
    words it says it in), else the config's."""
    opened = as_utc(rnd.opened_at).astimezone(_tz(ctx))
    found = read_deadline(f"{rnd.title}\n{rnd.description}", opened)
    if found is None and ctx.config.schedule.deadline:
        at = parse_time_expression(ctx.config.schedule.deadline, opened)
        found = Deadline(at, "") if at is not None else None
    return found if found is not None and found.at > opened else None


def note_round_changes(ctx: Context) -> None:
    """Give rounds opened here their deadline; schedule their jobs once this commits."""
    book = ctx.book
    for rnd in book.opened:
        if rnd.deadline is None:
            found = deadline_for(rnd, ctx)
            if found is not None:
                rnd.deadline = found.at.astimezone(timezone.utc)
                ctx.say(replies.deadline_set(found.at, _tz(ctx), automatic=True, said=found.said), mention=False)
        if ctx.scheduler is not None:
            ctx.after_commit.append(partial(ctx.scheduler.round_opened, rnd.room_id, rnd.id, rnd.deadline))
    for rnd in book.closed:
        if ctx.scheduler is not None and rnd.closed_at is not None:
            ctx.after_commit.append(partial(ctx.scheduler.round_closed, rnd.room_id, rnd.id, rnd.closed_at))
