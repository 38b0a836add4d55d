"""Every sentence the bot says, in one place, so it can be read and polished.

Replies are short (people read them on phones), @-mention the person they
answer, and echo what was understood: quantities, units, line totals.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from parsers.address import mask_phone
from parsers.catalogue import ProductInfo
from parsers.entry import ItemProblem
from storage.models import Order, OrderItem, Round

if TYPE_CHECKING:
    from bot.chat.orders import PlacedItem, PlacedOrder

# 帮助 is generated from the command registry (bot/chat/commands.py); these are its words.
HELP_TITLE = "小龙接龙助手："
ORDERING_GUIDE = ("直接发「苹果2斤 香蕉1斤」或在#接龙里加一行；我问您的时候回复序号或名称就行（如「1」「三鲜的」）；"
                  "改量「苹果改成3斤」，加量「再加1斤」，取消「苹果不要了」/「取消」；付款后发「已付」；"
                  "收到的有问题发「草莓坏了2盒」「排骨少了半斤」，团长会处理；")


def customer_help(commands: Sequence[tuple[str, str]]) -> str:
    """How to order, and each customer command as (what it does, how it is typed)."""
    said = "；".join(f"{what}发「{usage}」" for what, usage in commands)
    return f"{HELP_TITLE}\n{ORDERING_GUIDE}{said}。"


def merchant_help(customer_commands: Sequence[tuple[str, str]], usages: Sequence[str]) -> str:
    """What customers can do, then the merchant's commands as they are typed."""
    said = "；".join(f"{what}发「{usage}」" for what, usage in customer_commands)
    return f"{HELP_TITLE}\n顾客：{ORDERING_GUIDE}{said}。\n团长：" + "｜".join(usages)


def money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def amount(quantity: float, unit: str) -> str:
    return f"{quantity:g}{unit}"


def item_line(item: OrderItem | PlacedItem) -> str:
    spec = f"({item.spec})" if item.spec else ""
    return f"{item.product.name}{spec} {amount(item.quantity, item.product.unit)} {money(item.amount)}元"


def order_summary(order: Order | PlacedOrder) -> str:
    items = "，".join(item_line(i) for i in order.items)
    return f"{items}；合计{money(order.total)}元"


def numbered(options: Sequence[str]) -> str:
    """1. 猪肉白菜水饺 2. 三鲜水饺: options as the customer answers them, by number."""
    return " ".join(f"{n}. {option}" for n, option in enumerate(options, 1))


REPLY_HOW = "回复序号或名称即可"


def _amount_of(item) -> str:
    return amount(item.quantity, item.unit or "") if item.quantity is not None else ""


def problem_text(item) -> str:
    """What a question asks about one item (a storage.questions.AskedItem)."""
    reason = item.reason
    if reason == "ambiguous":
        return f"「{item.text}」是指：{numbered(item.options)}？{REPLY_HOW}"
    if reason == "missing_spec":
        return f"{item.product}要哪种？{numbered(item.options)}，{REPLY_HOW}"
    if reason == "unit":
        unit = item.sold_by or ""
        written = f"{item.text} {_amount_of(item)}".strip() if item.text != _amount_of(item) else item.text
        return f"{item.product}按{unit}卖，「{written}」是多少{unit}？直接回复如「2{unit}」"
    if reason == "confirm":
        return f"{item.product} {_amount_of(item)}，确认吗？回复「确认」或新的数量"
    if reason == "stock":
        if item.available:
            return f"{item.product}只剩{amount(item.available, item.unit or '')}了，要的话回复数量，如「那就{amount(item.available, item.unit or '')}」"
        return f"{item.product}已经卖完了"
    if reason == "limit":
        if item.available:
            return f"{item.product}每人限购，您最多还能订{amount(item.available, item.unit or '')}，要的话回复数量"
        return f"{item.product}每人限购，您已订满"
    if reason == "unknown_product":
        if item.product:
            return f"{item.product}已下架"
        if item.options:
            return f"没有「{item.text}」，是不是：{numbered(item.options)}？{REPLY_HOW}"
        return f"本团没有「{item.text}」"
    if reason == "unclear" and item.options:
        return f"「{item.text}」是要哪个？{numbered(item.options)}，{REPLY_HOW}"
    return "这条没看懂"


def placed(name: str, order: Order | PlacedOrder, new: bool, problems: Sequence, for_customer: str = "") -> str:
    if for_customer:
        head = f"@{name} 已为{for_customer}{'登记' if new else '更新'}："
    else:
        head = f"@{name} {'已登记' if new else '已更新'}："
    text = head + order_summary(order)
    if problems:
        text += "\n" + "；".join(problem_text(p) for p in problems)
    return text


def only_problems(name: str, problems: Sequence, for_customer: str = "") -> str:
    about = f"（{for_customer}）" if for_customer else ""
    return f"@{name} {about}" + "；".join(problem_text(p) for p in problems)


def answered(name: str, order, taken: Sequence, problems: Sequence) -> str:
    """An answer ordered something (好的，已登记：三鲜水饺 2袋), or asks on."""
    if order is None or not taken:
        return only_problems(name, problems) if problems else f"@{name} 好的"
    text = f"@{name} 好的，已登记：" + "，".join(item_line(i) for i in taken)
    if len(order.items) > len(taken):
        text += f"；这单合计{money(order.total)}元"
    if problems:
        text += "\n" + "；".join(problem_text(p) for p in problems)
    return text


def question_dropped(name: str, text: str) -> str:
    return f"@{name} 好的，「{text[:20]}」这条不要了，其他订单不变"


def ask_again(name: str, item) -> str:
    """An answer that fitted no option: the options once more, briefly."""
    return f"@{name} 没对上哦，请回复序号：{numbered(item.options)}"


def said_paid(name: str, total: float) -> str:
    return f"@{name} 收到～已记下您说已付款（{money(total)}元），团长核对后会确认"


def said_paid_no_order(name: str) -> str:
    return f"@{name} 收到～不过本团还没有您的订单，团长会核对一下"


def cancelled(name: str, order: Order | None = None) -> str:
    return f"@{name} 已取消订单{f' #{order.seq}' if order else ''}"


def closed(name: str) -> str:
    return f"@{name} 本团已截单，这条没有登记，下次早点哦"


def not_open(name: str) -> str:
    return f"@{name} 现在还没有开团，开团后再下单哦"


def not_admin(name: str) -> str:
    return f"@{name} 这个命令只有团长能用哦"


def unclear_plus(name: str, item) -> str:
    """+1 (or 两盒) with no product, in a round selling several: which one, by number."""
    what = "+1" if item.unit is None and item.quantity == 1 else amount(item.quantity, item.unit or "")
    return f"@{name} {what} 是要哪个？{numbered(item.options)}，{REPLY_HOW}"


def unclear_line(name: str, text: str, example=None) -> str:
    sample = f"{example.name}1{example.unit}" if example is not None else "苹果1斤"
    return f"@{name} 「{text[:30]}」没看懂要什么，请写商品和数量，例如「{sample}」"


def unclear_change(name: str, products: Sequence[str] = ()) -> str:
    example = products[0] if products else "苹果"
    return f"@{name} 您的订单有好几样（{'、'.join(dict.fromkeys(products))}），要改哪一样？例如「{example}改成3斤」"


def no_order(name: str) -> str:
    return f"@{name} 本团还没有您的订单"


def round_opened(rnd: Round, replaced: Round | None = None) -> str:
    before = f"（没人下单的「{replaced.title or '上一团'}」已结束）" if replaced is not None else ""
    return f"开团啦：{rnd.title or '本团'}，直接发「商品+数量」下单，或在#接龙里加一行{before}"


def empty_round_ended(rnd: Round) -> str:
    return f"没人下单的「{rnd.title or '上一团'}」已结束"


def round_still_open(rnd: Round, orders: int) -> str:
    return f"「{rnd.title or '本团'}」还在接单（{orders}单），要开新团请先发「截单」，这样大家都知道本团结束了"


def menu_read(products: Sequence[ProductInfo], unread: Sequence[str]) -> str:
    """The menu as the bot read it from the opening post, one short line a product."""
    lines = [f"本团菜单（{len(products)}样）：" if products else "这条开团消息里没读到带价格的商品。"]
    for p in products:
        code = f"{p.code}. " if p.code else ""
        if p.specs and p.spec_prices:
            price = "/".join(f"{s}{money(v)}" for s, v in zip(p.specs, p.spec_prices)) + f"元/{p.unit}"
        else:
            specs = f"（{'/'.join(p.specs)}）" if p.specs else ""
            price = f"{specs}{money(p.price)}元/{p.unit}"
        extra = (f"，限量{p.stock:g}" if p.stock is not None else "") + \
                (f"，每人限{p.limit:g}{p.unit}" if p.limit is not None else "")
        lines.append(f"{code}{p.name} {price}{extra}")
    for text in unread:
        lines.append(f"没看懂：「{text[:40]}」")
    if unread or not products:
        lines.append("有误请用：上架 名称 价格/单位｜下架 名称｜库存 名称 N")
    return "\n".join(lines)


def round_closed(rnd: Round, orders: int, total: float) -> str:
    return f"{rnd.title or '本团'} 已截单：共{orders}单，合计{money(total)}元。之后的订单不再登记。"


def no_round() -> str:
    return "现在没有进行中的团"


def marked(what: str, orders: Sequence[Order]) -> str:
    names = "、".join(f"#{o.seq} {o.customer}" for o in orders)
    return f"已标记{what}：{names}"


def cancelled_by_merchant(orders: Sequence[Order], admins) -> str:
    """取消 N: the merchant sees what went, its customers are told."""
    told = " ".join(dict.fromkeys(f"@{o.customer}" for o in orders if o.owner not in admins))
    text = marked("取消", orders)
    return f"{text}\n{told} 您的订单已被团长取消，有疑问请联系团长" if told else text


REASONS = {"ambiguous": "选哪种", "missing_spec": "缺规格", "unknown_product": "没有这个商品", "unit": "单位不对",
           "stock": "库存不够", "limit": "超过限购", "confirm": "数量待确认", "unclear": "没看懂"}


def pending_questions(questions) -> str:
    """待确认: the open questions, numbered for 忽略 N."""
    if not questions:
        return "没有待确认的问题"
    lines = [f"【待确认】{len(questions)}条"]
    lines += [f"{n}. {q.customer or q.sender}：「{q.text[:30]}」{REASONS.get(q.reason, q.reason)}"
              for n, q in enumerate(questions, 1)]
    lines.append("顾客回答后会自动登记；不用再等的发「忽略 N」")
    return "\n".join(lines)


def no_such_question(target: str, count: int) -> str:
    if not count:
        return "没有待确认的问题"
    return f"没有第「{target}」条，待确认共{count}条（发「待确认」看序号）"


def question_dismissed(question) -> str:
    return f"已忽略：{question.customer or question.sender}「{question.text[:30]}」"


def closed_change(name: str) -> str:
    return f"@{name} 本团已截单，不能再改了，有需要请直接联系团长"


def not_found(target: str) -> str:
    return f"没找到订单「{target}」"


def product_listed(name: str, price: float, unit: str, stock: float | None) -> str:
    left = f"，库存{stock:g}{unit}" if stock is not None else ""
    return f"已上架：{name} {money(price)}元/{unit}{left}"


def product_delisted(name: str) -> str:
    return f"已下架：{name}（已下的订单保留）"


def stock_set(name: str, stock: float, unit: str) -> str:
    return f"{name} 库存已设为{stock:g}{unit}"


def unknown_product(name: str) -> str:
    return f"没有商品「{name}」"


# -- merchant reports (figures from bot.merchant.reports; kept short for a phone) --------

SAID_PAID = "自称已付"   # the customer said so; the merchant's 已付 N marks it paid
REPORT_CHUNK = 25   # lines per message: a long bill list arrives as several messages


def _label(product: str, spec: str | None) -> str:
    return f"{product}({spec})" if spec else product


def _items_text(items) -> str:
    return " ".join(f"{_label(i.product, i.spec)}{amount(i.quantity, i.unit)}" for i in items)


def _round_head(kind: str, rnd) -> str:
    state = "进行中" if rnd.status == "open" else "已截单"
    return f"【{kind}】{rnd.name}（{state}）"


def chunked(head: str, lines: Sequence[str], size: int = REPORT_CHUNK) -> list[str]:
    """A head line and its body, split into messages of at most `size` lines."""
    if not lines:
        return [head]
    parts = [lines[i:i + size] for i in range(0, len(lines), size)]
    out = []
    for n, part in enumerate(parts, 1):
        title = head if len(parts) == 1 else f"{head}（{n}/{len(parts)}）"
        out.append("\n".join([title, *part]))
    return out


def chunked_blocks(head: str, blocks: Sequence[Sequence[str]], size: int = REPORT_CHUNK) -> list[str]:
    """Like `chunked`, but a block (a group and its lines) is not split unless it must be."""
    pages: list[list[str]] = [[]]
    for block in blocks:
        block = list(block)
        if pages[-1] and len(pages[-1]) + len(block) > size:
            pages.append([])
        while len(block) > size:                     # a group longer than a page: continue it
            room = size - len(pages[-1])
            pages[-1] += block[:room]
            block = [f"{block[0]}（续）"] + block[room:]
            pages.append([])
        pages[-1] += block
    pages = [page for page in pages if page] or [[]]
    if len(pages) == 1:
        return ["\n".join([head, *pages[0]])]
    return ["\n".join([f"{head}（{n}/{len(pages)}）", *page]) for n, page in enumerate(pages, 1)]


def summary_report(rnd, figures, *, list_orders: bool = True, max_orders: int = 20) -> str:
    """汇总: headline figures, per-product totals, paid/unpaid, what still waits."""
    lines = [_round_head("汇总", rnd),
             f"共{figures.orders}单 {figures.customers}人，合计{money(figures.revenue)}元",
             f"已付{figures.paid_orders}单 {money(figures.paid_amount)}元｜"
             f"未付{figures.unpaid_orders}单 {money(figures.unpaid_amount)}元"]
    if figures.refunded:
        lines.append(f"售后退款{figures.refunded_orders}单 {money(figures.refunded)}元｜实收{money(figures.net)}元")
    if figures.open_cases:
        lines.append(f"售后待处理{figures.open_cases}条（发「售后」查看）")
    if figures.products:
        lines.append("—— 商品 ——")
        lines += [f"{p.label} {amount(p.quantity, p.unit)} {money(p.amount)}元" for p in figures.products]
    if list_orders and rnd.orders and len(rnd.orders) <= max_orders:
        lines.append("—— 订单 ——")
        for order in rnd.orders:
            state = "已付" if order.paid else (SAID_PAID if order.said_paid else "")
            if order.status in ("shipped", "done"):
                state += {"shipped": " 已发货", "done": " 已完成"}[order.status]
            refund = f" 退款{money(order.refunded)}元" if order.refunded else ""
            lines.append(f"{order.seq}. {order.customer} {_items_text(order.items)} "
                         f"{money(order.total)}元{refund} {state.strip()}".rstrip())
    elif rnd.orders and len(rnd.orders) > max_orders:
        lines.append("明细请发「对账单」或「导出」")
    if rnd.questions:
        names = "、".join(dict.fromkeys(q.customer or q.sender for q in rnd.questions))
        lines.append(f"待确认{len(rnd.questions)}条：{names[:60]}")
    return "\n".join(lines)


def pick_list_report(rnd, totals) -> list[str]:
    """备货单: what to prepare, per product and spec, in catalogue order."""
    # a round with a numbered menu lists by the menu's numbers, not by a count of its own
    menu_numbers = any(p.code for p in totals)
    lines = [f"{'' if menu_numbers else f'{n}. '}{p.label} {amount(p.quantity, p.unit)}（{p.orders}单）"
             for n, p in enumerate(totals, 1)]
    if rnd.resends:
        lines.append("—— 补发 ——")
        lines += [f"补发 {resend_label(r)}（#{r.seq} {r.customer}）" for r in rnd.resends]
    return chunked(f"{_round_head('备货单', rnd)} 共{len(rnd.orders)}单", lines or ["还没有订单"])


def resend_label(resend) -> str:
    return f"{_label(resend.product, resend.spec)}{amount(resend.quantity or 0, resend.unit)}"


def bill_line(bill) -> str:
    items = "，".join(f"{_label(i.product, i.spec)}{amount(i.quantity, i.unit)} {money(i.amount)}元"
                     for i in bill.items)
    seqs = ",".join(f"#{s}" for s in bill.seqs)
    state = "已付" if bill.paid else (f"已付{money(bill.paid_amount)}元 还差{money(bill.due)}元"
                                      if bill.paid_amount else "未付")
    if not bill.paid and bill.said_paid:
        state += f"（{SAID_PAID}）"
    refund = f" 退款{money(bill.refunded)}元 实收{money(bill.net)}元" if bill.refunded else ""
    return f"{seqs} {bill.customer}：{items}｜{money(bill.total)}元{refund} {state}"


def bills_report(rnd, bills) -> list[str]:
    """对账单: each customer's items, prices and total."""
    total = sum(b.total for b in bills)
    refunded = sum(b.refunded for b in bills)
    head = f"{_round_head('对账单', rnd)} {len(bills)}人 合计{money(total)}元"
    if refunded:
        head += f" 退款{money(refunded)}元 实收{money(total - refunded)}元"
    return chunked(head, [bill_line(b) for b in bills] or ["还没有订单"])


def payment_reminder(rnd, bills) -> list[str]:
    """收款: @ every customer who still owes, with the amount."""
    if not bills:
        return [f"{rnd.name}：大家都付清了，谢谢！"]
    due = sum(b.due for b in bills)
    head = f"【收款提醒】{rnd.name} 还有{len(bills)}人未付，共{money(due)}元，请尽快付款～"
    return chunked(head, [f"@{b.customer} {money(b.due)}元" for b in bills])


def paid_list(rnd, bills, *, paid: bool) -> str:
    """已付 / 未付: names and amounts on a few lines."""
    chosen = [b for b in bills if b.paid == paid]
    figure = sum(b.total if paid else b.due for b in chosen)
    what = "已付" if paid else "未付"
    names = "、".join(f"{b.customer} {money(b.total if paid else b.due)}"
                      + (f"（{SAID_PAID}）" if not paid and b.said_paid else "") for b in chosen)
    return f"{rnd.name} {what}{len(chosen)}人 共{money(figure)}元" + (f"：{names}" if names else "")


def delivery_report(rnd, groups) -> list[str]:
    """配送单: by pickup point or building, rooms in order; phones masked."""
    blocks = []
    for group in groups:
        lines = [f"■ {group.key} {len(group.stops)}单"]
        blocks.append(lines)
        for stop in group.stops:
            room = stop.address.label() if stop.address else ""
            if room and group.key.endswith("栋"):
                room = room.removeprefix(group.key)
            phone = " ".join(mask_phone(p) for p in stop.phones)
            lines.append(" ".join(x for x in (f"  {room}" if room else " ", f"#{stop.order.seq}",
                                              stop.order.customer, _items_text(stop.order.items), phone) if x)
                         .rstrip())
    if rnd.resends:
        blocks.append([f"■ 补发 {len(rnd.resends)}单"] +
                      [f"  #{r.seq} {r.customer} {resend_label(r)}（补发）" for r in rnd.resends])
    return chunked_blocks(f"{_round_head('配送单', rnd)} 共{len(rnd.orders)}单", blocks or [["还没有订单"]])


def shipped_notice(rnd, customers: Sequence[str]) -> list[str]:
    head = f"【发货通知】{rnd.name} 已发货（{len(customers)}单），到了再通知大家取货"
    return chunked(head, [" ".join(f"@{c}" for c in customers[i:i + 10]) for i in range(0, len(customers), 10)])


def arrival_notice(rnd, customers: Sequence[str], where: str, unpaid: int) -> list[str]:
    head = f"【到货通知】{rnd.name} 到货啦！{where or '取货时间地点请留意团长通知'}"
    if unpaid:
        head += f"\n还有{unpaid}人未付款，取货时请一并付清"
    return chunked(head, [" ".join(f"@{c}" for c in customers[i:i + 10]) for i in range(0, len(customers), 10)])


def my_orders(name: str, rnd, orders) -> str:
    if not orders:
        return f"@{name} {rnd.name}还没有您的订单"
    lines = [f"@{name} 您在{rnd.name}的订单："]
    for order in orders:
        state = {"shipped": "已发货", "done": "已到货"}.get(order.status, "")
        refund = f" 退款{money(order.refunded)}元" if order.refunded else ""
        lines.append(f"#{order.seq} {_items_text(order.items)} {money(order.total)}元{refund}"
                     f" {'已付' if order.paid else '未付'} {state}".rstrip())
    if len(orders) > 1:
        lines.append(f"合计{money(sum(o.total for o in orders))}元")
    return "\n".join(lines)


def exported(rnd, orders: int) -> str:
    return f"已导出{rnd.name}：{orders}单（订单/备货单/配送单/对账单/售后），文件见附件"


def login_link(url: str, minutes: int) -> str:
    return f"团长后台登录链接（{minutes}分钟内有效，只能用一次，请勿转发）：\n{url}"


def login_link_sent(name: str) -> str:
    return f"@{name} 后台登录链接已私发给您"


def no_such_round(which: str, count: int) -> str:
    return f"这个群一共开过{count}次团，没有「{which}」"


# -- the schedule: cut-offs, reminders, daily summaries ---------------------------

WEEKDAYS = "一二三四五六日"


def when(at, tz) -> str:
    """11月20日(周五) 20:00, in the group's timezone."""
    local = at.astimezone(tz)
    return f"{local.month}月{local.day}日(周{WEEKDAYS[local.weekday()]}) {local:%H:%M}"


def deadline_set(at, tz, *, automatic: bool = False, said: str = "") -> str:
    if automatic:
        source = f"（按「{said[:30]}」）" if said else ""
        return (f"⏰ 截单时间：{when(at, tz)}{source}，到点自动截单"
                "（改时间发「截单时间 周五20:00」，不要自动截单发「取消定时」）")
    return f"⏰ 已设置截单时间：{when(at, tz)}，到点自动截单"


def deadline_usage() -> str:
    return "格式：截单时间 周五20:00（也可以写「明天中午12点」「11月25日18:00」）"


def deadline_passed(at, tz) -> str:
    return f"{when(at, tz)} 已经过了，请发一个以后的时间"


def deadline_soon(rnd, minutes: int, tz) -> str:
    left = f"{minutes // 60}小时" if minutes % 60 == 0 and minutes >= 60 else f"{minutes}分钟"
    return f"⏰ 还有{left}截单（{when(rnd.deadline, tz)}），{rnd.title or '本团'}还没接龙的抓紧哦～"


JOB_NAMES = {"close": "自动截单", "remind": "截单提醒", "unpaid": "未付款提醒", "summary": "每日汇总"}


def schedule_list(jobs, tz) -> str:
    """定时: the room's timed jobs, soonest first."""
    if not jobs:
        return "本群没有定时任务（设置截单时间：发「截单时间 周五20:00」）"
    lines = ["【定时任务】"]
    for job in jobs:
        at = when(job.next_run, tz) if job.next_run else "已暂停"
        if job.kind == "summary" and job.next_run:
            at = f"每天 {job.next_run.astimezone(tz):%H:%M}（下次 {when(job.next_run, tz)}）"
        lines.append(f"· {at} {JOB_NAMES.get(job.kind, job.kind)}")
    lines.append("取消全部：发「取消定时」")
    return "\n".join(lines)


def schedule_cancelled(count: int, cutoff: bool = True) -> str:
    if not count:
        return "本群没有这样的定时任务"
    if not cutoff:
        return f"已取消本群{count}个定时任务"
    return f"已取消本群{count}个定时任务，本团不再自动截单（下次开团时恢复每日汇总）"


def no_scheduler() -> str:
    return "定时功能没有开启"


# -- after sales (售后): customers' reports and the merchant's refunds, resends, rejections --

PROBLEM_NAMES = {"damaged": "坏了", "spoiled": "不新鲜", "short": "少了", "missing": "没收到", "wrong": "发错了",
                 "refund": "要退款"}
WANTS_NAMES = {"refund": "要退款", "resend": "要补发"}
REFUND_USAGE = "格式：退款 订单号 金额，或 退款 订单号 商品 数量（例如「退款 3 20」「退款 3 草莓 1盒」）"
RESEND_USAGE = "格式：补发 订单号 商品 数量（例如「补发 3 草莓 1盒」）"
REJECT_USAGE = "格式：驳回 订单号 原因（例如「驳回 3 已超过售后时间」）"


def _item_label(item) -> str:
    if item is None:
        return "整单"
    return f"{item.product.name}({item.spec})" if item.spec else item.product.name


def _problem_text(kind: str, written: str, wants: str) -> str:
    text = PROBLEM_NAMES.get(kind, kind) + (f" {written}" if written and kind != "refund" else "")
    if wants and not (wants == "refund" and kind == "refund"):
        text += f"，{WANTS_NAMES[wants]}"
    return text


def after_sale_recorded(name: str, order, item, kind: str, written: str, wants: str) -> str:
    return f"@{name} 收到，已登记售后：#{order.seq} {_item_label(item)} {_problem_text(kind, written, wants)}，团长会尽快处理"


def after_sale_notice(order, item, kind: str, written: str, wants: str, text: str) -> str:
    return (f"【售后】#{order.seq} {order.customer}：{_item_label(item)} {_problem_text(kind, written, wants)}"
            f"（原话：{text[:40]}）\n处理：退款 {order.seq} 金额｜补发 {order.seq} 商品 数量｜驳回 {order.seq} 原因")


def after_sale_already(name: str, order, item) -> str:
    return f"@{name} #{order.seq} {_item_label(item)}的售后已经登记了，团长会尽快处理"


def after_sale_no_order(name: str) -> str:
    return f"@{name} 没找到您的订单，售后请写明是哪样商品，或直接联系团长"


def after_sale_not_ordered(name: str, text: str) -> str:
    what = f"「{text}」" if text else "这样商品"
    return f"@{name} 您的订单里没有{what}，是哪样商品？例如「草莓坏了2盒」"


def after_sale_too_long(name: str) -> str:
    return f"@{name} 售后请一条说一样，例如「草莓坏了2盒」「排骨少了半斤」"


def after_sale_which_product(name: str, products) -> str:
    names = "、".join(dict.fromkeys(products))
    return f"@{name} 是哪样商品有问题？（您订了{names}）例如「{next(iter(products), '草莓')}坏了1份」"


def after_sale_which_order(name: str, found, problem) -> str:
    seqs = "、".join(f"#{seq}" for seq in sorted({o.seq for o, _ in found}))
    example = f"#{found[0][0].seq} {found[0][1].product.name}{PROBLEM_NAMES.get(problem.kind, '坏了')}"
    return f"@{name} 您有几单都有{found[0][1].product.name}（{seqs}），是哪一单？例如「{example}」"


def after_sale_list(cases) -> list[str]:
    """售后: open cases, numbered by their order, oldest first."""
    if not cases:
        return ["没有待处理的售后"]
    lines = []
    for case in cases:
        what = f"{case.product}({case.spec})" if case.spec else (case.product or "整单")
        lines.append(f"#{case.seq} {case.customer}：{what} {_problem_text(case.kind, case.written, case.wants)}")
    lines.append("处理：退款 N 金额｜退款 N 商品 数量｜补发 N 商品 数量｜驳回 N 原因")
    return chunked(f"【售后】待处理{len(cases)}条", lines)


def after_sale_over_paid(order, item, limit: float) -> str:
    return f"#{order.seq} {_item_label(item)}最多还能退{money(limit)}元，没有退款"


def after_sale_over_quantity(order, item, limit: float) -> str:
    return f"#{order.seq} {_item_label(item)}最多{amount(limit, item.product.unit)}，没有登记"


def after_sale_no_item(order, text: str) -> str:
    return f"订单#{order.seq}里没有「{text}」"


def after_sale_which_item(order, cases, usage: str) -> str:
    names = "、".join(_item_label(c.product and next((i for i in order.items if i.product_id == c.product_id
                                                      and i.spec == c.spec), None)) for c in cases)
    return f"订单#{order.seq}有{len(cases)}条售后（{names}），请写明商品。{usage}"


def after_sale_none_open(order) -> str:
    return f"订单#{order.seq}没有待处理的售后"


def after_sale_unit(item) -> str:
    return f"{item.product.name}按{item.product.unit}卖，请写多少{item.product.unit}"


def refunded(order, item, quantity: float | None, value: float) -> str:
    what = _item_label(item) + (f" {amount(quantity, item.product.unit)}" if quantity and item is not None else "")
    return f"团长已为您的订单#{order.seq}退款：{what} {money(value)}元"


def resent(order, item, quantity: float) -> str:
    return f"您的订单#{order.seq}将补发：{_item_label(item)} {amount(quantity, item.product.unit)}，随下次配送送到"


def rejected(order, items, reason: str) -> str:
    what = "、".join(_item_label(i) for i in items) or "售后"
    return f"您的订单#{order.seq}（{what}）的售后团长已处理：不退款不补发" + (f"。原因：{reason}" if reason else "")


def resends_delivered(count: int) -> str:
    return f"补发{count}单已标记送达"
# -- who is who: 绑定 (first-run merchant binding) and 我是谁 ------------------

def bound_as_merchant(name: str, contact_id: str) -> str:
    return f"@{name} 绑定成功：你（{contact_id}）现在是团长了，发「开团 标题」开始接龙，发「帮助」看全部命令"


def bind_refused(name: str) -> str:
    return f"@{name} 绑定码不对或已经用过了（每个码只能用一次，以启动日志里显示的为准）"


def bind_needs_code(name: str) -> str:
    return f"@{name} 请发「绑定 」加上启动时日志里显示的8位数字，例如「绑定 12345678」"


def already_merchant(name: str) -> str:
    return f"@{name} 你已经是团长了，不用再绑定"


def who_you_are(name: str, contact_id: str, merchant: bool) -> str:
    role = "团长（可以用团长命令）" if merchant else "顾客"
    return f"@{name} 你的微信ID：{contact_id}，身份：{role}"
