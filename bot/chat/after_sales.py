"""Customers' after-sales reports (售后): 草莓坏了两盒, 排骨少了半斤, @小龙 我的芒果没收到.

A report is recorded against the customer's own order holding that product,
the newest round first, acknowledged in a line, and passed on to the merchant:
privately when the bot may send private messages, else with an @ in the group.
A report naming nothing the customer ordered, or matching several orders, is
asked about; nothing is recorded until it is clear. The merchant's side
(售后 退款 补发 驳回) is in bot/merchant/after_sales.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from bot.chat import replies
from bot.chat.context import Context
from bot.messages import Reply
from parsers.complaint import Complaint, Problem, has_complaint_words, parse_complaint
from parsers.units import Quantity, is_weight, to_selling_unit
from storage import after_sales as books
from storage.models import AfterSale, Order, OrderItem, Round

# Merchant verbs a customer's report may start with (退款，草莓坏了两盒; 售后：芒果没收到)
REPORT_VERBS = frozenset({"after_sales", "refund", "resend", "reject"})
# 「#3 草莓坏了两盒」: the order's number, when the bot asked which order
_ORDER_HINT = re.compile(r"^\s*#\s*(\d{1,6})\s*(?:号|单)?\s*")
_ORDER_FIRST = re.compile(r"^\s*[#＃]?\s*\d")


@dataclass(frozen=True)
class Report:
    complaint: Complaint
    seq: int | None = None        # the order number the customer wrote, if any


def read_report(ctx: Context) -> Report | None:
    """A customer's message as an after-sales report; None when it is not one."""
    text = " ".join(line for line in ctx.command_text().split("\n") if line)
    if not text or not has_complaint_words(text):
        return None
    seq = None
    hint = _ORDER_HINT.match(text)
    if hint:
        seq, text = int(hint.group(1)), text[hint.end():]
    complaint = parse_complaint(text, ctx.book.catalogue.whole)  # off sale since: still what people received
    if complaint is None or not (complaint.problems or complaint.unread):
        return None
    return Report(complaint, seq)


def report_in_command(ctx: Context, arg: str) -> Report | None:
    """A customer's message that starts with a merchant's after-sales word: their report
    (退款，草莓坏了两盒), unless it is written as the merchant's command (退款 3 20)."""
    return None if _ORDER_FIRST.match(arg) else read_report(ctx)


def handle_report(ctx: Context, report: Report) -> None:
    if report.complaint.unread:
        _answer(ctx, replies.after_sale_too_long(ctx.name))
        return
    orders = _my_orders(ctx)
    if not orders:
        _answer(ctx, replies.after_sale_no_order(ctx.name))
        return
    for problem in report.complaint.problems:
        _one_problem(ctx, orders, problem, report)


def _one_problem(ctx: Context, orders: list[Order], problem: Problem, report: Report) -> None:
    found = _candidates(orders, problem, report.seq)
    if not found:
        if problem.text or problem.match is not None:
            _answer(ctx, replies.after_sale_not_ordered(ctx.name, problem.text))
        else:
            newest = [i.product.name for i in orders[0].items]
            _answer(ctx, replies.after_sale_which_product(ctx.name, newest))
        return
    newest_round = found[0][0].round_id
    found = [(o, i) for o, i in found if o.round_id == newest_round]
    if len(found) > 1:
        if problem.match is None and not problem.text:
            _answer(ctx, replies.after_sale_which_product(ctx.name, [i.product.name for _, i in found]))
        else:
            _answer(ctx, replies.after_sale_which_order(ctx.name, found, problem))
        return
    order, item = found[0]
    session = ctx.book.session
    already = session.scalar(select(AfterSale.id).where(
        AfterSale.order_id == order.id, AfterSale.product_id == item.product_id, AfterSale.spec == item.spec
        if item.spec is not None else AfterSale.spec.is_(None), AfterSale.status == "open").limit(1))
    if already is not None:
        _answer(ctx, replies.after_sale_already(ctx.name, order, item))
        return
    wants = "refund" if report.complaint.wants_refund else ("resend" if report.complaint.wants_resend else "")
    quantity = _in_selling_unit(problem.quantity, item.product.unit)
    written = str(problem.quantity) if problem.quantity else ""
    books.open_case(session, order, item, kind=problem.kind, quantity=quantity, written=written, wants=wants,
                    reporter=ctx.msg.sender, room_id=ctx.room_id, text=ctx.text, at=ctx.book.now)
    ctx.book.touch(order.round)
    _answer(ctx, replies.after_sale_recorded(ctx.name, order, item, problem.kind, written, wants))
    _tell_merchant(ctx, order, replies.after_sale_notice(order, item, problem.kind, written, wants, ctx.text))


def _candidates(orders: list[Order], problem: Problem, seq: int | None) -> list[tuple[Order, OrderItem]]:
    """The customer's items the problem is about, newest round (and order) first."""
    if seq is not None:
        orders = [o for o in orders if o.seq == seq][:1]
    if problem.match is not None and problem.match.products:
        names = set(problem.match.products)
        return [(o, i) for o in orders for i in o.items if i.product.name in names
                and (problem.spec is None or i.spec == problem.spec)]
    if problem.text:          # 榴莲 not on the menu: only if an item is called that
        return [(o, i) for o in orders for i in o.items if problem.text in i.product.name]
    # nothing named (坏了两个): the only item of the newest order, if it is the only one
    newest = [(o, i) for o in orders if o.round_id == orders[0].round_id for i in o.items]
    return newest


def _my_orders(ctx: Context) -> list[Order]:
    """The sender's own live orders (and a merchant's 代订 in their name), newest first;
    in this room, or in any room when the report came privately."""
    mine = or_(Order.owner == ctx.msg.sender,
               (Order.owner.in_(sorted(ctx.config.admins))) & (Order.customer == ctx.name))
    query = (select(Order).join(Round, Round.id == Order.round_id)
             .where(mine, Order.status != "cancelled")
             .options(selectinload(Order.items)).order_by(Round.id.desc(), Order.seq.desc()))
    if ctx.msg.room is not None:
        query = query.where(Round.room_id == ctx.room_id)
    ctx.book.session.flush()
    return [o for o in ctx.book.session.scalars(query) if o.items]


def _in_selling_unit(quantity: Quantity | None, unit: str) -> float | None:
    """The amount in the selling unit when it converts (半斤 of a product sold by 斤);
    a count word on something sold by the box (鸡蛋碎了3个) stays as written only."""
    if quantity is None:
        return None
    if quantity.unit is None or quantity.unit.lower() == unit.lower():
        return quantity.value
    if is_weight(quantity.unit) and is_weight(unit):
        return to_selling_unit(quantity, unit)
    return None


def _answer(ctx: Context, text: str) -> None:
    """To the customer: in the group with an @, or privately when they wrote privately."""
    if ctx.msg.room is None:
        ctx.replies.append(Reply(ctx.msg.sender, text))
    else:
        ctx.say(text)


def _tell_merchant(ctx: Context, order: Order, text: str) -> None:
    """Privately when the bot may send private messages, else with an @ in the order's group."""
    admins = sorted(ctx.config.admins)
    if not admins:
        return
    if ctx.config.transport == "wechaty" and ctx.config.wechaty.allow_private:
        ctx.replies.extend(Reply(admin, text) for admin in admins)
    else:
        ctx.replies.append(Reply(order.round.room_id, f"@团长 {text}", tuple(admins)))
