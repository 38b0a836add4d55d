"""A customer saying they paid (parsers/payment.py)."""
from __future__ import annotations

import pytest

from parsers.payment import says_paid


@pytest.mark.parametrize("text", [
    "已付", "已转账", "付了", "已付35元", "付了哈", "微信转你了", "我已经付款了", "已转，请查收", "钱已转",
    "转了", "已付款", "刚转了", "已支付", "付过了", "付了谢谢团长", "已经转账了哦", "@小龙 已付",
])
def test_a_payment_claim(text):
    assert says_paid(text)


@pytest.mark.parametrize("text", [
    "付了吗？", "还没付", "已付 1", "已付 李明", "付款方式是什么", "苹果2斤 已付", "怎么付款", "明天再付", "", "转账70",
])
def test_not_a_payment_claim(text):
    assert not says_paid(text)
