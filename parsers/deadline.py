"""Chinese deadline expressions in group-buy (接龙) posts.

    parse_time_expression("周五20:00", opened_at)             -> that Friday 20:00
    find_deadline("周五晚8点截单，周六上午10点到店自取～", opened_at) -> Friday 20:00
    read_deadline(...)                                       -> Deadline(at, said="周五晚8点截单")

Pipeline, linear in the length of the text:

1. ``_CANDIDATE``, a regex of bounded width (no nested or unbounded repeats), finds
   time-like spans such as ``周五晚8点``;
2. ``grammar/deadline.lark`` (LALR, compiled once per process) parses one span into a
   ``TimeSpec``;
3. ``_resolve`` turns the ``TimeSpec`` into a datetime relative to ``opened_at``,
   keeping its tzinfo.

Both functions are pure and return None instead of raising.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from parsers import grammars

__all__ = ["Deadline", "TimeSpec", "find_deadline", "parse_time_expression", "read_deadline"]


# ---- values ---------------------------------------------------------------------


@dataclass(frozen=True)
class RelativeDay:
    offset: int                  # 今天 0, 明天 1, 后天 2, 大后天 3


@dataclass(frozen=True)
class Weekday:
    index: int                   # Monday 0 .. Sunday 6
    week: str | None             # None: next occurrence; "this": 本周/这周; "next": 下周


@dataclass(frozen=True)
class CalendarDate:
    day: int
    month: int | None = None     # None (25号): this month, or the next one if passed
    year: int | None = None      # None (11月25日): this year, or the next one if passed


@dataclass(frozen=True)
class TimeSpec:
    """A parsed expression before it is anchored to a date."""

    day: RelativeDay | Weekday | CalendarDate | None
    period: str | None           # "am", "small_hours", "noon", "pm", "evening" or None
    hour: int                    # as written: 8 in 晚8点
    minute: int


# Vocabulary of the grammar's terminals (grammar/deadline.lark).
_REL_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1,
             "后天": 2, "後天": 2, "大后天": 3, "大後天": 3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_PERIODS = {
    **dict.fromkeys(["早上", "早晨", "清晨", "上午", "早"], "am"),
    "凌晨": "small_hours",
    "中午": "noon",
    **dict.fromkeys(["下午", "傍晚"], "pm"),
    **dict.fromkeys(["晚上", "晚间", "晚間", "晚", "夜里", "夜裡", "夜间", "夜間", "夜晚",
                     "半夜", "深夜"], "evening"),
}
_DAY_PERIODS = {"今早": (0, "am"), "今晨": (0, "am"), "今晚": (0, "evening"), "今夜": (0, "evening"),
                "明早": (1, "am"), "明晨": (1, "am"), "明晚": (1, "evening"), "明夜": (1, "evening")}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_int(text: str) -> int:
    """十 → 10, 十二 → 12, 二十三 → 23, 四十五 → 45, 两 → 2, 零五 → 5, 二〇二六 → 2026."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            raise ValueError(text)
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + _CN_DIGITS[char]
    return value


# ---- grammar --------------------------------------------------------------------


class _SpecBuilder(Transformer):
    """Builds a TimeSpec from a parse; every value is made here."""

    def num(self, items: list[Token]) -> int:
        token = items[0]
        return int(token) if token.type == "INT" else _cn_int(str(token))

    def relative_day(self, items):
        return RelativeDay(_REL_DAYS[str(items[0])])

    def weekday(self, items):
        *shift, name = items
        week = None if not shift else "next" if str(shift[0]).startswith("下") else "this"
        return Weekday(_WEEKDAYS[str(name)[-1]], week)

    def month_day(self, items):
        year, month, day = items[:3]
        return CalendarDate(day, month, year)

    def day_of_month(self, items):
        return CalendarDate(items[0])

    def month_day_slash(self, items):
        month, day = items[:2]
        return CalendarDate(int(day), int(month))

    def iso_date(self, items):
        year, month, day = map(int, items[:3])
        return CalendarDate(day, month, year)

    def weekday_note(self, _items):           # 11月25日（周三）: the date decides
        return None

    def period(self, items):
        return _PERIODS[str(items[0])]

    def day_period(self, items):
        offset, period = _DAY_PERIODS[str(items[0])]
        return RelativeDay(offset), period

    def half(self, _items):
        return 30

    def quarters(self, items):
        if not 1 <= items[0] <= 3:
            raise ValueError("only 一刻, 两刻, 三刻")
        return 15 * items[0]

    def minute(self, items):
        return items[0]

    def dian_clock(self, items):
        hour, minutes = items
        return hour, minutes or 0

    def colon_clock(self, items):
        return int(items[0]), int(items[1])

    def expression(self, items):
        day, period, (hour, minute) = items
        return TimeSpec(day, period, hour, minute)

    def fused_expression(self, items):
        (day, period), (hour, minute) = items
        return TimeSpec(day, period, hour, minute)


@cache
def _parser() -> Lark:
    """The deadline grammar, read and compiled once per process, on first use."""
    return grammars.load("deadline", lexer="contextual")


_BUILDER = _SpecBuilder()


# ---- resolving against opened_at ------------------------------------------------


def _clock_24h(period: str | None, hour: int, minute: int) -> tuple[int, int, int]:
    """(hour, minute, days_after) on a 24-hour clock; days_after is 1 past midnight."""
    if not (0 <= hour <= 24 and 0 <= minute <= 59):
        raise ValueError("no such time")
    if period == "pm" and hour < 12:                     # 下午3点 = 15:00
        hour += 12
    elif period == "noon" and hour <= 5:                  # 中午1点 = 13:00, 中午12点 = 12:00
        hour += 12
    elif period == "small_hours" and hour == 12:          # 凌晨12点 = 00:00
        hour = 0
    elif period == "evening":
        if hour == 12 or hour <= 4:                       # 今晚12点, 夜里1点: after midnight
            return hour % 12, minute, 1
        if hour < 12:                                     # 晚8点 = 20:00
            hour += 12
    if hour == 24:                                        # 24点 = 00:00 of the next day
        if minute:
            raise ValueError("no such time")
        return 0, 0, 1
    return hour, minute, 0


def _resolve(spec: TimeSpec, opened_at: datetime) -> datetime | None:
    hour, minute, days_after = _clock_24h(spec.period, spec.hour, spec.minute)
    today = opened_at.date()

    def on(day: date) -> datetime:
        at = datetime.combine(day, time(hour, minute), tzinfo=opened_at.tzinfo)
        return at + timedelta(days=days_after)

    def first_future(days: list[date]) -> datetime | None:
        return next((on(day) for day in days if on(day) > opened_at), None)

    match spec.day:
        case None:                            # today if still ahead, else tomorrow
            at = datetime.combine(today, time(hour, minute), tzinfo=opened_at.tzinfo)
            return at if at > opened_at else at + timedelta(days=1)
        case RelativeDay(offset):
            return on(today + timedelta(days=offset))
        case Weekday(index, None):            # on or after today; a passed time → next week
            day = today + timedelta(days=(index - today.weekday()) % 7)
            return first_future([day, day + timedelta(days=7)])
        case Weekday(index, week):            # calendar weeks start on Monday
            monday = today - timedelta(days=today.weekday())
            return on(monday + timedelta(days=index + (7 if week == "next" else 0)))
        case CalendarDate(day, None, None):   # 25号: this month, else a later one
            return first_future(_valid_dates(
                (today.year + (today.month - 1 + k) // 12, (today.month - 1 + k) % 12 + 1, day)
                for k in range(3)))
        case CalendarDate(day, month, None):  # 11月25日: this year, else next year
            return first_future(_valid_dates((today.year + k, month, day) for k in range(2)))
        case CalendarDate(day, month, year):
            return on(date(year, month, day))
    return None


def _valid_dates(triples) -> list[date]:
    dates = []
    for year, month, day in triples:
        try:
            dates.append(date(year, month, day))
        except ValueError:                    # 11月31日, 2月30日
            pass
    return dates


def _parse(span: str, opened_at: datetime) -> datetime | None:
    try:
        return _resolve(_BUILDER.transform(_parser().parse(span)), opened_at)
    except (LarkError, ValueError, KeyError, OverflowError):
        return None


# ---- finding spans ----------------------------------------------------------------

# Every repeat is bounded, so each match attempt reads at most ~40 characters and a scan
# of the whole text stays linear. The spans only need to be a superset of what the
# grammar accepts; the grammar decides.
_D = "[0-9０-９]"
_CN = "[零〇一二两兩三四五六七八九十]"
_NUM = f"(?:{_D}{{1,4}}|{_CN}{{1,4}})"
_SP = r"[ \t\u3000]{0,3}"
_WEEKDAY = "(?:周|週|星期|礼拜|禮拜)[一二三四五六日天七]"
_NOTE = f"(?:{_SP}[(（]?{_WEEKDAY}[)）]?)?"                          # 11月25日（周三）
_DAY = "|".join([
    f"(?:{_D}{{4}}-{_D}{{1,2}}-{_D}{{1,2}}"                             # 2026-12-24
    f"|{_D}{{1,2}}/{_D}{{1,2}}"                                        # 12/24
    f"|(?:{_NUM}年)?{_NUM}月{_NUM}[日号號]?"                            # 11月25日
    f"|{_NUM}[日号號]){_NOTE}",                                         # 25号
    "大?[后後]天|[今明][天日]",                                         # 今天 明天 后天
    f"(?:下个|下個|[下本这這])?{_WEEKDAY}",                              # 周五 下周一
])
_PERIOD = ("[今明][早晨晚夜]|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚[间間]|夜[里裡间間晚]"
           "|半夜|深夜|凌晨|早|晚")
_MINUTES = f"半|{_NUM}[刻分]|{_D}{{2}}|{_CN}{{2,3}}"   # a lone 一 is not minutes: 8点一起
_CLOCK = f"{_D}{{1,2}}[:：]{_D}{{2}}|{_NUM}[点點时時][钟鐘]?(?:{_MINUTES})?"
_CANDIDATE = re.compile(
    # A span never starts right after a digit, a date character or the end of a period
    # word: there it would be the tail of something the regex could not take, and reading
    # it alone would give a wrong day (腊月廿五8点, 正月初一晚8点, 当晚8点, 1008点, 9-12点).
    r"(?<![0-9０-９零〇一二两兩三四五六七八九十廿卅初年月日号號天上午早晚晨夜间間里裡/\-])"
    r"(?<![0-9０-９][:：])"
    rf"(?:(?:{_DAY}){_SP})?(?:(?:{_PERIOD}){_SP})?(?:{_CLOCK})整?"
)

_GAP = r"[ \t\u3000]{0,3}"
_STRONG = "截单|截單|截止|结束|結束"
_STRONG_AFTER = re.compile(rf"{_GAP}(?:之前|以前|前)?{_GAP}(?:{_STRONG}|为止|為止|止)")
# 前 with what is done before it: only ordering makes it the round's deadline (今晚9点前下单,
# 周五前请大家接龙); 10点前送到, 10点前到店自取, 10点50前通知店里 are someone else's times, and
# 前往 is "go to".
_ORDERING = "下单|下單|接龙|接龍|报名|報名|预订|預訂|预定|預定|订购|訂購|下定|登记|登記|参团|參團|跟团|跟團|拍下|订|訂"
_FOR_ORDERING = re.compile(rf"{_GAP}(?:之前|以前|前)[^，,。；;！!\n]{{0,4}}?(?:{_ORDERING})")
# 前 ending its clause (今晚9点前，周六送到): a deadline when nothing stronger is written.
_WEAK_AFTER = re.compile(rf"{_GAP}(?:之前|以前|前){_GAP}(?:[，,。；;！!~～\n]|$)")
_STRONG_BEFORE = re.compile(
    rf"(?:{_STRONG}|截至|接龙到|接龍到|接龙至|接龍至|接龙截至|下单到|下單到|订到|報名到|报名到)"
    rf"(?:时间|時間|日期)?[ \t\u3000:：是为為在于於到至]{{0,4}}$")
# A clause about cancelling or changing an order gives the time for that, not the round's
# cut-off: 已定餐要取消的请于10点50前通知店里, 取消截止时间10点.
_NOT_THE_ROUND = re.compile("取消|退款|退单|退單|退订|退訂|退货|退貨|改单|改單|修改|更改|换货|換貨")
_CLAUSE_END = "，,。；;！!\n"


def _clause(text: str, span: re.Match[str], reach: int = 40) -> str:
    """The clause around a span (from the last mark before it to the next one
    after it), at most `reach` characters either side: a scan stays linear."""
    lo, hi = max(0, span.start() - reach), min(len(text), span.end() + reach)
    start = max(text.rfind(mark, lo, span.start()) for mark in _CLAUSE_END) + 1 or lo
    ends = [i for i in (text.find(mark, span.end(), hi) for mark in _CLAUSE_END) if i != -1]
    return text[max(start, lo):min(ends, default=hi)]


def _marker(text: str, span: re.Match[str]) -> tuple[int, int, int]:
    """How strongly the words around a span mark it as the round's cut-off, and
    where those words start and end: 2 for 截单/截止/结束/接龙到 before or after it
    and 前 before ordering (前下单); 1 for 前 ending its clause; 0 for anything else,
    and for every time in a clause about cancelling or changing an order."""
    strength, start, end = 0, span.start(), span.end()
    after = _STRONG_AFTER.match(text, span.end()) or _FOR_ORDERING.match(text, span.end())
    before = None if after else _STRONG_BEFORE.search(text, max(0, span.start() - 12), span.start())
    weak = None if after or before else _WEAK_AFTER.match(text, span.end())
    if after:
        strength, end = 2, after.end()
    elif before:
        strength, start = 2, before.start()
    elif weak:
        strength, end = 1, span.end() + len(weak.group().rstrip(_CLAUSE_END + "~～ \t\u3000"))
    if strength and _NOT_THE_ROUND.search(_clause(text, span)):
        strength = 0
    return strength, start, end


# ---- public -------------------------------------------------------------------------


def parse_time_expression(text: str, opened_at: datetime) -> datetime | None:
    """The first time expression in ``text`` (e.g. ``周五20:00``), relative to opened_at.

    Words around it are ignored (``截单时间 周五20:00``, ``今晚9点前``); None when the
    first time-like span does not parse or names no real time (25点, 2月30日).
    """
    if not isinstance(text, str):
        return None
    span = _CANDIDATE.search(text)
    return _parse(span.group(), opened_at) if span else None


@dataclass(frozen=True)
class Deadline:
    """The round's cut-off read from a post, and the words it was read from."""

    at: datetime
    said: str                    # as written: 周五晚8点截单, 截单时间：明天中午12点


def read_deadline(text: str, opened_at: datetime) -> Deadline | None:
    """The round's cut-off inside a whole 接龙 description, relative to opened_at.

    Only a time marked as the round's own deadline counts: 截单/截止/结束/接龙到
    right before or after it, or 前 before ordering (今晚9点前下单), beat 前 ending
    its clause (今晚9点前，…); the first of equally marked ones wins. A time for
    something else (10点前送到, 10点50前通知店里 in a clause about cancelling) is
    never the round's. None when no time is marked.
    """
    if not isinstance(text, str):
        return None
    weak: Deadline | None = None
    parsed: dict[str, datetime | None] = {}   # a text repeating one span parses it once
    for span in _CANDIDATE.finditer(text):
        strength, start, end = _marker(text, span)
        if strength == 0 or (strength == 1 and weak is not None):
            continue
        if span.group() not in parsed:
            parsed[span.group()] = _parse(span.group(), opened_at)
        when = parsed[span.group()]
        if when is None:
            continue
        found = Deadline(when, text[start:end].strip())
        if strength == 2:
            return found
        weak = weak or found
    return weak


def find_deadline(text: str, opened_at: datetime) -> datetime | None:
    """The time of `read_deadline` (``周六10点前到店自取，周五晚8点截单`` → Friday 20:00)."""
    found = read_deadline(text, opened_at)
    return found.at if found is not None else None
