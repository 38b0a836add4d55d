"""Parser speed on hostile lines: prints seconds, asserts nothing.

    .venv/bin/python bench/parser_bench.py

Each 100,000-character line goes through normalize, the lexer alone, and
parse_line (which declines lines over parsers.entry.MAX_LINE), then its first
MAX_LINE characters through parse_line, the longest line that is parsed.
"""
from __future__ import annotations

import time

from parsers.catalogue import Catalogue, ProductInfo
from parsers.entry import MAX_LINE, parse_line
from parsers.lexer import tokenize
from parsers.text import normalize

CATALOGUE = Catalogue(tuple(ProductInfo(name, 10.0, unit, aliases) for name, unit, aliases in [
    ("五花肉", "斤", ()), ("排骨", "斤", ("肋排",)), ("三黄鸡", "只", ()), ("可乐", "瓶", ("Coca Cola",)),
    ("7喜", "瓶", ()), ("猪肉白菜水饺", "袋", ()), ("三鲜水饺", "袋", ()),
]))

LINES = {
    "items": "五花肉2斤 排骨1斤，",
    "plain text": "啊",
    "numerals": "三",
    "numeral mix": "一二三四五六七八九十百千两",
    "digits": "1",
    "plus": "+1",
    "times": "x2",
    "rooms": "5-",
    "spaces": "五 ",
    "latin": "coca cola ",
    "slips": "王姐无花肉2斤",
    "glued parts": "白菜猪肉水饺",
    "traditional": "蘋果兩斤",
    "stickers": "[玫瑰]",
    "emoji": "🥩",
}


def main() -> None:
    parse_line("五花肉2斤", CATALOGUE)   # imports and grammar, once
    print(f"{'line':12} {'normalize':>10} {'tokenize':>10} {'tokens':>7} {'parse_line':>11} "
          f"{'parse ' + str(MAX_LINE):>11}")
    for name, unit in LINES.items():
        raw = (unit * (100_000 // len(unit) + 1))[:100_000]
        start = time.perf_counter()
        line = normalize(raw)
        normalized = time.perf_counter()
        tokens = tokenize(line, CATALOGUE)
        lexed = time.perf_counter()
        parse_line(line, CATALOGUE)
        parsed = time.perf_counter()
        parse_line(line[:MAX_LINE], CATALOGUE)
        short = time.perf_counter()
        print(f"{name:12} {normalized - start:10.3f} {lexed - normalized:10.3f} {len(tokens):7} "
              f"{parsed - lexed:11.4f} {short - parsed:11.3f}")


if __name__ == "__main__":
    main()
