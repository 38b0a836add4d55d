"""A seeded generator of long, busy group-buy chats for the reliability tests.

`generate(seed, size)` writes a chat in two rooms with everything a real
group throws at the bot: #接龙 posts and reposts (races from the same base,
owners editing and deleting their own line), free-form orders, 同上, +1,
changes and cancellations, merchant commands (库存 上架 下架 已付 发货 代订
汇总 截单 开团), chatter and stickers. The same seed always gives the same
chat; nothing is copied from the scored corpus.

    python tests/chatgen.py 7 300 > chat.jsonl    # write one by hand
"""
from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ADMIN = ("wxid_boss", "老板娘")
BOT_NAME = "小龙"
TZ = timezone(timedelta(hours=8))

CONFIG = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "苹果"
aliases = ["红富士"]
price = 6.5
unit = "斤"
stock = 300

[[products]]
name = "草莓"
aliases = ["奶油草莓"]
price = 35.0
unit = "盒"
stock = 60
limit = 5

[[products]]
name = "香蕉"
price = 4.0
unit = "斤"

[[products]]
name = "车厘子"
price = 89.0
unit = "盒"
stock = 40
specs = ["大果", "中果"]
"""

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["姐", "哥", "阿姨", "叔", "小美", "大伟", "芳", "静", "磊", "洋", "婷", "军", "敏", "杰", "娟"]
CHATTER = ["今天几点到？", "谢谢团长[玫瑰]", "草莓还有吗?", "👍👍", "收到", "上次的苹果很甜",
           "在哪里自提呀", "[强][强]", "好的", "团长辛苦了🌹", "明天下雨吗", "几号楼发货"]
ITEMS = ["苹果{n}斤", "{n}斤红富士", "草莓{n}盒", "奶油草莓x{n}", "香蕉{n}斤", "车厘子 大果 {n}盒",
         "车厘子 中果{n}盒", "苹果{cn}斤", "{cn}盒草莓", "苹果{n}斤 香蕉{n}斤", "草莓{n}盒、苹果{n}斤",
         "车里子 大果{n}盒", "草霉{n}盒", "苹果３斤"]
CN = ["一", "两", "三", "四", "五"]
NOTES = ["", "", "", " 自提", " 3栋502", " 5-302", " 要熟一点", " 电话13812345678"]
HEADER_TAIL = ["苹果6.5元/斤 草莓35元/盒", "香蕉4元/斤 车厘子89元/盒(大果/中果)", "周六上午北门自提"]


class _Room:
    def __init__(self, room_id: str, name: str) -> None:
        self.id, self.name = room_id, name
        self.title = ""
        self.lines: list[tuple[str, str]] = []   # (sender id, line text) as the latest list shows
        self.open = False
        self.round_no = 0


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN))
    return [(f"wxid_{i:03d}", name) for i, name in enumerate(sorted(names))]


def _items(rng: random.Random) -> str:
    pattern = rng.choice(ITEMS)
    return pattern.format(n=rng.randint(1, 3), cn=rng.choice(CN))


def _post(room: _Room, lines: list[tuple[str, str]]) -> str:
    head = ["#接龙", room.title, *HEADER_TAIL, "例 张三 苹果2斤"]
    return "\n".join(head + [f"{i}. {text}" for i, (_, text) in enumerate(lines, 1)])


def generate(seed: int, size: int = 300) -> list[dict]:
    """`size` messages of a busy two-room chat, reproducible from `seed`."""
    rng = random.Random(seed)
    people = _people(rng, 70)
    rooms = [_Room("r-fruit@chatroom", "阳光小区水果团"), _Room("r-east@chatroom", "东门团购群")]
    clock = datetime(2026, 11, 20, 8, 0, tzinfo=TZ)
    chat: list[dict] = []

    def say(room: _Room, who: tuple[str, str], text: str, *, mention: bool = False) -> None:
        nonlocal clock
        clock += timedelta(seconds=rng.randint(5, 90))
        chat.append({"id": f"g{seed}-{len(chat) + 1:04d}", "ts": clock.isoformat(), "room": room.id,
                     "room_name": room.name, "sender": who[0], "name": who[1],
                     "text": (f"@{BOT_NAME} " if mention else "") + text,
                     "mentions": ["bot"] if mention else []})

    def open_round(room: _Room) -> None:
        room.round_no += 1
        room.title = f"第{room.round_no}期水果团"
        room.lines, room.open = [], True
        if rng.random() < 0.5:
            say(room, ADMIN, _post(room, []))
        else:
            say(room, ADMIN, f"开团 {room.title}")

    for room in rooms:
        open_round(room)
    ordered: dict[tuple[str, str], list[str]] = {}      # (room, sender) -> what they ordered
    while len(chat) < size:
        room = rng.choice(rooms)
        who = rng.choice(people)
        roll = rng.random()
        if not room.open:
            if roll < 0.3:
                open_round(room)
            elif roll < 0.6:
                say(room, who, f"{who[1]} {_items(rng)}")          # too late: refused as closed
            else:
                say(room, who, rng.choice(CHATTER))
            continue
        if roll < 0.30:                                              # repost with a new line
            base = list(room.lines)
            line = f"{who[1]} {_items(rng)}{rng.choice(NOTES)}"
            room.lines = base + [(who[0], line)]
            say(room, who, _post(room, room.lines))
            ordered.setdefault((room.id, who[0]), []).append(line)
            if rng.random() < 0.15:                                  # a race from the same base
                other = rng.choice(people)
                say(room, other, _post(room, base + [(other[0], f"{other[1]} {_items(rng)}")]))
        elif roll < 0.36 and room.lines:                             # owner edits or deletes their line
            index = rng.randrange(len(room.lines))
            owner, text = room.lines[index]
            name = text.split(" ", 1)[0]
            author = next(p for p in people if p[0] == owner) if owner != ADMIN[0] else ADMIN
            if rng.random() < 0.6:
                room.lines[index] = (owner, f"{name} {_items(rng)}")
            else:
                del room.lines[index]
            say(room, author, _post(room, room.lines))
        elif roll < 0.52:                                            # free-form order
            text = _items(rng) + rng.choice(NOTES)
            say(room, who, text, mention=rng.random() < 0.5)
            ordered.setdefault((room.id, who[0]), []).append(text)
        elif roll < 0.56:
            say(room, who, rng.choice(["同上", "+1", "+1 王阿姨"]))
        elif roll < 0.66 and ordered.get((room.id, who[0])):         # a change to one's own order
            say(room, who, rng.choice(["苹果改成3斤", "草莓再加1盒", "加一斤香蕉", "香蕉不要了",
                                       "改成2盒", "不要了", "取消", "苹果改成两斤", "草莓改成10盒"]))
        elif roll < 0.70:                                            # someone else's change: theirs only
            say(room, who, rng.choice(["取消 1", "已付 2", "截单", "库存 草莓 100"]))
        elif roll < 0.80:                                            # the merchant
            command = rng.choice([
                "汇总", f"已付 {rng.randint(1, 6)}", f"发货 {rng.randint(1, 4)}", "库存 草莓 20",
                "上架 冬枣 15/斤 库存 30", "下架 香蕉", "上架 香蕉 4/斤", f"取消 {rng.randint(1, 8)}",
                f"代订 王阿姨 苹果{rng.randint(1, 3)}斤", "库存 车厘子 5", "截单"])
            say(room, ADMIN, command, mention=rng.random() < 0.3)
            if command == "截单":
                room.open = False
        else:
            say(room, who, rng.choice(CHATTER))
    return chat[:size]


def write(path: Path, seed: int, size: int = 300) -> list[dict]:
    chat = generate(seed, size)
    path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in chat), encoding="utf-8")
    return chat


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    for message in generate(seed, size):
        print(json.dumps(message, ensure_ascii=False))
