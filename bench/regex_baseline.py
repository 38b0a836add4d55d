"""The yardstick: orders from a chat with one plain regex per line, in memory.

    python bench/regex_baseline.py CHAT.jsonl [--orders-json OUT]

No bot, no database, no grammar, no catalogue: each line `N. who what` of a
#接龙 is kept once per person, in a dict.
The issue's speed targets are ratios against this command, run as a whole
process like `jielong replay`, so interpreter start-up counts on both sides.
It understands far less than the bot; it only sets the scale.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

# `12. 王芳 五花肉2斤 排骨1斤`: a number, a name, then words with an amount in them
LINE = re.compile(r"^\d+\.\s*(.+?)\s+((?:\S+?\d+\S)+.*)$")


def regex_orders(chat_text: str) -> dict[str, str]:
    """Who ordered what, first line per person wins (reposts repeat lines)."""
    orders: dict[str, str] = {}
    for raw in chat_text.splitlines():
        if not raw.strip():
            continue
        text = json.loads(raw)["text"]
        for row in text.split("\n"):
            m = LINE.match(row)
            if m and m.group(1) not in orders:
                orders[m.group(1)] = m.group(2)
    return orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chat", type=Path)
    parser.add_argument("--orders-json", type=Path, default=None)
    args = parser.parse_args()
    orders = regex_orders(args.chat.read_text(encoding="utf-8"))
    if args.orders_json:
        args.orders_json.write_text(json.dumps(orders, ensure_ascii=False), encoding="utf-8")
    print(f"{len(orders)} orders")


if __name__ == "__main__":
    main()
