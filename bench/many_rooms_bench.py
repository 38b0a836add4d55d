"""Benchmark: many groups at once on PostgreSQL, two workers.

    python bench/many_rooms_bench.py [--rooms 20] [--people 100]

Starts a throwaway PostgreSQL cluster (tests/pg_server.py), makes `--rooms`
rooms in which `--people` customers each re-post the growing 接龙 with their
own line added, all rooms at once (their messages interleaved), and hands
the rooms to two worker processes (half each) that share the database. Each
worker handles its messages in order, one unit of work per message, and
delivers the replies through the shared outbox after each one, as
`jielong replay` does. Prints messages per second over the whole run, p50/p99
of the time each message took, and whether every room ended with exactly
its customers' orders. Asserts nothing.
"""
from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PRODUCTS = [("五花肉", 19.8, "斤"), ("排骨", 36.0, "斤"), ("三鲜水饺", 32.0, "袋"), ("鸡蛋", 25.0, "盒")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
START = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)


def chats(rooms: int, people: int, seed: int = 3):
    """Per room: the 接龙 post, then each customer's repost; and the orders it must end with."""
    rng = random.Random(seed)
    header = "#接龙\n周末团\n" + "\n".join(f"{n} {p}元/{u}" for n, p, u in PRODUCTS) + "\n例 张三 五花肉2斤"
    per_room, expected = [], {}
    for r in range(rooms):
        room = f"room{r:02d}@chatroom"
        messages = [dict(id=f"{room}-0", room=room, sender="wxid_boss", name="团长", text=header)]
        lines, names = [], set()
        for i in range(1, people + 1):
            while (name := rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)) in names:
                pass
            names.add(name)
            product, _, unit = rng.choice(PRODUCTS)
            qty = rng.randint(1, 5)
            lines.append(f"{name} {product}{qty}{unit}")
            expected[f"wxid_{r}_{i}"] = [(product, float(qty))]
            body = header + "\n" + "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
            messages.append(dict(id=f"{room}-{i}", room=room, sender=f"wxid_{r}_{i}", name=name, text=body))
        per_room.append(messages)
    return per_room, expected


def worker(url: str, config_text: str, messages: list[dict], out, go) -> None:
    from bot.app import Bot
    from bot.config import load_config
    from bot.messages import Incoming
    from bot.transports.outbox import Outbox
    from storage.database import Database
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False, encoding="utf-8") as handle:
        handle.write(config_text)
    bot = Bot(load_config(handle.name), Database(url))
    outbox = Outbox(bot.db, lambda reply: None)
    # round trips to the server: statements, and BEGIN/COMMIT/ROLLBACK (psycopg sends each)
    from sqlalchemy import event
    trips = [0]
    for name in ("before_cursor_execute", "begin", "commit", "rollback"):
        event.listen(bot.db.engine, name, lambda *_, **__: trips.__setitem__(0, trips[0] + 1))
    out.put("ready")
    go.get()                                    # everyone starts at once
    trips[0] = 0
    times = []
    for n, m in enumerate(messages):
        msg = Incoming(id=m["id"], ts=START + timedelta(seconds=n), room=m["room"], sender=m["sender"],
                       name=m["name"], text=m["text"], room_name=m["room"])
        began = time.perf_counter()
        bot.handle(msg)
        outbox.drain()
        times.append(time.perf_counter() - began)
    bot.db.dispose()
    out.put((times, trips[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--people", type=int, default=100)
    args = parser.parse_args()
    try:
        import pg_server
        server = pg_server.start_pg_server()
    except Exception as exc:  # no PostgreSQL binaries here
        print(f"many rooms on PostgreSQL: skipped ({type(exc).__name__}: {exc})")
        return
    try:
        url = server.create_database()
        config = "[bot]\nid = \"bot\"\nname = \"小龙\"\nadmins = [\"wxid_boss\"]\n\n" + "\n".join(
            f"[[products]]\nname = \"{n}\"\nprice = {p}\nunit = \"{u}\"\n" for n, p, u in PRODUCTS)
        per_room, expected = chats(args.rooms, args.people)
        # all rooms at once: the messages interleaved, each worker serving half of the rooms
        shares: list[list[dict]] = [[], []]
        for step in range(args.people + 1):
            for r, messages in enumerate(per_room):
                shares[r % 2].append(messages[step])
        from storage.database import Database
        Database(url).dispose()                 # the schema, before two workers race to make it
        context = multiprocessing.get_context("spawn")
        channels = [(context.Queue(), context.Queue()) for _ in shares]
        procs = [context.Process(target=worker, args=(url, config, share, back, go))
                 for share, (back, go) in zip(shares, channels)]
        for proc in procs:
            proc.start()
        for (back, go) in channels:
            assert back.get(timeout=120) == "ready"
        began = time.perf_counter()
        for (back, go) in channels:
            go.put("go")
        results = []
        for back, _ in channels:
            results.append(back.get(timeout=1800))
        wall = time.perf_counter() - began
        for proc in procs:
            proc.join(30)
        times = sorted(t for share, _ in results for t in share)
        trips = sum(count for _, count in results)
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000  # noqa: E731

        from storage.reports import orders_document
        db = Database(url, create=False)
        got = {}
        for order in orders_document(db)["orders"]:
            got.setdefault(order["owner"], []).extend((i["product"], float(i["quantity"])) for i in order["items"])
        db.dispose()
        exact = got == expected
        total = sum(len(m) for m in per_room)
        print(f"many rooms, PostgreSQL, 2 workers: {args.rooms} rooms x {args.people} customers re-posting at once, "
              f"{total} messages in {wall:.1f}s = {total / wall:.0f} messages/s; per message "
              f"p50={pick(0.5):.1f}ms p99={pick(0.99):.1f}ms max={times[-1] * 1000:.0f}ms; "
              f"{trips / total:.1f} round trips per message; orders exact: {exact}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
