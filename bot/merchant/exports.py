"""A round as files: an Excel workbook (订单/备货单/配送单/对账单) or a CSV.

The rows come from `bot.merchant.reports`, so the file shows the figures the chat
shows. Exports go to the merchant, never to the group, so the delivery sheet
keeps full phone numbers (the courier needs them).
"""
from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from bot.chat.replies import PROBLEM_NAMES
from bot.merchant.reports import bills, delivery_groups, numbered, product_totals
from storage.database import Database, cause_of
from storage.queries import RoundRows, latest_round_id, load_round

STATUS = {"open": "待付款", "paid": "已付款", "shipped": "已发货", "done": "已完成"}

ORDER_COLUMNS = ("序号", "顾客", "商品", "规格", "数量", "单位", "单价", "金额", "订单合计", "付款", "状态",
                 "备注", "下单时间", "订单退款", "订单实收")
PICK_COLUMNS = ("商品", "规格", "数量", "单位", "订单数", "金额")
DELIVERY_COLUMNS = ("配送点/楼栋", "单元", "房号", "序号", "顾客", "商品", "电话", "备注")
BILL_COLUMNS = ("顾客", "订单号", "明细", "应付", "已付", "未付", "状态", "退款", "实收")
AFTER_SALE_COLUMNS = ("序号", "顾客", "商品", "规格", "类型", "数量", "单位", "退款金额", "状态", "说明", "时间")
AFTER_SALE_KINDS = {"refund": "退款", "resend": "补发", "rejected": "驳回"}


def files_dir(configured: str = "") -> Path:
    """Where reply attachments are written: config, $JIELONG_FILES_DIR, or the temp folder."""
    folder = Path(configured or os.environ.get("JIELONG_FILES_DIR") or Path(tempfile.gettempdir()) / "jielong-files")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_name(rnd: RoundRows, suffix: str, tag: str = "") -> str:
    """`阳光小区-第3团-元旦水果团.xlsx`: readable, and safe on any file system."""
    stem = "-".join(x for x in (f"第{rnd.number}团", rnd.title, tag) if x)
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", stem)[:80] + suffix


def _time(value, timezone: str = "Asia/Shanghai") -> str:
    if not value:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(timezone))
    return value.strftime("%Y-%m-%d %H:%M")


def order_rows(rnd: RoundRows, timezone: str = "Asia/Shanghai") -> list[tuple]:
    """One row per item: what a merchant filters and sums in a spreadsheet."""
    rows = []
    for order in rnd.orders:
        for item in order.items:
            rows.append((order.seq, order.customer, numbered(item.product, item.code), item.spec or "", item.quantity, item.unit,
                         item.unit_price, item.amount, order.total, "已付" if order.paid else "未付",
                         STATUS.get(order.status, order.status), order.note, _time(order.created_at, timezone),
                         order.refunded, order.net))
    return rows


def pick_rows(rnd: RoundRows) -> list[tuple]:
    return [(numbered(p.product, p.code), p.spec or "", p.quantity, p.unit, p.orders, p.amount)
            for p in product_totals(rnd)]


def delivery_rows(rnd: RoundRows, pickup_points: Sequence[str] = ()) -> list[tuple]:
    rows = []
    for group in delivery_groups(rnd, pickup_points):
        for stop in group.stops:
            items = " ".join(f"{i.product}{f'({i.spec})' if i.spec else ''}{i.quantity:g}{i.unit}"
                             for i in stop.order.items)
            rows.append((group.key, stop.address.unit, stop.address.room, stop.order.seq, stop.order.customer,
                         items, " ".join(stop.phones), stop.order.note))
    return rows


def bill_rows(rnd: RoundRows, admins: Sequence[str] = ()) -> list[tuple]:
    rows = []
    for bill in bills(rnd, admins):
        detail = "，".join(f"{i.product}{f'({i.spec})' if i.spec else ''}{i.quantity:g}{i.unit}×{i.unit_price:g}"
                          f"={i.amount:g}" for i in bill.items)
        rows.append((bill.customer, ",".join(str(s) for s in bill.seqs), detail, bill.total, bill.paid_amount,
                     bill.due, "已付" if bill.paid else "未付", bill.refunded, bill.net))
    return rows


def after_sale_rows(rnd: RoundRows, timezone: str = "Asia/Shanghai") -> list[tuple]:
    """售后: every refund, resend and rejection of the round's orders, then the open reports."""
    orders = {o.id: o for o in rnd.orders}
    rows = []
    for order_id, after in rnd.after_sales.items():
        order = orders.get(order_id)
        if order is None:
            continue
        for action in after.actions:
            state = "已补发" if action.kind == "resend" and action.delivered else (
                "待补发" if action.kind == "resend" else "已处理")
            rows.append((order.seq, order.customer, action.product or "整单", action.spec or "",
                         AFTER_SALE_KINDS.get(action.kind, action.kind), action.quantity, action.unit,
                         action.amount, state, action.reason, _time(action.at, timezone)))
        for case in after.open_cases:
            rows.append((order.seq, order.customer, case.product or "整单", case.spec or "",
                         PROBLEM_NAMES.get(case.kind, case.kind), case.quantity, case.unit, 0.0, "待处理",
                         case.text, _time(case.reported_at, timezone)))
    return sorted(rows, key=lambda r: (r[0], r[10]))


def write_xlsx(rnd: RoundRows, path: Path, *, pickup_points: Sequence[str] = (),
               admins: Sequence[str] = (), timezone: str = "Asia/Shanghai") -> Path:
    """Times in `timezone`, the config's [schedule] one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets = (("订单", ORDER_COLUMNS, order_rows(rnd, timezone)),
              ("备货单", PICK_COLUMNS, pick_rows(rnd)),
              ("配送单", DELIVERY_COLUMNS, delivery_rows(rnd, pickup_points)),
              ("对账单", BILL_COLUMNS, bill_rows(rnd, admins)),
              ("售后", AFTER_SALE_COLUMNS, after_sale_rows(rnd, timezone)))
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for n, name in enumerate(columns):
            width = max([len(str(name)) * 2] + [min(40, len(str(r[n])) * 2) for r in rows[:500]])
            sheet.column_dimensions[sheet.cell(1, n + 1).column_letter].width = max(8, width)
    totals = book["对账单"]
    if rnd.orders:
        totals.append(("合计", "", "", round(sum(o.total for o in rnd.orders), 2),
                       round(sum(o.total for o in rnd.orders if o.paid), 2),
                       round(sum(o.net for o in rnd.orders if not o.paid), 2), "",
                       rnd.refunded, round(sum(o.net for o in rnd.orders), 2)))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_csv(rnd: RoundRows, path: Path, timezone: str = "Asia/Shanghai") -> Path:
    """The 订单 sheet as CSV, with a BOM so Excel reads the Chinese correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ORDER_COLUMNS)
        writer.writerows(order_rows(rnd, timezone))
    return path


class ExportError(Exception):
    """An export that cannot be made; str() is one line for the shell."""


def export_round(db_url: str, out: Path, *, round_id: int | None = None, fmt: str = "xlsx",
                 pickup_points: Sequence[str] = (), admins: Sequence[str] = (),
                 timezone: str = "Asia/Shanghai") -> RoundRows:
    """`jielong export`: one round (default: the newest) of an existing database, to a file."""
    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        raise ExportError(f"{db_url}: no such database file")
    db = Database(db_url, create=False)
    try:
        with db.session() as session:
            wanted = round_id if round_id is not None else latest_round_id(session)
            rnd = load_round(session, wanted) if wanted is not None else None
    except SQLAlchemyError as exc:
        raise ExportError(f"{db.safe_url}: cannot read orders: {cause_of(exc)}") from None
    finally:
        db.dispose()
    if rnd is None:
        raise ExportError(f"{db_url}: no round {round_id}" if round_id is not None else f"{db_url}: no rounds yet")
    if fmt == "csv":
        write_csv(rnd, out, timezone)
    else:
        write_xlsx(rnd, out, pickup_points=pickup_points, admins=admins, timezone=timezone)
    return rnd
