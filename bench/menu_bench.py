"""Menu reading speed: prints milliseconds, asserts nothing.

    .venv/bin/python bench/menu_bench.py

A 30-line post (numbered and lettered lines, specs with their own prices,
stock, limits, pack sizes, two products on a line, and description between
them) read cold (each line unseen: the per-line cache is cleared) and warm;
then a 1,000-line and a 100,000-character post. The target is <= 5 ms for the
30-line menu, cold.
"""
from __future__ import annotations

import time

from parsers import menu as menu_module
from parsers.menu import read_line, read_menu

SHAPES = [
    "{i}. 品种{i} {p}元/盒(250g)",
    "{i}、品种{i} ¥{p}/罐 限量10罐",
    "{i}) 品种{i}（原味/抹茶/可可）{p}/{q}/{q}",
    "品种{i}一盒六个 {p}.9",
    "品种{i} {p}一斤 每人限3斤",
    "品种{i} 黑芝麻/花生 {p}元/袋  品种{i}b {q}元/袋",
    "周六上午10点后到店自提，电话13812345678",
    "品种{i} {p}块 规格：大果/中果 仅剩8盒",
    "{i}. 品种{i} {p}.5 （介意勿拍）",
    "3月28日发货 满2件包邮",
]


def menu_text(lines: int) -> str:
    return "\n".join(SHAPES[i % len(SHAPES)].format(i=i + 1, p=10 + i % 80, q=12 + i % 80) for i in range(lines))


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        read_line.cache_clear()
        menu_module._amount.cache_clear()     # noqa: SLF001 - a cold read parses every price too
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    thirty = menu_text(30)
    read_menu(thirty)                      # grammar built, imports done
    cold = best_of(20, lambda: read_menu(thirty))
    started = time.perf_counter()
    read_menu(thirty)
    warm = time.perf_counter() - started
    menu = read_menu(thirty)
    print(f"30-line menu ({len(menu.lines)} products, {len(menu.unread)} unread): "
          f"{cold * 1000:.2f} ms cold, {warm * 1000:.3f} ms warm (target <= 5 ms)")
    thousand = menu_text(1000)
    print(f"1,000-line post: {best_of(3, lambda: read_menu(thousand)) * 1000:.1f} ms")
    huge = "草莓35元/盒 " * 12500
    print(f"100,000-character post: {best_of(3, lambda: read_menu(huge[:100000])) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
