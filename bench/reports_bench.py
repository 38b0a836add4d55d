"""How long the merchant's reports take on a 300-customer round (SQLite).

    .venv/bin/python bench/reports_bench.py [customers]

Builds the round through the real bot (tests/test_reports.py's generator),
then times each report command end to end (Bot.handle: load, compute, render,
files written, outbox row).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_reports import build_bot, config, generate_round  # noqa: E402


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as folder:
        os.environ["JIELONG_FILES_DIR"] = f"{folder}/files"
        bot = build_bot(config(), f"sqlite:///{folder}/orders.db")
        start = time.perf_counter()
        chat = generate_round(bot, seed=7, customers=customers)
        print(f"round: {chat.count} messages in {time.perf_counter() - start:.1f}s")
        for command in ("汇总", "备货单", "对账单", "收款", "配送单", "导出", "汇总 图", "汇总 图"):
            start = time.perf_counter()
            out = chat.boss(command)
            took = (time.perf_counter() - start) * 1000
            size = sum(len(r.text) for r in out)
            print(f"{command:6} {took:8.1f} ms  {len(out):2} message(s) {size:6} chars")
        bot.db.dispose()


if __name__ == "__main__":
    main()
