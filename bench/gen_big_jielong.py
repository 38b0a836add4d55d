"""Generate a 300-person 接龙 in which everyone re-posts the whole growing list.

    python bench/gen_big_jielong.py OUT_DIR [--people 300] [--seed 7]

Writes OUT_DIR/chat.jsonl, OUT_DIR/config.toml and OUT_DIR/expected.json
(the orders a correct bot must end with). About 45,000 list lines in all.
"""
from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

PRODUCTS = [("五花肉", 19.8, "斤"), ("排骨", 36.0, "斤"), ("猪肉白菜水饺", 28.0, "袋"),
            ("三鲜水饺", 32.0, "袋"), ("基围虾", 58.0, "斤"), ("带鱼", 30.0, "斤"),
            ("卷纸", 39.9, "提"), ("鸡蛋", 25.0, "盒")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
NUMS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    config = ['[bot]', 'id = "bot"', 'name = "小龙"', 'admins = ["wxid_boss"]', '']
    for name, price, unit in PRODUCTS:
        config += ["[[products]]", f'name = "{name}"', f"price = {price}", f'unit = "{unit}"', ""]
    (args.out / "config.toml").write_text("\n".join(config), encoding="utf-8")

    header = "#接龙\n周末肉蛋水产团\n" + "\n".join(f"{n} {p}元/{u}" for n, p, u in PRODUCTS) + \
        "\n周六上午北门自提\n例 张三 五花肉2斤"
    start = datetime.fromisoformat("2026-11-20T08:00:00+08:00")
    messages = [{"id": "big-0000", "ts": start.isoformat(), "room": "big@chatroom", "room_name": "幸福里团购",
                 "sender": "wxid_boss", "name": "团长", "text": header, "mentions": []}]
    lines: list[str] = []
    expected = []
    used = set()
    for i in range(1, args.people + 1):
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])
            if name not in used:
                used.add(name)
                break
        picks = rng.sample(PRODUCTS, rng.randint(1, 3))
        parts, items = [], []
        for product, _, unit in picks:
            qty = rng.randint(1, 5)
            written = f"{NUMS[qty]}{unit}" if rng.random() < 0.3 else f"{qty}{unit}"
            parts.append(f"{product}{written}")
            items.append({"product": product, "spec": None, "quantity": qty})
        room = f"{rng.randint(1, 12)}-{rng.randint(1, 30)}{rng.randint(0, 9):02d}" if rng.random() < 0.3 else ""
        customer = f"{room} {name}".strip()
        lines.append(f"{customer} {' '.join(parts)}")
        expected.append({"customer": customer, "items": items})
        body = header + "\n" + "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
        messages.append({"id": f"big-{i:04d}", "ts": (start + timedelta(seconds=20 * i)).isoformat(),
                         "room": "big@chatroom", "room_name": "幸福里团购", "sender": f"wxid_{i:04d}",
                         "name": name, "text": body, "mentions": []})
    with (args.out / "chat.jsonl").open("w", encoding="utf-8") as handle:
        for message in messages:
            handle.write(json.dumps(message, ensure_ascii=False) + "\n")
    (args.out / "expected.json").write_text(
        json.dumps({"orders": expected, "unresolved": []}, ensure_ascii=False, indent=1), encoding="utf-8")
    total_lines = sum(m["text"].count("\n") + 1 for m in messages)
    print(f"{len(messages)} messages, {total_lines} lines -> {args.out}")


if __name__ == "__main__":
    main()
