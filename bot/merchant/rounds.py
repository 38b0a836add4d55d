"""The merchant opens and closes rounds: 开团, 截单."""
from __future__ import annotations

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.chat.menu import open_round as open_round_with_menu
from parsers.commands import Command
from parsers.menu import read_menu


def open_round(ctx: Context, command: Command) -> None:
    """开团 [标题]：开一个新团（正在接单的团要先截单）"""
    book = ctx.book
    current = book.unclosed_round(ctx.room_id)
    if current is not None and book.live_orders(current):
        # never cut a round off silently: its customers would not know
        ctx.say(replies.round_still_open(current, len(book.live_orders(current))), mention=False)
        return
    lines = ctx.command_text().split("\n")
    written = ctx.msg.text.split("\n")[1:]     # as sent: the menu keeps its emoji (1️⃣, 🌶)
    open_round_with_menu(ctx, command.arg, "\n".join(lines[1:]), read_menu(written))
    if current is not None:
        ctx.say(replies.empty_round_ended(current), mention=False)


def close_round(ctx: Context, command: Command) -> None:
    """截单：结束本团，之后的订单不再登记"""
    rnd = ctx.book.unclosed_round(ctx.room_id)   # also one whose deadline passed a moment ago
    if rnd is None:
        ctx.say(replies.no_round())
        return
    ctx.book.close_round(rnd)
    orders = ctx.book.live_orders(rnd)
    ctx.say(replies.round_closed(rnd, len(orders), sum(o.total for o in orders)), mention=False)


OPEN_ROUND = ChatCommand("open_round", ("开团",), Who.MERCHANT, "开团 [标题]",
                         "开一个新团（正在接单的团要先截单）", open_round)
CLOSE_ROUND = ChatCommand("close_round", ("截单",), Who.MERCHANT, "截单",
                          "结束本团，之后的订单不再登记", close_round, unmistakable=True)
