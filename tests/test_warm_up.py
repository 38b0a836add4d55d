"""Bot.warm: a rehearsal before the first real message leaves nothing behind."""
from __future__ import annotations

from sqlalchemy import func, select

from chat import Chat, jielong
from storage.models import Base


def _row_counts(bot) -> dict[str, int]:
    with bot.db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def test_warm_up_persists_nothing(db_url):
    chat = Chat(db_url)
    before = _row_counts(chat.bot)
    chat.bot.warm()
    assert _row_counts(chat.bot) == before
    assert chat.bot._rooms == set() and chat.bot._seen_senders == set()


def test_warm_up_leaves_the_first_round_and_orders_as_without_it(sqlite_url, tmp_path):
    def run(chat: Chat):
        chat.admin(jielong("周五水果"))
        chat.say("wxid_li", jielong("周五水果", "李明 苹果2斤"))
        replies = chat.say("wxid_wang", jielong("周五水果", "李明 苹果2斤", "王芳 香蕉3斤"))
        return chat.orders(), [r.text for r in replies]

    warmed = Chat(sqlite_url)
    warmed.bot.warm()
    plain = Chat(f"sqlite:///{tmp_path}/plain.db")
    assert run(warmed) == run(plain)
