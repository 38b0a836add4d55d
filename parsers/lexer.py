"""Cutting a chat line into tokens the grammar can arrange.

Chinese has no spaces, so this is where product names are segmented: at each
position the catalogue is asked for the longest name (or part of one) that
starts there, before numbers, units and keywords are tried. Everything else
becomes TEXT (names, room numbers, notes). One left-to-right pass with
bounded look-ahead: linear in the length of the line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token

from parsers.catalogue import Catalogue, Match
from parsers.numbers import CN_DIGITS, parse_number
from parsers.units import UNIT_WORDS, Quantity

# Room numbers, phone numbers and order numbers are words, not quantities.
_ROOM = re.compile(
    r"\d+(?:-\d+)+"                                    # 5-302, 8-1101
    r"|\d+(?:栋|幢|号楼|号|楼|单元|座|层|室|区|期)"        # 3栋1单元502, 3号楼
    r"(?:\d+(?:栋|幢|号楼|号|楼|单元|座|层|室)?)*"
    r"|\d{5,}"                                         # phones, ids
    r"|\d+/\d+"                                        # dates 12/30
    r"|\d+[:点]\d*"                                     # times 10:00, 4点
)
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CN_RUN = re.compile(rf"[{CN_DIGITS}]+")
_TIMES = re.compile(rf"[xX*]\s*(\d+(?:\.\d+)?|[{CN_DIGITS}]+)")
_PLUS = re.compile(r"\+\s*(\d+)")
_MENTION = re.compile(r"@\S+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'.]*")
SEPARATORS = frozenset(",、;+和及/|")

# Change keywords, longest first. 取消 is also a merchant verb; the bot only
# reads it as a customer change after the command parser has passed.
KEYWORDS: tuple[tuple[str, str], ...] = tuple(sorted((
    ("改成", "SET"), ("改为", "SET"), ("换成", "SET"), ("改到", "SET"), ("改", "SET"),
    ("再加", "ADD"), ("加", "ADD"), ("多加", "ADD"), ("追加", "ADD"), ("再来", "ADD"), ("补", "ADD"),
    ("不要了", "REMOVE"), ("不要", "REMOVE"), ("取消", "REMOVE"), ("删掉", "REMOVE"),
    ("删了", "REMOVE"), ("删除", "REMOVE"), ("退掉", "REMOVE"), ("去掉", "REMOVE"),
    ("同上", "SAME"),
), key=lambda kw: -len(kw[0])))
_KEYWORD_FIRST = frozenset(word[0] for word, _ in KEYWORDS)


class Tok(Token):
    """A lark Token that also carries a parsed value (a Match, a Quantity...)."""

    __slots__ = ("payload",)


def _tok(kind: str, text: str, start: int, end: int, payload: object = None) -> Tok:
    token = Tok(kind, text, start_pos=start, end_pos=end)
    token.payload = payload
    return token


def tokenize(line: str, catalogue: Catalogue) -> list[Tok]:
    """Tokens of one normalised line (see parsers.text.normalize)."""
    return list(_scan(line, catalogue))


def _scan(line: str, catalogue: Catalogue) -> Iterator[Tok]:
    i, n = 0, len(line)
    text_start = -1          # start of the TEXT run being collected
    prev: Tok | None = None  # last token emitted, for 两 and unit decisions

    def flush(end: int) -> Iterator[Tok]:
        nonlocal text_start, prev
        if text_start >= 0:
            prev = _tok("TEXT", line[text_start:end], text_start, end)
            text_start = -1
            yield prev

    while i < n:
        ch = line[i]
        if ch == " ":
            yield from flush(i)
            i += 1
            continue
        if ch == "@":
            yield from flush(i)
            i = _MENTION.match(line, i).end()
            continue

        token = _product_or_spec(line, i, catalogue)
        if token is None and ch.isdigit():
            room = _ROOM.match(line, i)
            if room:
                if text_start < 0:
                    text_start = i
                i = room.end()
                continue
        if token is None:
            token = _quantity_word(line, i, prev, text_start >= 0)
        if token is None:
            token = _keyword_or_separator(line, i, prev)
        if token is None:
            if text_start < 0:
                text_start = i
            latin = _LATIN.match(line, i)
            i = latin.end() if latin else i + 1
            continue
        yield from flush(i)
        yield token
        prev = token
        i = token.end_pos
    yield from flush(n)


def _product_or_spec(line: str, i: int, catalogue: Catalogue) -> Tok | None:
    product = catalogue.product_at(line, i)
    spec_end = catalogue.spec_at(line, i)
    if spec_end and (product is None or spec_end > product[0]):
        return _tok("SPEC", line[i:spec_end], i, spec_end)
    if product:
        end, match = product
        return _tok("PRODUCT", line[i:end], i, end, match)
    return None


def _quantity_word(line: str, i: int, prev: Tok | None, in_text: bool) -> Tok | None:
    ch = line[i]
    after_number = prev is not None and prev.type in ("NUM", "HALF") and prev.end_pos == i
    if after_number or (prev is not None and prev.type == "NUM" and line[i - 1:i] == " "):
        for unit in UNIT_WORDS:
            if line.startswith(unit, i) or (unit.isascii() and line[i:i + len(unit)].lower() == unit):
                return _tok("UNIT", line[i:i + len(unit)], i, i + len(unit), unit.lower())
    if in_text and not ch.isdigit() and not _counts_something(line, i):
        return None
    if ch.isdigit():
        m = _ARABIC.match(line, i)
        return _tok("NUM", m.group(), i, m.end(), float(m.group()))
    if ch == "半":
        return _tok("HALF", ch, i, i + 1, 0.5)
    if ch in "xX*":
        if i > 0 and line[i - 1].isascii() and line[i - 1].isalpha():
            return None
        m = _TIMES.match(line, i)
        if m:
            value = parse_number(m.group(1))
            if value is not None:
                return _tok("TIMES", m.group(), i, m.end(), Quantity(value))
        return None
    if ch in CN_DIGITS:
        m = _CN_RUN.match(line, i)
        span = m.group()
        if "两" in span[1:]:  # 三两: the number is 三, 两 is the unit
            span = span[:span.index("两", 1)]
        # 两 right after a number is the weight unit, handled above; 一点, 十分 are words.
        if line.startswith(("一点", "一下", "一起", "一样", "一些", "十分", "一直", "两天", "三天"), i):
            return None
        value = parse_number(span)
        if value is None:
            return None
        return _tok("NUM", span, i, i + len(span), value)
    return None


def _counts_something(line: str, i: int) -> bool:
    """Whether a numeral inside a word is a quantity: 荔枝两斤, 樱桃半斤."""
    m = _CN_RUN.match(line, i)
    end = m.end() if m else i + (line[i] == "半")
    if end == i:
        return False
    rest = line[end:end + 2]
    return rest.startswith("半") or any(rest.startswith(u) for u in UNIT_WORDS if not u.isascii())


def _keyword_or_separator(line: str, i: int, prev: Tok | None) -> Tok | None:
    ch = line[i]
    if ch == "+":
        m = _PLUS.match(line, i)
        if m and (prev is None or prev.type == "TEXT"):
            return _tok("PLUS", m.group(), i, m.end(), float(m.group(1)))
    if ch in SEPARATORS:
        return _tok("SEP", ch, i, i + 1)
    if ch in ",;":
        return _tok("SEP", ch, i, i + 1)
    if ch == "各":
        return _tok("EACH", ch, i, i + 1)
    if ch in _KEYWORD_FIRST:
        for word, kind in KEYWORDS:
            if line.startswith(word, i):
                return _tok(kind, word, i, i + len(word))
    return None
