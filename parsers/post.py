"""WeChat #接龙 posts: header, title, description, 例 line, numbered entries.

Only the numbered lines are entries; the title names the round, and the rest
(prices, pickup times, the example) is read by people, not ordered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError
from lark.lexer import Lexer

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "post.lark"
HEADER = "#接龙"
# `1. 王姐 …`; but `2.5元/斤 …` and `10:00到货` are prices and times of the description
_ENTRY = re.compile(r"(\d{1,4})\s*(?:[.:](?!\d)|[、)])\s*(.*)")
_EXAMPLE = re.compile(r"例(?:如|子)?\s*[:]?\s*")


@dataclass(frozen=True)
class PostEntry:
    """A numbered line: its number as written and the text after it."""

    seq: int
    text: str


@dataclass(frozen=True)
class JielongPost:
    title: str
    description: tuple[str, ...] = ()
    example: str | None = None
    entries: tuple[PostEntry, ...] = ()


def is_jielong(text: str) -> bool:
    """Whether a (normalised) message is a #接龙 post or repost."""
    return text.lstrip().startswith(HEADER)


class _Lines(Lexer):
    def __init__(self, lexer_conf) -> None:
        pass

    def lex(self, data, *_):
        return iter(data)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer=_Lines, start="post")


class _Entries(Token):
    """A run of numbered lines as one token; `entries` holds them."""

    __slots__ = ("entries",)


@lru_cache(maxsize=65536)
def _classify(line: str) -> tuple[str, str | PostEntry | None]:
    """What one stripped line is; cached, because reposts repeat their lines."""
    if _EXAMPLE.match(line):
        return "EXAMPLE", _EXAMPLE.sub("", line, count=1)
    if entry := _ENTRY.fullmatch(line):
        text = entry.group(2).strip()
        return "ENTRY", PostEntry(int(entry.group(1)), text) if text else None
    return "LINE", line


def _line_tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    for number, line in enumerate(text.split("\n")):
        line = line.strip()
        if not line:
            continue
        if not tokens:
            tokens.append(Token("HEADER", line[len(HEADER):].strip(), line=number))
            continue
        kind, value = _classify(line)
        if kind == "ENTRY":
            if tokens[-1].type != "ENTRIES":
                run = _Entries("ENTRIES", "", line=number)
                run.entries = []
                tokens.append(run)
            if value is not None:
                tokens[-1].entries.append(value)
        else:
            tokens.append(Token(kind, value, line=number))
    return tokens


@v_args(inline=True)
class PostBuilder(Transformer):
    def post(self, header: Token, *parts):
        title = str(header)
        description, example, entries = [], None, []
        for kind, value in parts:
            if kind == "title" and not title:
                title = value
            elif kind in ("title", "description"):
                description.append(value)
            elif kind == "example":
                example = value
            else:
                entries.extend(value)
        return JielongPost(title, tuple(description), example, tuple(entries))

    def title(self, line: Token):
        return "title", str(line)

    def description(self, line: Token):
        return "description", str(line)

    def example(self, line: Token):
        return "example", str(line)

    def entries(self, run: _Entries):
        return "entries", run.entries


_BUILDER = PostBuilder()   # holds no state; building one wraps every method again


def parse_post(text: str) -> JielongPost | None:
    """Parse a normalised #接龙 message; None if it is not one."""
    if not is_jielong(text):
        return None
    try:
        return _BUILDER.transform(_parser().parse(_line_tokens(text.lstrip())))
    except LarkError:
        return None
