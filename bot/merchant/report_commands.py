"""Merchant reports and fulfilment from the chat: 汇总 备货单 对账单 收款 配送单 发货 到货 导出.

Each handler loads the round as plain rows (`storage.queries`), computes with
`bot.merchant.reports` and says the text from `bot.chat.replies`; long lists arrive as
several messages.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from bot.chat import replies
from bot.chat.commands import ChatCommand, Who
from bot.chat.context import Context
from bot.merchant import fulfilment
from bot.merchant.charts import round_chart
from bot.merchant.exports import file_name, files_dir, write_csv, write_xlsx
from bot.merchant.orders import find_orders
from bot.merchant.reports import bills, delivery_groups, figures, product_totals, unpaid_bills
from bot.messages import Attachment, Reply
from parsers.commands import Command
from storage.models import Order
from storage.queries import RoundRows, load_round, pick_round, room_round_ids

CHART_WORDS = ("图", "图表", "chart")


def _say_all(ctx: Context, texts: Sequence[str], mentions: Sequence[str] = ()) -> None:
    for text in texts:
        ctx.replies.append(Reply(ctx.room_id, text, tuple(mentions)))


def _which(arg: str) -> tuple[str, bool]:
    """`上一团 图` (or `上一团图`) -> ("上一团", True): the round asked for, and whether to draw."""
    words = arg.split()
    chart = any(w in CHART_WORDS or w.endswith("图") for w in words)
    which = " ".join(w.removesuffix("图") for w in words if w not in CHART_WORDS)
    return which.strip(), chart


def _rows(ctx: Context, which: str = "") -> RoundRows | None:
    """The round a report is about; says why when there is none."""
    session = ctx.book.session
    session.flush()
    round_id = pick_round(session, ctx.room_id, which)
    if round_id is None:
        count = len(room_round_ids(session, ctx.room_id))
        ctx.say(replies.no_such_round(which, count) if which and count else replies.no_round())
        return None
    return load_round(session, round_id)


def _attachment(ctx: Context, rnd: RoundRows, suffix: str, kind: str):
    tag = re.sub(r"\W", "", ctx.msg.id)[-12:]
    return files_dir(ctx.config.files_dir) / file_name(rnd, suffix, tag), kind


def summary(ctx: Context, command: Command) -> None:
    """汇总 [上一团|第N团] [图]：订单数、每样商品合计、已付/未付、待确认"""
    which, chart = _which(command.arg)
    rnd = _rows(ctx, which)
    if rnd is None:
        return
    text = replies.summary_report(rnd, figures(rnd))
    attachments: tuple[Attachment, ...] = ()
    if chart and rnd.orders:             # an empty round has nothing to draw
        path, kind = _attachment(ctx, rnd, ".png", "image")
        attachments = (Attachment(round_chart(rnd, path, ctx.config.schedule.timezone), kind),)
    ctx.replies.append(Reply(ctx.room_id, text, (), attachments))


def pick_list(ctx: Context, command: Command) -> None:
    """备货单 [上一团]：每样商品、每种规格要备多少"""
    rnd = _rows(ctx, command.arg)
    if rnd is not None:
        _say_all(ctx, replies.pick_list_report(rnd, product_totals(rnd)))


def bill_list(ctx: Context, command: Command) -> None:
    """对账单 [上一团|名字]：每位顾客的商品、价格和应付"""
    by_round = command.arg.startswith(("上", "第"))
    rnd = _rows(ctx, command.arg if by_round else "")
    if rnd is None:
        return
    chosen = bills(rnd, ctx.config.admins)
    if command.arg and not by_round:
        wanted = command.arg.replace(" ", "")
        chosen = [b for b in chosen if wanted in b.customer.replace(" ", "")]
        if not chosen:
            ctx.say(replies.not_found(command.arg))
            return
    _say_all(ctx, replies.bills_report(rnd, chosen))


def remind_unpaid(ctx: Context, command: Command) -> None:
    """收款：@ 每位还没付款的顾客和金额"""
    rnd = _rows(ctx, command.arg)
    if rnd is None:
        return
    owing = unpaid_bills(rnd, ctx.config.admins)
    texts = replies.payment_reminder(rnd, owing)
    # Each message @-mentions the people it names.
    per_chunk = replies.REPORT_CHUNK
    for n, text in enumerate(texts):
        chunk = owing[n * per_chunk:(n + 1) * per_chunk]
        mentions = tuple(dict.fromkeys(o for b in chunk for o in b.owners))
        ctx.replies.append(Reply(ctx.room_id, text, mentions))


def unpaid(ctx: Context, command: Command) -> None:
    """未付：还没付款的顾客和金额"""
    rnd = _rows(ctx, command.arg)
    if rnd is not None:
        ctx.say(replies.paid_list(rnd, bills(rnd, ctx.config.admins), paid=False), mention=False)


def delivery(ctx: Context, command: Command) -> None:
    """配送单 [上一团]：按自提点或楼栋分组，电话打码"""
    rnd = _rows(ctx, command.arg)
    if rnd is not None:
        _say_all(ctx, replies.delivery_report(rnd, delivery_groups(rnd, ctx.config.pickup_points)))


def export(ctx: Context, command: Command) -> None:
    """导出 [上一团] [csv]：把订单、备货单、配送单、对账单发成 Excel 文件（私发团长）"""
    words = command.arg.split()
    as_csv = any(w.lower() == "csv" for w in words)
    rnd = _rows(ctx, " ".join(w for w in words if w.lower() not in ("csv", "excel", "xlsx")))
    if rnd is None:
        return
    path, _ = _attachment(ctx, rnd, ".csv" if as_csv else ".xlsx", "file")
    if as_csv:
        write_csv(rnd, path, ctx.config.schedule.timezone)
    else:
        write_xlsx(rnd, path, pickup_points=ctx.config.pickup_points, admins=sorted(ctx.config.admins),
                   timezone=ctx.config.schedule.timezone)
    # The file carries full phone numbers for the courier: it goes to the merchant only.
    ctx.replies.append(Reply(ctx.msg.sender, replies.exported(rnd, len(rnd.orders)), (),
                             (Attachment(path, "file"),)))


def _live_orders(ctx: Context) -> list[Order]:
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    return ctx.book.live_orders(rnd) if rnd is not None else []


def _targets(ctx: Context, arg: str) -> list[Order] | None:
    orders = find_orders(ctx, arg)
    if not orders:
        ctx.say(replies.not_found(arg))
        return None
    return orders


def paid(ctx: Context, command: Command) -> None:
    """已付 N|名字：标记订单已付；只发「已付」看谁付了"""
    if not command.arg:
        rnd = _rows(ctx)
        if rnd is not None:
            ctx.say(replies.paid_list(rnd, bills(rnd, ctx.config.admins), paid=True), mention=False)
        return
    orders = _targets(ctx, command.arg)
    if orders is None:
        return
    fulfilment.mark_paid(ctx, orders)


def ship(ctx: Context, command: Command) -> None:
    """发货 [N|名字]：标记发货并通知顾客；不带名字就是整团发货"""
    orders = _targets(ctx, command.arg) if command.arg else _live_orders(ctx)
    if orders is None:
        return
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    fulfilment.ship(ctx, rnd.id if rnd is not None else 0, orders, named=bool(command.arg))


def arrived(ctx: Context, command: Command) -> None:
    """到货 [取货时间地点]：通知顾客来取货，订单标记完成"""
    rnd = ctx.book.open_round(ctx.room_id) or ctx.book.latest_round(ctx.room_id)
    if rnd is None:
        ctx.say(replies.no_round())
        return
    fulfilment.arrive(ctx, rnd.id, ctx.book.live_orders(rnd), command.arg, whole_round=True)


SUMMARY = ChatCommand("summary", ("汇总",), Who.MERCHANT, "汇总 [图/上一团]",
                      "订单数、每样商品合计、已付/未付、待确认", summary)
PICK_LIST = ChatCommand("pick_list", ("备货单",), Who.MERCHANT, "备货单", "每样商品、每种规格要备多少", pick_list)
BILLS = ChatCommand("bills", ("对账单", "账单"), Who.MERCHANT, "对账单", "每位顾客的商品、价格和应付", bill_list,
                    customers_say=("账单",))
REMIND_UNPAID = ChatCommand("remind_unpaid", ("收款", "催款"), Who.MERCHANT, "收款",
                            "@ 每位还没付款的顾客和金额", remind_unpaid)
UNPAID = ChatCommand("unpaid", ("未付",), Who.MERCHANT, "未付", "还没付款的顾客和金额", unpaid)
DELIVERY = ChatCommand("delivery", ("配送单",), Who.MERCHANT, "配送单", "按自提点或楼栋分组，电话打码", delivery)
PAID = ChatCommand("paid", ("已付",), Who.MERCHANT, "已付 N/名字", "标记订单已付；只发「已付」看谁付了", paid)
SHIP = ChatCommand("ship", ("发货",), Who.MERCHANT, "发货 [N/名字]", "标记发货并通知顾客；不带名字就是整团发货", ship)
ARRIVED = ChatCommand("arrived", ("到货",), Who.MERCHANT, "到货 [取货时间地点]", "通知顾客来取货，订单标记完成",
                      arrived)
EXPORT = ChatCommand("export", ("导出",), Who.MERCHANT, "导出",
                     "把订单、备货单、配送单、对账单发成 Excel 文件（私发团长）", export)
