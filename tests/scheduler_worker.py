"""A bot process for the scheduler's multi-process tests, driven line by line on stdin.

    python tests/scheduler_worker.py DB_URL START_ISO

Commands (one per line; each answers one line on stdout):
    lead            "lead yes|no": whether this process holds the scheduler lock
    tick ISO        "fired [job ids]": run the jobs due by ISO on the virtual clock
    live POLL       "live": run APScheduler's own thread on the wall clock
    leading         "leading yes|no": whether the live thread currently runs jobs
The test ends it with SIGKILL (the honest crash) or by closing stdin.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

from bot.app import build_bot
from bot.clock import SystemClock, VirtualClock
from bot.config import Config, ScheduleConfig
from parsers.catalogue import ProductInfo


def worker_config() -> Config:
    return Config(bot_id="bot", bot_name="小龙", admins=frozenset({"wxid_boss"}),
                  products=(ProductInfo("苹果", 6.8, "斤"),),
                  schedule=ScheduleConfig(remind_before_minutes=30))


def main() -> None:
    url, start = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    live = len(sys.argv) > 3 and sys.argv[3] == "live"
    bot = build_bot(worker_config(), url, clock=SystemClock() if live else VirtualClock(start))
    scheduler = bot.scheduler
    print("ready", flush=True)
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        if verb == "lead":
            print("lead", "yes" if scheduler.leadership.hold() else "no", flush=True)
        elif verb == "tick":
            fired = scheduler.run_due_jobs(datetime.fromisoformat(arg))
            print("fired", json.dumps([run.job_id for run in fired]), flush=True)
        elif verb == "live":
            scheduler.start(poll_seconds=float(arg or 0.1))
            print("live", flush=True)
        elif verb == "leading":
            print("leading", "yes" if scheduler.leading else "no", flush=True)
    scheduler.shutdown()


if __name__ == "__main__":
    main()
