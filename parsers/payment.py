"""A customer saying they paid (已付, 已转账, 付了, 微信转你了): text in, a claim out.

    >>> says_paid("已转账"), says_paid("付了哈"), says_paid("已付35元"), says_paid("付了吗？")
    (True, True, True, False)

A claim is the whole message (with an amount, a channel or a thank-you at
most): 付款方式是什么 and 还没付 are not claims, and neither is a line of an
order that mentions money (苹果2斤 已付).
"""
from __future__ import annotations

import re

from parsers.text import normalize

_CHANNEL = r"(?:微信|支付宝|wx|vx|zfb)?"
_PAID = (r"(?:已经?|刚刚?|刚才)?(?:付款?|转账?|支付|付钱|转钱|给钱|发红包|发了红包|扫码付|扫了)"
         r"(?:过|好|完)?(?:了|啦|咯|喽)?")
_DONE = r"(?:已经?|刚刚?|刚才)(?:付款?|转账?|支付|付钱|转钱|扫码付|扫了)(?:过|好|完)?(?:了|啦|咯|喽)?"
_LATE = r"(?:付款?|转账?|支付|转|付)(?:过|好|完)?(?:了|啦|咯|喽)|(?:转|付)给?你(?:了|啦|咯)"
# an amount says money only with its mark (已付35元, 转了¥35): 已付 1 is the merchant's command
_AMOUNT = r"(?:\d+(?:\.\d+)?(?:元|块)|[¥￥]\d+(?:\.\d+)?)?"
_TO = r"(?:给你|给团长|给老板|你)?"
_POLITE = r"(?:[哈呀哦噢嗯]|谢谢|请查收|请收|查收一下|收一下|团长|老板)*"
_CLAIM = re.compile(
    rf"^(?:我|钱|款)?{_CHANNEL}(?:{_DONE}|{_LATE}){_TO}{_CHANNEL}{_AMOUNT}{_POLITE}$", re.IGNORECASE)
_MENTION = re.compile(r"@\S+\s+")
_MARKS = re.compile(r"[\s,，.。!！~～、:：@]+")


def says_paid(text: str) -> bool:
    """Whether the whole message claims the sender has paid."""
    bare = _MARKS.sub("", _MENTION.sub("", normalize(text)))
    if not bare or len(bare) > 20 or "吗" in bare or "?" in text or "？" in text or "没" in bare:
        return False
    return _CLAIM.match(bare) is not None
