"""Paid, shipped, arrived: the merchant's fulfilment steps, one service for the chat and the web page.

`已付` / `发货` / `到货` in the chat and the buttons of the web page call these
with the orders they chose, inside one unit of work whose context's sender
is the merchant: every step is written to the order history with the
merchant as actor, and the group sees the same notices either way.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.chat import replies
from bot.chat.context import Context
from bot.merchant.reports import unpaid_bills
from bot.messages import Reply
from storage.after_sales import deliver_resends
from storage.models import Order, OrderHistory
from storage.queries import load_round

RANK = {"open": 0, "paid": 1, "shipped": 2, "done": 3}


def _say_all(ctx: Context, texts: Sequence[str], mentions: Sequence[str] = ()) -> None:
    for text in texts:
        ctx.replies.append(Reply(ctx.room_id, text, tuple(mentions)))


def owners(orders: Iterable, admins) -> tuple[str, ...]:
    """Contact ids to @-mention: whoever placed the orders, never the merchant."""
    return tuple(dict.fromkeys(o.owner for o in orders if o.owner not in admins))


def advance(ctx: Context, orders: Sequence[Order], status: str) -> list[Order]:
    """Move orders forward (open → paid → shipped → done), never back."""
    moved = [o for o in orders if o.items and RANK.get(o.status, 0) < RANK[status]]
    for order in moved:
        ctx.book.set_status(order, status, ctx.msg.sender)
    return moved


def mark_paid(ctx: Context, orders: Sequence[Order]) -> None:
    """已付: orders marked paid; the group sees which."""
    for order in orders:
        # Shipped or done orders keep their place; payment is recorded in the history.
        if order.status == "open":
            ctx.book.set_status(order, "paid", ctx.msg.sender)
        else:
            ctx.book.session.add(OrderHistory(order_id=order.id, at=ctx.book.now, actor=ctx.msg.sender,
                                              action="paid", detail=""))
    ctx.say(replies.marked("已付", orders), mention=False)


def ship(ctx: Context, round_id: int, orders: Sequence[Order], *, named: bool) -> None:
    """发货: orders marked shipped and their customers @-mentioned.

    `named`: the merchant picked these orders (by name, number or on the
    page), so the group also sees which were marked.
    """
    if not orders:
        ctx.say("本团还没有订单", mention=False)
        return
    moved = advance(ctx, orders, "shipped")
    if not named:
        deliver_resends(ctx.book.session, ctx.room_id, ctx.book.now)    # 补发 went out with the round
    if named:
        ctx.say(replies.marked("发货", orders), mention=False)
    if not moved:
        if not named:
            ctx.say("这些订单都已经发过货了", mention=False)
        return
    session = ctx.book.session
    session.flush()
    rnd = load_round(session, round_id)
    names = list(dict.fromkeys(o.customer for o in moved))
    _say_all(ctx, replies.shipped_notice(rnd, names), owners(moved, ctx.config.admins))


def arrive(ctx: Context, round_id: int, orders: Sequence[Order], where: str = "", *,
           whole_round: bool = False) -> None:
    """到货: orders marked done and their customers told where and when to pick up;
    the whole round's arrival also brings the room's 补发 resends."""
    orders = [o for o in orders if o.status != "done" and o.items]
    session = ctx.book.session
    session.flush()
    rnd = load_round(session, round_id)
    resent = deliver_resends(session, ctx.room_id, ctx.book.now) if whole_round else 0
    if not orders:
        ctx.say(replies.resends_delivered(resent) if resent else "没有待取货的订单", mention=False)
        return
    unpaid_names = {b.customer for b in unpaid_bills(rnd, ctx.config.admins)}
    advance(ctx, orders, "done")
    pickup = ctx.config.pickup_points
    where = where or ("取货点：" + "、".join(pickup) if pickup else "")
    names = list(dict.fromkeys(o.customer for o in orders))
    _say_all(ctx, replies.arrival_notice(rnd, names, where, len(unpaid_names & set(names))),
             owners(orders, ctx.config.admins))
