"""The merchant's products: 上架, 下架, 库存."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from parsers.commands import Command
from storage import menus
from storage.models import Product


def list_product(ctx: Context, command: Command) -> None:
    """上架 名称 价格/单位 [库存 N]：上架新商品或恢复已下架的商品"""
    session = ctx.book.session
    round_id = _menu_round(ctx)
    product = menus.named(session, round_id, command.name)
    if product is None:
        # while a round is open a new product joins its menu; otherwise the catalogue
        position = (session.scalar(select(func.max(Product.position)).where(
            Product.round_id.is_(None) if round_id is None else Product.round_id == round_id)) or 0) + 1
        product = Product(name=command.name, aliases=[], price=command.price, unit=command.unit or "份",
                          stock=command.number, specs=[], on_sale=True, position=position, round_id=round_id)
        session.add(product)
    else:
        product.price = command.price
        product.unit = command.unit or product.unit
        product.on_sale = True
        if command.number is not None:
            product.stock = command.number
    session.flush()
    ctx.say(replies.product_listed(product.name, product.price, product.unit, product.stock), mention=False)


def _menu_round(ctx: Context) -> int | None:
    rnd = ctx.book.unclosed_round(ctx.room_id)
    return rnd.id if rnd is not None else None


def _product_named(ctx: Context, name: str) -> Product | None:
    """The product a merchant means: the round's menu product of that name (or the
    configured one it does not replace), found by name or by a clear match."""
    session = ctx.book.session
    round_id = _menu_round(ctx)
    product = menus.named(session, round_id, name)
    if product is None:
        match = ctx.book.catalogue.match(name)
        if match.product:
            product = menus.named(session, round_id, match.product)
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


LIST_PRODUCT = ChatCommand("list_product", ("上架",), Who.MERCHANT, "上架 名称 价格/单位 [库存 N]",
                           "上架新商品或恢复已下架的商品", list_product, unmistakable=True)
DELIST = ChatCommand("delist", ("下架",), Who.MERCHANT, "下架 名称", "停止接新单，已下的订单保留", delist,
                     unmistakable=True)
SET_STOCK = ChatCommand("set_stock", ("库存",), Who.MERCHANT, "库存 名称 N", "从现在起还能卖多少", set_stock,
                        unmistakable=True)
