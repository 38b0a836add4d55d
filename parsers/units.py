"""Units: weights convert, count words count selling units one to one."""
from __future__ import annotations

from dataclasses import dataclass

# Grams per weight unit. 两 is only a unit right after a number (三两 = 150 g).
WEIGHT_GRAMS: dict[str, float] = {
    "斤": 500.0, "市斤": 500.0, "公斤": 1000.0, "千克": 1000.0, "kg": 1000.0,
    "克": 1.0, "g": 1.0, "两": 50.0,
}
COUNT_WORDS = frozenset(
    "个 盒 箱 袋 份 把 瓶 只 条 包 串 颗 块 杯 提 桶 罐 听 枚 根 支 棵 粒 张 排 板 筐 篮 束 枝 朵 盆 扎 套 卷 片 碗 笼 斗 对 双 件 壶"
    " 饼 例".split()
)
# Units as pinyin input slips and spells them after a number: 3代 is 3袋, 2jin is 2斤.
UNIT_SLIPS: dict[str, str] = {"代": "袋", "带": "袋", "jin": "斤", "gongjin": "公斤"}
# Counting words that stand for several units: 一打玫瑰 is twelve roses. They
# count single things only: a dozen of a product sold by the 盒 is asked about.
MULTIPLES: dict[str, float] = {"打": 12.0}
SINGLES = frozenset("个 只 枝 朵 瓶 罐 听 支 根 颗 枚 条 杯 块 粒 张 件 棵 片".split())
# Longest first, so 公斤 wins over 斤 and kg over g.
UNIT_WORDS: tuple[str, ...] = tuple(sorted(set(WEIGHT_GRAMS) | COUNT_WORDS | set(MULTIPLES) | set(UNIT_SLIPS),
                                     key=len, reverse=True))


class UnitMismatch(ValueError):
    """A count word on a product sold by weight (or the other way round)."""


@dataclass(frozen=True)
class Quantity:
    """An amount as written: value plus the unit word, if any."""

    value: float
    unit: str | None = None

    def __str__(self) -> str:
        number = f"{self.value:g}"
        return f"{number}{self.unit or ''}"


def is_weight(unit: str | None) -> bool:
    return unit is not None and unit.lower() in WEIGHT_GRAMS


def to_selling_unit(quantity: Quantity, selling_unit: str) -> float:
    """Convert an amount to the product's selling unit.

    Weights convert (1公斤 = 2斤 when sold by 斤); a count word counts selling
    units one to one; a count word on a product sold by weight raises
    UnitMismatch, because 苹果3个 cannot be weighed without asking.
    """
    unit = quantity.unit.lower() if quantity.unit else None
    if unit is None or unit == selling_unit.lower():
        return quantity.value
    if is_weight(selling_unit):
        if unit in WEIGHT_GRAMS:
            return round(quantity.value * WEIGHT_GRAMS[unit] / WEIGHT_GRAMS[selling_unit.lower()], 4)
        raise UnitMismatch(f"{quantity} is not a weight")
    if unit in WEIGHT_GRAMS:
        # A weight on a product sold by count (草莓2斤 when sold by 盒): cannot convert.
        raise UnitMismatch(f"{quantity} is a weight")
    if unit in MULTIPLES:
        if selling_unit.lower() not in SINGLES:
            raise UnitMismatch(f"{quantity} of a product sold by {selling_unit}")
        return quantity.value * MULTIPLES[unit]
    return quantity.value
