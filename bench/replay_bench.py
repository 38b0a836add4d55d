"""Benchmark: a 300-person 接龙 where everyone re-posts the whole list.

    python bench/replay_bench.py [--people 300] [--db URL]

Prints figures, asserts nothing (timings belong here, not in tests):
  * the bot's replay (SQLite persistence included): the whole loop (timed
    jobs, handling, delivering replies through the outbox), the handling
    alone, and per-message p50/p99 of the handling;
  * whole-process wall time and peak memory (ru_maxrss of the child);
  * start-up (importing the CLI and building the catalogue);
  * the cost of one more unchanged 300-line repost;
  * a plain in-memory regex parser doing the same chat, for scale;
  * whether the orders are exactly the generated ones.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
JIELONG = Path(sys.executable).with_name("jielong")


def regex_baseline(chat: Path) -> float:
    """Orders from the same chat with one regex per line and a dict: no bot."""
    line = re.compile(r"^\d+\.\s*(.+?)\s+((?:\S+?\d+\S)+.*)$")
    start = time.perf_counter()
    orders: dict[str, str] = {}
    for raw in chat.read_text(encoding="utf-8").splitlines():
        text = json.loads(raw)["text"]
        for row in text.split("\n"):
            m = line.match(row)
            if m and m.group(1) not in orders:
                orders[m.group(1)] = m.group(2)
    return time.perf_counter() - start


def run(cmd: list[str]) -> tuple[float, str, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr[-500:]}")
    return wall, proc.stdout, proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--runs", type=int, default=3, help="whole-process runs of the replay and the baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, str(HERE / "gen_big_jielong.py"), str(tmp), "--people", str(args.people)],
                       check=True, capture_output=True)
        chat, config = tmp / "chat.jsonl", tmp / "config.toml"
        lines = sum(json.loads(l)["text"].count("\n") + 1 for l in chat.read_text(encoding="utf-8").splitlines())

        # One more repost of the final, unchanged list, from someone new.
        last = json.loads(chat.read_text(encoding="utf-8").splitlines()[-1])
        again = dict(last, id="big-again", sender="wxid_again", name="路人")
        chat_again = tmp / "chat_again.jsonl"
        chat_again.write_text(chat.read_text(encoding="utf-8") + json.dumps(again, ensure_ascii=False) + "\n",
                              encoding="utf-8")

        startup, _, _ = run([sys.executable, "-c", "import bot.cli, bot.app"])
        # in turn, best of --runs: the bot's replay (the big chat plus one unchanged repost) and
        # the regex baseline as a whole process (bench/regex_baseline.py), start-up included on both sides
        walls, base_walls = [], []
        for attempt in range(args.runs):
            db = args.db or f"sqlite:///{tmp}/bench-{attempt}.db"
            wall, _, stats = run([str(JIELONG), "replay", str(chat_again), "--config", str(config), "--db", db,
                                  "--orders-json", str(tmp / "out.json"), "--quiet", "--stats"])
            walls.append(wall)
            base_walls.append(run([sys.executable, str(HERE / "regex_baseline.py"), str(chat_again)])[0])
        wall = min(walls)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        figures = dict(re.findall(r"(\w+)=([\d.]+\w*)", stats))
        latencies = [float(x) for x in re.findall(r"last=([\d.]+)ms", stats)]

        expected = json.loads((tmp / "expected.json").read_text(encoding="utf-8"))["orders"]
        actual = json.loads((tmp / "out.json").read_text(encoding="utf-8"))["orders"]
        key = lambda o: (o["customer"], tuple(sorted((i["product"], float(i["quantity"])) for i in o["items"])))  # noqa: E731
        exact = Counter(map(key, expected)) == Counter(map(key, actual))

        print(f"chat: {args.people} people, {lines} lines in {args.people + 2} messages")
        print(f"replay (bot, SQLite): loop={figures.get('loop')} (jobs, handling, delivery) "
              f"handling={figures.get('total')} p50={figures.get('p50')} p99={figures.get('p99')} "
              f"max={figures.get('max')}")
        print(f"unchanged 300-line repost: {latencies[0] if latencies else figures.get('last', '?')} ms")
        print(f"whole process: wall best {wall:.2f}s (range {wall:.2f}-{max(walls):.2f}) peak_rss={peak_mb:.0f}MB "
              f"(includes imports)")
        print(f"regex baseline, whole process: best {min(base_walls):.3f}s; replay / baseline = "
              f"{wall / min(base_walls):.1f}x (best of {args.runs} each)")
        print(f"start-up (imports): {startup:.2f}s")
        print(f"plain regex parser, same chat, in memory: {regex_baseline(chat):.3f}s")
        print(f"orders exact: {exact} ({len(actual)} orders, expected {len(expected)})")


if __name__ == "__main__":
    main()
