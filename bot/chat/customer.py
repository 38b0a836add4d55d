"""Customers' free-form messages: orders, 同上, +1, and changes to their orders."""
from __future__ import annotations

from bot.chat import replies
from bot.chat.context import Context
from bot.chat.orders import Outcome, Refusal
from parsers.entry import (ChangeAction, ChangeRequest, EntryRequest, ItemProblem, ItemRequest,
                           asks_price, looks_like_question, parse_line)
from parsers.units import Quantity, UnitMismatch, to_selling_unit
from storage.models import Order, OrderItem, Round


def parse_message(ctx: Context) -> EntryRequest | ChangeRequest | None:
    """A customer's message as one line; None when it is chatter."""
    text = " ".join(line for line in ctx.text.split("\n") if line)
    if not text:
        return None
    parsed = parse_line(text, ctx.book.catalogue)
    if isinstance(parsed, EntryRequest):
        if not parsed.is_order and not (parsed.bare_quantity and ctx.mentions_bot):
            return None     # 两盒 on its own is an order only when said to the bot
        if asks_price(text) or (looks_like_question(text) and not parsed.explicit_quantity):
            return None
        wants_bot = ctx.mentions_bot or parsed.explicit_quantity or parsed.same_as_above or parsed.plus
        return parsed if wants_bot else None
    if isinstance(parsed, ChangeRequest) and looks_like_question(text):
        return None
    return parsed


def handle_customer(ctx: Context, request: EntryRequest | ChangeRequest) -> None:
    book = ctx.book
    rnd = book.open_round(ctx.room_id)
    if rnd is None:
        if isinstance(request, EntryRequest):
            latest = book.latest_round(ctx.room_id)
            book.ask(latest, ctx.room_id, ctx.msg.sender, ctx.name, ctx.text, [Refusal("closed", ctx.text, "")])
            ctx.say(replies.closed(ctx.name) if latest else replies.not_open(ctx.name))
        return
    if isinstance(request, ChangeRequest):
        apply_changes(ctx, rnd, request)
    else:
        order_entry(ctx, rnd, request)


def order_entry(ctx: Context, rnd: Round, entry: EntryRequest, *, owner: str | None = None,
                actor: str | None = None) -> Outcome | None:
    """Place an entry for its owner (default: the sender) and answer; the outcome, or
    None when nothing could be placed. `actor`: who the history names, if not the owner."""
    book = ctx.book
    owner = owner or ctx.msg.sender
    customer = entry.customer or ctx.name
    items = list(entry.items)
    if entry.same_as_above:
        items += _items_of_last_order(rnd, ctx)
    if entry.plus is not None or entry.bare_quantity is not None:
        item = sole_product_item(ctx, entry)
        if item is None:
            ask_which_product(ctx, rnd, customer, ctx.text, entry)
            return None
        items.append(item)
    if not items:
        return None
    merge = next((o for o in book.orders_of(rnd, owner)
                  if o.customer == customer and o.source == "chat"), None)
    outcome = book.place(rnd, owner, customer, items, entry.note, source="chat", merge_into=merge, actor=actor)
    report(ctx, rnd, outcome, customer, new=merge is None)
    return outcome


def sole_product_item(ctx: Context, entry: EntryRequest) -> ItemRequest | None:
    """+1, or an amount with no product (老王 两盒): the only product on sale;
    None when there are several to choose from."""
    on_sale = ctx.book.catalogue.products
    if len(on_sale) != 1:
        return None
    product = on_sale[0]
    quantity = entry.bare_quantity or Quantity(entry.plus if entry.plus is not None else 1.0)
    return ItemRequest(product.name, ctx.book.catalogue.match(product.name), entry.spec, quantity)


def ask_which_product(ctx: Context, rnd: Round, customer: str, text: str, entry: EntryRequest) -> None:
    on_sale = [p.name for p in ctx.book.catalogue.products]
    ctx.book.ask(rnd, ctx.room_id, ctx.msg.sender, customer, text, [_unclear(text)])
    what = "+1" if entry.bare_quantity is None else f"{entry.bare_quantity.value:g}{entry.bare_quantity.unit}"
    ctx.say(replies.unclear_plus(ctx.name, on_sale, what))


def ask_what(ctx: Context, rnd: Round, customer: str | None, text: str) -> None:
    """A 接龙 line that orders nothing we can tell: ask instead of skipping it."""
    ctx.book.ask(rnd, ctx.room_id, ctx.msg.sender, customer or ctx.name, text, [_unclear(text)])
    example = next((p.name for p in ctx.book.catalogue.products), "苹果")
    ctx.say(replies.unclear_line(ctx.name, text, example))


def report(ctx: Context, rnd: Round, outcome: Outcome, customer: str, *, new: bool) -> None:
    """Reply with what was taken and ask about the rest."""
    book = ctx.book
    if outcome.taken:
        book.settle(rnd, ctx.msg.sender, {i.product.name for i in outcome.taken})
    if outcome.problems:
        book.ask(rnd, ctx.room_id, ctx.msg.sender, customer, ctx.text, outcome.problems)
    if outcome.order is not None and outcome.changed:
        ctx.say(replies.placed(ctx.name, outcome.order, new, outcome.problems))
    elif outcome.problems:
        ctx.say(replies.only_problems(ctx.name, outcome.problems))


def _items_of_last_order(rnd: Round, ctx: Context) -> list[ItemRequest]:
    live = ctx.book.live_orders(rnd)
    if not live:
        return []
    last = max(live, key=lambda o: o.id)
    return [_request_for(ctx, item.product.name, item.spec, item.quantity, item.product.unit)
            for item in last.items]


def _request_for(ctx: Context, name: str, spec: str | None, quantity: float, unit: str) -> ItemRequest:
    return ItemRequest(name, ctx.book.catalogue.match(name), spec, Quantity(quantity, unit))


def _unclear(text: str) -> ItemProblem:
    return ItemProblem("unclear", text)


# -- changes -------------------------------------------------------------------

def apply_changes(ctx: Context, rnd: Round, change: ChangeRequest) -> None:
    book = ctx.book
    mine = book.orders_of(rnd, ctx.msg.sender)
    for action in change.actions:
        if action.kind == "remove" and action.item is None:
            if not mine:
                ctx.say(replies.no_order(ctx.name))
                continue
            for order in mine:
                book.cancel(order, ctx.msg.sender)
            ctx.say(replies.cancelled(ctx.name))
            mine = []
            continue
        target = _find_item(ctx, mine, action)
        if target is None and action.item is None:
            if not mine:
                ctx.say(replies.no_order(ctx.name))
            else:
                book.ask(rnd, ctx.room_id, ctx.msg.sender, ctx.name, ctx.text, [_unclear(ctx.text)])
                ctx.say(replies.unclear_change(ctx.name))
            continue
        if target is None:
            if action.kind == "remove":
                ctx.say(replies.no_order(ctx.name))
                continue
            # 加一盒草莓 / 草莓改成2盒 without 草莓 yet: a new item on their order
            quantity = action.quantity or Quantity(1.0)
            item = ItemRequest(action.item.text, action.item.match, action.item.spec, quantity)
            # 排骨换成牛腩 may have emptied (cancelled) the order just before
            live = [o for o in mine if o.status != "cancelled"]
            merge = max(live, key=lambda o: o.id) if live else None
            customer = merge.customer if merge else (mine[0].customer if mine else ctx.name)
            outcome = book.place(rnd, ctx.msg.sender, customer, [item], "", source="chat", merge_into=merge)
            report(ctx, rnd, outcome, customer, new=merge is None)
            continue
        order, item = target
        _change_item(ctx, rnd, order, item, action)


def _change_item(ctx: Context, rnd: Round, order: Order, item: OrderItem, action: ChangeAction) -> None:
    book = ctx.book
    if action.kind == "remove":
        book.set_quantity(order, item, 0.0, ctx.msg.sender)
        ctx.say(f"@{ctx.name} 已去掉{item.product.name}" +
                (f"；{replies.order_summary(order)}" if order.status != "cancelled" else "，订单已取消"))
        return
    quantity = action.quantity or Quantity(1.0)
    try:
        amount = to_selling_unit(quantity, item.product.unit)
    except UnitMismatch:
        problem = ItemProblem("unit", str(quantity), (item.product.unit,), item.product.name)
        book.ask(rnd, ctx.room_id, ctx.msg.sender, order.customer, ctx.text, [problem])
        ctx.say(replies.only_problems(ctx.name, [problem]))
        return
    # 减1斤 adds a negative amount; never below nothing (stock given back is what was taken)
    wanted = amount if action.kind == "set" else max(0.0, item.quantity + amount)
    refusal = book.set_quantity(order, item, wanted, ctx.msg.sender)
    if refusal:
        book.ask(rnd, ctx.room_id, ctx.msg.sender, order.customer, ctx.text, [refusal])
        ctx.say(replies.only_problems(ctx.name, [refusal]))
        return
    book.settle(rnd, ctx.msg.sender, {item.product.name})
    ctx.say(replies.placed(ctx.name, order, False, []))


def _find_item(ctx: Context, orders: list[Order], action: ChangeAction) -> tuple[Order, OrderItem] | None:
    items = [(o, i) for o in sorted(orders, key=lambda o: -o.id) for i in o.items]
    if action.item is None:
        return items[0] if len(items) == 1 else None
    names = set(action.item.match.products)
    if not names:
        off = ctx.book.catalogue.off_sale_match(action.item.text)
        names = {off} if off else set()
    found = [(o, i) for o, i in items if i.product.name in names
             and (action.item.spec is None or i.spec == action.item.spec)]
    return found[0] if found else None
