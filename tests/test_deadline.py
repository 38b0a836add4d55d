"""Deadline expressions in 接龙 posts, all read on Wednesday 2026-11-18 at 10:00 in Shanghai."""
from __future__ import annotations

import random
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from parsers.deadline import find_deadline, parse_time_expression, read_deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED_AT = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


SPELLINGS = [
    # weekdays: the next occurrence on or after today
    ("周五晚8点截单", at(11, 20, 20)),
    ("周五20:00", at(11, 20, 20)),
    ("截单时间 周五20:00", at(11, 20, 20)),
    ("周六上午10点", at(11, 21, 10)),
    ("周日 晚上9点前截单", at(11, 22, 21)),
    ("星期五晚八点", at(11, 20, 20)),
    ("礼拜五晚八点", at(11, 20, 20)),
    ("星期天上午11点", at(11, 22, 11)),
    ("礼拜天晚上9点", at(11, 22, 21)),
    ("周日18点", at(11, 22, 18)),
    ("周五 20:00前", at(11, 20, 20)),
    ("周三晚上8点", at(11, 18, 20)),          # today, still ahead
    ("周三9点", at(11, 25, 9)),               # today, already passed: next week
    # this / next calendar week (weeks start on Monday)
    ("下周一12:00", at(11, 23, 12)),
    ("下周五晚上8点", at(11, 27, 20)),
    ("下个星期五下午3点", at(11, 27, 15)),
    ("本周日晚上八点", at(11, 22, 20)),
    ("这周五下午6点", at(11, 20, 18)),
    # relative days
    ("明天中午12点截止", at(11, 19, 12)),
    ("明天20:00", at(11, 19, 20)),
    ("明天下午5点", at(11, 19, 17)),
    ("后天早上7点", at(11, 20, 7)),
    ("后天18:30", at(11, 20, 18, 30)),
    ("大后天上午10点", at(11, 21, 10)),
    ("今天下午3点半截单", at(11, 18, 15, 30)),
    ("今天12点", at(11, 18, 12)),
    # fused day + period
    ("今晚9点前", at(11, 18, 21)),
    ("今晚八点整", at(11, 18, 20)),
    ("今晚12点", at(11, 19, 0)),              # midnight at the end of tonight
    ("明早9点", at(11, 19, 9)),
    ("明晚7点", at(11, 19, 19)),
    # calendar dates
    ("11月25日18:00截单", at(11, 25, 18)),
    ("12/24 20:00", at(12, 24, 20)),
    ("12/24 晚上8点", at(12, 24, 20)),
    ("2026-12-24 20:00", at(12, 24, 20)),
    ("2026年12月1日20:00", at(12, 1, 20)),
    ("十二月二十四日晚上八点", at(12, 24, 20)),
    ("11月1日上午10点", at(11, 1, 10, year=2027)),  # passed this year: next year
    ("11月25日（周三）晚8点", at(11, 25, 20)),  # a weekday after a date: the date decides
    ("12/24(周四) 20:00", at(12, 24, 20)),
    ("25号晚上8点", at(11, 25, 20)),
    ("30号中午12点", at(11, 30, 12)),
    # a period of the day, no day: today if still ahead, else tomorrow
    ("中午12点截单", at(11, 18, 12)),
    ("中午1点", at(11, 18, 13)),
    ("晚上8点半", at(11, 18, 20, 30)),
    ("晚8:30", at(11, 18, 20, 30)),
    ("晚上10点45", at(11, 18, 22, 45)),
    ("晚上十一点三十", at(11, 18, 23, 30)),
    ("晚上7点三刻", at(11, 18, 19, 45)),
    ("晚上八点零五分", at(11, 18, 20, 5)),
    ("晚上８点", at(11, 18, 20)),             # full-width digit
    ("夜里11点", at(11, 18, 23)),
    ("凌晨1点", at(11, 19, 1)),
    ("傍晚6点", at(11, 18, 18)),
    ("下午五点一刻", at(11, 18, 17, 15)),
    ("下午两点", at(11, 18, 14)),
    ("下午4时30分", at(11, 18, 16, 30)),
    ("早上7点半", at(11, 19, 7, 30)),         # passed today: tomorrow
    ("上午11点", at(11, 18, 11)),
    # a bare clock: 24-hour reading, today if still ahead, else tomorrow
    ("20:30", at(11, 18, 20, 30)),
    ("20：00", at(11, 18, 20)),               # full-width colon
    ("14:00整", at(11, 18, 14)),
    ("二十三点", at(11, 18, 23)),
    ("23点59分", at(11, 18, 23, 59)),
    ("11点", at(11, 18, 11)),
    ("12点", at(11, 18, 12)),
    ("8点45分", at(11, 19, 8, 45)),
    ("9点30分", at(11, 19, 9, 30)),
    ("8点钟", at(11, 19, 8)),
    ("十点", at(11, 19, 10)),                 # exactly opened_at is not ahead: tomorrow
]


@pytest.mark.parametrize(("text", "expected"), SPELLINGS, ids=[text for text, _ in SPELLINGS])
def test_spelling(text: str, expected: datetime) -> None:
    result = parse_time_expression(text, OPENED_AT)
    assert result == expected
    assert result.tzinfo is SHANGHAI


@pytest.mark.parametrize(("text", "expected"), SPELLINGS, ids=[text for text, _ in SPELLINGS])
def test_spelling_is_found_as_deadline_inside_a_description(text: str, expected: datetime) -> None:
    assert find_deadline(f"【水果接龙】{text}截单，谢谢大家", OPENED_AT) == expected


def test_table_covers_at_least_45_distinct_spellings() -> None:
    assert len({text for text, _ in SPELLINGS}) == len(SPELLINGS) >= 45


@pytest.mark.parametrize("text", [
    "", "腊月廿五", "腊月廿五8点", "正月初一晚8点", "明天", "周五", "随便聊聊", "25点", "周五25:00",
    "2月30日8点", "今晚8点61分", "周八8点", "hello 12", None,
])
def test_text_without_a_real_time_gives_none(text: str) -> None:
    assert parse_time_expression(text, OPENED_AT) is None
    assert find_deadline(f"{text}截单", OPENED_AT) is None


def test_friday_evening_eight_means_this_coming_friday_20_00() -> None:
    assert parse_time_expression("周五晚8点", OPENED_AT) == at(11, 20, 20)


def test_next_week_monday_is_in_the_next_calendar_week_not_the_next_monday_after_days() -> None:
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
    assert parse_time_expression("下周一12:00", sunday) == at(11, 23, 12)
    assert parse_time_expression("周一12:00", sunday) == at(11, 23, 12)


def test_result_keeps_the_timezone_of_opened_at() -> None:
    opened = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    result = parse_time_expression("明天20:00", opened)
    assert result == datetime(2026, 11, 19, 20, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert result.tzinfo is opened.tzinfo


def test_find_deadline_picks_the_cutoff_time_not_the_pickup_time() -> None:
    text = "周五晚8点截单，周六上午10点到店自取～"
    assert find_deadline(text, OPENED_AT) == at(11, 20, 20)


def test_find_deadline_prefers_jiedan_over_a_pickup_time_with_qian() -> None:
    text = "周六上午10点前到店自取，周五晚8点截单"
    assert find_deadline(text, OPENED_AT) == at(11, 20, 20)


def test_find_deadline_accepts_a_jiedan_label_before_the_time() -> None:
    text = "今日团购：草莓🍓 39元/盒\n截单时间：明天中午12点\n自提点：3号楼"
    assert find_deadline(text, OPENED_AT) == at(11, 19, 12)


def test_find_deadline_reads_a_numbered_list_item() -> None:
    text = "1.草莓 2.蓝莓\n3.明天中午12点截单"
    assert find_deadline(text, OPENED_AT) == at(11, 19, 12)


def test_find_deadline_accepts_qian_when_nothing_says_jiedan() -> None:
    assert find_deadline("车厘子接龙，今晚9点前下单", OPENED_AT) == at(11, 18, 21)


def test_find_deadline_ignores_qianwang_meaning_go_to() -> None:
    assert find_deadline("周六10点前往自提点取货", OPENED_AT) is None


@pytest.mark.parametrize("text", [
    "明天上午10点前送到，北门自提",
    "周六下午4点前到货",
    "周六上午10点前到店自取",
    "周日中午12点之前配送到楼下",
])
def test_find_deadline_ignores_qian_before_a_delivery_or_pickup(text: str) -> None:
    assert find_deadline(text, OPENED_AT) is None


def test_find_deadline_returns_none_when_no_time_is_marked_as_deadline() -> None:
    assert find_deadline("周六上午10点到店自取，数量有限", OPENED_AT) is None
    assert find_deadline("今天的苹果很甜，欢迎接龙", OPENED_AT) is None


def test_garbage_unicode_of_100000_chars_returns_none_quickly() -> None:
    rng = random.Random(20261118)
    garbage = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(100_000))
    parse_time_expression("8点", OPENED_AT)          # compile the grammar outside the timing
    started = time.perf_counter()
    assert find_deadline(garbage, OPENED_AT) is None
    assert parse_time_expression(garbage, OPENED_AT) is None
    assert time.perf_counter() - started < 2.0


def test_long_runs_of_time_like_text_stay_fast() -> None:
    started = time.perf_counter()
    assert find_deadline("8点" * 30_000, OPENED_AT) is None
    assert find_deadline("一二三四五六七八九十点" * 9_000, OPENED_AT) is None
    assert find_deadline("8点" * 30_000 + "周五晚8点截单", OPENED_AT) == at(11, 20, 20)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("opened_at", [
    datetime(9999, 12, 31, 23, 0, tzinfo=SHANGHAI),
    datetime(1, 1, 1, 0, 0, tzinfo=SHANGHAI),
])
def test_opened_at_at_the_edge_of_the_calendar_never_raises(opened_at: datetime) -> None:
    for text in ("明天8点", "下周一8点", "周一8点", "11月1日8点", "1号8点", "今晚12点"):
        for result in (parse_time_expression(text, opened_at), find_deadline(text + "截单", opened_at)):
            assert result is None or result.year in (1, 9999)


@pytest.mark.parametrize("text", [
    "已定餐要取消的请于10点50前通知店里",
    "取消订单请在周五晚8点前说一声",
    "取消截止时间：明天中午12点",
    "周六上午10点前到店自取，已下单要退款的请于周五晚8点前联系",
    "周五晚8点前付款",
])
def test_a_time_for_something_else_than_ordering_is_not_the_rounds_deadline(text: str) -> None:
    assert find_deadline(text, OPENED_AT) is None


def test_the_rounds_deadline_is_found_beside_a_rule_about_cancelling() -> None:
    text = "今日午餐接龙，11点截单\n已定餐要取消的请于10点50前通知店里"
    assert find_deadline(text, OPENED_AT) == at(11, 18, 11)


@pytest.mark.parametrize(("text", "expected", "said"), [
    ("接龙到周五晚8点，周六送", at(11, 20, 20), "接龙到周五晚8点"),
    ("周五晚8点前请大家接龙", at(11, 20, 20), "周五晚8点前请大家接龙"),
    ("今晚9点前下单，明天送到", at(11, 18, 21), "今晚9点前下单"),
    ("截单时间：明天中午12点\n自提点：3号楼", at(11, 19, 12), "截单时间：明天中午12点"),
    ("周五晚8点截单，周六上午10点到店自取～", at(11, 20, 20), "周五晚8点截单"),
    ("今晚9点前，周六送到", at(11, 18, 21), "今晚9点前"),
])
def test_the_deadline_read_says_which_words_it_came_from(text: str, expected: datetime, said: str) -> None:
    found = read_deadline(text, OPENED_AT)
    assert (found.at, found.said) == (expected, said)
