"""The merchant's figures for a round: totals, pick list, bills, delivery groups.

Pure functions over `storage.queries` rows; the chat text is rendered from
these in `bot.chat.replies`, the Excel/CSV files in `bot.merchant.exports`, the chart in
`bot.merchant.charts`, so all three always show the same numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from parsers.address import Address, find_phones, find_pickup_point, parse_address, sort_key, wants_pickup
from storage.queries import ItemRow, OrderRow, RoundRows


@dataclass(frozen=True)
class ProductTotal:
    """One line of the pick list: a product and spec, summed over the round."""

    product: str
    spec: str | None
    unit: str
    quantity: float
    amount: float
    orders: int                  # how many orders (bags) carry it
    code: str | None = None      # its number or letter in the round's menu

    @property
    def label(self) -> str:
        name = numbered(self.product, self.code)
        return f"{name}({self.spec})" if self.spec else name


def numbered(product: str, code: str | None) -> str:
    """A product as reports show it: with its menu number or letter when the round has one."""
    return f"{code}. {product}" if code else product


@dataclass(frozen=True)
class Figures:
    orders: int
    customers: int
    revenue: float
    paid_orders: int
    paid_amount: float
    unpaid_orders: int
    unpaid_amount: float
    waiting: int                 # entries still waiting for an answer
    products: tuple[ProductTotal, ...]
    refunded: float = 0.0        # after sales (售后): yuan given back
    refunded_orders: int = 0
    open_cases: int = 0          # reports the merchant has not settled yet

    @property
    def net(self) -> float:
        return round(self.revenue - self.refunded, 2)


@dataclass(frozen=True)
class Bill:
    """What one customer owes: all their orders of the round together."""

    customer: str
    owners: tuple[str, ...]      # contact ids to @-mention
    seqs: tuple[int, ...]
    items: tuple[ItemRow, ...]
    total: float
    paid_amount: float
    refunded: float = 0.0        # after sales: given back on any of their orders
    credit: float = 0.0          # refunds on orders not paid yet: they owe that much less
    said_paid: bool = False      # the customer says they paid an order not marked paid

    @property
    def due(self) -> float:
        return round(self.total - self.paid_amount - self.credit, 2)

    @property
    def net(self) -> float:
        """What the customer pays in the end, refunds given back."""
        return round(self.total - self.refunded, 2)

    @property
    def paid(self) -> bool:
        return self.due <= 0.005


@dataclass(frozen=True)
class Stop:
    """One order on the delivery sheet."""

    order: OrderRow
    address: Address
    phones: tuple[str, ...]


@dataclass
class DeliveryGroup:
    key: str                     # pickup point, "3栋", 自提 or 未填地址
    stops: list[Stop] = field(default_factory=list)


NO_ADDRESS = "未填地址"
PICKUP = "自提"


def _qty(value: float) -> float:
    return round(value, 4)


def product_totals(rnd: RoundRows) -> tuple[ProductTotal, ...]:
    """Per product and spec, in catalogue order, specs in their listed order."""
    sums: dict[tuple[str, str | None], list] = {}
    meta: dict[str, tuple[int, str, str | None]] = {}
    for order in rnd.orders:
        seen: set[tuple[str, str | None]] = set()
        for item in order.items:
            key = (item.product, item.spec)
            entry = sums.setdefault(key, [0.0, 0.0, 0])
            entry[0] += item.quantity
            entry[1] += item.amount
            if key not in seen:
                entry[2] += 1
                seen.add(key)
            meta[item.product] = (item.position, item.unit, item.code)

    def order_key(key: tuple[str, str | None]) -> tuple:
        product, spec = key
        specs = rnd.specs.get(product, ())
        spec_rank = specs.index(spec) if spec in specs else len(specs)
        return (meta[product][0], product, spec is not None, spec_rank, spec or "")

    return tuple(ProductTotal(p, s, meta[p][1], _qty(q), round(a, 2), n, meta[p][2])
                 for (p, s), (q, a, n) in sorted(sums.items(), key=lambda kv: order_key(kv[0])))


def figures(rnd: RoundRows) -> Figures:
    paid = [o for o in rnd.orders if o.paid]
    unpaid = [o for o in rnd.orders if not o.paid]
    return Figures(
        orders=len(rnd.orders),
        customers=len({o.customer for o in rnd.orders}),
        revenue=round(sum(o.total for o in rnd.orders), 2),
        paid_orders=len(paid), paid_amount=round(sum(o.total for o in paid), 2),
        unpaid_orders=len(unpaid), unpaid_amount=round(sum(o.total for o in unpaid), 2),
        waiting=len(rnd.questions),
        products=product_totals(rnd),
        refunded=rnd.refunded,
        refunded_orders=sum(1 for o in rnd.orders if o.refunded > 0),
        open_cases=len(rnd.open_cases))


def bills(rnd: RoundRows, admins: Iterable[str] = ()) -> list[Bill]:
    """One bill per customer name, in the order their first order was taken.

    A merchant's 代订 is owned by the merchant, so its bill @-mentions nobody:
    the text still names the customer.
    """
    admins = set(admins)
    grouped: dict[str, list[OrderRow]] = {}
    for order in rnd.orders:
        grouped.setdefault(order.customer, []).append(order)
    out = []
    for customer, orders in grouped.items():
        owners = tuple(dict.fromkeys(o.owner for o in orders if o.owner not in admins))
        out.append(Bill(customer, owners, tuple(o.seq for o in orders),
                        tuple(i for o in orders for i in o.items),
                        round(sum(o.total for o in orders), 2),
                        round(sum(o.total for o in orders if o.paid), 2),
                        round(sum(o.refunded for o in orders), 2),
                        round(sum(o.refunded for o in orders if not o.paid), 2),
                        any(o.said_paid for o in orders)))
    return out


def unpaid_bills(rnd: RoundRows, admins: Iterable[str] = ()) -> list[Bill]:
    return [b for b in bills(rnd, admins) if not b.paid]


def delivery_groups(rnd: RoundRows, pickup_points: Sequence[str] = ()) -> list[DeliveryGroup]:
    """Orders by pickup point (config order), then building (numeric), then 自提, then no address."""
    by_key: dict[str, DeliveryGroup] = {}
    for order in rnd.orders:
        where = f"{order.customer} {order.note}"
        point = find_pickup_point(where, pickup_points)
        address = parse_address(where)
        if point:
            key = point
        elif address:
            key = f"{address.building}栋"
        elif wants_pickup(where):
            key = PICKUP
        else:
            key = NO_ADDRESS
        by_key.setdefault(key, DeliveryGroup(key)).stops.append(Stop(order, address, tuple(find_phones(where))))
    for group in by_key.values():
        group.stops.sort(key=lambda s: (sort_key(s.address), s.order.seq))

    def group_rank(group: DeliveryGroup) -> tuple:
        if group.key in pickup_points:
            return (0, list(pickup_points).index(group.key), ())
        if group.key in (PICKUP, NO_ADDRESS):
            return (2, (PICKUP, NO_ADDRESS).index(group.key), ())
        return (1, 0, sort_key(group.stops[0].address))

    return sorted(by_key.values(), key=group_rank)


def orders_over_time(rnd: RoundRows) -> list[tuple]:
    """(time, orders so far) for each order, in the order they were taken."""
    times = sorted(o.created_at for o in rnd.orders)
    return [(t, n) for n, t in enumerate(times, 1)]
