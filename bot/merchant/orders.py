"""The merchant acting on customers' orders by number or name: 取消, 代订.

`find_orders` is how every such command (also 已付, 发货) finds the orders meant.
"""
from __future__ import annotations

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.chat.customer import order_entry
from bot.messages import Reply
from parsers.commands import Command
from parsers.entry import EntryRequest, parse_line
from parsers.text import normalize
from storage.models import Order


def find_orders(ctx: Context, target: str) -> list[Order]:
    """Orders of the current round named by number (3) or by customer name."""
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    if rnd is None:
        return []
    live = ctx.book.live_orders(rnd)
    target = target.strip().lstrip("#")
    if target.isdigit():
        return [o for o in live if o.seq == int(target)]
    wanted = normalize(target).replace(" ", "")
    if not wanted:
        return []
    exact = [o for o in live if normalize(o.customer).replace(" ", "") == wanted]
    if exact:
        return exact
    return [o for o in live if wanted in normalize(o.customer).replace(" ", "")
            or normalize(o.customer).replace(" ", "") in wanted]


def cancel(ctx: Context, command: Command) -> None:
    """取消 N|名字：取消某个订单（会@顾客）"""
    orders = find_orders(ctx, command.arg)
    if not orders:
        ctx.say(replies.not_found(command.arg))
        return
    for order in orders:
        ctx.book.cancel(order, ctx.msg.sender)
    owners = tuple(dict.fromkeys(o.owner for o in orders if o.owner not in ctx.config.admins))
    ctx.replies.append(Reply(ctx.room_id, replies.cancelled_by_merchant(orders, ctx.config.admins), owners))


def order_for(ctx: Context, command: Command) -> None:
    """代订 名字 商品数量：替顾客下单"""
    rnd = ctx.book.open_round(ctx.room_id)
    if rnd is None:
        ctx.say(replies.no_round())
        return
    parsed = parse_line(normalize(command.arg), ctx.book.catalogue)
    if not isinstance(parsed, EntryRequest) or not parsed.items or not parsed.customer:
        ctx.say("格式：代订 名字 商品数量，例如「代订 王阿姨 苹果2斤」")
        return
    order_entry(ctx, rnd, parsed, proxy=True)


CANCEL = ChatCommand("cancel", ("取消",), Who.MERCHANT, "取消 N/名字", "取消某个订单", cancel,
                     customers_say=("取消",))
ORDER_FOR = ChatCommand("order_for", ("代订",), Who.MERCHANT, "代订 名字 商品数量", "替顾客下单", order_for)
