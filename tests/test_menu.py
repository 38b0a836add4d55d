"""The menu reader: one canonical reading, many spellings (CONTRACT 3b)."""
from __future__ import annotations

import time

import pytest

from parsers.catalogue import ProductInfo
from parsers.menu import Menu, MenuLine, read_line, read_menu, round_products


def _one(text: str) -> MenuLine:
    kind, lines = read_line(text)
    assert kind == "menu", (text, kind)
    assert len(lines) == 1, lines
    return lines[0]


# (spelling, name, price, unit)
PRICES = [
    ("桑葚 35元/盒", "桑葚", 35, "盒"),
    ("桑葚35/盒", "桑葚", 35, "盒"),
    ("桑葚 35 元 / 盒", "桑葚", 35, "盒"),
    ("桑葚 ¥35/盒", "桑葚", 35, "盒"),
    ("桑葚 ￥35/盒", "桑葚", 35, "盒"),
    ("桑葚 35块一盒", "桑葚", 35, "盒"),
    ("桑葚 35元一盒", "桑葚", 35, "盒"),
    ("桑葚 35元每盒", "桑葚", 35, "盒"),
    ("桑葚３５元／盒", "桑葚", 35, "盒"),
    ("桑葚 ¥35", "桑葚", 35, "份"),
    ("桑葚 35元", "桑葚", 35, "份"),
    ("桑葚 35块", "桑葚", 35, "份"),
    ("桑葚 35", "桑葚", 35, "份"),
    ("沃柑 7.5一斤", "沃柑", 7.5, "斤"),
    ("沃柑 7.5元一斤", "沃柑", 7.5, "斤"),
    ("沃柑 7.5元/斤", "沃柑", 7.5, "斤"),
    ("沃柑7.5元/斤", "沃柑", 7.5, "斤"),
    ("沃柑 7.5/斤", "沃柑", 7.5, "斤"),
    ("- 沃柑 7.5/斤", "沃柑", 7.5, "斤"),
    ("• 沃柑 7.5/斤", "沃柑", 7.5, "斤"),
    ("🍊沃柑 7.5/斤", "沃柑", 7.5, "斤"),
    ("今日特价：沃柑 7.5/斤", "沃柑", 7.5, "斤"),
    ("青稞饼 12.5元/个", "青稞饼", 12.5, "个"),
    ("青稞饼（3个装）12.5", "青稞饼", 12.5, "份"),
    ("青稞饼一袋五个 12.5", "青稞饼", 12.5, "份"),
    ("青稞饼一袋五个 12.5元/袋", "青稞饼", 12.5, "袋"),
    ("青稞饼 12.5元/袋(5个)", "青稞饼", 12.5, "袋"),
    ("青稞饼 12.5元/袋（5个）", "青稞饼", 12.5, "袋"),
    ("青稞饼 12.5元/袋【五个装】", "青稞饼", 12.5, "袋"),
    ("青稞饼 12.5 （不退不换）", "青稞饼", 12.5, "份"),
    ("青稞饼 12.5元/袋 新鲜现做", "青稞饼", 12.5, "袋"),
    ("高山茶 218元/罐(250g)", "高山茶", 218, "罐"),
    ("高山茶500g 218元/罐", "高山茶", 218, "罐"),
    ("纸巾 39.9元/提(3层100抽*24包)", "纸巾", 39.9, "提"),
    ("矿泉水 32元/箱(550ml*24瓶)", "矿泉水", 32, "箱"),
    ("工作餐（25元）", "工作餐", 25, "份"),
    ("商务套餐 28元（送汤、送饭）", "商务套餐", 28, "份"),
    ("Cola 3.5元/罐", "Cola", 3.5, "罐"),
    ("Coca Cola 3.5元/罐", "Coca Cola", 3.5, "罐"),
    ("羊排 68元/公斤", "羊排", 68, "公斤"),
    ("羊排 68元/kg", "羊排", 68, "kg"),
]


@pytest.mark.parametrize(("text", "name", "price", "unit"), PRICES)
def test_menu_line_reads_name_price_and_unit(text, name, price, unit):
    line = _one(text)
    assert (line.name, line.price, line.unit) == (name, price, unit)


# (spelling, code)
CODES = [
    ("1. 腊肠 58元/斤", "1"), ("1.腊肠 58元/斤", "1"), ("1、腊肠 58元/斤", "1"), ("1)腊肠 58元/斤", "1"),
    ("1）腊肠 58元/斤", "1"), ("①腊肠 58元/斤", "1"), ("① 腊肠 58元/斤", "1"), ("1️⃣ 腊肠 58元/斤", "1"),
    ("1️⃣腊肠 58元/斤", "1"), ("1⃣腊肠 58元/斤", "1"), ("１．腊肠 58元/斤", "1"), ("12. 腊肠 58元/斤", "12"),
    ("⑫腊肠 58元/斤", "12"), ("1️⃣2️⃣ 腊肠 58元/斤", "12"), ("❸腊肠 58元/斤", "3"),
    ("A:腊肠 58元/斤", "A"), ("A：腊肠 58元/斤", "A"), ("a. 腊肠 58元/斤", "A"), ("A.腊肠 58元/斤", "A"),
    ("c、腊肠 58元/斤", "C"), ("Ｂ：腊肠 58元/斤", "B"), ("D 腊肠 58元/斤", "D"), ("腊肠 58元/斤", None),
]


@pytest.mark.parametrize(("text", "code"), CODES)
def test_menu_line_keeps_its_number_or_letter(text, code):
    line = _one(text)
    assert (line.code, line.name, line.price, line.unit) == (code, "腊肠", 58, "斤")


# (spelling, name, specs, spec prices)
SPECS = [
    ("酥饼（咸蛋黄/肉松/红豆）18.8", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼(咸蛋黄/肉松/红豆) 18.8", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼（咸蛋黄、肉松、红豆）18.8元/盒", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼 咸蛋黄/肉松/红豆 18.8元/盒", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼 18.8元/盒 规格：咸蛋黄/肉松/红豆", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼 规格:咸蛋黄/肉松/红豆 18.8元/盒", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼 18.8（咸蛋黄/肉松/红豆）", "酥饼", ("咸蛋黄", "肉松", "红豆"), ()),
    ("酥饼一盒四个（咸蛋黄/肉松）18.8/20.8", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)),
    ("酥饼（咸蛋黄/肉松）18.8/20.8元/盒", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)),
    ("酥饼（咸蛋黄/肉松）18.8/20.8元一盒", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)),
    ("酥饼（咸蛋黄/肉松）18.8/18.8", "酥饼", ("咸蛋黄", "肉松"), ()),
    ("酥饼（🌶/不辣）18", "酥饼", ("🌶", "不辣"), ()),
    ("酥饼（🥭/🍓）18", "酥饼", ("🥭", "🍓"), ()),
    ("酥饼（大/小）18/12", "酥饼", ("大", "小"), (18, 12)),
    ("酥饼（A款/B款）18", "酥饼", ("A款", "B款"), ()),
    ("酥饼（6寸/8寸）88/128", "酥饼", ("6寸", "8寸"), (88, 128)),
    ("酥饼（原味!/加辣~）18", "酥饼", ("原味!", "加辣~"), ()),
    ("酥饼 18元/盒（咸蛋黄/肉松 请写口味）", "酥饼", ("咸蛋黄", "肉松"), ()),
    ("酥饼（6寸款/8寸款）88/128", "酥饼", ("6寸款", "8寸款"), (88, 128)),
    ("酥饼 咸蛋黄18.8元/盒 肉松20.8元/盒", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)),
    ("酥饼 咸蛋黄18.8/盒  肉松20.8/盒", "酥饼", ("咸蛋黄", "肉松"), (18.8, 20.8)),
]


@pytest.mark.parametrize(("text", "name", "specs", "spec_prices"), SPECS)
def test_menu_line_reads_specs_and_their_prices(text, name, specs, spec_prices):
    line = _one(text)
    assert (line.name, line.specs, line.spec_prices) == (name, specs, spec_prices)


# (spelling, stock, limit)
STOCK_AND_LIMITS = [
    ("腊肉 98元/斤 限量10斤", 10, None), ("腊肉 98元/斤 共50份", 50, None), ("腊肉 98元/斤 仅剩8斤", 8, None),
    ("腊肉 98元/斤（限量10斤）", 10, None), ("腊肉 98元/斤 库存20", 20, None), ("腊肉 98元/斤 还剩三斤", 3, None),
    ("腊肉 98元/斤 每人限3斤", None, 3), ("腊肉 98元/斤 限购2斤", None, 2), ("腊肉 98元/斤 每人限购2", None, 2),
    ("腊肉 98元/斤 每人限两斤", None, 2), ("腊肉 98元/斤 限量10斤 每人限3斤", 10, 3),
    ("腊肉98元/斤限量10斤每人限3斤", 10, 3), ("腊肉 98元/斤，限量10斤，每人限3斤", 10, 3),
]


@pytest.mark.parametrize(("text", "stock", "limit"), STOCK_AND_LIMITS)
def test_menu_line_reads_stock_and_limit(text, stock, limit):
    line = _one(text)
    assert (line.name, line.price, line.stock, line.limit) == ("腊肉", 98, stock, limit)


@pytest.mark.parametrize("text", [
    "牛腩 58元/斤  牛腱 66元/斤", "牛腩58元/斤 牛腱66元/斤", "牛腩 58元/斤，牛腱 66元/斤", "牛腩 58/斤；牛腱 66/斤",
    "牛腩¥58/斤 牛腱¥66/斤",
])
def test_two_products_on_one_line(text):
    kind, lines = read_line(text)
    assert kind == "menu"
    assert [(x.name, x.price, x.unit) for x in lines] == [("牛腩", 58, "斤"), ("牛腱", 66, "斤")]


@pytest.mark.parametrize("text", [
    "周六上午10点后到店自提", "3月28日到货", "10:50 小区东门", "截单时间 20:30", "满2件包邮", "满99元包邮",
    "运费10元", "联系电话 13812345678", "1.宫保鸡丁", "今日菜：红烧肉、炒时蔬、番茄炒蛋", "每人限2盒", "限量10份",
    "2026.3.28 发货", "第8期", "周三下午4点到，西门自提", "请大家踊跃接龙", "", "   ", "例 张三 1+3",
    "自提点：幸福路88号", "群里发红包 5元",
])
def test_description_lines_are_not_menu_lines(text):
    assert read_line(text)[0] == "description"


@pytest.mark.parametrize("text", [
    "1. 蜜桔 元/斤", "2. 蜜桔（大/小）18/20/22", "B：（大/小）18/20", "3、蜜桔（大/大）18元",
])
def test_a_line_that_looks_like_a_menu_line_but_cannot_be_read_is_reported(text):
    menu = read_menu(["团购", text])
    assert menu.lines == ()
    assert menu.unread == ((1, text),)


def test_menu_keeps_menu_order_and_line_numbers():
    menu = read_menu("周末团\n1. 蜜桔 18元/斤\n自提\n2. 沃柑 12元/斤\n3. 蜜桔 20元/斤")
    assert [(x.code, x.name, x.line_no) for x in menu.lines] == [("1", "蜜桔", 1), ("2", "沃柑", 3)]
    assert menu.unread == ((4, "3. 蜜桔 20元/斤"),)     # two lines never name the same product
    assert menu.numbered


def test_a_huge_post_is_read_politely_and_fast():
    lines = [f"{i}. 商品{i} {i % 90 + 1}元/份" for i in range(1, 1001)]
    started = time.perf_counter()
    menu = read_menu(lines)
    assert time.perf_counter() - started < 5
    assert isinstance(menu, Menu) and 0 < len(menu.lines) + len(menu.unread) <= 300
    long_line = "草莓35元/盒" * 10000
    assert read_line(long_line)[0] == "unread"
    assert read_menu("x" * 100000 + "\n草莓 35元/盒").lines[0].name == "草莓"
    assert read_line("(((((" * 30)[0] == "description"
    assert read_line("¥¥¥ 元元元 /// 、、、")[0] in ("description", "unread")


# -- the round's products: the menu first, then the configured catalogue -------------

CONFIGURED = (
    ProductInfo("排骨", 30, "斤", aliases=("肋排",), confirm_over=20),
    ProductInfo("土鸡蛋", 1.5, "个", stock=100),
    ProductInfo("大米", 60, "袋"),
)


def test_menu_line_naming_a_configured_product_is_that_product_with_the_menus_terms():
    menu = read_menu("肋排 36元/斤 每人限5斤\n土鸡蛋 2元")
    products = round_products(menu, CONFIGURED)
    assert [p.name for p in products] == ["排骨", "土鸡蛋", "大米"]
    ribs, eggs = products[0], products[1]
    assert (ribs.price, ribs.unit, ribs.limit, ribs.aliases, ribs.confirm_over) == (36, "斤", 5, ("肋排",), 20)
    assert (eggs.price, eggs.unit, eggs.stock) == (2, "个", 100)   # what the menu does not say stays


def test_a_menu_name_that_adds_characters_to_a_configured_name_is_a_new_product():
    products = round_products(read_menu("蒜香排骨 45元/份"), CONFIGURED)
    assert [p.name for p in products] == ["蒜香排骨", "排骨", "土鸡蛋", "大米"]


def test_two_menu_lines_never_name_the_same_configured_product():
    products = round_products(read_menu("1. 排骨 36元/斤\n2. 肋排 40元/斤"), CONFIGURED)
    assert [(p.name, p.code) for p in products][:2] == [("排骨", "1"), ("肋排", "2")]


def test_menu_products_carry_codes_specs_and_spec_prices():
    products = round_products(read_menu("A：酥饼（咸蛋黄/肉松）18.8/20.8元/盒 限量10盒"), ())
    assert products == (ProductInfo("酥饼", 18.8, "盒", specs=("咸蛋黄", "肉松"), spec_prices=(18.8, 20.8),
                                    stock=10, code="A"),)


@pytest.mark.parametrize("text, name, price, unit", [
    ("1、锡纸 30米 12.5元/卷", "锡纸", 12.5, "卷"),
    ("2、面巾纸 4层 9元/提", "面巾纸", 9, "提"),
    ("3、洗碗布 25cm 4元/条", "洗碗布", 4, "条"),
    ("4、手帕纸 120抽 3.5元/包", "手帕纸", 3.5, "包"),
])
def test_a_pack_measure_between_name_and_price_is_description_not_name(text, name, price, unit):
    line = _one(text)
    assert (line.name, line.price, line.unit) == (name, price, unit)
