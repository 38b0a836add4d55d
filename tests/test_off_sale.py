"""A product taken off sale (下架) stays itself: named in full or by any alias
it is refused as off sale, never ordered as the product sold beside it."""
from __future__ import annotations

from bot.config import Config
from chat import ADMIN, Chat
from parsers.catalogue import ProductInfo


def test_product_taken_off_sale_is_refused_by_any_of_its_names_not_ordered_as_another(sqlite_url):
    beer = Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}), products=(
        ProductInfo("青岛啤酒", 60.0, "箱", aliases=("青岛",)),
        ProductInfo("雪花啤酒", 50.0, "箱", aliases=("雪花",)),
        ProductInfo("蓝月亮洗衣液", 49.0, "桶", aliases=("洗衣液", "蓝月亮")),
        ProductInfo("立白洗衣粉", 30.0, "袋", aliases=("洗衣粉",)),
    ))
    chat = Chat(sqlite_url, beer)
    chat.admin("开团 周末团")
    chat.admin("下架 雪花啤酒")
    chat.admin("下架 蓝月亮洗衣液")
    for text in ("雪花啤酒1箱", "雪花1箱", "洗衣液1桶", "蓝月亮洗衣液1桶"):
        replies = chat.say("wxid_li", text)
        assert "下架" in replies[0].text, text
    chat.say("wxid_li", "青岛啤酒1箱")
    assert chat.orders() == {"li": {("青岛啤酒", None): 1.0}}
