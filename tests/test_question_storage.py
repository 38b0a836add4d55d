"""Questions in the database (storage/questions.py): what was asked, its
numbered options, and how it ends — on a real SQLite file and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Boolean, DateTime, column, create_engine, insert, select, table

from storage import questions, schema
from storage.database import Database
from storage.models import Question, Room, Round
from storage.questions import AskedItem

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _round(db: Database) -> int:
    with db.unit_of_work() as session:
        session.add(Room(id="room@chatroom", name=""))
        rnd = Round(room_id="room@chatroom", title="冬至", status="open", opened_by="boss", opened_at=AT)
        session.add(rnd)
        session.flush()
        return rnd.id


def _ask(db: Database, round_id: int, sender: str, *items: AskedItem, settled_by=(), entry_key=None) -> int:
    with db.unit_of_work() as session:
        question = questions.new_question(round_id=round_id, room_id="room@chatroom", sender=sender,
                                          customer=sender, text="水饺 2袋", items=items, at=AT,
                                          settled_by=settled_by, entry_key=entry_key, note="自提")
        session.add(question)
        session.flush()
        return question.id


DUMPLINGS = AskedItem("ambiguous", "水饺", ("猪肉白菜水饺", "三鲜水饺"), quantity=2.0, unit="袋")
SPEC = AskedItem("missing_spec", "汤圆", ("黑芝麻", "花生"), product="汤圆", quantity=3.0, unit="袋")


def test_asked_items_keep_their_options_in_the_order_the_question_numbered_them(db_url):
    db = Database(db_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_xu", DUMPLINGS, entry_key="许文水饺2袋")
    with db.session() as session:
        [question] = questions.open_questions(session, round_id, "wxid_xu")
        assert questions.asked(question) == [DUMPLINGS]
        assert question.reason == "ambiguous" and question.state == "open"
        assert question.entry_key == "许文水饺2袋" and question.note == "自提"
    db.dispose()


def test_open_questions_are_the_senders_own_latest_first(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    first = _ask(db, round_id, "wxid_gao", SPEC)
    _ask(db, round_id, "wxid_other", DUMPLINGS)
    latest = _ask(db, round_id, "wxid_gao", DUMPLINGS)
    with db.session() as session:
        assert [q.id for q in questions.open_questions(session, round_id, "wxid_gao")] == [latest, first]
    db.dispose()


def test_a_question_is_answered_once_every_asked_item_is(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_wu", DUMPLINGS, SPEC)
    with db.unit_of_work() as session:
        [question] = questions.open_questions(session, round_id, "wxid_wu")
        questions.item_done(question, 1, AT)
        assert question.state == "open"
        assert [item.product for item in questions.waiting(question)] == [None]
        questions.item_done(question, 0, AT)
        assert question.state == "answered" and question.settled_at == AT
    with db.session() as session:
        assert questions.open_questions(session, round_id, "wxid_wu") == []
    db.dispose()


def test_dropped_and_dismissed_questions_are_no_longer_waiting(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_a", DUMPLINGS)
    _ask(db, round_id, "wxid_b", SPEC)
    with db.unit_of_work() as session:
        a, b = questions.waiting_in_round(session, round_id)
        questions.settle(a, questions.DROPPED, AT)
        questions.settle(b, questions.DISMISSED, AT)
    with db.session() as session:
        assert questions.waiting_in_round(session, round_id) == []
        assert [q.state for q in session.scalars(select(Question).order_by(Question.id))] == [
            "dropped", "dismissed"]
    db.dispose()


def test_refused_late_entries_are_unresolved_but_not_waiting_for_an_answer(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_late", AskedItem("closed", "苹果2斤"))
    with db.session() as session:
        assert questions.waiting_in_round(session, round_id) == []
        assert questions.open_questions(session, round_id, "wxid_late") == []
    db.dispose()


def test_ordering_the_item_clearly_answers_the_questions_about_it(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_wu", DUMPLINGS, settled_by=("猪肉白菜水饺", "三鲜水饺"))
    _ask(db, round_id, "wxid_wu", SPEC, settled_by=("汤圆",))
    with db.unit_of_work() as session:
        assert questions.settle_ordered(session, round_id, "wxid_wu", {"三鲜水饺"}, AT) == 1
    with db.session() as session:
        [left] = questions.open_questions(session, round_id, "wxid_wu")
        assert questions.asked(left) == [SPEC]
    db.dispose()


def test_an_answer_that_fitted_nothing_is_asked_again_only_once(sqlite_url):
    db = Database(sqlite_url)
    round_id = _round(db)
    _ask(db, round_id, "wxid_wu", DUMPLINGS)
    with db.unit_of_work() as session:
        [question] = questions.open_questions(session, round_id, "wxid_wu")
        questions.mark_followed([question])
        assert question.followed
        questions.asked_again(question)
        assert question.retried and not question.followed
    db.dispose()


def test_questions_settled_before_the_migration_are_answered_after_it(sqlite_url):
    engine = create_engine(sqlite_url)
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    # the questions table of the first revision, as an older bot wrote it
    old = table("questions", column("room_id"), column("sender"), column("customer"), column("text"),
                column("reason"), column("suggestions", JSON), column("settled_by", JSON),
                column("settled", Boolean), column("created_at", DateTime(timezone=True)))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for settled in (True, False):
            connection.execute(insert(old).values(room_id="r", sender="wxid", customer="", text="葡萄1斤",
                                                  reason="ambiguous", suggestions=[], settled_by=[],
                                                  settled=settled, created_at=AT))
    schema.upgrade(engine)
    with engine.connect() as connection:
        states = connection.execute(select(Question.state).order_by(Question.id)).scalars()
        assert list(states) == ["answered", "open"]
    engine.dispose()
