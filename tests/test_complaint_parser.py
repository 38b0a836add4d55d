"""After-sales reports as customers type them (parsers/complaint.py, grammar/complaint.lark):
one canonical reading per spelling, and orders and questions left alone."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.catalogue import Catalogue, ProductInfo
from parsers.complaint import parse_action, parse_complaint
from parsers.entry import ChangeRequest, EntryRequest, parse_line
from parsers.text import normalize

CATALOGUE = Catalogue((
    ProductInfo("草莓", 35.0, "盒"),
    ProductInfo("排骨", 36.0, "斤"),
    ProductInfo("鸡蛋", 15.0, "盒"),
    ProductInfo("车厘子", 60.0, "斤"),
    ProductInfo("芒果", 20.0, "箱"),
    ProductInfo("五花肉", 19.8, "斤"),
))


def read(text: str):
    return parse_complaint(normalize(text), CATALOGUE)


def one(text: str):
    complaint = read(text)
    assert complaint is not None, text
    assert len(complaint.problems) == 1, complaint
    return complaint, complaint.problems[0]


# text, product, kind, amount as written (value, unit) or None
SPELLINGS = [
    ("草莓坏了两盒", "草莓", "damaged", (2.0, "盒")),
    ("草莓烂了2盒", "草莓", "damaged", (2.0, "盒")),
    ("两盒草莓都烂了", "草莓", "damaged", (2.0, "盒")),
    ("草莓有两盒坏掉了", "草莓", "damaged", (2.0, "盒")),
    ("鸡蛋碎了3个", "鸡蛋", "damaged", (3.0, "个")),
    ("鸡蛋破了三个", "鸡蛋", "damaged", (3.0, "个")),
    ("鸡蛋压碎了", "鸡蛋", "damaged", None),
    ("排骨少了半斤", "排骨", "short", (0.5, "斤")),
    ("排骨缺了一斤半", "排骨", "short", (1.5, "斤")),
    ("少了两盒草莓", "草莓", "short", (2.0, "盒")),
    ("五花肉不够秤", "五花肉", "short", None),
    ("草莓少发了1盒", "草莓", "short", (1.0, "盒")),
    ("@小龙 我的芒果没收到", "芒果", "missing", None),
    ("芒果没有收到", "芒果", "missing", None),
    ("芒果漏发了", "芒果", "missing", None),
    ("收到的车厘子不新鲜 要退款", "车厘子", "spoiled", None),
    ("车厘子变质了", "车厘子", "spoiled", None),
    ("排骨有异味", "排骨", "spoiled", None),
    ("芒果发错了", "芒果", "wrong", None),
    ("发错了 我订的是草莓", "草莓", "wrong", None),
    ("車厘子壞了", "车厘子", "damaged", None),           # traditional characters
    ("车里子坏了两斤", "车厘子", "damaged", (2.0, "斤")),  # a pinyin slip
    ("车厘子要退款", "车厘子", "refund", None),
]


@pytest.mark.parametrize("text, product, kind, amount", SPELLINGS)
def test_a_report_names_the_product_the_problem_and_the_amount(text, product, kind, amount):
    _, problem = one(text)
    assert problem.product == product
    assert problem.kind == kind
    if amount is None:
        assert problem.quantity is None
    else:
        assert (problem.quantity.value, problem.quantity.unit) == amount


@pytest.mark.parametrize("text, refund, resend", [
    ("收到的车厘子不新鲜 要退款", True, False),
    ("草莓坏了两盒，麻烦退一下款", False, False),   # 退一下款 is not one of the wish words: no wish
    ("草莓坏了两盒 申请退款", True, False),
    ("排骨少了半斤，麻烦补发", False, True),
    ("芒果没收到 能补发吗", False, True),
    ("鸡蛋碎了3个", False, False),
])
def test_what_the_customer_wants_done_is_kept(text, refund, resend):
    complaint, _ = one(text)
    assert (complaint.wants_refund, complaint.wants_resend) == (refund, resend)


def test_two_problems_in_one_message_are_two_reports_with_their_own_amounts():
    complaint = read("草莓坏了两盒 芒果没收到")
    assert [(p.product, p.kind) for p in complaint.problems] == [("草莓", "damaged"), ("芒果", "missing")]
    assert complaint.problems[0].quantity.value == 2.0
    assert complaint.problems[1].quantity is None


def test_something_not_on_the_menu_is_kept_as_written_without_a_product():
    _, problem = one("我买的榴莲坏了两个")
    assert problem.text == "榴莲"
    assert problem.product is None
    assert problem.quantity.value == 2.0


def test_a_problem_naming_no_product_is_still_a_report():
    _, problem = one("坏了两个")
    assert problem.text == "" and problem.match is None and problem.kind == "damaged"


@pytest.mark.parametrize("text", [
    "草莓再加两盒", "草莓2盒", "草莓还有吗", "草莓还有吗?", "排骨改成3斤", "芒果不要了", "取消",
    "苹果2斤 不要烂的", "草莓会坏吗", "草莓容易坏吗", "草莓不错", "鸡蛋没坏", "排骨一点没少",
    "不好意思 我发错群了", "出差了 删了", "草莓缺货了吗", "少冰 少糖", "五花肉少要1斤", "谢谢团长",
    "今天几点到", "草莓2盒 不要太熟的",
])
def test_orders_questions_and_chatter_are_not_reports(text):
    assert read(text) is None


@pytest.mark.parametrize("text", ["草莓再加两盒", "草莓2盒", "两盒草莓", "排骨3斤 五花肉2斤"])
def test_ordinary_order_lines_still_read_as_orders_and_changes(text):
    assert isinstance(parse_line(normalize(text), CATALOGUE), (EntryRequest, ChangeRequest))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("草莓排骨坏了少没收到退款不新鲜两盒3个半斤@ ,，的我要吗?")), max_size=30))
def test_any_text_gives_a_report_or_none_never_an_error(text):
    complaint = read(text)
    assert complaint is None or complaint.problems


def test_a_very_long_line_is_not_parsed():
    assert read("草莓坏了两盒" * 100) is None


def test_a_message_with_many_problems_is_marked_unread_instead_of_parsed_slowly():
    complaint = read("草莓坏了两盒 排骨少了半斤 鸡蛋碎了3个 芒果没收到 车厘子不新鲜")
    assert complaint.unread and complaint.problems == ()


# -- the merchant's after-sales commands, after the verb ----------------------------

SPEC_CATALOGUE = Catalogue((ProductInfo("草莓", 35.0, "盒", specs=("大果", "中果")), ProductInfo("排骨", 36.0, "斤")))


@pytest.mark.parametrize("text", ["3 20", "3 20元", "#3 ¥20", "3 20块", "3号 20", "3 20元 质量问题"])
def test_an_order_number_and_money_is_a_refund_by_amount(text):
    args = parse_action(normalize(text), SPEC_CATALOGUE)
    assert (args.order, args.money, args.text) == (3, 20.0, "")


@pytest.mark.parametrize("text, product, spec, amount", [
    ("3 草莓 大果 1盒", "草莓", "大果", (1.0, "盒")),
    ("3 草莓大果2盒", "草莓", "大果", (2.0, "盒")),
    ("3 排骨 半斤", "排骨", None, (0.5, "斤")),
    ("3 排骨 一斤半", "排骨", None, (1.5, "斤")),
    ("3 排骨", "排骨", None, None),
])
def test_an_order_number_and_an_item_names_what_to_refund_or_resend(text, product, spec, amount):
    args = parse_action(normalize(text), SPEC_CATALOGUE)
    assert args.order == 3 and args.money is None
    assert (args.match.product, args.spec) == (product, spec)
    assert (None if args.quantity is None else (args.quantity.value, args.quantity.unit)) == amount


def test_the_words_after_the_order_number_are_the_reason():
    assert parse_action("3 已过售后期", SPEC_CATALOGUE).reason == "已过售后期"
    args = parse_action("3 排骨 是正常损耗", SPEC_CATALOGUE)
    assert (args.text, args.reason, args.words) == ("排骨", "是正常损耗", "排骨 是正常损耗")


@pytest.mark.parametrize("text", ["", "abc", "草莓 3", "3 2盒", "退款", "#", "3.5 20"])
def test_without_an_order_number_first_it_is_not_understood(text):
    assert parse_action(normalize(text), SPEC_CATALOGUE) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 #元块¥.草莓排骨大果盒斤半一二两原因坏")), max_size=20))
def test_any_arguments_give_args_or_none_never_an_error(text):
    args = parse_action(normalize(text), SPEC_CATALOGUE)
    assert args is None or args.order >= 0
