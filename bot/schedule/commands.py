"""Merchant commands for the schedule: 截单时间, 定时, 取消定时.

The round's deadline lives in the database (it alone decides whether late
entries are refused); the job store follows once the message's transaction
has committed.
"""
from __future__ import annotations

from datetime import timezone
from functools import partial
from zoneinfo import ZoneInfo

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from parsers.commands import Command
from parsers.deadline import parse_time_expression


def set_deadline(ctx: Context, command: Command) -> None:
    """截单时间 周五20:00：到点自动截单（替换原来的截单时间）"""
    tz = ZoneInfo(ctx.config.schedule.timezone)
    now = ctx.msg.ts.astimezone(tz)
    at = parse_time_expression(command.arg, now) if command.arg else None
    if at is None:
        ctx.say(replies.deadline_usage(), mention=False)
        return
    if at <= now:
        ctx.say(replies.deadline_passed(at, tz), mention=False)
        return
    rnd = ctx.book.unclosed_round(ctx.room_id)   # a passed deadline can still be moved later
    if rnd is None:
        ctx.say(replies.no_round())
        return
    rnd.deadline = at.astimezone(timezone.utc)
    if ctx.scheduler is not None:
        ctx.after_commit.append(partial(ctx.scheduler.set_deadline, rnd.room_id, rnd.id, rnd.deadline))
    ctx.say(replies.deadline_set(at, tz), mention=False)


def show_schedule(ctx: Context, command: Command) -> None:
    """定时：本群的定时任务（自动截单、提醒、每日汇总）"""
    if ctx.scheduler is None:
        ctx.say(replies.no_scheduler(), mention=False)
        return
    tz = ZoneInfo(ctx.config.schedule.timezone)
    ctx.say(replies.schedule_list(ctx.scheduler.jobs_of(ctx.room_id), tz), mention=False)


# 取消定时 汇总 / 提醒 / 截单: only those jobs; nothing named: all of them.
CANCEL_WORDS = {"汇总": ("summary",), "提醒": ("remind", "unpaid"), "催款": ("unpaid",), "收款": ("unpaid",),
                "截单": ("close", "remind")}


def cancel_schedule(ctx: Context, command: Command) -> None:
    """取消定时 [汇总/提醒/截单]：取消本群的定时任务（不写就全部取消，本团不再自动截单）"""
    kinds = tuple(k for word, found in CANCEL_WORDS.items() if word in command.arg for k in found) \
        or ("close", "remind", "unpaid", "summary")
    if "close" in kinds:
        rnd = ctx.book.unclosed_round(ctx.room_id)
        if rnd is not None:
            rnd.deadline = None         # otherwise late entries would still be refused
    count = 0
    if ctx.scheduler is not None:
        count = sum(job.kind in kinds for job in ctx.scheduler.jobs_of(ctx.room_id))
        ctx.after_commit.append(partial(ctx.scheduler.cancel_room, ctx.room_id, kinds))
    ctx.say(replies.schedule_cancelled(count, "close" in kinds), mention=False)


DEADLINE = ChatCommand("deadline", ("截单时间",), Who.MERCHANT, "截单时间 周五20:00",
                       "到点自动截单（替换原来的截单时间）", set_deadline)
SCHEDULE = ChatCommand("schedule", ("定时",), Who.MERCHANT, "定时", "本群的定时任务（自动截单、提醒、每日汇总）",
                       show_schedule)
CANCEL_SCHEDULE = ChatCommand("cancel_schedule", ("取消定时",), Who.MERCHANT, "取消定时",
                              "取消本群的定时任务（不写就全部取消，本团不再自动截单）", cancel_schedule)
