"""Merchant commands. Each function's docstring is its help line."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.chat import replies
from bot.chat.context import Context
from bot.chat.customer import order_entry
from parsers.commands import Command
from parsers.entry import EntryRequest, parse_line
from parsers.text import normalize
from storage.models import Order, Product, Round

# Verbs a customer might type by accident; they are answered, never run.
MERCHANT_WORDS = ("开团", "截单", "汇总", "已付", "发货", "上架", "下架", "库存", "代订", "到货",
                  "备货单", "对账单", "配送单", "导出", "定时", "收款", "催款", "未付")


def looks_like_command(text: str) -> bool:
    return text.startswith(MERCHANT_WORDS)


def _round_for_report(ctx: Context, command: Command) -> Round | None:
    book = ctx.book
    return book.open_round(ctx.room_id) or book.latest_round(ctx.room_id)


def open_round(ctx: Context, command: Command) -> None:
    """开团 [标题]：开一个新团（同时结束正在进行的团）"""
    lines = ctx.command_text().split("\n")
    rnd = ctx.book.start_round(ctx.room_id, command.arg, ctx.msg.sender, "\n".join(lines[1:]))
    ctx.say(replies.round_opened(rnd), mention=False)


def close_round(ctx: Context, command: Command) -> None:
    """截单：结束本团，之后的订单不再登记"""
    rnd = ctx.book.unclosed_round(ctx.room_id)   # also one whose deadline passed a moment ago
    if rnd is None:
        ctx.say(replies.no_round())
        return
    ctx.book.close_round(rnd)
    orders = ctx.book.live_orders(rnd)
    ctx.say(replies.round_closed(rnd, len(orders), sum(o.total for o in orders)), mention=False)


def find_orders(ctx: Context, target: str) -> list[Order]:
    """Orders of the current round named by number (3) or by customer name."""
    rnd = _round_for_report(ctx, Command("find"))
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
    """取消 N|名字：取消某个订单"""
    orders = find_orders(ctx, command.arg)
    if not orders:
        ctx.say(replies.not_found(command.arg))
        return
    for order in orders:
        ctx.book.cancel(order, ctx.msg.sender)
    ctx.say(replies.marked("取消", orders), mention=False)


def list_product(ctx: Context, command: Command) -> None:
    """上架 名称 价格/单位 [库存 N]：上架新商品或恢复已下架的商品"""
    session = ctx.book.session
    product = session.scalar(select(Product).where(Product.name == command.name))
    if product is None:
        position = (session.scalar(select(func.max(Product.position))) or 0) + 1
        product = Product(name=command.name, aliases=[], price=command.price, unit=command.unit or "份",
                          stock=command.number, specs=[], on_sale=True, position=position)
        session.add(product)
    else:
        product.price = command.price
        product.unit = command.unit or product.unit
        product.on_sale = True
        if command.number is not None:
            product.stock = command.number
    session.flush()
    ctx.say(replies.product_listed(product.name, product.price, product.unit, product.stock), mention=False)


def _product_named(ctx: Context, name: str) -> Product | None:
    session = ctx.book.session
    product = session.scalar(select(Product).where(Product.name == name))
    if product is None:
        match = ctx.book.catalogue.match(name)
        if match.product:
            product = session.scalar(select(Product).where(Product.name == match.product))
    return product


def delist(ctx: Context, command: Command) -> None:
    """下架 名称：停止接新单，已下的订单保留"""
    product = _product_named(ctx, command.name)
    if product is None:
        ctx.say(replies.unknown_product(command.name))
        return
    product.on_sale = False
    ctx.say(replies.product_delisted(product.name), mention=False)


def set_stock(ctx: Context, command: Command) -> None:
    """库存 名称 N：从现在起还能卖多少"""
    product = _product_named(ctx, command.name)
    if product is None:
        ctx.say(replies.unknown_product(command.name))
        return
    product.stock = command.number
    ctx.say(replies.stock_set(product.name, product.stock, product.unit), mention=False)


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
    order_entry(ctx, rnd, parsed)


def show_help(ctx: Context, command: Command) -> None:
    """帮助：显示这段说明"""
    ctx.say(replies.HELP, mention=False)


HANDLERS: dict[str, Callable[[Context, Command], None]] = {
    "open_round": open_round,
    "close_round": close_round,
    "cancel": cancel,
    "list_product": list_product,
    "delist": delist,
    "set_stock": set_stock,
    "order_for": order_for,
    "help": show_help,
}

