"""First-run admin: a one-time code binds whoever sends it as a merchant."""
from __future__ import annotations

from datetime import datetime, timezone

from storage import merchants
from storage.database import Database

AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_the_same_unused_code_is_printed_at_every_start_until_it_is_used(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        code = merchants.pending_code(session, AT)
    with db.unit_of_work() as session:
        assert merchants.pending_code(session, AT) == code
        assert len(code) == merchants.CODE_DIGITS and code.isdigit()
    db.dispose()


def test_a_code_binds_one_sender_once(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        code = merchants.pending_code(session, AT)
    with db.unit_of_work() as session:
        assert not merchants.redeem(session, "00000000" if code != "00000000" else "11111111", "wxid_x", "X", AT)
        assert merchants.redeem(session, code, "wxid_boss", "老板", AT)
    with db.unit_of_work() as session:
        assert not merchants.redeem(session, code, "wxid_other", "别人", AT)
        assert merchants.merchant_ids(session) == {"wxid_boss"}
        assert merchants.pending_code(session, AT) != code      # a new start would print a fresh one
    db.dispose()
