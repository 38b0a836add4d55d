"""Database URLs that cannot be used are one line naming the URL (password
hidden) and the cause, quickly; a SQLite file's folder is never created."""
from __future__ import annotations

import socket
import time

import pytest

from storage.database import CONNECT_TIMEOUT, Database, UnusableDatabase, safe_url


def _refused(url: str) -> str:
    with pytest.raises(UnusableDatabase) as caught:
        Database(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_text_that_is_no_url_is_named_with_an_example():
    message = _refused("notaurl")
    assert "'notaurl'" in message and "sqlite:///" in message


def test_sqlite_file_in_a_missing_folder_is_an_error_and_no_folder_appears(tmp_path):
    folder = tmp_path / "no" / "such"
    message = _refused(f"sqlite:///{folder}/orders.db")
    assert str(folder) in message and "does not exist" in message
    assert not (tmp_path / "no").exists()


def test_unknown_database_kind_is_named():
    assert "nosuchdb" in _refused("nosuchdb://user@host/db")


def test_missing_driver_says_what_to_install():
    message = _refused("mysql://shop:secret@127.0.0.1/orders")
    assert "driver is not installed" in message and "pip install" in message
    assert "secret" not in message and "***" in message


def test_refused_postgresql_connection_hides_the_password_and_gives_the_cause():
    start = time.monotonic()
    message = _refused("postgresql+psycopg://shop:secret@127.0.0.1:1/orders")
    assert time.monotonic() - start < 45        # no minutes-long wait (not a speed figure)
    assert "secret" not in message and "shop:***@127.0.0.1:1" in message
    assert "cannot be used" in message


def test_a_server_that_never_answers_is_given_up_on_after_the_connect_timeout():
    with socket.socket() as silent:               # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        start = time.monotonic()
        message = _refused(f"postgresql+psycopg://shop@127.0.0.1:{port}/orders")
    assert time.monotonic() - start < 6 * CONNECT_TIMEOUT     # gave up, not waited minutes
    assert f"127.0.0.1:{port}" in message and "timeout" in message


def test_safe_url_hides_passwords_even_when_the_url_does_not_parse():
    assert safe_url("postgresql://a:pw@h/db") == "postgresql://a:***@h/db"
    assert "pw" not in safe_url("postgresql://a:pw@h:notaport/db")


def test_sqlite_in_an_existing_folder_still_works(tmp_path):
    Database(f"sqlite:///{tmp_path}/orders.db").dispose()
    assert (tmp_path / "orders.db").exists()
