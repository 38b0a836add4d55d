"""`jielong doctor`: one line per check; each fault names what is wrong and
how to fix it, and makes the exit status non-zero. The puppet check runs
against the real Wechaty puppet service (tests/wechaty_service, mock puppet)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from bot import doctor
from storage import schema
from storage.database import Database

JIELONG = Path(sys.executable).parent / "jielong"

GOOD = """\
[bot]
admins = ["wxid_boss"]

[storage]
url = "sqlite:///{db}"
"""
WECHATY = """\
[bot]
transport = "wechaty"

[wechaty]
endpoint = "127.0.0.1:{port}"
token = "{token}"

[storage]
url = "sqlite:///{db}"
"""


def _doctor(tmp_path: Path, text: str, *extra: str) -> tuple[int, dict[str, str]]:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    result = subprocess.run([str(JIELONG), "doctor", "--config", str(config), *extra],
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr + result.stdout
    lines = {}
    for line in result.stdout.splitlines():
        mark, check, text_ = line[:4].strip(), line[5:14].strip(), line[15:]
        lines[check] = f"{mark} {text_}"
    assert set(lines) == {"config", "database", "puppet", "font", "timezone"}, result.stdout
    return result.returncode, lines


def test_a_healthy_console_deployment_passes_every_check(tmp_path):
    status, lines = _doctor(tmp_path, GOOD.format(db=tmp_path / "orders.db"))
    assert status == 0, lines
    assert lines["database"].startswith("ok") and "created at the first start" in lines["database"]
    assert lines["puppet"].startswith("ok") and "not used" in lines["puppet"]
    assert lines["timezone"].startswith("ok") and "Asia/Shanghai" in lines["timezone"]


def test_a_misspelt_key_is_the_config_fault(tmp_path):
    status, lines = _doctor(tmp_path, GOOD.replace("admins", "admin").format(db=tmp_path / "o.db"))
    assert status == 1
    assert lines["config"].startswith("FAIL") and 'did you mean "admins"' in lines["config"]


def test_a_database_folder_that_does_not_exist_is_the_database_fault(tmp_path):
    status, lines = _doctor(tmp_path, GOOD.format(db=tmp_path / "missing" / "orders.db"))
    assert status == 1
    assert lines["database"].startswith("FAIL") and "does not exist" in lines["database"]
    assert not (tmp_path / "missing").exists()


def test_an_unreachable_database_is_named_with_its_password_hidden(tmp_path):
    text = GOOD.replace('url = "sqlite:///{db}"', 'url = "postgresql+psycopg://shop:secret@127.0.0.1:1/orders"')
    status, lines = _doctor(tmp_path, text)
    assert status == 1
    assert lines["database"].startswith("FAIL") and "shop:***@127.0.0.1:1" in lines["database"]
    assert "secret" not in lines["database"]


def test_a_database_behind_the_code_says_it_is_upgraded_at_start(tmp_path):
    db = tmp_path / "orders.db"
    Database(f"sqlite:///{db}").dispose()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(update(schema.VERSION).values(version_num=schema.known_revisions()[0]))
    engine.dispose()
    status, lines = _doctor(tmp_path, GOOD.format(db=db))
    assert status == 1
    assert lines["database"].startswith("FAIL") and "upgrades the schema at start" in lines["database"]


def test_a_database_from_a_newer_jielong_is_refused(tmp_path):
    db = tmp_path / "orders.db"
    Database(f"sqlite:///{db}").dispose()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(update(schema.VERSION).values(version_num="9999"))
    engine.dispose()
    status, lines = _doctor(tmp_path, GOOD.format(db=db))
    assert status == 1 and "unknown to this jielong" in lines["database"]


def test_an_unknown_timezone_is_named(tmp_path):
    text = GOOD.format(db=tmp_path / "o.db") + '\n[schedule]\ntimezone = "Mars/Olympus"\n'
    status, lines = _doctor(tmp_path, text)
    assert status == 1
    assert lines["timezone"].startswith("FAIL") and "Mars/Olympus" in lines["timezone"]


def test_no_cjk_font_is_the_font_fault(monkeypatch):
    monkeypatch.setattr("bot.doctor.cjk_font", lambda: None)
    finding = doctor.check_font()
    assert finding.ok is False and "fonts-wqy-microhei" in finding.text


def test_a_puppet_service_that_is_not_there_is_the_puppet_fault(tmp_path):
    status, lines = _doctor(tmp_path, WECHATY.format(port=1, token="t", db=tmp_path / "o.db"))
    assert status == 1
    assert lines["puppet"].startswith("FAIL") and "cannot reach 127.0.0.1:1" in lines["puppet"]


def test_the_real_puppet_service_accepts_its_token_and_refuses_another(tmp_path, _wechaty_available):
    from puppet_service import PuppetServiceProcess, free_port as _free_port

    port = _free_port()
    service = PuppetServiceProcess(port, "right-token", tmp_path / "service.log").start()
    try:
        status, lines = _doctor(tmp_path, WECHATY.format(port=port, token="right-token", db=tmp_path / "o.db"))
        assert status == 0, lines
        assert "token accepted" in lines["puppet"]
        status, lines = _doctor(tmp_path, WECHATY.format(port=port, token="wrong-token", db=tmp_path / "o.db"))
        assert status == 1
        assert lines["puppet"].startswith("FAIL") and "refused the token" in lines["puppet"]
    finally:
        service.stop()


@pytest.fixture(scope="module")
def _wechaty_available():
    from puppet_service import unavailable as _unavailable

    import os
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("JIELONG_REQUIRE_WECHATY") or os.environ.get("CI"):
        pytest.fail(f"the Wechaty puppet service must run here but cannot: {reason}")
    pytest.skip(reason)
