"""Questions that take answers (CONTRACT 3c), through the real bot on a real SQLite file."""
from __future__ import annotations

import pytest

from bot.config import Config
from chat import ADMIN, Chat
from parsers.catalogue import ProductInfo


def dumpling_shop() -> Config:
    products = (
        ProductInfo("猪肉白菜水饺", 28.0, "袋"),
        ProductInfo("三鲜水饺", 32.0, "袋"),
        ProductInfo("汤圆", 15.0, "袋", specs=("黑芝麻", "花生")),
        ProductInfo("五花肉", 19.8, "斤"),
        ProductInfo("里脊", 22.0, "斤", confirm_over=10),
        ProductInfo("鸡腿", 6.0, "个", stock=3),
        ProductInfo("排骨", 36.0, "斤", limit=5),
    )
    return Config(bot_id="bot", bot_name="小龙", admins=frozenset({ADMIN}), products=products)


@pytest.fixture
def shop(sqlite_url) -> Chat:
    chat = Chat(sqlite_url, dumpling_shop())
    chat.admin("开团 冬至")
    return chat


def texts(replies) -> list[str]:
    return [r.text for r in replies]


def test_the_question_numbers_its_options_in_catalogue_order(shop):
    [reply] = shop.say("wxid_xu", "水饺 2袋", name="许文")
    assert "1. 猪肉白菜水饺 2. 三鲜水饺" in reply.text and "回复序号或名称" in reply.text


def test_answer_by_option_number_orders_the_asked_amount(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    [reply] = shop.say("wxid_xu", "2", name="许文")
    assert reply.text == "@许文 好的，已登记：三鲜水饺 2袋 64元"
    assert shop.orders() == {"许文": {("三鲜水饺", None): 2.0}}
    assert shop.unresolved() == []


@pytest.mark.parametrize("answer", ["三鲜的", "要三鲜", "@小龙 三鲜", "第二个", "2号"])
def test_answer_by_name_part_or_number_after_other_peoples_messages(shop, answer):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_ma", "猪肉白菜水饺1袋", name="马丽")
    shop.say("wxid_ma", "上次的三鲜水饺真好吃，馅很足", name="马丽")
    shop.say("wxid_xu", answer, name="许文")
    assert shop.orders() == {"马丽": {("猪肉白菜水饺", None): 1.0}, "许文": {("三鲜水饺", None): 2.0}}
    assert shop.unresolved() == []


def test_a_spec_answer_with_its_own_amount_orders_that_amount(shop):
    shop.say("wxid_guo", "汤圆", name="郭婷")
    shop.say("wxid_guo", "黑芝麻的 3袋", name="郭婷")
    assert shop.orders() == {"郭婷": {("汤圆", "黑芝麻"): 3.0}}


def test_a_number_answers_the_latest_question_it_fits(shop):
    shop.say("wxid_wu", "水饺 1袋", name="吴敏")
    shop.say("wxid_wu", "汤圆2袋", name="吴敏")
    shop.say("wxid_wu", "1", name="吴敏")
    assert shop.orders() == {"吴敏": {("汤圆", "黑芝麻"): 2.0}}
    assert [u["reason"] for u in shop.unresolved()] == ["ambiguous"]


def test_someone_elses_answer_does_not_answer_my_question(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_ma", "三鲜的", name="马丽")
    assert shop.orders() == {}
    assert [u["sender"] for u in shop.unresolved()] == ["wxid_xu"]


def test_an_answer_that_fits_no_option_is_asked_again_once(shop):
    shop.say("wxid_guo", "汤圆", name="郭婷")
    [again] = shop.say("wxid_guo", "第五个", name="郭婷")
    assert again.text == "@郭婷 没对上哦，请回复序号：1. 黑芝麻 2. 花生"
    assert shop.say("wxid_guo", "第六个", name="郭婷") == []
    shop.say("wxid_guo", "花生", name="郭婷")
    assert shop.orders() == {"郭婷": {("汤圆", "花生"): 1.0}}


def test_never_mind_right_after_a_question_drops_it_and_keeps_the_order(shop):
    shop.say("wxid_zeng", "五花肉2斤", name="曾强")
    shop.say("wxid_zeng", "汤圆 3袋", name="曾强")
    [reply] = shop.say("wxid_zeng", "不要了", name="曾强")
    assert "不要了" in reply.text and "其他订单不变" in reply.text
    assert shop.orders() == {"曾强": {("五花肉", None): 2.0}}
    assert shop.unresolved() == []


def test_never_mind_later_is_the_usual_cancel(shop):
    shop.say("wxid_zeng", "五花肉2斤", name="曾强")
    shop.say("wxid_zeng", "汤圆 3袋", name="曾强")
    shop.say("wxid_zeng", "猪肉白菜水饺1袋", name="曾强")
    shop.say("wxid_zeng", "取消", name="曾强")
    assert shop.orders() == {}


def test_an_absurd_amount_is_confirmed_before_it_is_ordered(shop):
    [ask] = shop.say("wxid_long", "@小龙 五花肉30公斤", name="阿龙")
    assert ask.text == "@阿龙 五花肉 60斤，确认吗？回复「确认」或新的数量"
    assert shop.orders() == {}
    assert [u["reason"] for u in shop.unresolved()] == ["confirm"]
    shop.say("wxid_qin", "五花肉2斤", name="秦岚")
    shop.say("wxid_long", "嗯", name="阿龙")
    assert shop.orders()["阿龙"] == {("五花肉", None): 60.0}
    assert shop.unresolved() == []


def test_a_new_amount_answers_a_confirm_question_with_that_amount(shop):
    shop.say("wxid_qin", "里脊15斤", name="秦岚")
    shop.say("wxid_qin", "1.5斤", name="秦岚")
    assert shop.orders() == {"秦岚": {("里脊", None): 1.5}}


def test_an_unconfirmed_amount_stays_unresolved_when_the_round_closes(shop):
    shop.say("wxid_xiao", "五花肉100斤", name="萧萧")
    shop.admin("截单")
    assert [(u["sender"], u["reason"]) for u in shop.unresolved()] == [("wxid_xiao", "confirm")]


def test_an_amount_that_fits_answers_a_stock_question(shop):
    shop.say("wxid_a", "鸡腿5个", name="阿梅")
    shop.say("wxid_b", "今天几点送到？", name="小北")
    shop.say("wxid_a", "那就3个", name="阿梅")
    assert shop.orders() == {"阿梅": {("鸡腿", None): 3.0}}


def test_an_amount_that_fits_answers_a_limit_question_and_the_rest_of_the_entry_stands(shop):
    shop.say("wxid_luo", "排骨6斤 五花肉1斤", name="骆姐")
    assert shop.orders() == {"骆姐": {("五花肉", None): 1.0}}
    shop.say("wxid_luo", "那就5斤", name="骆姐")
    assert shop.orders() == {"骆姐": {("五花肉", None): 1.0, ("排骨", None): 5.0}}


def test_a_question_never_blocks_the_customers_other_orders(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_xu", "五花肉2斤", name="许文")
    assert shop.orders() == {"许文": {("五花肉", None): 2.0}}
    assert [u["reason"] for u in shop.unresolved()] == ["ambiguous"]


def test_ordering_the_item_clearly_settles_the_question(shop):
    shop.say("wxid_xu", "水饺 2袋", name="许文")
    shop.say("wxid_xu", "三鲜水饺3袋", name="许文")
    assert shop.orders() == {"许文": {("三鲜水饺", None): 3.0}}
    assert shop.unresolved() == []


def test_an_answered_jielong_line_is_that_lines_order_and_a_repost_does_not_repeat_it(shop):
    post = "#接龙\n冬至\n例 张三 三鲜水饺1袋\n1. 邵明 汤圆2袋"
    shop.say("wxid_shao", post, name="邵明")
    shop.say("wxid_lei", post + "\n2. 雷雨 五花肉1斤", name="雷雨")
    shop.say("wxid_shao", "花生", name="邵明")
    shop.say("wxid_kong", post + "\n2. 雷雨 五花肉1斤\n3. 孔丽 三鲜水饺1袋", name="孔丽")
    orders = shop.orders()
    assert orders["邵明"] == {("汤圆", "花生"): 2.0}
    assert len(orders) == 3 and shop.unresolved() == []
    # the owner taking the line out of the list cancels the order the answer made
    shop.say("wxid_shao", "#接龙\n冬至\n例 张三 三鲜水饺1袋\n1. 雷雨 五花肉1斤\n2. 孔丽 三鲜水饺1袋", name="邵明")
    assert "邵明" not in shop.orders()


def test_a_lone_product_name_is_an_order_of_one(shop):
    [reply] = shop.say("wxid_lu", "三鲜水饺", name="卢小鹿")
    assert "已登记" in reply.text
    assert shop.orders() == {"卢小鹿": {("三鲜水饺", None): 1.0}}


def test_an_amount_with_only_wanting_words_asks_which_product_by_its_unit(shop):
    [reply] = shop.say("wxid_e", "我要3袋", name="小e")
    assert "没有" not in reply.text
    assert "1. 猪肉白菜水饺 2. 三鲜水饺 3. 汤圆" in reply.text
    shop.say("wxid_e", "2", name="小e")
    assert shop.orders() == {"小e": {("三鲜水饺", None): 3.0}}


def test_a_number_with_no_question_open_answers_nothing(shop):
    shop.say("wxid_d", "1", name="小d")
    assert shop.orders() == {} and shop.unresolved() == []


def test_chatter_and_questions_keep_quiet(shop):
    for text in ("上次的三鲜水饺真好吃", "汤圆还有吗？", "今天几点到", "👍"):
        assert shop.say("wxid_q", text, name="小q") == [], text


# -- the console session of issue 12, run again ---------------------------------

SESSION = [
    # (who types, what, whether it gets a reply: customers' order messages do, chatter does not)
    ("/admin", None, False),
    ("团长", "开团 冬至", None),
    ("/as wxid_xu 许文", None, False),
    ("许文", "水饺 2袋", True),
    ("/as wxid_gao 高飞", None, False),
    ("高飞", "汤圆3袋", True),
    ("/as wxid_xu 许文", None, False),
    ("许文", "三鲜的", True),
    ("/as wxid_gao 高飞", None, False),
    ("高飞", "@小龙 花生", True),
    ("/as wxid_lu 卢小鹿", None, False),
    ("卢小鹿", "三鲜水饺", True),
    ("卢小鹿", "上次的汤圆真好吃", False),
    ("/as wxid_guo 郭婷", None, False),
    ("郭婷", "汤圆", True),
    ("郭婷", "1", True),
    ("/as wxid_long 阿龙", None, False),
    ("阿龙", "五花肉 100斤", True),
    ("阿龙", "10斤", True),
]


def test_console_session_every_order_message_gets_a_reply_and_every_answer_is_taken(tmp_path):
    import io

    from bot.app import build_bot
    from bot.transports.console import run_console

    bot = build_bot(dumpling_shop(), f"sqlite:///{tmp_path}/console.db", scheduler=False)
    lines = [who if what is None else what for who, what, _ in SESSION]
    out = io.StringIO()
    run_console(bot, bot.config, io.StringIO("\n".join(lines) + "\n/quit\n"), out)
    # the console prints "name> " before each line it reads, and the replies after it
    transcript = out.getvalue()
    typed = [(who, what, about) for who, what, about in SESSION if what is not None]
    for (who, what, about), said in zip(typed, _replies_after_each_message(transcript, typed)):
        if about is not None:
            assert ("小龙 →" in said) == about, (who, what, said)
    from storage.reports import orders_document

    document = orders_document(bot.db)
    baskets = {o["customer"]: [(i["product"], i["spec"], i["quantity"]) for i in o["items"]]
               for o in document["orders"]}
    assert baskets == {"许文": [("三鲜水饺", None, 2.0)], "高飞": [("汤圆", "花生", 3.0)],
                       "卢小鹿": [("三鲜水饺", None, 1.0)], "郭婷": [("汤圆", "黑芝麻", 1.0)],
                       "阿龙": [("五花肉", None, 10.0)]}
    assert document["unresolved"] == []
    bot.db.dispose()


def _replies_after_each_message(transcript: str, typed) -> list[str]:
    """The console's output between one typed message's prompt and the next prompt."""
    prompts = [f"{who}> " for who, _, _ in typed]
    out, rest = [], transcript
    for prompt in prompts:
        _, _, rest = rest.partition(prompt)
        # what follows this prompt up to the next prompt of anyone
        nxt = min((i for i in (rest.find(f"{w}> ") for w in {"团长", "许文", "高飞", "卢小鹿", "郭婷", "阿龙", "顾客"})
                   if i != -1), default=len(rest))
        out.append(rest[:nxt])
    return out
