"""Benchmark: what the bot's persistence costs before any parsing.

    python bench/persistence_floor.py [--people 300]

Replays the 300-person 接龙 of bench/replay_bench.py twice, in process, on
fresh SQLite files, and prints the replay loop of each:

  * the real bot;
  * a bot that answers every message with a fixed reply without reading it:
    same unit of work per message (the message id recorded, the room, the
    products), same outbox, same delivery mark, same timed-job check.

The second figure is the floor that one transaction per message plus
at-least-once delivery costs here, whatever the parser does.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.app import Bot  # noqa: E402
from bot.chat.context import Context  # noqa: E402
from bot.clock import VirtualClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.schedule.scheduler import Scheduler  # noqa: E402
from bot.transports.outbox import Outbox  # noqa: E402
from bot.transports.replay import printer, read_chat, replay  # noqa: E402
from storage.database import Database  # noqa: E402


class SilentBot(Bot):
    """Reads nothing: every message gets the same reply."""

    def _dispatch(self, ctx: Context) -> None:
        ctx.say("收到")


def replay_loop(chat: Path, config_path: Path, db_url: str, *, silent: bool) -> float:
    bot = (SilentBot if silent else Bot)(load_config(config_path), Database(db_url))
    Scheduler(bot, VirtualClock())        # as bot.app.build_bot wires it
    outbox = Outbox(bot.db, printer(None))
    start = time.perf_counter()
    replay(read_chat(chat), bot.handle, None, deliver=outbox.drain, tick=bot.scheduler.run_due_jobs)
    elapsed = time.perf_counter() - start
    bot.scheduler.shutdown()
    bot.db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, str(HERE / "gen_big_jielong.py"), str(tmp), "--people", str(args.people)],
                       check=True, capture_output=True)
        chat, config = tmp / "chat.jsonl", tmp / "config.toml"
        real = replay_loop(chat, config, f"sqlite:///{tmp}/real.db", silent=False)
        floor = replay_loop(chat, config, f"sqlite:///{tmp}/silent.db", silent=True)
        print(f"replay loop, real bot:                  {real:.3f}s")
        print(f"replay loop, bot that reads nothing:    {floor:.3f}s  (persistence and delivery alone)")
        print(f"parsing, diffing and writing orders:    {real - floor:.3f}s")


if __name__ == "__main__":
    main()
