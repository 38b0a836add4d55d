"""Merchant reports agree with the orders table, over generated rounds of hundreds of orders.

A seeded generator feeds a whole group-buy through the real Bot (orders with
specs, weights, addresses and phone numbers in the notes, payments, changes,
cancellations); every figure of 汇总, 备货单, 对账单, 收款 and the Excel export is
then checked against totals computed here, independently, with plain SQL.
"""
from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import build_bot
from bot.config import Config
from bot.messages import Incoming, Reply
from parsers.catalogue import ProductInfo

TZ = timezone(timedelta(hours=8))
ROOM = "room-1@chatroom"
BOSS = "wxid_boss"
UNMASKED_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

PRODUCTS = (
    ProductInfo(name="红富士苹果", aliases=("苹果",), price=6.8, unit="斤"),
    ProductInfo(name="草莓", price=35.0, unit="盒", specs=("大果", "中果")),
    ProductInfo(name="土鸡蛋", aliases=("鸡蛋",), price=15.5, unit="盒"),
    ProductInfo(name="砂糖橘", price=5.5, unit="斤"),
    ProductInfo(name="牛奶", price=4.2, unit="瓶"),
)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
POINTS = ("东门自提点", "北门快递柜")


def config(files_dir: Path | None = None) -> Config:
    return Config(admins=frozenset({BOSS}), products=PRODUCTS, pickup_points=POINTS)


class Chat:
    """Sends messages into one room with a controlled clock; keeps every reply."""

    def __init__(self, bot, start: datetime) -> None:
        self.bot = bot
        self.now = start
        self.count = 0
        self.replies: list[Reply] = []

    def send(self, sender: str, name: str, text: str, mentions: tuple[str, ...] = ()) -> list[Reply]:
        self.count += 1
        self.now += timedelta(seconds=37)
        out = self.bot.handle(Incoming(id=f"m{self.count}", ts=self.now, room=ROOM, sender=sender, name=name,
                                       text=text, mentions=mentions, room_name="测试团"))
        self.replies += out
        return out

    def boss(self, text: str) -> list[Reply]:
        return self.send(BOSS, "团长", text)


def _line(rng: random.Random) -> str:
    """An order line as customers type it: items, then sometimes an address or a phone."""
    parts = []
    for product in rng.sample(PRODUCTS, rng.randint(1, 3)):
        name = rng.choice((product.name,) + product.aliases)
        spec = f" {rng.choice(product.specs)}" if product.specs else ""
        quantity = rng.choice((1, 2, 3, 5)) if product.unit != "斤" else rng.choice((1, 1.5, 2, 3, 4.5))
        parts.append(f"{name}{spec}{quantity:g}{product.unit}")
    roll = rng.random()
    if roll < 0.3:
        parts.append(f"{rng.randint(1, 12)}栋{rng.randint(1, 30)}0{rng.randint(1, 4)}")
    elif roll < 0.45:
        parts.append(f"{rng.randint(1, 9)}-{rng.randint(1, 6)}0{rng.randint(1, 2)}")
    elif roll < 0.55:
        parts.append(rng.choice(POINTS))
    elif roll < 0.6:
        parts.append("自提")
    if rng.random() < 0.3:
        parts.append(f"电话1{rng.choice('3589')}{rng.randint(0, 999999999):09d}")
    return " ".join(parts)


def generate_round(bot, seed: int, customers: int, *, start: datetime | None = None,
                   title: str = "周末水果团") -> Chat:
    """One round: orders, some changes and cancellations, payments, then 截单."""
    rng = random.Random(seed)
    chat = Chat(bot, start or datetime(2026, 11, 20, 9, 0, tzinfo=TZ))
    chat.boss(f"开团 {title}")
    people = []
    for n in range(customers):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (str(n) if rng.random() < 0.5 else f"{n}号")
        people.append((f"wxid_{seed}_{n}", name))
    for sender, name in people:
        chat.send(sender, name, f"@小龙 {_line(rng)}", ("bot",))
    for sender, name in rng.sample(people, customers // 10):
        chat.send(sender, name, rng.choice(("苹果再加1斤", "鸡蛋改成2盒", "取消", "砂糖橘不要了")))
    for _ in range(customers // 8):                       # the merchant orders for people too
        chat.boss(f"代订 {rng.choice(SURNAMES)}阿姨 牛奶{rng.randint(1, 6)}瓶")
    for _ in range(3):                                     # unresolved: these wait for an answer
        sender, name = rng.choice(people)
        chat.send(sender, name, "@小龙 葡萄2串", ("bot",))
    seqs = _seqs(bot)
    for seq in rng.sample(seqs, len(seqs) // 2):
        chat.boss(f"已付 {seq}")
    chat.boss("截单")
    return chat


def _seqs(bot) -> list[int]:
    with bot.db.engine.connect() as c:
        rid = c.execute(text("select max(id) from rounds")).scalar()
        return [r[0] for r in c.execute(text(
            "select seq from orders where round_id = :r and status != 'cancelled'"), {"r": rid})]


# -- the independent truth: plain SQL over the tables ---------------------------

class Truth:
    def __init__(self, bot, round_id: int | None = None) -> None:
        with bot.db.engine.connect() as c:
            self.round_id = round_id or c.execute(text("select max(id) from rounds")).scalar()
            rows = c.execute(text("""
                select o.id, o.seq, o.customer, o.owner, p.name, i.spec, i.quantity, i.unit_price, p.unit
                from orders o join order_items i on i.order_id = o.id join products p on p.id = i.product_id
                where o.round_id = :r and o.status != 'cancelled' order by o.seq, i.id"""),
                {"r": self.round_id}).all()
            self.paid_ids = {r[0] for r in c.execute(text(
                "select order_id from order_history where action = 'paid'"))}
            self.waiting = c.execute(text(
                "select count(*) from questions where round_id = :r and not settled"),
                {"r": self.round_id}).scalar()
        self.quantity: dict[tuple, float] = defaultdict(float)
        self.amount: dict[tuple, float] = defaultdict(float)
        self.order_total: dict[int, float] = defaultdict(float)
        self.customer_total: dict[str, float] = defaultdict(float)
        self.customer_due: dict[str, float] = defaultdict(float)
        self.owners: dict[str, set] = defaultdict(set)
        self.seq_of: dict[int, int] = {}
        self.customer_of: dict[int, str] = {}
        self.units: dict[str, str] = {}
        for oid, seq, customer, owner, product, spec, qty, price, unit in rows:
            line = round(qty * price, 2)
            self.quantity[(product, spec)] += qty
            self.amount[(product, spec)] += line
            self.order_total[oid] += line
            self.seq_of[oid] = seq
            self.customer_of[oid] = customer
            self.units[product] = unit
            self.owners[customer].add(owner)
        for oid, total in self.order_total.items():
            self.customer_total[self.customer_of[oid]] += total
            if oid not in self.paid_ids:
                self.customer_due[self.customer_of[oid]] += total

    @property
    def revenue(self) -> float:
        return round(sum(self.order_total.values()), 2)

    @property
    def paid(self) -> float:
        return round(sum(t for o, t in self.order_total.items() if o in self.paid_ids), 2)

    @property
    def unpaid_customers(self) -> dict[str, float]:
        return {c: round(d, 2) for c, d in self.customer_due.items() if d > 0.005}


def label(product: str, spec: str | None) -> str:
    return f"{product}({spec})" if spec else product


def num(value: str) -> float:
    return float(value)


@pytest.fixture
def files(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "files"
    monkeypatch.setenv("JIELONG_FILES_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def big_round(tmp_path_factory):
    """300 customers through the real bot, shared by the read-only checks below."""
    folder = tmp_path_factory.mktemp("big")
    bot = build_bot(config(), f"sqlite:///{folder}/orders.db")
    chat = generate_round(bot, seed=7, customers=300)
    yield bot, chat
    bot.db.dispose()


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


# -- 汇总 ------------------------------------------------------------------------

def test_summary_figures_match_the_orders_table(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    out = texts(chat.boss("汇总"))
    head = re.search(r"共(\d+)单 (\d+)人，合计([\d.]+)元", out)
    assert head, out
    assert int(head[1]) == len(truth.order_total) > 250
    assert int(head[2]) == len(truth.customer_total)
    assert num(head[3]) == pytest.approx(truth.revenue, abs=0.005)
    paid = re.search(r"已付(\d+)单 ([\d.]+)元｜未付(\d+)单 ([\d.]+)元", out)
    assert int(paid[1]) == len(truth.paid_ids & set(truth.order_total))
    assert num(paid[2]) == pytest.approx(truth.paid, abs=0.005)
    assert int(paid[3]) == len(set(truth.order_total) - truth.paid_ids)
    assert num(paid[4]) == pytest.approx(truth.revenue - truth.paid, abs=0.005)
    for (product, spec), quantity in truth.quantity.items():
        line = re.search(rf"^{re.escape(label(product, spec))} ([\d.]+){truth.units[product]} ([\d.]+)元$", out, re.M)
        assert line, (product, spec, out)
        assert num(line[1]) == pytest.approx(quantity, abs=1e-6)
        assert num(line[2]) == pytest.approx(truth.amount[(product, spec)], abs=0.005)
    assert f"待确认{truth.waiting}条" in out and truth.waiting >= 1
    assert len(out.split("\n")) < 20           # a phone screen, not the whole list


def test_pick_list_has_every_product_and_spec_in_catalogue_order(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    out = texts(chat.boss("备货单"))
    rows = re.findall(r"^\d+\. (\S+) ([\d.]+)(\S)（(\d+)单）$", out, re.M)
    assert {r[0]: num(r[1]) for r in rows} == pytest.approx(
        {label(p, s): q for (p, s), q in truth.quantity.items()}, abs=1e-6)
    assert len(rows) == len(truth.quantity)
    order = [r[0] for r in rows]
    assert order.index("草莓(大果)") == order.index("草莓(中果)") - 1   # specs as listed, together
    names = [r[0].split("(")[0] for r in rows]
    assert names == sorted(names, key=[p.name for p in PRODUCTS].index)


def test_bills_give_every_customer_their_total_and_what_they_owe(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    out = chat.boss("对账单")
    assert all(len(r.text.split("\n")) <= 26 for r in out)       # several short messages
    lines = [l for r in out for l in r.text.split("\n")[1:]]
    seen = {}
    for line in lines:
        match = re.match(r"^(#[\d,#]+) (.+?)：.*｜([\d.]+)元 (.+)$", line)
        assert match, line
        seen[match[2]] = (num(match[3]), match[4])
    assert set(seen) == set(truth.customer_total)
    for customer, total in truth.customer_total.items():
        assert seen[customer][0] == pytest.approx(total, abs=0.005)
        due = truth.customer_due.get(customer, 0)
        assert (seen[customer][1] == "已付") == (due < 0.005), customer


def test_payment_reminder_mentions_every_unpaid_customer_with_the_amount(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    out = chat.boss("收款")
    owed = {}
    for reply in out:
        for name, amount in re.findall(r"^@(.+) ([\d.]+)元$", reply.text, re.M):
            owed[name] = num(amount)
    assert owed == {c: pytest.approx(d, abs=0.005) for c, d in truth.unpaid_customers.items()}
    mentioned = {m for r in out for m in r.mentions}
    expected = {o for c in truth.unpaid_customers for o in truth.owners[c] if o != BOSS}
    assert mentioned == expected
    assert BOSS not in mentioned                   # 代订 bills name the customer, not the merchant


def test_paid_and_unpaid_lists_split_the_customers(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    unpaid = texts(chat.boss("未付"))
    assert f"未付{len(truth.unpaid_customers)}人" in unpaid
    paid = texts(chat.boss("已付"))
    assert f"已付{len(truth.customer_total) - len(truth.unpaid_customers)}人" in paid


def test_export_workbook_has_the_sheets_and_agrees_with_the_table(big_round, files):
    from openpyxl import load_workbook

    bot, chat = big_round
    truth = Truth(bot)
    out = chat.boss("导出")
    assert len(out) == 1 and out[0].to == BOSS      # privately to the merchant: it carries phones
    (attachment,) = out[0].attachments
    assert attachment.path.suffix == ".xlsx" and attachment.path.parent == files
    book = load_workbook(attachment.path, read_only=True)
    assert book.sheetnames == ["订单", "备货单", "配送单", "对账单", "售后"]
    orders = list(book["订单"].iter_rows(values_only=True))
    assert orders[0][:8] == ("序号", "顾客", "商品", "规格", "数量", "单位", "单价", "金额")
    assert sum(r[7] for r in orders[1:]) == pytest.approx(truth.revenue, abs=0.01)
    assert {r[0] for r in orders[1:]} == set(truth.seq_of.values())
    pick = list(book["备货单"].iter_rows(values_only=True))
    assert pick[0] == ("商品", "规格", "数量", "单位", "订单数", "金额")
    assert {(r[0], r[1] or None): r[2] for r in pick[1:]} == pytest.approx(dict(truth.quantity))
    delivery = list(book["配送单"].iter_rows(values_only=True))
    assert delivery[0][:5] == ("配送点/楼栋", "单元", "房号", "序号", "顾客")
    assert sorted(r[3] for r in delivery[1:]) == sorted(truth.seq_of.values())
    bills = list(book["对账单"].iter_rows(values_only=True))
    assert bills[0] == ("顾客", "订单号", "明细", "应付", "已付", "未付", "状态", "退款", "实收")
    assert {r[0]: r[3] for r in bills[1:-1]} == pytest.approx(dict(truth.customer_total))
    assert bills[-1][0] == "合计" and bills[-1][3] == pytest.approx(truth.revenue, abs=0.01)


def test_delivery_sheet_groups_every_order_and_masks_phones(big_round):
    bot, chat = big_round
    truth = Truth(bot)
    out = texts(chat.boss("配送单"))
    groups = re.findall(r"^■ (\S+) (\d+)单$", out, re.M)
    assert sum(int(n) for _, n in groups) == len(truth.order_total)
    assert [g for g, _ in groups][:2] == list(POINTS)           # pickup points first, as configured
    buildings = [int(g[:-1]) for g, _ in groups if g.endswith("栋") and g[:-1].isdigit()]
    assert buildings == sorted(buildings) and buildings
    assert sorted(int(s) for s in re.findall(r"#(\d+) ", out)) == sorted(truth.seq_of.values())
    assert "****" in out


def test_no_reply_in_the_whole_round_shows_a_phone_number(big_round):
    bot, chat = big_round
    for command in ("汇总", "对账单", "配送单", "收款", "未付", "已付", "备货单"):
        chat.boss(command)
    assert chat.replies
    leaked = [r.text for r in chat.replies if UNMASKED_PHONE.search(r.text)]
    assert not leaked, leaked[:3]


# -- fulfilment, rounds, permissions ---------------------------------------------

@pytest.fixture
def small(tmp_path):
    bot = build_bot(config(), f"sqlite:///{tmp_path}/orders.db")
    yield bot, generate_round(bot, seed=11, customers=40)
    bot.db.dispose()


def _statuses(bot) -> dict[int, str]:
    with bot.db.engine.connect() as c:
        return dict(c.execute(text("select seq, status from orders where round_id = "
                                   "(select max(id) from rounds) and status != 'cancelled'")).all())


def test_ship_then_arrival_notify_the_customers_and_record_who_and_when(small):
    bot, chat = small
    truth = Truth(bot)
    shipped = chat.boss("发货")
    assert "发货通知" in shipped[0].text
    owners = {o for c in truth.customer_total for o in truth.owners[c] if o != BOSS}
    assert {m for r in shipped for m in r.mentions} == owners
    assert set(_statuses(bot).values()) == {"shipped"}
    arrived = chat.boss("到货 明天下午4点 东门自提点")
    assert "明天下午4点 东门自提点" in arrived[0].text
    assert f"还有{len(truth.unpaid_customers)}人未付款" in arrived[0].text
    assert set(_statuses(bot).values()) == {"done"}
    with bot.db.engine.connect() as c:
        history = c.execute(text("select action, actor from order_history where action in "
                                 "('shipped', 'done')")).all()
    assert {a for a, _ in history} == {"shipped", "done"} and {w for _, w in history} == {BOSS}
    # paid stays known after the order moved on: the bill still shows who owes
    assert "未付" in texts(chat.boss("对账单"))


def test_paying_a_shipped_order_keeps_it_shipped_and_counts_the_money(small):
    bot, chat = small
    unpaid_seq = next(seq for seq, status in _statuses(bot).items() if status == "open")
    chat.boss(f"发货 {unpaid_seq}")
    before = Truth(bot).paid
    chat.boss(f"已付 {unpaid_seq}")
    assert _statuses(bot)[unpaid_seq] == "shipped"
    assert Truth(bot).paid > before


def test_summary_of_the_previous_round(small):
    bot, chat = small
    first = Truth(bot)
    chat.boss("开团 下周团")
    chat.send("wxid_new", "新人", "@小龙 牛奶2瓶", ("bot",))
    now = texts(chat.boss("汇总"))
    assert "共1单 1人，合计8.4元" in now
    before = texts(chat.boss("汇总 上一团"))
    assert f"合计{first.revenue:g}元" in before
    assert "没有「上上上团」" in texts(chat.boss("汇总 上上上团"))
    assert texts(chat.boss("汇总 第1团")) == before


def test_merchant_verbs_are_refused_to_customers_and_change_nothing(small):
    bot, chat = small
    before = _statuses(bot)
    for verb in ("汇总", "备货单", "对账单", "收款", "未付", "配送单", "发货", "到货", "导出", "已付 1"):
        out = chat.send("wxid_11_3", "顾客", verb)
        assert [r.text for r in out] == ["@顾客 这个命令只有团长能用哦"], verb
        assert not any(r.attachments for r in out)
    assert _statuses(bot) == before


def test_my_orders_shows_only_the_senders_own_orders(small):
    bot, chat = small
    truth = Truth(bot)
    with bot.db.engine.connect() as c:
        owner, customer = c.execute(text("select owner, customer from orders where owner != :b and "
                                         "status != 'cancelled' limit 1"), {"b": BOSS}).one()
        mine = {r[0] for r in c.execute(text("select seq from orders where owner = :o and status != "
                                             "'cancelled'"), {"o": owner})}
    (reply,) = chat.send(owner, customer, "我的订单")
    assert reply.mentions == (owner,)
    assert {int(s) for s in re.findall(r"^#(\d+) ", reply.text, re.M)} == mine
    others = set(truth.customer_total) - {customer}
    assert not any(other in reply.text for other in others if len(other) > 2)


def test_my_orders_includes_a_merchants_order_in_the_customers_name(small):
    bot, chat = small
    chat.boss("开团 下周团")
    chat.boss("代订 刘阿姨 牛奶3瓶")
    (reply,) = chat.send("wxid_liu", "刘阿姨", "我的订单")
    assert "牛奶3瓶 12.6元" in reply.text


def test_summary_chart_is_a_png_attached(small, files):
    bot, chat = small
    (reply,) = chat.boss("汇总 图")
    (image,) = reply.attachments
    assert image.kind == "image" and image.path.parent == files
    data = image.path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_rounds_agree_for_several_seeds(tmp_path, seed):
    """Smaller rounds, different seeds: 汇总 revenue and the pick list always match."""
    bot = build_bot(config(), f"sqlite:///{tmp_path}/orders.db")
    chat = generate_round(bot, seed=seed, customers=60)
    truth = Truth(bot)
    out = texts(chat.boss("汇总"))
    assert f"合计{truth.revenue:.2f}".rstrip("0").rstrip(".") + "元" in out
    pick = texts(chat.boss("备货单"))
    for (product, spec), quantity in truth.quantity.items():
        assert f"{label(product, spec)} {round(quantity, 4):g}{truth.units[product]}（" in pick
    bot.db.dispose()


def _cjk_font_installed() -> bool:
    folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    return any(p for f in folders if f.is_dir() for p in f.rglob("*")
               if p.suffix.lower() in (".ttc", ".ttf", ".otf")
               and any(h in p.name.lower() for h in ("wqy", "notosanscjk", "sourcehan")))


def test_chart_labels_render_in_chinese_without_missing_glyphs(small, files, recwarn):
    import os

    if not _cjk_font_installed():
        if os.environ.get("CI") or os.environ.get("JIELONG_REQUIRE_PG") == "1":
            pytest.fail("no CJK font: `make test` installs fonts-wqy-microhei")
        pytest.skip("no CJK font installed (make test installs one)")
    from bot.merchant.charts import cjk_font

    bot, chat = small
    (reply,) = chat.boss("汇总 图")
    assert cjk_font() is not None
    missing = [str(w.message) for w in recwarn if "missing from" in str(w.message)]
    assert not missing, missing[:2]


def test_export_csv_from_the_chat_and_from_the_shell(small, files, tmp_path):
    import csv

    from click.testing import CliRunner

    from bot.cli import main

    bot, chat = small
    truth = Truth(bot)
    (reply,) = chat.boss("导出 csv")
    (attachment,) = reply.attachments
    with attachment.path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["序号", "顾客", "商品"]
    assert sum(float(r[7]) for r in rows[1:]) == pytest.approx(truth.revenue, abs=0.01)

    out = tmp_path / "round.xlsx"
    result = CliRunner().invoke(main, ["export", "--db", bot.db.url, "--round", str(truth.round_id),
                                       "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["订单", "备货单", "配送单", "对账单", "售后"]
    missing = CliRunner().invoke(main, ["export", "--db", bot.db.url, "--round", "99", "--out", str(out)])
    assert missing.exit_code != 0 and "no round 99" in missing.output


def test_reports_agree_on_sqlite_and_postgresql(db_url, files):
    """The same figures whichever database holds the orders (PostgreSQL keeps times in UTC)."""
    from openpyxl import load_workbook

    bot = build_bot(config(), db_url)
    chat = generate_round(bot, seed=5, customers=50)
    truth = Truth(bot)
    (summary,) = chat.boss("汇总 图")
    assert f"共{len(truth.order_total)}单" in summary.text
    assert f"合计{truth.revenue:.2f}".rstrip("0").rstrip(".") + "元" in summary.text
    assert summary.attachments[0].path.stat().st_size > 10_000
    (export,) = chat.boss("导出")
    book = load_workbook(export.attachments[0].path, read_only=True)
    rows = list(book["订单"].iter_rows(values_only=True))[1:]
    assert sum(r[7] for r in rows) == pytest.approx(truth.revenue, abs=0.01)
    assert rows[0][12].startswith("2026-11-20 09:")          # order time in the group's timezone
    bot.db.dispose()


def test_bill_of_one_customer_and_chart_written_without_a_space(small, files):
    bot, chat = small
    truth = Truth(bot)
    customer = next(iter(truth.customer_total))
    (bill,) = chat.boss(f"对账单 {customer}")
    assert bill.text.count("\n") == 1 and f"｜{truth.customer_total[customer]:g}元" in bill.text
    assert "没找到订单" in chat.boss("对账单 不存在的人")[0].text
    (summary,) = chat.boss("汇总 上一团图")              # no earlier round: told so, no chart
    assert "没有「上一团」" in summary.text and not summary.attachments


def test_my_orders_asked_privately_is_answered_privately(small):
    bot, chat = small
    with bot.db.engine.connect() as c:
        owner, customer = c.execute(text("select owner, customer from orders where owner != :b and "
                                         "status != 'cancelled' order by seq limit 1"), {"b": BOSS}).one()
    chat.count += 1
    out = bot.handle(Incoming(id="private-1", ts=chat.now, room=None, sender=owner, name=customer,
                              text="我的订单"))
    assert len(out) == 1 and out[0].to == owner and "您在周末水果团的订单" in out[0].text
    nobody = bot.handle(Incoming(id="private-2", ts=chat.now, room=None, sender="wxid_nobody", name="路人",
                                 text="我的订单"))
    assert nobody[0].to == "wxid_nobody" and "还没有您的订单" in nobody[0].text
    assert bot.handle(Incoming(id="private-3", ts=chat.now, room=None, sender=owner, name=customer,
                               text="苹果2斤")) == []
