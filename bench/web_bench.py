"""Server time of the merchant's web page on a round of 500 orders (SQLite).

    .venv/bin/python bench/web_bench.py [customers] [repeats]

Builds the round through the real bot (tests/test_reports.py's generator:
orders, changes, cancellations, payments, then 截单), logs in through a
one-time link, then requests each page in-process (Starlette's TestClient,
no network) and prints the median and best of several requests, and for the
round page how much of it is loading the rows and how much rendering.
Target: the round page of 500 orders in at most 150 ms.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_reports import BOSS, build_bot, config, generate_round  # noqa: E402


def timed(call, repeats: int) -> tuple[float, float]:
    took = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took), min(took)


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    from starlette.testclient import TestClient

    from bot.web.app import create_app
    from bot.merchant.login_links import login_link
    from storage.queries import load_round

    with tempfile.TemporaryDirectory() as folder:
        os.environ["JIELONG_FILES_DIR"] = f"{folder}/files"
        url = f"sqlite:///{folder}/orders.db"
        bot = build_bot(config(), url)
        start = time.perf_counter()
        generate_round(bot, seed=7, customers=customers)
        app = create_app(bot.config, url)
        web = app.state.web
        with web.db.session() as session:
            round_id = max(r for r, in session.execute(__import__("sqlalchemy").text("select id from rounds")))
            rows = load_round(session, round_id)
        print(f"round: {len(rows.orders)} orders, {sum(len(o.items) for o in rows.orders)} items "
              f"(built in {time.perf_counter() - start:.1f}s)")
        client = TestClient(app)
        with web.db.transaction() as connection:
            link = login_link(connection, web.config, BOSS, datetime.now(timezone.utc))
        assert client.get("/login/" + link.rsplit("/", 1)[1]).status_code == 200
        pages = ["/", f"/rounds/{round_id}", f"/rounds/{round_id}?status=unpaid", f"/rounds/{round_id}?q=王",
                 f"/rounds/{round_id}/pick", f"/rounds/{round_id}/delivery", f"/rounds/{round_id}/bills",
                 "/questions", f"/rounds/{round_id}/export.xlsx"]
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            median, best = timed(lambda: client.get(page), repeats)
            print(f"{page:32} median {median:7.1f} ms  best {best:7.1f} ms  {len(response.content) // 1024:5} KiB")

        def load() -> None:
            with web.db.session() as session:
                load_round(session, round_id)

        median, best = timed(load, repeats)
        print(f"{'  of which loading the rows':32} median {median:7.1f} ms  best {best:7.1f} ms")
        bot.db.dispose()
        web.db.dispose()


if __name__ == "__main__":
    main()
