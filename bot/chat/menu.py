"""Opening a round with the menu of the merchant's post (CONTRACT 3b).

The opening post (an admin's `#接龙` post or `开团` message) is read once,
when the round opens: its menu lines become the round's products (those that
name a configured product stand in for it in this round), and the bot answers
with the menu as read, naming the lines it could not read, so the merchant
can put them right with 上架, 下架 or 库存. Customers' reposts never re-read it.
"""
from __future__ import annotations

from bot.chat import replies
from bot.chat.context import Context
from parsers.menu import Menu, menu_products
from storage.models import Round


def open_round(ctx: Context, title: str, description: str, menu: Menu) -> Round:
    """Start the round with its menu and answer with the menu as read."""
    book = ctx.book
    products = menu_products(menu, book.configured()) if menu else ()
    rnd = book.start_round(ctx.room_id, title, ctx.msg.sender, description, menu=products)
    text = replies.round_opened(rnd)
    if products or menu.unread:
        text += "\n" + replies.menu_read(products, [line for _, line in menu.unread])
    ctx.say(text, mention=False)
    return rnd
