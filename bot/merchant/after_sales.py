"""The merchant's after-sales commands: 售后 lists open cases; 退款, 补发 and 驳回
settle them. Each tells the customer in the group with an @-mention and leaves
a row in the order's history (storage/after_sales.py keeps the books true: a
refund never exceeds what was paid for the item). Bad input gets one line and
changes nothing. Each function's docstring is its help line.

N is the order's number as 售后 and 汇总 show it: an order of this room with an
open case under that number (newest round first), else order N of the current
round (as 已付 N).
"""
from __future__ import annotations

from sqlalchemy import select

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.messages import Reply
from parsers.commands import Command
from parsers.complaint import ActionArgs, parse_action
from parsers.text import normalize
from parsers.units import Quantity, UnitMismatch, to_selling_unit
from storage import after_sales as books
from storage.models import AfterSale, Order, OrderItem, Round


def list_cases(ctx: Context, command: Command) -> None:
    """售后：待处理的售后（订单号、顾客、商品、问题）"""
    cases = books.open_cases(ctx.book.session, room_id=ctx.room_id)
    ctx.replies.extend(Reply(ctx.room_id, text) for text in replies.after_sale_list(cases))


def refund(ctx: Context, command: Command) -> None:
    """退款 N 金额｜退款 N 商品 数量：给订单N退款，不超过该商品的金额"""
    found = _target(ctx, command, replies.REFUND_USAGE)
    if found is None:
        return
    args, order, item, case = found
    if args.money is not None:
        amount, quantity = args.money, None
    elif item is not None and args.quantity is not None:
        quantity = _quantity(ctx, order, item, args.quantity)
        if quantity is None:
            return
        if quantity > item.quantity + books.EPSILON:
            ctx.say(replies.after_sale_over_quantity(order, item, item.quantity), mention=False)
            return
        amount = round(quantity * item.unit_price, 2)
    elif item is not None:        # 退款 3 草莓: what the customer reported, else what is left of the item
        quantity = case.quantity if case is not None and case.quantity else None
        amount = (round(quantity * item.unit_price, 2) if quantity
                  else books.refundable(ctx.book.session, order, item))
    else:
        ctx.say(replies.REFUND_USAGE, mention=False)
        return
    try:
        books.refund(ctx.book.session, order, item, amount, quantity=quantity, actor=ctx.msg.sender,
                     at=ctx.book.now, case=case)
    except books.AfterSalesRefused as refused:
        ctx.say(replies.after_sale_over_paid(order, item, refused.limit), mention=False)
        return
    _done(ctx, order, replies.refunded(order, item, quantity, amount))


def resend(ctx: Context, command: Command) -> None:
    """补发 N 商品 数量：补发给订单N，下次备货单和配送单里标「补发」"""
    found = _target(ctx, command, replies.RESEND_USAGE)
    if found is None:
        return
    args, order, item, case = found
    if item is None:
        ctx.say(replies.RESEND_USAGE, mention=False)
        return
    if args.quantity is not None:
        quantity = _quantity(ctx, order, item, args.quantity)
        if quantity is None:
            return
    elif case is not None and case.quantity:
        quantity = case.quantity
    else:
        ctx.say(replies.RESEND_USAGE, mention=False)
        return
    try:
        books.resend(ctx.book.session, order, item, quantity, actor=ctx.msg.sender, at=ctx.book.now, case=case)
    except books.AfterSalesRefused as refused:
        ctx.say(replies.after_sale_over_quantity(order, item, refused.limit), mention=False)
        return
    _done(ctx, order, replies.resent(order, item, quantity))


def reject(ctx: Context, command: Command) -> None:
    """驳回 N 原因：不退款也不补发，结束订单N的售后"""
    found = _target(ctx, command, replies.REJECT_USAGE, need_case=True)
    if found is None:
        return
    args, order, item, case = found
    if args.text and case is None:       # 驳回 3 草莓 … when 草莓 has no open case
        ctx.say(replies.after_sale_none_open(order), mention=False)
        return
    cases = [case] if case is not None else _open_cases(ctx, order)
    for each in cases:
        books.reject(ctx.book.session, each, reason=args.words, actor=ctx.msg.sender, at=ctx.book.now)
    _done(ctx, order, replies.rejected(order, [books.item_of(c) for c in cases], args.words))


# -- finding the order, the item and the case ------------------------------------------

def _target(ctx: Context, command: Command, usage: str, *, need_case: bool = False):
    """(args, order, item, case), or None after saying why in one line."""
    catalogue = ctx.book.catalogue
    args = parse_action(normalize(command.arg), catalogue.whole)
    if args is None:
        ctx.say(usage, mention=False)
        return None
    order = _order(ctx, args.order)
    if order is None:
        ctx.say(replies.not_found(str(args.order)), mention=False)
        return None
    open_cases = _open_cases(ctx, order)
    item: OrderItem | None = None
    case: AfterSale | None = None
    if args.text:
        item = _item(order, args)
        if item is None:
            ctx.say(replies.after_sale_no_item(order, args.text), mention=False)
            return None
        case = next((c for c in open_cases if c.product_id == item.product_id and c.spec == item.spec), None)
    elif len(open_cases) == 1:
        case = open_cases[0]
        item = books.item_of(case)
    elif len(open_cases) > 1 and not need_case:
        ctx.say(replies.after_sale_which_item(order, open_cases, usage), mention=False)
        return None
    elif len(order.items) == 1:
        item = order.items[0]
    if need_case and case is None and not open_cases:
        ctx.say(replies.after_sale_none_open(order), mention=False)
        return None
    return args, order, item, case


def _order(ctx: Context, seq: int) -> Order | None:
    session = ctx.book.session
    for case in reversed(books.open_cases(session, room_id=ctx.room_id)):
        if case.seq == seq:
            return session.get(Order, case.order_id)
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    if rnd is None:
        return None
    return next((o for o in ctx.book.live_orders(rnd) if o.seq == seq and o.items), None)


def _open_cases(ctx: Context, order: Order) -> list[AfterSale]:
    return list(ctx.book.session.scalars(select(AfterSale).where(
        AfterSale.order_id == order.id, AfterSale.status == "open").order_by(AfterSale.id)))


def _item(order: Order, args: ActionArgs) -> OrderItem | None:
    names = set(args.match.products) if args.match is not None and args.match.products else {args.text}
    items = [i for i in order.items if i.product.name in names and (args.spec is None or i.spec == args.spec)]
    return items[0] if len(items) == 1 else None


def _quantity(ctx: Context, order: Order, item: OrderItem, quantity: Quantity) -> float | None:
    try:
        return to_selling_unit(quantity, item.product.unit)
    except UnitMismatch:
        ctx.say(replies.after_sale_unit(item), mention=False)
        return None


def _done(ctx: Context, order: Order, text: str) -> None:
    """Tell the customer in the order's group, @-mentioning whoever placed it."""
    ctx.book.touch(order.round)
    owner = order.owner if order.owner not in ctx.config.admins else None
    room = order.round.room_id
    ctx.replies.append(Reply(room, f"@{order.customer} {text}" if owner else text, (owner,) if owner else ()))


# Customers start their own reports with these words too (退款，草莓坏了两盒; 售后：…): their
# messages are read as reports (bot/chat/dispatcher.py), never answered as these commands.
AFTER_SALES = ChatCommand("after_sales", ("售后",), Who.MERCHANT, "售后", "待处理的售后", list_cases,
                          customers_say=("售后",))
REFUND = ChatCommand("refund", ("退款",), Who.MERCHANT, "退款 N 金额/商品 数量", "给订单N退款，不超过该商品的金额",
                     refund, customers_say=("退款",))
RESEND = ChatCommand("resend", ("补发",), Who.MERCHANT, "补发 N 商品 数量", "下次备货单、配送单里补发", resend,
                     customers_say=("补发",))
REJECT = ChatCommand("reject", ("驳回",), Who.MERCHANT, "驳回 N 原因", "不退款不补发，结束订单N的售后", reject)
