"""Merchant commands: `开团 周五水果`, `取消 3`, `上架 冬枣 15/斤 库存 8`...

`parse_command` returns a `Command` value or None when the text is not a
command at all. Whether the sender may run it is the bot's business.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError

from parsers import grammars


@dataclass(frozen=True)
class Command:
    """A merchant command: its verb (the rule name) and its arguments."""

    verb: str                          # open_round, cancel, list_product, ...
    arg: str = ""                      # free text after the verb (title, target, items)
    name: str = ""                     # product name for 上架/下架/库存
    price: float | None = None
    unit: str | None = None
    number: float | None = None        # stock for 上架/库存


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return grammars.load("command", start="command")


@lru_cache(maxsize=1)
def _verb_starts() -> frozenset[str]:
    """The first characters of the command grammar's quoted words. Every command begins with
    its verb, a quoted word, so a line that starts with none of these characters is no command:
    known from the grammar's text, without loading the parser (~10 ms) or lexing the line (its
    lexer compiles its patterns on first use, ~10 ms more); most first lines are orders."""
    source = (grammars.FOLDER / "command.lark").read_text(encoding="utf-8")
    return frozenset(word[0] for word in re.findall(r'"([^"\n]+)"', source))


class _Builder(Transformer):
    def __default__(self, data, children, meta):
        rest = " ".join(str(c).strip() for c in children if getattr(c, "type", "") == "REST")
        return Command(str(data), rest)

    @v_args(inline=True)
    def list_product(self, name, price, *rest):
        unit = next((str(t) for t in rest if t.type == "UNIT"), None)
        stock = next((float(t) for t in rest if t.type == "NUMBER"), None)
        return Command("list_product", name=str(name), price=float(str(price).rstrip("元")),
                       unit=unit, number=stock)

    @v_args(inline=True)
    def delist(self, name):
        return Command("delist", name=str(name))

    @v_args(inline=True)
    def set_stock(self, name, number):
        return Command("set_stock", name=str(name), number=float(number))


_BUILDER = _Builder()   # holds no state


@lru_cache(maxsize=4096)
def parse_command(text: str) -> Command | None:
    """Parse one normalised line (leading / and @bot already removed).

    Cached: every message's first line is tried as a command, and most first
    lines repeat (every repost starts with #接龙)."""
    text = text.strip()
    if not text or len(text) > 200 or text[0] not in _verb_starts():
        return None
    try:
        return _BUILDER.transform(_parser().parse(text))
    except LarkError:
        return None
