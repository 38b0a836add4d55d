"""Addresses, pickup points and phone numbers as customers write them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.merchant.reports import NO_ADDRESS, PICKUP, delivery_groups
from parsers.address import Address, find_phones, find_pickup_point, mask_phone, mask_phones, parse_address
from storage.queries import ItemRow, OrderRow, RoundRows


@pytest.mark.parametrize("text, building, unit, room", [
    ("3栋502", "3", "", "502"),
    ("张伟 3栋502", "3", "", "502"),
    ("3栋502 王", "3", "", "502"),
    ("5-302", "5", "", "302"),
    ("李姐 5-302 放门口", "5", "", "302"),
    ("3-2-502", "3", "2", "502"),
    ("3号楼2单元", "3", "2", ""),
    ("3号楼2单元1101室", "3", "2", "1101"),
    ("12幢1203", "12", "", "1203"),
    ("三栋502", "3", "", "502"),
    ("十二栋1203", "12", "", "1203"),
    ("B座1203", "B", "", "1203"),
    ("7栋", "7", "", ""),
])
def test_building_unit_and_room_are_read_from_names_and_notes(text, building, unit, room):
    assert parse_address(text) == Address(building, unit, room)


@pytest.mark.parametrize("text", ["草莓2盒", "苹果3斤 要熟一点", "12月3日到货", "13812345678", "电话 138-1234-5678",
                                  "2026-11-20"])
def test_quantities_dates_and_phones_are_not_addresses(text):
    assert not parse_address(text)


def test_phone_digits_next_to_a_room_are_not_taken_for_it():
    assert parse_address("13812345678 5-302") == Address("5", "", "302")


@pytest.mark.parametrize("text, masked", [
    ("王芳 13812345678", "王芳 138****5678"),
    ("电话:138-1234-5678", "电话:138****5678"),
    ("138 1234 5678 放门口", "138****5678 放门口"),
    ("13812345678/15900001111", "138****5678/159****1111"),
    ("订单号 2138123456789 不是电话", "订单号 2138123456789 不是电话"),
    ("5-302 草莓2盒", "5-302 草莓2盒"),
])
def test_mobile_numbers_are_masked_wherever_they_are_written(text, masked):
    assert mask_phones(text) == masked


def test_phones_are_found_as_plain_digits():
    assert find_phones("a 138-1234-5678 b 15900001111") == ["13812345678", "15900001111"]
    assert mask_phone("13812345678") == "138****5678"


def test_the_longest_configured_pickup_point_named_wins():
    points = ("东门", "东门自提点", "北门快递柜")
    assert find_pickup_point("放 东门 自提点 谢谢", points) == "东门自提点"
    assert find_pickup_point("北门快递柜", points) == "北门快递柜"
    assert find_pickup_point("3栋502", points) == ""


def _round(*orders: tuple[str, str]) -> RoundRows:
    at = datetime(2026, 11, 20, tzinfo=timezone.utc)
    rows = tuple(OrderRow(n, n, customer, f"w{n}", "open", note, "chat", at, False,
                          (ItemRow("苹果", None, 1.0, "斤", 6.8),))
                 for n, (customer, note) in enumerate(orders, 1))
    return RoundRows(1, "r", "团", "closed", at, None, 1, rows, (), {})


def test_delivery_groups_pickup_points_then_buildings_in_order_then_self_pickup_then_unknown():
    rnd = _round(("王 10栋101", ""), ("李", "2栋1201"), ("赵", "自提"), ("钱", ""), ("孙", "北门快递柜"),
                 ("周", "2-302"), ("吴 2栋2单元101", ""), ("郑", "东门 13812345678"))
    groups = delivery_groups(rnd, ("东门", "北门快递柜"))
    assert [g.key for g in groups] == ["东门", "北门快递柜", "2栋", "10栋", PICKUP, NO_ADDRESS]
    two = next(g for g in groups if g.key == "2栋")
    assert [s.order.customer for s in two.stops] == ["周", "李", "吴 2栋2单元101"]   # unit 0 before unit 2
    assert groups[0].stops[0].phones == ("13812345678",)
