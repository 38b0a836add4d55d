"""Two bot workers on one PostgreSQL database: no lost, doubled or oversold order.

Each worker is its own `Bot` with its own engine and connection pool, run in
its own thread, so the database sees two concurrent clients racing on the
same rows: the same message id delivered to both at once, the next order
number, the last boxes of a product.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

import chatgen
from bot.app import Bot
from bot.config import load_config
from bot.messages import Incoming, Reply
from bot.transports.replay import read_chat
from figures import record
from storage.database import Database
from storage.models import Order, OutboxMessage, Product
from storage.reports import orders_document

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
RACE_CONFIG = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "草莓"
price = 35.0
unit = "盒"
stock = 50

[[products]]
name = "香蕉"
price = 4.0
unit = "斤"
"""


class RaceLog(logging.Handler):
    """Counts the units of work Bot.handle ran again after losing a race."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "lost a race" in record.getMessage():
            self.retries += 1


@pytest.fixture
def race_log():
    handler = RaceLog()
    logger = logging.getLogger("jielong.bot")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _config(tmp_path: Path, text: str):
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _state(db: Database) -> dict:
    with db.session() as session:
        outbox = [(r.message_id, r.to, r.text, tuple(r.mentions))
                  for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        stock = {p.name: (p.stock, p.on_sale) for p in session.scalars(select(Product))}
    return {"orders": orders_document(db), "stock": stock, "outbox": outbox}


def test_the_same_messages_delivered_to_two_workers_at_once_give_the_orders_of_one(
        tmp_path, pg_server, pg_url, race_log):
    chat_path = tmp_path / "chat.jsonl"
    chatgen.write(chat_path, seed=42, size=120)
    messages = read_chat(chat_path)
    config = _config(tmp_path, chatgen.CONFIG)

    single_url = pg_server.create_database()
    try:
        single = Bot(config, Database(single_url))
        alone = [single.handle(m) for m in messages]
        expected = _state(single.db)
        single.db.dispose()
    finally:
        pg_server.drop_database(single_url)

    first, second = Bot(config, Database(pg_url)), Bot(config, Database(pg_url))
    together: list[list[Reply]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for message in messages:            # both workers get every message, at the same moment
            a, b = pool.submit(first.handle, message), pool.submit(second.handle, message)
            ra, rb = a.result(), b.result()
            assert not (ra and rb), f"{message.id} was answered by both workers"
            together.append(ra or rb)
    got = _state(first.db)
    first.db.dispose()
    second.db.dispose()

    assert together == alone
    assert got == expected
    assert not any("抱歉" in text for _, _, text, _ in got["outbox"])       # no race became an apology
    record("two_workers", messages_delivered_twice=len(messages), orders_compared=len(expected["orders"]["orders"]),
           concurrent_duplicates_retried=race_log.retries)


def test_200_customers_racing_for_50_boxes_on_two_workers_buy_exactly_50(tmp_path, pg_url, race_log):
    config = _config(tmp_path, RACE_CONFIG)
    first, second = Bot(config, Database(pg_url)), Bot(config, Database(pg_url))
    first.handle(Incoming("open", T0, "r1", "wxid_boss", "老板", "开团 草莓专场"))
    customers = [Incoming(f"c{i:03d}", T0 + timedelta(seconds=i), "r1", f"wxid_c{i:03d}", f"顾客{i:03d}",
                          "@小龙 草莓1盒", ("bot",)) for i in range(200)]

    def work(bot: Bot, share: list[Incoming]) -> dict[str, list[Reply]]:
        return {m.id: bot.handle(m) for m in share}

    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(work, first, customers[0::2])
        b = pool.submit(work, second, customers[1::2])
        answered = a.result() | b.result()

    with first.db.session() as session:
        orders = session.scalars(select(Order).where(Order.status != "cancelled")).all()
        sold = sum(item.quantity for order in orders for item in order.items)
        owners = [order.owner for order in orders]
        seqs = sorted(order.seq for order in orders)
        stock = session.scalar(select(Product.stock).where(Product.name == "草莓"))
    document = orders_document(first.db)
    first.db.dispose()
    second.db.dispose()

    assert sold == 50 and stock == 0
    assert len(orders) == 50 and len(set(owners)) == 50 and seqs == list(range(1, 51))
    winners = {o for o in owners}
    for message in customers:
        replies = answered[message.id]
        assert len(replies) == 1, message.id                     # everyone hears back, once
        if message.sender in winners:
            assert "已登记" in replies[0].text
        else:
            assert "草莓已经卖完了" in replies[0].text, replies[0].text
    assert sorted(u["sender"] for u in document["unresolved"] if u["reason"] == "stock") == \
        sorted(m.sender for m in customers if m.sender not in winners)
    record("oversell_race", customers=200, stock=50, workers=2, sold=sold, orders=len(orders),
           duplicate_orders=len(owners) - len(set(owners)), losers_told_sold_out=200 - len(winners),
           units_of_work_retried=race_log.retries)


def test_two_workers_taking_orders_at_once_never_give_two_orders_one_number(tmp_path, pg_url, race_log):
    config = _config(tmp_path, RACE_CONFIG)
    first, second = Bot(config, Database(pg_url)), Bot(config, Database(pg_url))
    first.handle(Incoming("open", T0, "r1", "wxid_boss", "老板", "开团 香蕉专场"))
    customers = [Incoming(f"b{i:03d}", T0 + timedelta(seconds=i), "r1", f"wxid_b{i:03d}", f"顾客{i:03d}",
                          "@小龙 香蕉2斤", ("bot",)) for i in range(80)]   # unlimited: nothing serialises them

    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(lambda: [first.handle(m) for m in customers[0::2]])
        b = pool.submit(lambda: [second.handle(m) for m in customers[1::2]])
        replies = a.result() + b.result()

    with first.db.session() as session:
        seqs = sorted(session.scalars(select(Order.seq).where(Order.status != "cancelled")))
    first.db.dispose()
    second.db.dispose()
    assert seqs == list(range(1, 81))
    assert all(len(r) == 1 and "已登记" in r[0].text for r in replies)
    record("order_numbers_race", customers=80, workers=2, orders=len(seqs),
           units_of_work_retried=race_log.retries)


def test_two_workers_draining_one_outbox_send_every_reply_once(tmp_path, pg_url):
    import threading

    from bot.transports.outbox import Outbox

    config = _config(tmp_path, RACE_CONFIG)
    bot = Bot(config, Database(pg_url))
    for room in ("r1", "r2"):
        bot.handle(Incoming(f"open-{room}", T0, room, "wxid_boss", "老板", "开团 香蕉专场"))
    for i in range(20):
        room = ("r1", "r2")[i % 2]
        bot.handle(Incoming(f"o{i}", T0 + timedelta(seconds=i), room, f"wxid_{i}", f"顾客{i}", "@小龙 香蕉1斤",
                            ("bot",)))
    sent: list[tuple[str, str]] = []
    lock = threading.Lock()
    first_send_started, second_drain_done = threading.Event(), threading.Event()

    def slow_send(reply: Reply) -> None:          # worker A holds its first reply until B has drained
        if not first_send_started.is_set():
            first_send_started.set()
            assert second_drain_done.wait(30)
        with lock:
            sent.append((reply.to, reply.text))

    def quick_send(reply: Reply) -> None:
        with lock:
            sent.append((reply.to, reply.text))

    a, b = Outbox(Database(pg_url), slow_send), Outbox(Database(pg_url), quick_send)
    worker_a = threading.Thread(target=a.drain)
    worker_a.start()
    assert first_send_started.wait(30)
    b.drain()                                       # skips A's claimed row and its room, sends the rest
    second_drain_done.set()
    worker_a.join(30)
    with bot.db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        expected = [(r.to, r.text) for r in rows]
        assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    for db in (bot.db, a.db, b.db):
        db.dispose()
    assert sorted(sent) == sorted(expected) and len(sent) == len(set(sent)) == 22
    for room in ("r1", "r2"):                       # and each room heard its replies in order
        assert [t for to, t in sent if to == room] == [t for to, t in expected if to == room]
    record("outbox", two_drainers_replies=len(sent), two_drainers_sent_twice=0)


LIMIT_CONFIG = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "草莓"
price = 35.0
unit = "盒"
stock = 500
limit = 5
"""


def test_one_customer_ordering_on_two_workers_at_once_stays_within_the_limit(tmp_path, pg_url, race_log):
    config = _config(tmp_path, LIMIT_CONFIG)
    first, second = Bot(config, Database(pg_url)), Bot(config, Database(pg_url))
    first.handle(Incoming("open", T0, "r1", "wxid_boss", "老板", "开团 草莓专场"))
    # 王姐's family orders for her from several phones: the limit is per customer name
    lines = [Incoming(f"w{i:03d}", T0 + timedelta(seconds=i), "r1", f"wxid_w{i % 4}", f"家人{i % 4}",
                      "@小龙 王姐 草莓1盒", ("bot",)) for i in range(40)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(lambda: [first.handle(m) for m in lines[0::2]])
        b = pool.submit(lambda: [second.handle(m) for m in lines[1::2]])
        a.result(), b.result()

    with first.db.session() as session:
        taken = sum(i.quantity for o in session.scalars(select(Order).where(Order.status != "cancelled"))
                    for i in o.items if o.customer == "王姐")
        stock = session.scalar(select(Product.stock).where(Product.name == "草莓"))
    first.db.dispose()
    second.db.dispose()
    assert taken == 5 and stock == 495
    record("limit_race", orders_sent=40, limit=5, taken=taken, workers=2)
