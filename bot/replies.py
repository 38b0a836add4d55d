"""Every sentence the bot says, in one place, so it can be read and polished.

Replies are short (people read them on phones), @-mention the person they
answer, and echo what was understood: quantities, units, line totals.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from parsers.entry import ItemProblem
from storage.models import Order, OrderItem, Round

HELP = (
    "小龙接龙助手：\n"
    "顾客：直接发「苹果2斤 香蕉1斤」或在#接龙里加一行；改量「苹果改成3斤」，加量「再加1斤」，"
    "取消「苹果不要了」/「取消」。\n"
    "团长：开团 [标题]｜截单｜汇总｜取消 N/名字｜已付 N/名字｜发货 N/名字｜"
    "上架 名称 价格/单位 [库存 N]｜下架 名称｜库存 名称 N｜代订 名字 商品数量｜帮助"
)


def money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def amount(quantity: float, unit: str) -> str:
    return f"{quantity:g}{unit}"


def item_line(item: OrderItem) -> str:
    spec = f"({item.spec})" if item.spec else ""
    return f"{item.product.name}{spec} {amount(item.quantity, item.product.unit)} {money(item.amount)}元"


def order_summary(order: Order) -> str:
    items = "，".join(item_line(i) for i in order.items)
    return f"{items}；合计{money(order.total)}元"


def problem_text(problem) -> str:
    if isinstance(problem, ItemProblem):
        if problem.reason == "ambiguous":
            return f"「{problem.text}」是指{' 还是 '.join(problem.suggestions)}？"
        if problem.reason == "missing_spec":
            return f"{problem.product}要哪种规格？（{' / '.join(problem.suggestions)}）"
        if problem.reason == "unit":
            return f"{problem.product}按{problem.suggestions[0]}卖，「{problem.text}」要多少{problem.suggestions[0]}？"
        guess = f"，是不是{' / '.join(problem.suggestions[:3])}？" if problem.suggestions else ""
        return f"没有「{problem.text}」{guess}"
    if problem.reason == "stock":
        left = amount(problem.available, problem.unit)
        return f"{problem.product}只剩{left}了" if problem.available > 0 else f"{problem.product}已经卖完了"
    if problem.reason == "limit":
        if problem.available > 0:
            return f"{problem.product}每人限购，您最多还能订{amount(problem.available, problem.unit)}"
        return f"{problem.product}每人限购，您已订满"
    if problem.reason == "unknown_product":
        return f"{problem.product}已下架"
    return "这条没看懂"


def placed(name: str, order: Order, new: bool, problems: Sequence) -> str:
    head = f"@{name} 已登记：" if new else f"@{name} 已更新："
    text = head + order_summary(order)
    if problems:
        text += "\n" + "；".join(problem_text(p) for p in problems)
    return text


def only_problems(name: str, problems: Sequence) -> str:
    return f"@{name} " + "；".join(problem_text(p) for p in problems) + "（未下单，请重新发一下）"


def cancelled(name: str, order: Order | None = None) -> str:
    return f"@{name} 已取消订单{f' #{order.seq}' if order else ''}"


def closed(name: str) -> str:
    return f"@{name} 本团已截单，这条没有登记，下次早点哦"


def not_admin(name: str) -> str:
    return f"@{name} 这个命令只有团长能用哦"


def unclear_plus(name: str, products: Iterable[str]) -> str:
    names = "、".join(products)
    return f"@{name} 本团有{names}，+1 是要哪个？请写商品和数量，例如「{next(iter(products), '苹果')}1份」"


def unclear_change(name: str) -> str:
    return f"@{name} 您的订单有好几样，要改哪一样？例如「苹果改成3斤」"


def no_order(name: str) -> str:
    return f"@{name} 本团还没有您的订单"


def round_opened(rnd: Round) -> str:
    return f"开团啦：{rnd.title or '本团'}，直接发「商品+数量」下单，或在#接龙里加一行"


def round_closed(rnd: Round, orders: int, total: float) -> str:
    return f"{rnd.title or '本团'} 已截单：共{orders}单，合计{money(total)}元。之后的订单不再登记。"


def no_round() -> str:
    return "现在没有进行中的团"


def summary(rnd: Round, orders: Sequence[Order], open_questions: int) -> str:
    lines = [f"【汇总】{rnd.title or '本团'}（{'进行中' if rnd.status == 'open' else '已截单'}）"]
    totals: dict[tuple[str, str | None, str], float] = {}
    for order in orders:
        for item in order.items:
            key = (item.product.name, item.spec, item.product.unit)
            totals[key] = totals.get(key, 0.0) + item.quantity
    for order in orders:
        status = {"paid": "已付", "shipped": "已发货", "done": "已完成"}.get(order.status, "")
        items = " ".join(f"{i.product.name}{f'({i.spec})' if i.spec else ''}{amount(i.quantity, i.product.unit)}"
                         for i in order.items)
        lines.append(f"{order.seq}. {order.customer} {items} {money(order.total)}元 {status}".rstrip())
    if totals:
        lines.append("—— 合计 ——")
        for (name, spec, unit), qty in totals.items():
            lines.append(f"{name}{f'({spec})' if spec else ''} {amount(qty, unit)}")
    revenue = sum(o.total for o in orders)
    paid = sum(o.total for o in orders if o.status in ("paid", "shipped", "done"))
    lines.append(f"共{len(orders)}单 {money(revenue)}元，已付{money(paid)}元")
    if open_questions:
        lines.append(f"待确认{open_questions}条")
    return "\n".join(lines)


def marked(what: str, orders: Sequence[Order]) -> str:
    names = "、".join(f"#{o.seq} {o.customer}" for o in orders)
    return f"已标记{what}：{names}"


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
