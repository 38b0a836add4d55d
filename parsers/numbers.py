"""Numbers as people write them: `2`, `1.5`, `十二`, `二十`, `两`, `半`.

Chinese numeral spans are found here and converted with `cn2an`, but only
once isolated: cn2an mangles `两百` and ranges like `两三个`, so `两` is read
as `二` and spans that are ranges are refused.
"""
from __future__ import annotations

import re
from functools import lru_cache

CN_DIGITS = "零〇一二两三四五六七八九十百千"
# An Arabic number (decimal point allowed) or a run of Chinese numerals.
NUMBER = re.compile(rf"\d+(?:\.\d+)?|[{CN_DIGITS}]+")
_SIMPLE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_RANGE = re.compile(r"[一二两三四五六七八九]{2}")  # 两三, 三四: a range, not a number


@lru_cache(maxsize=4096)
def parse_number(span: str) -> float | None:
    """Value of one isolated numeral span, or None if it is not one number.

    >>> parse_number("十二"), parse_number("两"), parse_number("1.5"), parse_number("两三")
    (12.0, 2.0, 1.5, None)
    """
    if not span:
        return None
    if span[0].isdigit():
        try:
            return float(span)
        except ValueError:
            return None
    if span in _SIMPLE:
        return float(_SIMPLE[span])
    if _RANGE.search(span) and "十" not in span and "百" not in span:
        return None
    import cn2an  # ~0.1 s to import; only spans like 十二, 二十五, 一百 need it

    try:
        return float(cn2an.cn2an(span.replace("两", "二").replace("〇", "零"), "strict"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
