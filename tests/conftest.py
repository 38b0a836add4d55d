"""Shared test fixtures (infrastructure only; no application imports).

Databases
  sqlite_url  -> "sqlite:///<tmp_path>/test.db", a fresh file per test.
  pg_server   -> session-wide throwaway PostgreSQL (tests/pg_server.py);
                 a PgServer with .url ("postgresql+psycopg://postgres@127.0.0.1:PORT/jielong_test").
  pg_url      -> URL of a fresh, empty PostgreSQL database for this test (dropped after it).
  db_url      -> parametrized over "sqlite" and "postgresql": one test body runs on both.
                 The PostgreSQL case carries the `postgres` mark (deselect with -m "not postgres").
  PostgreSQL missing: skipped, or failed when JIELONG_REQUIRE_PG=1 (as `make test` sets).
  JIELONG_TEST_PG_URL=<url> uses an existing server instead of starting one.

Corpus
  shared_eval -> Path of ../shared/eval (the development corpus beside the clone);
                 skipped when absent, failed when the CI env var is set.
                 SHARED_EVAL is the same path as a constant.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pg_server as _pg  # tests/pg_server.py (tests/ is on sys.path via this conftest)

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: the test needs a PostgreSQL server")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/test.db"


@pytest.fixture(scope="session")
def pg_server():
    if not os.environ.get(_pg.ENV_URL):
        try:
            _pg.find_pg_bindir()
        except _pg.PostgresNotInstalled as e:
            if os.environ.get("JIELONG_REQUIRE_PG") == "1":
                pytest.fail(f"PostgreSQL is required (JIELONG_REQUIRE_PG=1) but {e}")
            pytest.skip("PostgreSQL is not installed: run `make test` to install it")
    server = _pg.start_pg_server()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    if not SHARED_EVAL.is_dir():
        reason = "the development corpus ../shared/eval is not beside this clone"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return SHARED_EVAL
