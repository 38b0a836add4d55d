"""Entry lines against a round's menu (CONTRACT 3b), one canonical reading each.

The catalogues are built as the menu reader builds a round's: the menu's
products, with their numbers or letters, in menu order, then configured ones.
Lines are passed as written (parse_line normalises them itself), so names keep
their emoji and traditional characters.

Item notation as in test_parsers_trades: `"奶酥面包/抹茶 1 #1"` is product, spec,
quantity in the selling unit and the menu code that named it (none: named by
name); `"?missing_spec"` etc. are items the bot must ask about.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.catalogue import Catalogue, ProductInfo
from parsers.entry import EntryRequest, ItemProblem, parse_line, resolve_item


def product(name: str, unit: str, *aliases: str, code: str | None = None, specs: tuple[str, ...] = (),
            default: bool = False) -> ProductInfo:
    return ProductInfo(name, 10.0, unit, tuple(aliases), specs=specs, code=code, default=default)


MENUS = {
    # a bakery that numbers its menu; one configured product after the menu
    "bakery": Catalogue((
        product("奶酥面包", "袋", code="1", specs=("原味", "抹茶", "巧克力")),
        product("蛋黄酥", "盒", code="2"),
        product("提拉米苏", "个", code="3"),
        product("榴莲班戟", "盒", code="4"),
        product("水果茶", "杯", code="5", specs=("🥭", "🍓奶昔", "🦐")),
        product("核桃酥", "袋", code="9"),
        product("雪花酥", "袋", code="11"),
        product("全麦吐司", "条"),
    )),
    # an office lunch with a lettered menu
    "lunch": Catalogue((
        product("宫保鸡丁饭", "份", code="A"),
        product("鱼香肉丝饭", "份", code="B"),
        product("牛排饭", "份", code="C", specs=("黑椒牛排", "番茄牛排")),
    )),
    "daily": Catalogue((product("纸巾", "提"), product("洗衣液", "瓶"))),
    # no codes at all: numbers are amounts
    "plain": Catalogue((
        product("蛋黄酥", "盒"), product("提拉米苏", "个"),
        product("矿泉水", "箱"), product("可乐", "箱"), product("雪碧", "箱"),
        product("葡萄", "斤", specs=("红提", "青提")),
        product("辣酱", "瓶", specs=("🌶", "不辣")),
        product("五花肉", "斤"), product("柠檬茶", "瓶"), product("三鲜水饺", "袋"),
        product("向日葵", "枝"), product("百合", "束"),
    )),
}


def read(menu: str, line: str) -> tuple[str | None, list[str], str]:
    catalogue = MENUS[menu]
    parsed = parse_line(line, catalogue)
    assert isinstance(parsed, EntryRequest), f"{line!r} was read as {parsed!r}"
    items = []
    for item in parsed.items:
        resolved = resolve_item(item, catalogue)
        if isinstance(resolved, ItemProblem):
            items.append(f"?{resolved.reason}")
        else:
            spec = f"/{resolved.spec}" if resolved.spec else ""
            code = f" #{item.code}" if item.code else ""
            items.append(f"{resolved.product}{spec} {resolved.quantity:g}{code}")
    return parsed.customer, items, parsed.note


BY_CODE = [
    # numbers joined by +
    ("bakery", "2+4+9", None, ["蛋黄酥 1 #2", "榴莲班戟 1 #4", "核桃酥 1 #9"], ""),
    ("bakery", "2＋4＋9", None, ["蛋黄酥 1 #2", "榴莲班戟 1 #4", "核桃酥 1 #9"], ""),
    ("bakery", "2、4、9", None, ["蛋黄酥 1 #2", "榴莲班戟 1 #4", "核桃酥 1 #9"], ""),
    ("bakery", "2 4", None, ["蛋黄酥 1 #2", "榴莲班戟 1 #4"], ""),
    # a spec of the numbered item, glued or in brackets
    ("bakery", "1抹茶+3", None, ["奶酥面包/抹茶 1 #1", "提拉米苏 1 #3"], ""),
    ("bakery", "1（巧克力）", None, ["奶酥面包/巧克力 1 #1"], ""),
    ("bakery", "1(原味)+2", None, ["奶酥面包/原味 1 #1", "蛋黄酥 1 #2"], ""),
    ("bakery", "1 巧克力", None, ["奶酥面包/巧克力 1 #1"], ""),
    ("bakery", "1", None, ["?missing_spec"], ""),
    # a multiplier
    ("bakery", "11x2", None, ["雪花酥 2 #11"], ""),
    ("bakery", "11*2", None, ["雪花酥 2 #11"], ""),
    ("bakery", "11×2", None, ["雪花酥 2 #11"], ""),
    ("bakery", "11X2+3", None, ["雪花酥 2 #11", "提拉米苏 1 #3"], ""),
    ("bakery", "3 2个", None, ["提拉米苏 2 #3"], ""),
    # a lone number after the customer's name; the name glued to it
    ("bakery", "王姐 2", "王姐", ["蛋黄酥 1 #2"], ""),
    ("bakery", "2", None, ["蛋黄酥 1 #2"], ""),
    ("bakery", "🌸5🥭", "🌸", ["水果茶/🥭 1 #5"], ""),
    ("bakery", "🌸4", "🌸", ["榴莲班戟 1 #4"], ""),
    ("bakery", "晴天4", "晴天", ["榴莲班戟 1 #4"], ""),
    ("bakery", "Lily 2+3", "Lily", ["蛋黄酥 1 #2", "提拉米苏 1 #3"], ""),
    ("bakery", "3. 小林 2+4", "小林", ["蛋黄酥 1 #2", "榴莲班戟 1 #4"], ""),
    ("bakery", "12. 陈 11", "陈", ["雪花酥 1 #11"], ""),
    # a number before a unit or a product name is an amount
    ("bakery", "2蛋黄酥", None, ["蛋黄酥 2"], ""),
    ("bakery", "2盒蛋黄酥", None, ["蛋黄酥 2"], ""),
    ("bakery", "蛋黄酥2", None, ["蛋黄酥 2"], ""),
    ("bakery", "蛋黄酥 2", None, ["蛋黄酥 2"], ""),
    ("bakery", "奶酥面包 抹茶 2", None, ["奶酥面包/抹茶 2"], ""),
    ("bakery", "全麦吐司2条", None, ["全麦吐司 2"], ""),
    ("bakery", "3+全麦吐司1条", None, ["提拉米苏 1 #3", "全麦吐司 1"], ""),
    # a number that is no menu item is not an item
    ("bakery", "王姐 2+4 88 Pine St", "王姐", ["蛋黄酥 1 #2", "榴莲班戟 1 #4"], "88 Pine St"),
    # letters
    ("lunch", "A*2", None, ["宫保鸡丁饭 2 #A"], ""),
    ("lunch", "B×2", None, ["鱼香肉丝饭 2 #B"], ""),
    ("lunch", "b", None, ["鱼香肉丝饭 1 #B"], ""),
    ("lunch", "c 黑椒", None, ["牛排饭/黑椒牛排 1 #C"], ""),
    ("lunch", "C黑椒", None, ["牛排饭/黑椒牛排 1 #C"], ""),
    ("lunch", "C番茄 +A", None, ["牛排饭/番茄牛排 1 #C", "宫保鸡丁饭 1 #A"], ""),
    ("lunch", "Amy A", "Amy", ["宫保鸡丁饭 1 #A"], ""),
    ("lunch", "A栋1203 B", "A栋1203", ["鱼香肉丝饭 1 #B"], ""),
    # without codes, numbers are amounts as before
    ("plain", "老王 蛋黄酥 2", "老王", ["蛋黄酥 2"], ""),
]


@pytest.mark.parametrize(("menu", "line", "customer", "items", "note"), BY_CODE)
def test_items_named_by_menu_number_or_letter(menu, line, customer, items, note):
    assert read(menu, line) == (customer, items, note)


def test_a_lone_number_is_recognisable_as_one():
    catalogue = MENUS["bakery"]
    assert parse_line("2", catalogue).lone_code == "2"
    assert parse_line("王姐 2", catalogue).lone_code == "2"
    assert parse_line("2+3", catalogue).lone_code is None
    assert parse_line("11x2", catalogue).lone_code is None
    assert parse_line("蛋黄酥 2", catalogue).lone_code is None


def test_without_a_numbered_menu_a_lone_number_names_no_item():
    parsed = parse_line("王姐 2", MENUS["plain"])
    assert parsed is None or not parsed.items


READING = [
    # items first, the note after: numbers in the note are neither items nor amounts
    ("plain", "蛋黄酥2盒 Unit 305", None, ["蛋黄酥 2"], "Unit 305"),
    ("bakery", "2+3 oak 9", None, ["蛋黄酥 1 #2", "提拉米苏 1 #3"], "oak 9"),
    ("bakery", "3+4 （送666）", None, ["提拉米苏 1 #3", "榴莲班戟 1 #4"], "(送666)"),
    ("bakery", "2+4 88 Pine St", None, ["蛋黄酥 1 #2", "榴莲班戟 1 #4"], "88 Pine St"),
    ("plain", "提拉米苏3个 放门卫 2号柜", None, ["提拉米苏 3"], "放门卫 2号柜"),
    # a room or building before the items is the customer's, never an amount
    ("plain", "A栋1203 五花肉 2斤", "A栋1203", ["五花肉 2"], ""),
    ("plain", "D座1605 五花肉2斤", "D座1605", ["五花肉 2"], ""),
    ("plain", "C区0805 提拉米苏", "C区0805", ["提拉米苏 1"], ""),
    ("plain", "3栋502 蛋黄酥1盒", "3栋502", ["蛋黄酥 1"], ""),
    ("plain", "7-2-301 蛋黄酥1盒", "7-2-301", ["蛋黄酥 1"], ""),
    ("plain", "B座2201 李 五花肉1斤", "B座2201 李", ["五花肉 1"], ""),
    # pack sizes in the product's text
    ("plain", "矿泉水550ml*24瓶3箱", None, ["矿泉水 3"], ""),
    ("plain", "可乐330ml*24罐 2箱", None, ["可乐 2"], ""),
    ("plain", "雪碧12罐装一箱", None, ["雪碧 1"], ""),
    ("plain", "可乐500mlx24罐 1箱", None, ["可乐 1"], ""),
    ("daily", "纸巾100抽*24包 2提", None, ["纸巾 2"], ""),
    ("daily", "洗衣液3kg 2瓶", None, ["洗衣液 2"], ""),
    ("daily", "洗衣液2kg3瓶", None, ["洗衣液 3"], ""),
    # 各 over every spec before it
    ("plain", "葡萄 红提和青提 各2斤", None, ["葡萄/红提 2", "葡萄/青提 2"], ""),
    ("plain", "蛋黄酥 提拉米苏 各2", None, ["蛋黄酥 2", "提拉米苏 2"], ""),
    # specs written with emoji; an emoji is no word
    ("bakery", "水果茶🥭", None, ["水果茶/🥭 1"], ""),
    ("bakery", "水果茶 🍓奶昔 2杯", None, ["水果茶/🍓奶昔 2"], ""),
    ("bakery", "水果茶 🍤 2杯", None, ["水果茶/🦐 2"], ""),
    ("bakery", "水果茶🍓", None, ["水果茶/🍓奶昔 1"], ""),
    ("bakery", "水果茶🍉 蛋黄酥1盒", None, ["?missing_spec", "蛋黄酥 1"], ""),
    ("plain", "辣酱🌶️2瓶", None, ["辣酱/🌶 2"], ""),
    ("plain", "辣酱 不辣 1瓶", None, ["辣酱/不辣 1"], ""),
    # a spec of the product just named belongs to it, wherever it stands
    ("bakery", "2奶酥面包 原味", None, ["奶酥面包/原味 2"], ""),
    ("bakery", "奶酥面包 2袋 抹茶", None, ["奶酥面包/抹茶 2"], ""),
    # names as written
    ("plain", "鄭姐 五花肉兩斤", "鄭姐", ["五花肉 2"], ""),
    ("plain", "🌸小雨🌸 五花肉2斤", "🌸小雨🌸", ["五花肉 2"], ""),
]


@pytest.mark.parametrize(("menu", "line", "customer", "items", "note"), READING)
def test_reading_real_entry_lines(menu, line, customer, items, note):
    assert read(menu, line) == (customer, items, note)


_ODD = st.sampled_from(["🌶", "🌶️", "不", "辣", "!", "（", "/", " ", "🍓奶昔", "x", "1", "大", "#", "·", "🥭🥭"])


@settings(max_examples=60, deadline=None)
@given(specs=st.lists(_ODD, min_size=1, max_size=4, unique=True), line=st.text(
    alphabet="辣酱不🌶️!（/ 大x1#·2瓶🍓奶昔🥭各和+", max_size=20))
def test_odd_specs_never_break_matching(specs, line):
    catalogue = Catalogue((product("辣酱", "瓶", specs=tuple(specs)), product("五花肉", "斤", code="1")))
    parsed = parse_line(line, catalogue)
    if isinstance(parsed, EntryRequest):
        for item in parsed.items:
            resolve_item(item, catalogue)


NOTHING_SILENT = [
    # a partial match never swallows the start of another word
    ("plain", "柠檬水 2瓶", None, ["?unknown_product"], ""),
    ("plain", "柠檬水", None, ["?unknown_product"], ""),
    ("plain", "柠檬2瓶", None, ["柠檬茶 2"], ""),
    # a product name alone is one unit; an unknown word alone, or with an amount, is asked about
    ("plain", "三鲜水饺", None, ["三鲜水饺 1"], ""),
    ("plain", "向日葵", None, ["向日葵 1"], ""),
    ("plain", "3-201 百合", "3-201", ["百合 1"], ""),
    ("plain", "阿梅 口水鸡", "阿梅", ["?unknown_product"], ""),
    ("plain", "榴莲 2个", None, ["?unknown_product"], ""),
    ("plain", "白茶 2饼", None, ["?unknown_product"], ""),
    ("plain", "要榴莲2个", None, ["?unknown_product"], ""),
    # chatter and questions name no item
    ("plain", "上次的草莓真好吃", None, [], "上次的草莓真好吃"),
    ("plain", "榴莲还有吗", None, [], "榴莲还有吗"),
    ("plain", "谢谢 辛苦了", None, [], "谢谢 辛苦了"),
    ("plain", "王芳", None, [], "王芳"),
    ("plain", "截单", None, [], "截单"),
    # notes keep only the words that were not part of anything recognised
    ("plain", "5花肉2斤", None, ["五花肉 2"], ""),
    ("plain", "三鲜水饺 3代", None, ["三鲜水饺 3"], ""),
    ("plain", "五花肉2jin", None, ["五花肉 2"], ""),
    ("plain", "五花肉 要2斤", None, ["五花肉 2"], ""),
    ("plain", "五花肉2斤 米饭换面条", None, ["五花肉 2"], "米饭换面条"),
]


@pytest.mark.parametrize(("menu", "line", "customer", "items", "note"), NOTHING_SILENT)
def test_order_attempts_are_items_and_chatter_is_not(menu, line, customer, items, note):
    assert read(menu, line) == (customer, items, note)


@pytest.mark.parametrize(("line", "customer"), [("我要3袋", None), ("王姐要3袋", "王姐"), ("老王 两袋", "老王")])
def test_an_amount_with_no_product_is_an_amount(line, customer):
    parsed = parse_line(line, MENUS["plain"])
    assert parsed.items == () and parsed.customer == customer and parsed.bare_quantity.unit == "袋"


def test_an_unknown_word_is_asked_about_with_suggestions():
    parsed = parse_line("柠檬水 2瓶", MENUS["plain"])
    problem = resolve_item(parsed.items[0], MENUS["plain"])
    assert problem.reason == "unknown_product" and "柠檬茶" in problem.suggestions


SET_MEAL = Catalogue((
    product("素食套餐", "份", default=True),
    product("卤蛋", "个"), product("凉拌木耳", "份", "凉菜"), product("鸡腿", "个"), product("例汤", "份", "汤"),
    product("米饭", "份"), product("面条", "份"),
))

MEALS = [
    # every line is one meal; the line's own amount of it
    ("7. 小林 C区 少饭", "小林", ["素食套餐 1"], "C区 少饭"),
    ("小林", "小林", ["素食套餐 1"], ""),
    ("3份", None, ["素食套餐 3"], ""),
    ("两份", None, ["素食套餐 2"], ""),
    ("+2份", None, ["素食套餐 2"], ""),
    ("8、阿强 两份 一份少饭", "阿强", ["素食套餐 2"], "一份少饭"),
    # add-ons come besides one meal, with 加 or without
    ("加个凉菜", None, ["素食套餐 1", "凉拌木耳 1"], ""),
    ("小王 少饭 加2个鸡腿", "小王", ["素食套餐 1", "鸡腿 2"], "少饭"),
    ("少饭，凉菜", None, ["素食套餐 1", "凉拌木耳 1"], "少饭"),
    ("小吴 2份 加卤蛋", "小吴", ["素食套餐 2", "卤蛋 1"], ""),
    # only 单点 orders the add-on alone
    ("单点鸡腿", None, ["鸡腿 1"], ""),
    ("小陈 单点鸡腿2个", "小陈", ["鸡腿 2"], ""),
    # 加 with something not on sale is note
    ("加多汤", None, ["素食套餐 1"], "加多汤"),
    # breakdowns after the line's amount are note; a count before an add-on is its amount
    ("4份（1份少饭，1份不要辣）", None, ["素食套餐 4"], "(1份少饭 1份不要辣)"),
    ("3加卤蛋", None, ["素食套餐 1", "卤蛋 3"], ""),
    ("小李 （2例汤）", "小李", ["素食套餐 1", "例汤 2"], ""),
    # swaps are wishes: note, and the items go on after them
    ("米饭换面条 2份", None, ["素食套餐 2"], "米饭换面条"),
    ("小周 米饭换面条 加卤蛋", "小周", ["素食套餐 1", "卤蛋 1"], "米饭换面条"),
]


@pytest.mark.parametrize(("line", "customer", "items", "note"), MEALS)
def test_set_meal_rounds_order_the_default_product(line, customer, items, note):
    MENUS["meal"] = SET_MEAL
    assert read("meal", line) == (customer, items, note)


def test_the_meal_a_line_names_by_no_word_is_marked():
    parsed = parse_line("小林 少饭", SET_MEAL)
    assert [(i.match.product, i.by_default) for i in parsed.items] == [("素食套餐", True)]


def test_a_swap_orders_neither_product_in_any_round():
    parsed = parse_line("五花肉2斤 米饭换面条", Catalogue((product("五花肉", "斤"), product("米饭", "份"),
                                                     product("面条", "份"))))
    assert [i.match.product for i in parsed.items] == ["五花肉"] and parsed.note == "米饭换面条"
