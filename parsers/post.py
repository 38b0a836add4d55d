"""WeChat #接龙 posts: header, title, description, 例 line, numbered entries.

Only the numbered lines are entries; the title names the round, and the rest
(prices, pickup times, the example) is read by people, not ordered. Numbered
lines can also be the merchant's menu (CONTRACT 3b): those before the `例`
line, and, in a post without one, a numbered run followed by another run
whose numbering starts again at 1 (the entries), or a lone run whose lines
carry prices. Such lines are description; `JielongPost.menu` reads them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError
from lark.lexer import Lexer

from parsers import grammars
from parsers.menu import Menu, has_price, read_menu

HEADER = "#接龙"
# `1. 王姐 …`; but `2.5元/斤 …` and `10:00到货` are prices and times of the description
_ENTRY = re.compile(r"(\d{1,4})\s*(?:[.:](?!\d)|[、)])\s*(.*)")
_EXAMPLE = re.compile(r"例(?:如|子)?\s*[:]?\s*")
# `黑麦吐司 18`, `可颂（原味/杏仁）12/14`: a bare price ending a line that names something
# (`2x2`, `1+3` are orders)
_BARE_PRICE = re.compile(r"\D.*?(?<![\d+xX*×.\-])\s*\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*")


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
    # the line of the parsed text (its index in text.split("\n")) each entry is on,
    # so the bot can read the same line as sent without parsing the message again
    entry_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def menu(self) -> Menu:
        """The menu in the description; read on demand, because the bot reads it
        once per round (when the round opens), never on customers' reposts."""
        return read_menu(self.description)


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
    return grammars.load("post", lexer=_Lines, start="post")


class _Entries(Token):
    """A run of numbered lines as one token; `entries` holds them."""

    __slots__ = ("entries",)


@dataclass(frozen=True)
class _Numbered:
    """A numbered line: its number, its entry (None when empty), whether it carries a price."""

    seq: int
    entry: PostEntry | None
    priced: bool


@lru_cache(maxsize=65536)
def _classify(line: str) -> tuple[str, str | _Numbered]:
    """What one stripped line is; cached, because reposts repeat their lines."""
    if _EXAMPLE.match(line):
        return "EXAMPLE", _EXAMPLE.sub("", line, count=1)
    if entry := _ENTRY.fullmatch(line):
        text = entry.group(2).strip()
        seq = int(entry.group(1))
        return "ENTRY", _Numbered(seq, PostEntry(seq, text) if text else None, has_price(text))
    return "LINE", line


def entry_as_written(line: str) -> PostEntry | None:
    """The entry a numbered line carries, read as `parse_post` reads one (the line
    as sent, say, when the post was parsed normalised); None if it carries none."""
    kind, value = _classify(line.strip())
    return value.entry if kind == "ENTRY" else None


_Line = tuple[int, str, str, "str | _Numbered"]      # (line number, line, kind, value)
# The text last read into lines: (text, first line number, its line count, header, lines).
_last_read: tuple[str, int, int, Token | None, list[_Line]] | None = None


def _read_lines(text: str, first_line: int) -> tuple[Token | None, list[_Line]]:
    """The header and the classified lines after it. A repost is the list before
    it plus a line: when `text` continues the text read last, only the added
    lines are read."""
    global _last_read
    last = _last_read
    if (last is not None and last[1] == first_line and last[3] is not None and len(text) > len(last[0])
            and text[len(last[0])] == "\n" and text.startswith(last[0])):
        header, lines = last[3], list(last[4])
        header, lines = _classify_lines(text[len(last[0]) + 1:], first_line + last[2], header, lines)
    else:
        header, lines = _classify_lines(text, first_line, None, [])
    _last_read = (text, first_line, text.count("\n") + 1, header, lines)
    return header, list(lines)


def _classify_lines(text: str, first_line: int, header: Token | None,
                    lines: list[_Line]) -> tuple[Token | None, list[_Line]]:
    for number, line in enumerate(text.split("\n"), first_line):
        line = line.strip()
        if not line:
            continue
        if header is None:
            header = Token("HEADER", line[len(HEADER):].strip(), line=number)
            continue
        lines.append((number, line, *_classify(line)))
    return header, lines


def _line_tokens(text: str, opening: bool = False, first_line: int = 0) -> list[Token]:
    header, lines = _read_lines(text, first_line)
    tokens: list[Token] = [header] if header is not None else []
    menu = _menu_lines(lines, opening)
    for index, (number, line, kind, value) in enumerate(lines):
        if index in menu:
            tokens.append(Token("LINE", line, line=number))
        elif kind == "ENTRY":
            if tokens[-1].type != "ENTRIES":
                run = _Entries("ENTRIES", "", line=number)
                run.entries = []
                tokens.append(run)
            if value.entry is not None:
                tokens[-1].entries.append((number, value.entry))
        else:
            tokens.append(Token(kind, value, line=number))
    return tokens


def _menu_lines(lines: list[tuple[int, str, str, str | _Numbered]], opening: bool = False) -> set[int]:
    """Indexes of the numbered lines that are the menu (or a dish list), not entries.

    Before a `例` line every numbered line is description. After it (or in a
    post without one), numbered lines form runs, a run ending where a line
    that is not numbered comes or where the numbering starts again at 1; every
    run but the last is description, and without a `例` line the last run is
    the menu too when its lines carry prices. In the merchant's opening post
    (`opening`), a bare number ending a line (`3. 恰巴塔 9.9`) is a price too, when
    the run is the post's only one and has two lines or more; in reposts such a run is read as entries
    (`1. 王姐 2`), because the menu is read once, from the opening post.
    """
    first_example = next((i for i, line in enumerate(lines) if line[2] == "EXAMPLE"), None)
    menu = {i for i in range(first_example or 0) if lines[i][2] == "ENTRY"}
    runs: list[list[int]] = []
    previous = -2
    for i in range((first_example or -1) + 1, len(lines)):
        kind, value = lines[i][2], lines[i][3]
        if kind != "ENTRY":
            continue
        if previous != i - 1 or value.seq == 1 and runs and runs[-1]:
            runs.append([])
        runs[-1].append(i)
        previous = i
    if len(runs) > 1:
        # only a run that the next one restarts at 1 is a menu: a repost whose
        # list is broken by a stray line is still one list of entries
        for run, after in zip(runs, runs[1:]):
            if lines[after[0]][3].seq == 1:
                menu.update(run)
    if first_example is None and runs:
        last = runs[-1]
        priced = sum(lines[i][3].priced or opening and len(runs) == 1 and len(last) > 1 and _bare_priced(lines[i][3]) for i in last)
        if last and not menu.issuperset(last) and 2 * priced > len(last):
            menu.update(last)
    return menu


def _bare_priced(line: _Numbered) -> bool:
    return line.entry is not None and _BARE_PRICE.fullmatch(line.entry.text) is not None


@v_args(inline=True)
class PostBuilder(Transformer):
    def post(self, header: Token, *parts):
        title = str(header)
        description, example, entries = [], None, []     # entries: (line number, entry)
        for kind, value in parts:
            if kind == "title" and not title:
                title = value
            elif kind in ("title", "description"):
                description.append(value)
            elif kind == "example":
                example = value
            else:
                entries.extend(value)
        return JielongPost(title, tuple(description), example, tuple(entry for _, entry in entries),
                           tuple(number for number, _ in entries))

    def title(self, line: Token):
        return "title", str(line)

    def description(self, line: Token):
        return "description", str(line)

    def example(self, line: Token):
        return "example", str(line)

    def entries(self, run: _Entries):
        return "entries", run.entries


_BUILDER = PostBuilder()   # holds no state; building one wraps every method again


def parse_post(text: str, opening: bool = False) -> JielongPost | None:
    """Parse a normalised #接龙 message; None if it is not one. `opening`: the
    merchant's post that opens a round, whose numbered lines with bare prices
    are its menu."""
    if not is_jielong(text):
        return None
    body = text.lstrip()
    skipped = text.count("\n", 0, len(text) - len(body))     # entry_lines count the lines lstrip dropped
    try:
        return _BUILDER.transform(_parser().parse(_line_tokens(body, opening, skipped)))
    except LarkError:
        return None
