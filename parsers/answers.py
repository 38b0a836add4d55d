"""Answers to the bot's questions (CONTRACT 3c): text in, what it answers out.

An answer is short: a choice among the numbered options, by number
(`1`, `第二个`, `2号`) or by name or part of one (`三鲜的`, `要三鲜`, `黑芝麻的`),
maybe with its own amount (`三鲜的 3袋`); an amount alone (`3斤`, `那就3盒`);
yes (`对`, `是的`, `确认`, `没错`, `嗯`); or 算了 (`不要了`, `取消`).

    >>> read_answer("三鲜的", ("猪肉白菜水饺", "三鲜水饺"))
    Choice(index=1, quantity=None)
    >>> read_answer("第二个", ("幼猫", "成猫", "老年猫"))
    Choice(index=1, quantity=None)
    >>> read_answer("那就3盒", ())
    Amount(quantity=Quantity(value=3.0, unit='盒'))
    >>> read_answer("没错", ())
    Yes()

Whether an answer fits a question (a choice needs options, an amount an
amount question) is the bot's call; `Miss` is an attempt at a choice that
fits none of the options (`第五个` of two, `猪肉的` of 三鲜 and 韭菜), so the
bot can show the options once more. Messages are a few words, so the shape is
read with anchored regular expressions over the whole text rather than a
grammar: there is no structure to arrange, only fillers to strip.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.catalogue import Catalogue
from parsers.numbers import parse_number
from parsers.text import normalize
from parsers.units import UNIT_WORDS, Quantity


@dataclass(frozen=True)
class Choice:
    index: int                       # into the options, from 0
    quantity: Quantity | None = None  # an amount given with it (三鲜的 3袋)


@dataclass(frozen=True)
class Amount:
    quantity: Quantity


@dataclass(frozen=True)
class Yes:
    pass


@dataclass(frozen=True)
class Drop:
    pass


@dataclass(frozen=True)
class Miss:
    """Looks like a choice, fits no option."""

    text: str
    number: bool = False          # an option's number that is not one (第五个 of two)


Answer = Choice | Amount | Yes | Drop | Miss

_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+"
_UNITS = "|".join(map(re.escape, UNIT_WORDS))
# Words around an answer that say nothing about it: 那就3盒, 要三鲜, 三鲜的吧, 选第二个.
_LEAD = re.compile(r"^(?:那就|那我要|那要|我要|我选|就要|还是要|还是|选|要|就|那|嗯|好的?|换成|改成)\s*")
_TAIL = re.compile(r"\s*(?:的吧|吧|的|啊|呀|哈|啦|哦|噢|呢|就行|就好|好了|即可|可以|谢谢|谢啦|那个|这个|那种|这种)$")
_DROP = re.compile(r"^(?:那|那就|还是)?(?:算了|不要了|不要|不用了|不用|取消|取消吧|先不要了|不买了|不订了)(?:吧|了|谢谢)?$")
_YES = re.compile(r"^(?:对|对的|是|是的|确认|确定|没错|嗯|嗯嗯|好|好的|可以|要|要的|ok|对头|没问题|就这么多|是这么多)"
                  r"(?:的|呀|啊|吧|哈)?$", re.IGNORECASE)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# 第二个, 2号, 2, ②: an option's number (2个 is an amount: 那就2个).
_ORDINAL = re.compile(rf"^(?:第\s*({_NUM})\s*(?:个|种|样|项|款|号)?|({_NUM})\s*号|({_NUM})|([{_CIRCLED}]))$")
_AMOUNT = re.compile(rf"^({_NUM})\s*({_UNITS})(半)?$", re.IGNORECASE)
_HALF = re.compile(rf"^半\s*({_UNITS})$", re.IGNORECASE)
# A name with an amount before or after it: 三鲜的 3袋, 3袋三鲜的.
_NAME_AMOUNT = re.compile(rf"^(.*?\D)\s*((?:{_NUM})\s*(?:{_UNITS})半?)$|^((?:{_NUM})\s*(?:{_UNITS})半?)\s*(\D.*)$",
                          re.IGNORECASE)
_QUESTION = re.compile(r"[?？吗么]|什么|怎么|多少|几")
_MENTION = re.compile(r"@\S+\s*")
MAX_CHOICE = 10       # characters: longer texts are sentences, not a choice


def read_answer(text: str, options: Sequence[str], catalogue: Catalogue | None = None) -> Answer | None:
    """What `text` answers, given the question's numbered options; None when
    it is no answer at all (a sentence, a question, an order of something else)."""
    text = _bare(text)
    if not text or _QUESTION.search(text):
        return None
    compact = re.sub(r"[\s，,。.!！~～、]", "", text)
    if _DROP.match(compact):
        return Drop()
    if _YES.match(compact):
        return Yes()
    core = _strip(text)
    if not core:
        return None
    ordinal = _ORDINAL.match(core)
    if ordinal:
        number = _ordinal(ordinal)
        if number is None:
            return None
        if not options:          # no options: a bare number is an amount (10 of it)
            return Amount(Quantity(float(number))) if ordinal.group(3) else None
        if 1 <= number <= len(options) and number == int(number):
            return Choice(int(number) - 1)
        return Miss(core, number=True)
    amount = _amount(core)
    if amount is not None:
        return Amount(amount)
    named = _NAME_AMOUNT.match(core)
    quantity = None
    if named:
        name, written = (named.group(1), named.group(2)) if named.group(1) else (named.group(4), named.group(3))
        quantity = _amount(written.replace(" ", ""))
        core = _strip(name)
    if not options or not core or len(core) > MAX_CHOICE:
        return None
    index = choose(core, options, catalogue)
    if index is not None:
        return Choice(index, quantity)
    return Miss(core) if _attempt(core, options, catalogue) else None


def choose(text: str, options: Sequence[str], catalogue: Catalogue | None = None) -> int | None:
    """The one option `text` names: exactly, by part, or through the
    catalogue (an alias, a typo, a spec's other form); None if none or several."""
    wanted = normalize(text).replace(" ", "").lower()
    names = [normalize(option).replace(" ", "").lower() for option in options]
    if wanted in names:
        return names.index(wanted)
    for fits in ([k for k, name in enumerate(names) if wanted in name],          # 三鲜 of 三鲜水饺
                 [k for k, name in enumerate(names) if name and name in wanted]):  # 三鲜水饺吧
        if len(fits) == 1:
            return fits[0]
        if len(fits) > 1:
            return None
    if catalogue is not None:
        named = set(catalogue.match(text).products)
        end = catalogue.spec_at(wanted, 0) if wanted else None
        if end == len(wanted):
            named.add(normalize(catalogue.spec_named(wanted)).lower())
        fits = [k for k, option in enumerate(options)
                if option in named or normalize(option).lower() in named]
        if len(fits) == 1:
            return fits[0]
    return None


def _attempt(text: str, options: Sequence[str], catalogue: Catalogue | None) -> bool:
    """Whether a word that chose nothing was still meant as a choice: it shares
    a character with an option (水饺 of three dumplings) or names something sold."""
    if any(ch in option for option in options for ch in text if not ch.isspace()):
        return True
    return catalogue is not None and bool(catalogue.match(text).products)


def _bare(text: str) -> str:
    """The text without @-mentions, spaces and punctuation at its ends."""
    text = _MENTION.sub("", normalize(text)).strip()
    return text.strip(" ，,。.!！~～、;；:：")


def _strip(text: str) -> str:
    """Without the fillers before and the particles after it."""
    previous = None
    while previous != text:
        previous = text
        text = _LEAD.sub("", text)
        text = _TAIL.sub("", text).strip(" ，,。.!！~～")
    return text


def _ordinal(match: re.Match[str]) -> float | None:
    if match.group(4):
        return float(_CIRCLED.index(match.group(4)) + 1)
    return parse_number(next(g for g in match.groups()[:3] if g))


def _amount(text: str) -> Quantity | None:
    """3斤, 1.5斤, 两盒, 一斤半, 半斤."""
    half = _HALF.match(text)
    if half:
        return Quantity(0.5, half.group(1))
    match = _AMOUNT.match(text)
    if not match:
        return None
    value = parse_number(match.group(1))
    if value is None or value <= 0:
        return None
    return Quantity(value + (0.5 if match.group(3) else 0.0), match.group(2))
