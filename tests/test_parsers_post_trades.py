"""接龙 posts of other trades: prices and times in the description are not entries."""
from __future__ import annotations

from parsers.post import parse_post
from parsers.text import normalize

POST = """#接龙
周六鲜肉团
2.5元/斤 特价鸡翅
10:00到货 5栋门口
5斤装东北大米 45元/袋
例：王姐 五花肉2斤
1. 王姐 五花肉2斤
2、李 排骨1斤
3.赵 牛腩1斤
4) 钱 鸡翅2斤
12.  孙 三黄鸡1只"""


def test_description_with_decimal_prices_and_times_has_no_entries():
    post = parse_post(normalize(POST))
    assert post.title == "周六鲜肉团"
    assert post.description == ("2.5元/斤 特价鸡翅", "10:00到货 5栋门口", "5斤装东北大米 45元/袋")
    assert post.example == "王姐 五花肉2斤"
    assert [(e.seq, e.text) for e in post.entries] == [
        (1, "王姐 五花肉2斤"), (2, "李 排骨1斤"), (3, "赵 牛腩1斤"), (4, "钱 鸡翅2斤"), (12, "孙 三黄鸡1只")]
