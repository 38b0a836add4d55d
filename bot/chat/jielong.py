"""#接龙 posts and reposts: opening a round and diffing the growing list.

Everyone re-sends the whole list with their own line added. Entries are
known by their content (the line without its number), so renumbering and
races cost nothing: an unseen line is a new order owned by the sender, or an
edit when it replaces a line the sender may change; a line missing from the
list is cancelled only when the sender owns it (or is an admin).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import select

from bot.chat import replies
from bot.chat.context import Context
from bot.chat.menu import open_round
from bot.chat.customer import ask_what, ask_which_product, report, sole_product_item
from bot.chat.orders import Refusal
from parsers.entry import EntryRequest, ItemRequest, parse_line
from parsers.menu import Menu
from parsers.post import JielongPost, PostEntry, entry_as_written, is_jielong, parse_post
from parsers.text import normalize, split_lines
from storage import order_rows
from storage.models import Order, Round
from storage.order_rows import KeyRow


@lru_cache(maxsize=65536)
def content_key(text: str) -> str:
    """What identifies a line: its words, without number or spacing."""
    return normalize(text).replace(" ", "")[:500]


def handle_post(ctx: Context, post: JielongPost) -> None:
    book = ctx.book
    rnd = book.open_round(ctx.room_id)
    opening = False
    if ctx.is_admin:
        latest = rnd or book.latest_round(ctx.room_id)
        reopened_same = rnd is None and latest is not None and latest.title == post.title
        if (rnd is None and not reopened_same) or (rnd is not None and post.title and post.title != rnd.title):
            opening = True
            post = parse_post(ctx.text, opening=True) or post     # `1. 黑麦吐司 18`: the menu, not entries
            rnd = open_round(ctx, post.title, "\n".join(post.description), _menu_as_written(ctx, post))
        elif rnd is None:
            rnd = latest
    elif rnd is None:
        rnd = book.latest_round(ctx.room_id)
    sync_entries(ctx, rnd, _entries_as_written(ctx, post, opening))


def _entries_as_written(ctx: Context, post: JielongPost, opening: bool) -> Sequence[PostEntry]:
    """The post's entries as sent, so customer names keep their form (錢老師, 🌸);
    the normalised ones when the two readings do not line up.

    Normalising keeps the lines (one per line as sent), so each entry is read
    from its own line of the message as sent, without parsing the whole
    message a second time."""
    raw_text = ctx.msg.text        # the dispatcher turned longer ones away: ctx.text is all of it
    if raw_text == ctx.text or not is_jielong(raw_text):
        return post.entries        # sent in normal form already (the usual case), or no 接龙 as sent
    raw_lines = split_lines(raw_text)
    if len(post.entry_lines) != len(post.entries) or len(raw_lines) != ctx.text.count("\n") + 1:
        raw = parse_post(raw_text.lstrip(), opening)    # lines that do not line up: read it all again
        if raw is None or len(raw.entries) != len(post.entries) or any(
                content_key(a.text) != content_key(b.text) for a, b in zip(raw.entries, post.entries)):
            return post.entries
        return raw.entries
    normal_lines = ctx.text.split("\n")
    written: list[PostEntry] = []
    for entry, number in zip(post.entries, post.entry_lines):
        if raw_lines[number] == normal_lines[number]:
            written.append(entry)       # a line sent in normal form reads the same
            continue
        raw = entry_as_written(raw_lines[number])
        if raw is None or raw.text != entry.text and content_key(raw.text) != content_key(entry.text):
            return post.entries
        written.append(raw)
    return written


def _menu_as_written(ctx: Context, post: JielongPost) -> Menu:
    """The post's menu, read from the message as sent: normalising drops the emoji
    that number lines (1️⃣) and that some specs are (🌶)."""
    raw = parse_post(ctx.msg.text.lstrip(), opening=True)
    return raw.menu if raw is not None and raw.title == post.title else post.menu


def sync_entries(ctx: Context, rnd: Round | None, entries: Sequence[PostEntry]) -> None:
    book = ctx.book
    sender = ctx.msg.sender
    connection = book.session.connection()
    lines = ctx.entries.lines(connection, rnd) if rnd is not None else {}
    keys = [content_key(e.text) for e in entries]
    seen = set(keys)
    new_lines: list[tuple[int, PostEntry, str]] = []     # (position in the list, line, key)
    fresh: set[str] = set()
    for index, (entry, key) in enumerate(zip(entries, keys)):
        if key and key not in lines and key not in fresh:
            fresh.add(key)
            new_lines.append((index, entry, key))
    gone = [row for row in lines.values() if row.current and row.content not in seen and row.order_id is not None]
    orders: dict[int, Order] = {}
    missing: list[KeyRow] = []
    if gone:
        orders = {o.id: o for o in book.session.scalars(
            select(Order).where(Order.id.in_([row.order_id for row in gone])))}
        missing = [row for row in gone if orders[row.order_id].status != "cancelled"]
    if rnd is None or not book.accepting(rnd):   # closed, or past its deadline
        if new_lines:
            book.ask(rnd, ctx.room_id, sender, ctx.name, "\n".join(e.text for _, e, _ in new_lines),
                     [Refusal("closed", new_lines[0][1].text, "")])
            ctx.say(replies.closed(ctx.name))
        return

    written = False
    # Only new lines are parsed: an unchanged 300-line list costs a lookup per line.
    for index, entry, key in new_lines:
        request = _parse_entry(entry.text, book.catalogue)
        if request is None or not (request.is_order or request.bare_quantity is not None):
            # 5. 小李 随便来点: a place in the list, but nothing we can order; ask once
            ask_what(ctx, rnd, request.customer if request else None, entry.text, entry_key=key)
            lines[key] = order_rows.add_entry_key(connection, rnd.id, key, None, sender)
            written = True
            continue
        items = list(request.items)
        if request.same_as_above:
            items += _previous_items(entries, index, book.catalogue)
        customer = request.customer or ctx.name
        written = True
        if request.plus is not None or request.bare_quantity is not None:
            item = sole_product_item(ctx, request)     # 3. 王姐 +1, 4. 老王 两盒
            if item is None:
                ask_which_product(ctx, rnd, customer, entry.text, request, entry_key=key)
                lines[key] = order_rows.add_entry_key(connection, rnd.id, key, None, sender)
                continue
            items.append(item)
        edited = _editable_match(ctx, missing, orders, customer)
        if edited is not None:
            missing.remove(edited)
            order = orders[edited.order_id]
            lines[edited.content] = order_rows.retire_entry_key(connection, edited)
            outcome = book.replace_items(order, items, request.note, sender)
            lines[key] = order_rows.add_entry_key(connection, rnd.id, key, order.id, edited.owner)
            report(ctx, rnd, outcome, order.customer, new=False, note=request.note, entry_key=key,
                   text=entry.text)
            continue
        outcome = book.place(rnd, sender, customer, items, request.note, source="jielong")
        order_id = outcome.order.id if outcome.order is not None else None
        lines[key] = order_rows.add_entry_key(connection, rnd.id, key, order_id, sender)
        report(ctx, rnd, outcome, customer, new=True, note=request.note, entry_key=key, text=entry.text)
    for row in missing:
        if row.owner == sender or ctx.is_admin:
            written = True
            order = orders[row.order_id]
            lines[row.content] = order_rows.retire_entry_key(connection, row)
            book.cancel(order, sender)
            ctx.say(replies.cancelled(ctx.name, order))
    if written:
        book.touch(rnd)
        ctx.after_commit.append(ctx.entries.keeper(book, rnd, lines))


def _editable_match(ctx: Context, missing: list[KeyRow], orders: dict[int, Order], customer: str) -> KeyRow | None:
    """The missing line a new line replaces, if the sender may edit it."""
    mine = [k for k in missing if k.owner == ctx.msg.sender or ctx.is_admin]
    wanted = normalize(customer).replace(" ", "")
    for key in mine:
        if normalize(orders[key.order_id].customer).replace(" ", "") == wanted:
            return key
    return None


def _parse_entry(text: str, catalogue) -> EntryRequest | None:
    parsed = parse_line(text, catalogue)     # as written: the parser normalises, names keep their form
    return parsed if isinstance(parsed, EntryRequest) else None


def _previous_items(entries: Sequence[PostEntry], index: int, catalogue) -> list[ItemRequest]:
    """同上: the items of the nearest entry above that has some."""
    for earlier in reversed(entries[:index]):
        parsed = _parse_entry(earlier.text, catalogue)
        if parsed is not None and parsed.items:
            return list(parsed.items)
    return []
