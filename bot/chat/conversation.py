"""Questions that take answers (CONTRACT 3c).

A customer's message is first tried as an answer to their open questions in
the round, the latest question first: a choice among its numbered options (by
number, name or part of one), an amount for a unit, stock, limit or confirm
question, yes for a confirm question, or 算了 right after a question. The
answer orders the asked entry (its 接龙 line's order, when it came from one)
with its original amount unless it gives its own. A message that answers
nothing is read as usual; an attempt at a choice that fits no option gets
the options once more, when the message is nothing else either.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.chat import replies
from bot.chat.after_sales import handle_report, read_report
from bot.chat.context import Context
from bot.chat.customer import handle_customer, parse_message, report_answer
from parsers.answers import Amount, Choice, Drop, Miss, Yes, read_answer
from parsers.catalogue import Match
from parsers.entry import ItemRequest
from parsers.units import Quantity, UnitMismatch, to_selling_unit
from storage import order_rows
from storage import questions as asked_questions
from storage.models import EntryKey, Order, Question, Round
from storage.questions import AskedItem

AMOUNT_REASONS = frozenset({"unit", "confirm", "stock", "limit"})


@dataclass
class Waiting:
    """A sender's open questions, read when their message arrives."""

    questions: list[Question]
    miss: tuple[Question, AskedItem] | None = None   # an attempt that fitted no option
    number: bool = False                              # ... and it was an option's number

    def __bool__(self) -> bool:
        return bool(self.questions)


def customer_message(ctx: Context) -> None:
    """A customer's free text: an answer to one of their open questions, else
    an after-sales report (草莓坏了两盒), else an order or a change read as usual; else, if it tried to answer and fitted
    no option, the options once more."""
    rnd = ctx.book.open_round(ctx.room_id)
    waiting = waiting_for(ctx, rnd) if rnd is not None else Waiting([])
    if waiting and take_answer(ctx, rnd, waiting):
        spoken(waiting)
        return
    report = read_report(ctx)       # 草莓坏了两盒: after sales, before it could read as an order
    if report is not None:
        handle_report(ctx, report)
        spoken(waiting)
        return
    # 第五个 of two options is a wrong answer, not an order of 第 (nor of menu item 5)
    request = None if waiting.number else parse_message(ctx)
    if request is not None:
        handle_customer(ctx, request)
    elif waiting:
        ask_again(ctx, waiting)
    spoken(waiting)


def waiting_for(ctx: Context, rnd: Round) -> Waiting:
    return Waiting(asked_questions.open_questions(ctx.book.session, rnd.id, ctx.msg.sender))


def take_answer(ctx: Context, rnd: Round, waiting: Waiting) -> bool:
    """Settle the latest open question the message answers; False when it answers none."""
    catalogue = ctx.book.catalogue
    for question in waiting.questions:
        for index, item in enumerate(asked_questions.asked(question)):
            if item.done:
                continue
            answer = read_answer(ctx.text, item.options, catalogue)
            if isinstance(answer, Drop) and not question.followed:
                _drop(ctx, question)
                return True
            if isinstance(answer, Yes) and item.reason == "confirm" and not question.followed:
                _order(ctx, rnd, question, index, item, item.product, item.spec,
                       Quantity(item.quantity, item.unit), confirmed=True)
                return True
            if isinstance(answer, Amount) and item.reason in AMOUNT_REASONS and item.product:
                if not _converts(ctx, item.product, answer.quantity):
                    continue
                _order(ctx, rnd, question, index, item, item.product, item.spec, answer.quantity,
                       confirmed=item.reason == "confirm")
                return True
            if isinstance(answer, Choice) and item.options:
                product, spec = _chosen(item, answer.index)
                quantity = answer.quantity or _asked_amount(item)
                _order(ctx, rnd, question, index, item, product, spec, quantity, confirmed=False)
                return True
            if isinstance(answer, Miss):
                waiting.number = waiting.number or answer.number
                if waiting.miss is None and not question.retried:
                    waiting.miss = (question, item)
    return False


def ask_again(ctx: Context, waiting: Waiting) -> bool:
    """An attempt at a choice that fitted no option, and nothing else: the options once more."""
    if waiting.miss is None:
        return False
    question, item = waiting.miss
    asked_questions.asked_again(question)
    ctx.say(replies.ask_again(ctx.name, item))
    return True


def spoken(waiting: Waiting) -> None:
    """The sender has spoken since these were asked (the one asked again excepted)."""
    again = waiting.miss[0] if waiting.miss is not None and waiting.miss[0].retried else None
    asked_questions.mark_followed(q for q in waiting.questions if q is not again and q.state == "open")


def _chosen(item: AskedItem, index: int) -> tuple[str, str | None]:
    """(product, spec) an option names: a spec of the asked product, or a product."""
    option = item.options[index]
    if item.reason == "missing_spec" and item.product:
        return item.product, option
    return option, item.spec


def _asked_amount(item: AskedItem) -> Quantity | None:
    return Quantity(item.quantity, item.unit) if item.quantity is not None else None


def _converts(ctx: Context, product: str, quantity: Quantity) -> bool:
    """An amount in a unit the product sells by (3斤 for a product sold by 斤 or 公斤)."""
    try:
        return to_selling_unit(quantity, ctx.book.product(product).unit) > 0
    except (UnitMismatch, KeyError):
        return False


def _drop(ctx: Context, question: Question) -> None:
    asked_questions.settle(question, asked_questions.DROPPED, ctx.book.now)
    ctx.say(replies.question_dropped(ctx.name, question.text))


def _order(ctx: Context, rnd: Round, question: Question, index: int, item: AskedItem, product: str,
           spec: str | None, quantity: Quantity | None, *, confirmed: bool) -> None:
    """Order what the answer settled, as the asked entry would have been."""
    book = ctx.book
    request = ItemRequest(product, Match(product, (product,), 100.0), spec, quantity)
    customer = question.customer or ctx.name
    line = _line_key(ctx, rnd, question)
    if line is not None:
        merge = _live(ctx, line.order_id)
        source = "jielong"
    else:
        merge = next((o for o in book.orders_of(rnd, question.sender)
                      if o.customer == customer and o.source == "chat"), None)
        source = "chat"
    outcome = book.place(rnd, question.sender, customer, [request], question.note if merge is None else "",
                         source=source, merge_into=merge, confirmed=confirmed)
    asked_questions.item_done(question, index, book.now)
    if line is not None and merge is None and outcome.order is not None:
        # the 接龙 line is this order now: a later repost of it changes nothing
        order_rows.attach_entry_key(book.session.connection(), line.id, outcome.order.id)
        book.touch(rnd)
    report_answer(ctx, rnd, outcome, customer, question)


def _line_key(ctx: Context, rnd: Round, question: Question) -> EntryKey | None:
    if not question.entry_key:
        return None
    return ctx.book.session.scalar(select(EntryKey).where(EntryKey.round_id == rnd.id,
                                                          EntryKey.content == question.entry_key))


def _live(ctx: Context, order_id: int | None) -> Order | None:
    if order_id is None:
        return None
    order = ctx.book.session.get(Order, order_id)
    return order if order is not None and order.status != "cancelled" else None
