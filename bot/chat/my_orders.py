"""我的订单: a customer's own orders and what they owe, in the group or privately."""
from __future__ import annotations

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.messages import Reply
from parsers.commands import Command
from storage.queries import latest_round_of_owner, load_round, pick_round


def my_orders(ctx: Context, command: Command) -> None:
    """我的订单：自己在本团的订单和金额（任何人都能用）"""
    session = ctx.book.session
    session.flush()
    me = ctx.msg.sender
    if ctx.msg.room is None:        # asked privately: the newest round they ordered in, anywhere
        round_id = latest_round_of_owner(session, me)
        if round_id is None:
            ctx.replies.append(Reply(me, replies.no_order(ctx.name)))
            return
        rnd = load_round(session, round_id)
        mine = [o for o in rnd.orders if o.owner == me]
        ctx.replies.append(Reply(me, replies.my_orders(ctx.name, rnd, mine)))
        return
    round_id = pick_round(session, ctx.room_id)
    if round_id is None:
        ctx.say(replies.no_round())
        return
    rnd = load_round(session, round_id)
    # Their own orders, and a merchant's 代订 written in their name.
    mine = [o for o in rnd.orders if o.owner == me
            or (o.owner in ctx.config.admins and o.customer.strip() == ctx.name)]
    text = replies.my_orders(ctx.name, rnd, mine)
    private = ctx.config.transport == "wechaty" and ctx.config.wechaty.allow_private
    ctx.replies.append(Reply(me if private else ctx.room_id, text, () if private else (me,)))


MY_ORDERS = ChatCommand("my_orders", ("我的订单",), Who.EVERYONE, "我的订单", "查自己的订单", my_orders)
