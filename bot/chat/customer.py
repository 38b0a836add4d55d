"""Customers' free-form messages: orders, 同上, +1, and changes to their orders."""
from __future__ import annotations

import re

from bot.chat import replies
from bot.chat.context import Context
from bot.chat.orders import Outcome, Refusal
from parsers.entry import (ChangeAction, ChangeRequest, EntryRequest, ItemProblem, ItemRequest,
                           asks_price, looks_like_question, parse_line)
from parsers.units import Quantity, UnitMismatch, to_selling_unit
from storage import questions as asked_questions
from storage.models import Order, OrderItem, Round
from storage.questions import AskedItem

MAX_OPTIONS = 10      # products offered by number when a line names none


def parse_message(ctx: Context) -> EntryRequest | ChangeRequest | None:
    """A customer's message as one line; None when it is chatter."""
    text = " ".join(line for line in ctx.text.split("\n") if line)
    if not text:
        return None
    parsed = parse_line(text, ctx.book.catalogue)
    if isinstance(parsed, EntryRequest):
        if parsed.bare_quantity is not None and not parsed.is_order and _WANTING.match(text):
            return parsed   # 我要3袋: an order attempt of an amount, asked which product
        if not parsed.is_order and not (parsed.bare_quantity and ctx.mentions_bot):
            return None     # 两盒 on its own is an order only when said to the bot
        if asks_price(text) or (looks_like_question(text) and not parsed.explicit_quantity):
            return None
        wants_bot = (ctx.mentions_bot or parsed.explicit_quantity or parsed.same_as_above or parsed.plus
                     or _only_names(parsed, text))
        return parsed if wants_bot else None
    if isinstance(parsed, ChangeRequest) and looks_like_question(text):
        return None
    return parsed


# Words for wanting before an amount alone (我要3袋): the parser reads the amount
# and drops them; they make the line an order attempt, not a number in passing.
_WANTING = re.compile(r"^\s*(我也要|我想要|我要|再来|给我|帮我|我来|那要|那就|要|来)")


def _only_names(entry: EntryRequest, text: str) -> bool:
    """向日葵, 3-201 百合, 阿梅 口水鸡: a line of names and nothing else is an order
    attempt (one of each, or asked about), never chatter (CONTRACT 3c). A choice
    phrased with 的 (三鲜的) picks among a question's options: with none open for
    its sender it is someone else's answer, not an order."""
    return bool(entry.items) and not entry.note and not text.rstrip().endswith("的")


def handle_customer(ctx: Context, request: EntryRequest | ChangeRequest) -> None:
    book = ctx.book
    rnd = book.open_round(ctx.room_id)
    if rnd is None:
        if isinstance(request, EntryRequest):
            latest = book.latest_round(ctx.room_id)
            book.ask(latest, ctx.room_id, ctx.msg.sender, ctx.name, ctx.text, [Refusal("closed", ctx.text, "")])
            ctx.say(replies.closed(ctx.name) if latest else replies.not_open(ctx.name))
        elif book.latest_round(ctx.room_id) is not None and book.orders_of(book.latest_round(ctx.room_id),
                                                                           ctx.msg.sender):
            ctx.say(replies.closed_change(ctx.name))      # 五花肉改成5斤 after 截单
        return
    if isinstance(request, ChangeRequest):
        apply_changes(ctx, rnd, request)
    else:
        order_entry(ctx, rnd, request)


def order_entry(ctx: Context, rnd: Round, entry: EntryRequest, *, owner: str | None = None,
                proxy: bool = False, actor: str | None = None) -> Outcome | None:
    """Place an entry for its owner (default: the sender) and answer; the outcome, or
    None when nothing could be placed. `proxy`: the merchant's 代订, its replies name
    the customer; `actor`: who the history names, if not the owner."""
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
    report(ctx, rnd, outcome, customer, new=merge is None, note=entry.note, proxy=proxy)
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


def ask_which_product(ctx: Context, rnd: Round, customer: str, text: str, entry: EntryRequest,
                      *, entry_key: str | None = None) -> None:
    quantity = entry.bare_quantity or Quantity(entry.plus if entry.plus is not None else 1.0)
    unit = quantity.unit or None
    products = ctx.book.catalogue.products
    # 3袋: the products sold by the bag, when some are
    on_sale = [p.name for p in products if unit and p.unit == unit] or [p.name for p in products]
    item = AskedItem("unclear", text, tuple(on_sale[:MAX_OPTIONS]), None, entry.spec, quantity.value, unit)
    ctx.book.ask(rnd, ctx.room_id, ctx.msg.sender, customer, text, [_unclear(text)], asked=[item],
                 note=entry.note, entry_key=entry_key)
    ctx.say(replies.unclear_plus(ctx.name, item))


def ask_what(ctx: Context, rnd: Round, customer: str | None, text: str, *, entry_key: str | None = None) -> None:
    """A 接龙 line that orders nothing we can tell: ask instead of skipping it."""
    ctx.book.ask(rnd, ctx.room_id, ctx.msg.sender, customer or ctx.name, text, [_unclear(text)],
                 entry_key=entry_key)
    example = next((p for p in ctx.book.catalogue.products), None)
    ctx.say(replies.unclear_line(ctx.name, text, example))


def report(ctx: Context, rnd: Round, outcome: Outcome, customer: str, *, new: bool, note: str = "",
           entry_key: str | None = None, text: str | None = None, proxy: bool = False) -> None:
    """Reply with what was taken and ask about the rest (`text`: the entry's
    own line, when the message carried more, as a 接龙 repost does)."""
    book = ctx.book
    if outcome.taken:
        book.settle(rnd, ctx.msg.sender, {i.product.name for i in outcome.taken})
    if outcome.problems:
        book.ask(rnd, ctx.room_id, ctx.msg.sender, customer, text or ctx.text, outcome.problems,
                 asked=outcome.asked, note=note, entry_key=entry_key)
    if outcome.order is not None and outcome.changed:
        ctx.say(replies.placed(ctx.name, outcome.order, new, outcome.asked, customer if proxy else ""))
    elif outcome.problems:
        ctx.say(replies.only_problems(ctx.name, outcome.asked, customer if proxy else ""))


def report_answer(ctx: Context, rnd: Round, outcome: Outcome, customer: str, question) -> None:
    """Reply to an answer: what it ordered, and what is still to ask (the
    amount may be over stock now, or over confirm_over)."""
    book = ctx.book
    if outcome.taken:
        book.settle(rnd, ctx.msg.sender, {i.product.name for i in outcome.taken})
    if outcome.problems:
        book.ask(rnd, ctx.room_id, ctx.msg.sender, customer, question.text, outcome.problems,
                 asked=outcome.asked, note=question.note, entry_key=question.entry_key)
    ctx.say(replies.answered(ctx.name, outcome.order if outcome.changed else None, outcome.taken,
                             outcome.asked))


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
                ctx.say(replies.unclear_change(ctx.name, [i.product.name for o in mine for i in o.items]))
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
        question = book.ask(rnd, ctx.room_id, ctx.msg.sender, order.customer, ctx.text, [problem])
        ctx.say(replies.only_problems(ctx.name, asked_questions.asked(question)))
        return
    # 减1斤 adds a negative amount; never below nothing (stock given back is what was taken)
    wanted = amount if action.kind == "set" else max(0.0, item.quantity + amount)
    refusal = book.set_quantity(order, item, wanted, ctx.msg.sender)
    if refusal:
        question = book.ask(rnd, ctx.room_id, ctx.msg.sender, order.customer, ctx.text, [refusal])
        ctx.say(replies.only_problems(ctx.name, asked_questions.asked(question)))
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


# -- a customer saying they paid -------------------------------------------------

def said_paid(ctx: Context) -> None:
    """已付 / 已转账 / 付了: noted on the sender's unpaid orders of the round for
    the merchant (自称已付 in 汇总, 对账单, 未付); the merchant's 已付 N marks them paid."""
    book = ctx.book
    rnd = book.unclosed_round(ctx.room_id) or book.latest_round(ctx.room_id)
    orders = [o for o in book.orders_of(rnd, ctx.msg.sender) if o.status == "open"] if rnd else []
    if not orders:
        ctx.say(replies.said_paid_no_order(ctx.name))
        return
    for order in orders:
        book.note_said_paid(order, ctx.msg.sender)
    ctx.say(replies.said_paid(ctx.name, sum(o.total for o in orders)))
