"""Where an order goes: building/unit/room, pickup points, and phone numbers.

Customers write their address into their name or note (`3栋502`, `5-302`,
`3号楼2单元`, `A座1203`); the delivery sheet groups by it. Phone numbers are
found so they can be masked (`138****5678`) in anything posted to a group.
Pure functions: no I/O.

>>> parse_address("张伟 3栋2单元502")
Address(building='3', unit='2', room='502')
>>> parse_address("5-302 李姐")
Address(building='5', unit='', room='302')
>>> mask_phones("王芳 13812345678 放门口")
'王芳 138****5678 放门口'
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# A mainland mobile number, optionally written 3-4-4 with spaces or dashes;
# never part of a longer digit run (an order id, a bank card).
_PHONE = re.compile(r"(?<![\d])(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")

_NUM = r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3}|[A-Za-z])"
# 3号楼2单元502, 3栋502, 3幢2单元, A座1203, 三栋502室
_BUILDING = re.compile(
    rf"(?P<b>{_NUM})\s*(?:号楼|栋|幢|座)\s*"
    rf"(?:(?P<u>\d{{1,2}}|[一二三四五六七八九十])\s*单元\s*)?"
    r"(?:(?P<r>\d{3,4})(?!\d)\s*(?:室|号)?)?")
# 3-2-502 (building-unit-room) and 5-302 (building-room)
_DASHED = re.compile(r"(?<![\d-])(?P<b>\d{1,3})-(?:(?P<u>\d{1,2})-)?(?P<r>\d{3,4})(?![\d-])")


@dataclass(frozen=True)
class Address:
    building: str = ""
    unit: str = ""
    room: str = ""

    def __bool__(self) -> bool:
        return bool(self.building)

    def label(self) -> str:
        """`3栋2单元502`: how the delivery sheet prints it."""
        if not self.building:
            return ""
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}栋{unit}{self.room}"


def _number(text: str | None) -> str:
    if not text:
        return ""
    if text.isdigit():
        return str(int(text))
    if text.isascii():
        return text.upper()
    if text in _CN_DIGITS:
        return str(_CN_DIGITS[text])
    if text.startswith("十"):                       # 十二
        return str(10 + _CN_DIGITS.get(text[1:], 0))
    if len(text) >= 2 and text[1] == "十":          # 二十, 二十三
        return str(_CN_DIGITS.get(text[0], 0) * 10 + _CN_DIGITS.get(text[2:], 0))
    return text


def parse_address(text: str) -> Address:
    """The first building/unit/room written in `text`, or an empty Address."""
    text = mask_phones(text, "")                    # digits of a phone are never a room
    match = _BUILDING.search(text)
    if match:
        return Address(_number(match.group("b")), _number(match.group("u")), match.group("r") or "")
    match = _DASHED.search(text)
    if match:
        return Address(str(int(match.group("b"))), _number(match.group("u")), match.group("r"))
    return Address()


def find_pickup_point(text: str, points: Sequence[str]) -> str:
    """The configured pickup point `text` names (the longest that fits), or ""."""
    compact = text.replace(" ", "")
    found = [p for p in points if p and p.replace(" ", "") in compact]
    return max(found, key=len) if found else ""


def wants_pickup(text: str) -> bool:
    """`自提`, `自取`, `到店取`: the customer collects it themselves."""
    return bool(re.search(r"自提|自取|到店取|门店取", text))


def find_phones(text: str) -> list[str]:
    """Mobile numbers in `text`, as 11 plain digits."""
    return ["".join(m.groups()) for m in _PHONE.finditer(text)]


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else phone


def mask_phones(text: str, replacement: str | None = None) -> str:
    """Every mobile number in `text` masked as 138****5678 (or replaced)."""
    if replacement is not None:
        return _PHONE.sub(replacement, text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def sort_key(address: Address) -> tuple:
    """Buildings, units and rooms in numeric order, letters after numbers."""
    def part(value: str) -> tuple[int, int, str]:
        return (0, int(value), "") if value.isdigit() else (1, 0, value)
    return (part(address.building), part(address.unit or "0"), part(address.room or "0"))
