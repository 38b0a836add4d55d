"""Answers to the bot's questions (parsers/answers.py): one canonical reading
per spelling, the way customers type them."""
from __future__ import annotations

import pytest

from parsers.answers import Amount, Choice, Drop, Miss, Yes, choose, read_answer
from parsers.catalogue import Catalogue, ProductInfo
from parsers.units import Quantity

DUMPLINGS = ("猪肉白菜水饺", "三鲜水饺", "韭菜鸡蛋水饺")
FILLINGS = ("黑芝麻", "花生")
CATS = ("幼猫", "成猫", "老年猫")
CATALOGUE = Catalogue((
    ProductInfo("猪肉白菜水饺", 28.0, "袋", aliases=("白菜饺子",)),
    ProductInfo("三鲜水饺", 32.0, "袋"),
    ProductInfo("韭菜鸡蛋水饺", 26.0, "袋"),
    ProductInfo("汤圆", 15.0, "袋", specs=("黑芝麻", "花生")),
))

SPELLINGS = [
    # a choice by name or part of one
    ("三鲜的", DUMPLINGS, Choice(1)),
    ("要三鲜", DUMPLINGS, Choice(1)),
    ("三鲜水饺", DUMPLINGS, Choice(1)),
    ("@小龙 三鲜", DUMPLINGS, Choice(1)),
    ("韭菜鸡蛋的吧", DUMPLINGS, Choice(2)),
    ("花生", FILLINGS, Choice(1)),
    ("黑芝麻的", FILLINGS, Choice(0)),
    ("花生味的", FILLINGS, Choice(1)),
    ("老年", CATS, Choice(2)),
    ("白菜饺子", DUMPLINGS, Choice(0)),
    # a choice by number
    ("1", DUMPLINGS, Choice(0)),
    ("2", FILLINGS, Choice(1)),
    ("第二个", CATS, Choice(1)),
    ("第2种", CATS, Choice(1)),
    ("2号", FILLINGS, Choice(1)),
    ("选3", DUMPLINGS, Choice(2)),
    ("②", CATS, Choice(1)),
    # a choice with its own amount
    ("三鲜的 3袋", DUMPLINGS, Choice(1, Quantity(3.0, "袋"))),
    ("黑芝麻的 3袋", FILLINGS, Choice(0, Quantity(3.0, "袋"))),
    ("花生两袋", FILLINGS, Choice(1, Quantity(2.0, "袋"))),
    ("3袋三鲜的", DUMPLINGS, Choice(1, Quantity(3.0, "袋"))),
    # an amount
    ("3斤", (), Amount(Quantity(3.0, "斤"))),
    ("那就3盒", (), Amount(Quantity(3.0, "盒"))),
    ("那就2个", (), Amount(Quantity(2.0, "个"))),
    ("1.5斤", (), Amount(Quantity(1.5, "斤"))),
    ("一斤半", (), Amount(Quantity(1.5, "斤"))),
    ("10斤吧", (), Amount(Quantity(10.0, "斤"))),
    ("改成5提", (), Amount(Quantity(5.0, "提"))),
    ("10", (), Amount(Quantity(10.0))),
    # yes
    ("对", (), Yes()),
    ("是的", (), Yes()),
    ("确认", (), Yes()),
    ("没错", (), Yes()),
    ("嗯", (), Yes()),
    ("嗯嗯", (), Yes()),
    ("对的！", (), Yes()),
    # never mind
    ("算了", DUMPLINGS, Drop()),
    ("不要了", DUMPLINGS, Drop()),
    ("取消", (), Drop()),
    ("那算了", (), Drop()),
    ("不用了，谢谢", (), Drop()),
    # an attempt that fits no option
    ("第五个", FILLINGS, Miss("第五个", number=True)),
    ("3", FILLINGS, Miss("3", number=True)),
    ("猪肉的", FILLINGS, Miss("猪肉")),
    ("水饺", DUMPLINGS, Miss("水饺")),
]


@pytest.mark.parametrize(("text", "options", "expected"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_spelling(text, options, expected):
    assert read_answer(text, options, CATALOGUE) == expected


@pytest.mark.parametrize("text", [
    "宽面煮几分钟啊？", "三鲜的好吃吗", "好吃", "辛苦了", "上次的三鲜水饺真好吃，馅很足，家里人都喜欢", "", "   ", "@小龙",
])
def test_questions_and_sentences_are_no_answer(text):
    assert read_answer(text, DUMPLINGS, CATALOGUE) is None


def test_a_word_without_options_to_choose_from_is_no_answer():
    assert read_answer("三鲜的", (), CATALOGUE) is None


def test_part_of_several_options_names_none_of_them():
    assert choose("水饺", DUMPLINGS) is None
    assert choose("猪肉白菜", DUMPLINGS) == 0


def test_table_covers_every_kind_of_answer():
    kinds = {type(expected) for _, _, expected in SPELLINGS}
    assert kinds == {Choice, Amount, Yes, Drop, Miss}
