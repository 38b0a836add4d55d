"""Benchmark: a typo- and homophone-heavy chat against a small and a 10,000-product catalogue.

    python bench/catalogue_bench.py [--extra 10000] [--customers 240] [--runs 3] [--jielong]

Writes a round of 12 products and a chat of free-form orders in which most
product names are misspelt the way phones misspell them (homophones picked by
pinyin input, a wrong or missing character), then replays the same chat twice
as whole `jielong replay` processes: with the 12 products, and with the same
12 plus `--extra` generated products (a community shop's thousands of SKUs).
Prints best-of-N wall and CPU time of each, their ratio, and whether the two
runs gave exactly the same orders. Asserts nothing.

With `--jielong` the chat is instead the 300-person 接龙 of bench/gen_big_jielong.py
(everyone re-posts the whole list), against its 8 products and against them
plus `--extra` generated ones; both are checked against the generated orders.

The generated names are made from the words a shop's SKUs are made of
(origins, grades, foods, packs) and never contain a round product's name or a
two-character part of one, so the right answers stay the same. (They carry no
pack sizes such as 5斤: a name with `2斤` in it makes every `2斤` in the chat
a part of that name, which is a different chat, not a bigger catalogue.)
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from gen_big_jielong import PRODUCTS as JIELONG_PRODUCTS   # bench/ is the script's folder

JIELONG = Path(sys.executable).with_name("jielong")

# The round: name, aliases, unit; and ways customers misspell each name.
ROUND = [
    ("草莓", (), "盒", ("草霉", "草梅", "操莓", "艹莓")),
    ("菠萝", (), "个", ("坡萝", "波萝", "菠罗", "玻萝")),
    ("五花肉", (), "斤", ("无花肉", "五花入", "五化肉", "武花肉")),
    ("排骨", ("肋排",), "斤", ("排古", "排股", "牌骨", "拍骨")),
    ("酸奶", (), "杯", ("算奶", "蒜奶", "酸乃", "酸耐")),
    ("车厘子", ("樱桃",), "斤", ("车里子", "车厘紫", "扯厘子", "车梨子")),
    ("猕猴桃", (), "斤", ("迷猴桃", "弥猴桃", "猕猴逃", "米猴桃")),
    ("基围虾", (), "斤", ("鸡围虾", "基维虾", "基围瞎", "机围虾")),
    ("土鸡蛋", (), "盒", ("土机蛋", "土鸡旦", "吐鸡蛋", "土积蛋")),
    ("鲜牛奶", (), "瓶", ("鲜牛乃", "先牛奶", "鲜扭奶", "线牛奶")),
    ("大闸蟹", (), "只", ("大闸谢", "大炸蟹", "大扎蟹", "打闸蟹")),
    ("沃柑", (), "斤", ("握柑", "沃甘", "卧柑", "沃干")),
]
ORIGINS = ["东北", "云南", "山东", "新疆", "海南", "福建", "广西", "四川", "内蒙", "宁夏", "江西", "湖北", "浙江",
           "贵州", "甘肃", "陕西", "河北", "安徽", "吉林", "青海"]
GRADES = ["有机", "精选", "农家", "野生", "冷冻", "新鲜", "散养", "特级", "手工", "古法", "老式", "家常", "即食",
          "低脂", "无糖", "全麦", "高山", "生态", "优选", "原味"]
FOODS = ["大米", "小米", "玉米", "黑豆", "绿豆", "红枣", "核桃", "花生", "芝麻", "木耳", "香菇", "银耳", "莲子",
         "枸杞", "茶叶", "蜂蜜", "面条", "挂面", "粉丝", "腐竹", "豆腐", "豆浆", "馒头", "包子", "饺子", "汤圆",
         "粽子", "月饼", "饼干", "薯片", "瓜子", "松子", "腊肠", "火腿", "培根", "鸡腿", "鸭脖", "牛腩", "羊排",
         "鱼丸", "虾仁", "海带", "紫菜", "鱿鱼", "带鱼", "黄鱼", "鲈鱼", "桂圆", "荔枝", "芒果", "橙子", "柚子",
         "西瓜", "葡萄", "山楂", "柿饼", "土豆", "番茄", "黄瓜", "茄子", "洋葱", "生姜", "大蒜", "白菜", "菠菜",
         "芹菜", "韭菜", "香油", "酱油", "米醋", "料酒", "食盐", "白糖", "红糖", "奶粉", "纸巾", "牙膏", "洗衣液",
         "香皂", "毛巾", "拖鞋", "雨伞", "电池", "垃圾袋", "保鲜膜", "洗洁精"]
PACKS = ["", "", "礼盒", "家庭装", "袋装", "罐装", "散装", "组合", "特惠装", "小包装"]
UNITS = ["斤", "袋", "盒", "瓶", "包", "个"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
NUMS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


def _product_lines(name: str, aliases, unit: str, price: float) -> list[str]:
    lines = ["[[products]]", f'name = "{name}"', f"price = {price}", f'unit = "{unit}"']
    if aliases:
        lines.append("aliases = [" + ", ".join(f'"{a}"' for a in aliases) + "]")
    return lines + [""]


def generated_names(count: int, rng: random.Random, keys: list[str] | None = None) -> list[str]:
    """Shop-like names that neither contain a round product's name (or one of `keys`) nor a two-character
    part of one."""
    keys = keys if keys is not None else [key for name, aliases, _, _ in ROUND for key in (name, *aliases)]
    forbidden = {key[i:i + 2] for key in keys for i in range(len(key) - 1)}
    names: set[str] = set()
    while len(names) < count:
        name = rng.choice(ORIGINS) + rng.choice(GRADES) + rng.choice(FOODS) + rng.choice(PACKS)
        if not any(name[i:i + 2] in forbidden for i in range(len(name) - 1)):
            names.add(name)
    return sorted(names)


def write_configs(out: Path, extra: int, rng: random.Random) -> tuple[Path, Path]:
    head = ['[bot]', 'id = "bot"', 'name = "小龙"', 'admins = ["wxid_boss"]', '']
    round_lines = []
    for name, aliases, unit, _ in ROUND:
        round_lines += _product_lines(name, aliases, unit, round(rng.uniform(5, 80), 1))
    small, big = out / "small.toml", out / "big.toml"
    small.write_text("\n".join(head + round_lines), encoding="utf-8")
    extra_lines = []
    for name in generated_names(extra, rng):
        extra_lines += _product_lines(name, (), rng.choice(UNITS), round(rng.uniform(2, 200), 1))
    big.write_text("\n".join(head + round_lines + extra_lines), encoding="utf-8")
    return small, big


def write_chat(out: Path, customers: int, rng: random.Random) -> Path:
    start = datetime.fromisoformat("2026-11-20T08:00:00+08:00")
    menu = "\n".join(f"{name} {unit}" for name, _, unit, _ in ROUND)
    messages = [{"id": "cat-0000", "ts": start.isoformat(), "room": "shop@chatroom", "room_name": "社区团购",
                 "sender": "wxid_boss", "name": "团长", "text": f"开团 周末团\n{menu}", "mentions": []}]
    for i in range(1, customers + 1):
        parts = []
        for name, _, unit, typos in rng.sample(ROUND, rng.randint(1, 3)):
            written = rng.choice(typos) if rng.random() < 0.8 else name
            qty = rng.randint(1, 5)
            amount = f"{NUMS[qty]}{unit}" if rng.random() < 0.4 else f"{qty}{unit}"
            parts.append(f"{written}{amount}" if rng.random() < 0.6 else f"{written} {amount}")
        who = rng.choice(SURNAMES) + rng.choice(GIVEN)
        text = " ".join(parts) if rng.random() < 0.5 else f"{who} " + "，".join(parts)
        messages.append({"id": f"cat-{i:04d}", "ts": (start + timedelta(seconds=30 * i)).isoformat(),
                         "room": "shop@chatroom", "room_name": "社区团购", "sender": f"wxid_{i:04d}",
                         "name": who, "text": text, "mentions": []})
    chat = out / "chat.jsonl"
    chat.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages), encoding="utf-8")
    return chat


def replay(chat: Path, config: Path, tmp: Path, tag: str, run: int) -> tuple[float, float, dict]:
    db = tmp / f"{tag}-{run}.db"
    out = tmp / f"{tag}-{run}.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([str(JIELONG), "replay", str(chat), "--config", str(config), "--db", f"sqlite:///{db}",
                           "--orders-json", str(out), "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"replay failed ({tag}):\n{proc.stderr[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.read_text(encoding="utf-8"))


def jielong(args: argparse.Namespace, rng: random.Random) -> None:
    """The 300-person 接龙 against its own products, then with --extra more."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, str(Path(__file__).with_name("gen_big_jielong.py")), str(tmp)],
                       check=True, capture_output=True)
        chat, small, big = tmp / "chat.jsonl", tmp / "config.toml", tmp / "big.toml"
        extra_lines = []
        for name in generated_names(args.extra, rng, [name for name, _, _ in JIELONG_PRODUCTS]):
            extra_lines += _product_lines(name, (), rng.choice(UNITS), round(rng.uniform(2, 200), 1))
        big.write_text(small.read_text(encoding="utf-8") + "\n" + "\n".join(extra_lines), encoding="utf-8")
        expected = json.loads((tmp / "expected.json").read_text(encoding="utf-8"))["orders"]
        key = lambda o: (o["customer"], tuple(sorted((i["product"], float(i["quantity"]))  # noqa: E731
                                                     for i in o["items"])))
        figures: dict[str, list[float]] = {"small": [], "big": []}
        exact = {}
        for run in range(args.runs):               # in turn, as above
            for tag, config in (("small", small), ("big", big)):
                _, cpu, document = replay(chat, config, tmp, tag, run)
                figures[tag].append(cpu)
                exact[tag] = sorted(map(key, document["orders"])) == sorted(map(key, expected))
        print(f"300-person 接龙 ({len(expected)} orders expected)")
        shown = len(JIELONG_PRODUCTS)
        for tag, label in (("small", f"{shown} products"), ("big", f"{shown} + {args.extra} products")):
            print(f"replay, {label:>19}: cpu best {min(figures[tag]):.2f}s (range {min(figures[tag]):.2f}-"
                  f"{max(figures[tag]):.2f}s), orders exact: {exact[tag]}")
        print(f"large / small catalogue: cpu best-of-{args.runs} "
              f"{min(figures['big']) / min(figures['small']):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=240)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jielong", action="store_true", help="the 300-person 接龙 instead of the typo chat")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.jielong:
        jielong(args, rng)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small, big = write_configs(tmp, args.extra, rng)
        chat = write_chat(tmp, args.customers, rng)
        figures: dict[str, list[tuple[float, float]]] = {"small": [], "big": []}
        documents = {}
        for run in range(args.runs):               # in turn, so drift in the machine's speed hits both
            for tag, config in (("small", small), ("big", big)):
                wall, cpu, document = replay(chat, config, tmp, tag, run)
                figures[tag].append((wall, cpu))
                documents[tag] = document
        key = lambda o: (o["customer"], tuple(sorted((i["product"], i["spec"] or "", i["quantity"])  # noqa: E731
                                                     for i in o["items"])))
        same = sorted(map(key, documents["small"]["orders"])) == sorted(map(key, documents["big"]["orders"]))
        items = sum(len(o["items"]) for o in documents["small"]["orders"])
        print(f"chat: {args.customers} customers, typo/homophone-heavy; {len(documents['small']['orders'])} orders, "
              f"{items} items, {len(documents['small'].get('unresolved', []))} questions")
        for tag, label in (("small", f"{len(ROUND)} products"), ("big", f"{len(ROUND)} + {args.extra} products")):
            walls = sorted(w for w, _ in figures[tag])
            cpus = sorted(c for _, c in figures[tag])
            print(f"replay, {label:>20}: wall best {walls[0]:.2f}s (range {walls[0]:.2f}-{walls[-1]:.2f}), "
                  f"cpu best {cpus[0]:.2f}s")
        ratios = sorted(b[1] / s[1] for s, b in zip(figures["small"], figures["big"]))
        best = min(c for _, c in figures["big"]) / min(c for _, c in figures["small"])
        print(f"large / small catalogue: cpu best-of-{args.runs} {best:.2f}x "
              f"(run by run {ratios[0]:.2f}-{ratios[-1]:.2f}x)")
        print(f"same orders with the large catalogue: {same}")


if __name__ == "__main__":
    main()
