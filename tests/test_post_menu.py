"""Which numbered lines of a #接龙 post are the menu and which are entries (CONTRACT 3b)."""
from __future__ import annotations

from parsers.post import parse_post


def _entries(text: str) -> list[tuple[int, str]]:
    post = parse_post(text)
    assert post is not None
    return [(e.seq, e.text) for e in post.entries]


def _menu(text: str) -> list[tuple[str | None, str, float]]:
    post = parse_post(text)
    assert post is not None
    return [(x.code, x.name, x.price) for x in post.menu.lines]


MENU = "#接龙\n周末茶叶团\n顺丰包邮\n1. 高山茶 168元/罐\n2. 红茶 ¥88/盒\n3. 花茶 45元/袋"


def test_a_priced_numbered_run_without_example_is_the_menu_not_entries():
    assert _entries(MENU) == []
    assert _menu(MENU) == [("1", "高山茶", 168), ("2", "红茶", 88), ("3", "花茶", 45)]


def test_entries_are_the_run_that_starts_again_at_one_after_the_menu():
    for gap in ("\n", "\n\n"):
        text = MENU + gap + "1. 老王 1+3\n2. 小李 2x2"
        assert _entries(text) == [(1, "老王 1+3"), (2, "小李 2x2")]
        assert [code for code, _, _ in _menu(text)] == ["1", "2", "3"]


def test_numbered_lines_before_the_example_line_are_never_entries():
    text = "#接龙\n午餐\n便当 22元\n1.红烧肉\n2.炒青菜\n例 张三 便当1份\n1. 老王 便当1份"
    assert _entries(text) == [(1, "老王 便当1份")]
    assert _menu(text) == [(None, "便当", 22)]          # the dish list is description, not products


def test_a_dish_list_followed_by_entries_is_description():
    text = "#接龙\n午餐 25元/份\n1.红烧肉\n2.炒青菜\n1. 老王 2份"
    assert _entries(text) == [(1, "老王 2份")]


def test_a_plain_list_of_entries_stays_entries():
    text = "#接龙\n水果团\n苹果 6元/斤\n1. 张三 苹果2斤\n2. 李四 苹果3斤\n3. 王五 苹果1斤"
    assert _entries(text) == [(1, "张三 苹果2斤"), (2, "李四 苹果3斤"), (3, "王五 苹果1斤")]
    assert _menu(text) == [(None, "苹果", 6)]


def test_a_list_broken_by_a_stray_line_is_still_one_list_of_entries():
    text = "#接龙\n水果团\n1. 张三 苹果2斤\n补一句：周六到\n2. 李四 苹果3斤"
    assert _entries(text) == [(1, "张三 苹果2斤"), (2, "李四 苹果3斤")]


def test_circled_and_keycap_menus_are_read_from_the_post_as_written():
    text = "#接龙\n甜品\n①酥饼（咸蛋黄/肉松）18.8/20.8\n2️⃣ 蛋挞 12元/盒\n例 张三 1肉松+2\n1. 小王 1肉松+2"
    post = parse_post(text)
    assert [(x.code, x.name, x.specs, x.spec_prices) for x in post.menu.lines] == [
        ("1", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)), ("2", "蛋挞", (), ())]
    assert _entries(text) == [(1, "小王 1肉松+2")]


def test_reposts_parse_the_same_and_do_not_read_the_menu():
    text = MENU + "\n1. 老王 1+3"
    post = parse_post(text)
    assert "menu" not in post.__dict__         # read on demand: once per round, by the bot


BARE = "#接龙\n周六面包团\n下午三点自提\n1. 全麦方包 16\n2. 肉桂卷（原味/葡萄干）9/11\n3. 法棍 7.5"


def test_the_opening_post_reads_a_numbered_run_with_bare_prices_as_its_menu():
    post = parse_post(BARE, opening=True)
    assert post is not None and post.entries == ()
    assert [(x.code, x.name, x.price) for x in post.menu.lines] == [
        ("1", "全麦方包", 16), ("2", "肉桂卷", 9), ("3", "法棍", 7.5)]


def test_the_opening_post_with_bare_prices_keeps_its_entries_restarting_at_one():
    post = parse_post(BARE + "\n1. 阿芳 1+3\n2. 小周 2x2", opening=True)
    assert post is not None
    assert [(e.seq, e.text) for e in post.entries] == [(1, "阿芳 1+3"), (2, "小周 2x2")]


def test_numbered_lines_with_bare_trailing_numbers_are_entries_in_reposts():
    assert _entries("#接龙\n周六面包团\n1. 阿芳 2\n2. 小周 3") == [(1, "阿芳 2"), (2, "小周 3")]


def test_numbered_lines_after_an_example_stay_entries_even_in_the_opening_post():
    post = parse_post("#接龙\n周六面包团\n例 张三 1\n1. 阿芳 2\n2. 小周 3", opening=True)
    assert post is not None
    assert [(e.seq, e.text) for e in post.entries] == [(1, "阿芳 2"), (2, "小周 3")]


def test_a_single_numbered_line_with_a_bare_number_in_the_opening_post_is_an_entry():
    post = parse_post("#接龙\n周六面包团\n1. 阿芳 2", opening=True)
    assert post is not None and [(e.seq, e.text) for e in post.entries] == [(1, "阿芳 2")]
