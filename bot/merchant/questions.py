"""The merchant and the bot's open questions: 待确认, 忽略 N (CONTRACT 3c)."""
from __future__ import annotations

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from parsers.commands import Command
from storage import questions as asked_questions
from storage.models import Question


def _waiting(ctx: Context) -> list[Question]:
    """The open questions of the round taking orders (else the latest), numbered from 1."""
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    return asked_questions.waiting_in_round(ctx.book.session, rnd.id) if rnd is not None else []


def pending(ctx: Context, command: Command) -> None:
    """待确认：还在等顾客回答的问题（带序号）"""
    ctx.say(replies.pending_questions(_waiting(ctx)), mention=False)


def dismiss(ctx: Context, command: Command) -> None:
    """忽略 N：不再等第 N 条待确认的回答"""
    waiting = _waiting(ctx)
    number = command.arg.strip().lstrip("#")
    if not number.isdigit() or not 1 <= int(number) <= len(waiting):
        ctx.say(replies.no_such_question(command.arg, len(waiting)), mention=False)
        return
    question = waiting[int(number) - 1]
    asked_questions.settle(question, asked_questions.DISMISSED, ctx.book.now)
    ctx.say(replies.question_dismissed(question), mention=False)


PENDING = ChatCommand("pending", ("待确认",), Who.MERCHANT, "待确认", "还在等顾客回答的问题", pending)
DISMISS = ChatCommand("dismiss", ("忽略",), Who.MERCHANT, "忽略 N", "不再等第N条待确认的回答", dismiss)
