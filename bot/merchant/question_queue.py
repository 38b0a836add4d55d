"""The merchant's side of the questions queue: place what a customer meant, or dismiss it.

The web page's buttons call these inside one unit of work run as the
merchant, in the question's room. Placing goes through the customer's own
order path (`order_entry`), as if the customer had written the line: the
order is theirs (they can change it in the chat), the group sees the same
`@顾客 已登记` confirmation, and the history names the merchant as actor.
"""
from __future__ import annotations

from dataclasses import replace

from bot.chat.context import Context
from bot.chat.customer import order_entry
from parsers.entry import EntryRequest, parse_line
from parsers.text import normalize
from storage.models import Question
from storage.questions import ANSWERED, DISMISSED, settle


def open_question(ctx: Context, question_id: int) -> Question | None:
    question = ctx.book.session.get(Question, question_id)
    return question if question is not None and not question.settled else None


def dismiss(ctx: Context, question_id: int) -> str:
    """The merchant dealt with it another way: it leaves the queue (the chat sees nothing)."""
    question = open_question(ctx, question_id)
    if question is None:
        return "这条已经处理过了"
    settle(question, DISMISSED, ctx.book.now)
    return f"已忽略{question.customer or question.sender}的这条"


def place(ctx: Context, question_id: int, line: str) -> str:
    """Order `line` for the question's customer; the question is settled when it took."""
    question = open_question(ctx, question_id)
    if question is None:
        return "这条已经处理过了"
    rnd = ctx.book.open_round(question.room_id)
    if rnd is None:
        return "现在没有进行中的团，不能下单"
    text = normalize(line)
    parsed = parse_line(text, ctx.book.catalogue)
    if not isinstance(parsed, EntryRequest) or not parsed.items:
        return f"「{line[:30]}」没看懂，请写商品和数量，例如「苹果2斤」"
    customer = parsed.customer or question.customer or question.sender
    as_customer = replace(ctx, msg=replace(ctx.msg, sender=question.sender, name=customer, text=line), text=text)
    outcome = order_entry(as_customer, rnd, replace(parsed, customer=customer), actor=ctx.msg.sender)
    if outcome is None or outcome.order is None or not outcome.changed:
        return "没有下单：" + "；".join(r.text for r in ctx.replies[-1:]) if ctx.replies else "没有下单"
    settle(question, ANSWERED, ctx.book.now)
    return f"已替{customer}下单并在群里确认"
