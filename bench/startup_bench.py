"""Benchmark: how long the commands people run by hand take, against the regex baseline.

    python bench/startup_bench.py [--runs 7]

Whole processes, interpreter start-up included, run in turn (baseline,
replay, parse, floor, baseline, ...) so drift in a shared machine's speed hits
all of them; prints the best, median and worst wall and CPU time of each and
their ratios to the baseline (bench/regex_baseline.py on the same chat):

  * `jielong replay` of a 2-message chat (a #接龙 post and one repost with an
    order) onto a fresh SQLite file;
  * `jielong parse` of one line;
  * the floor: an interpreter that only imports SQLAlchemy's ORM, which the
    replay cannot do without.
Asserts nothing.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JIELONG = Path(sys.executable).with_name("jielong")
CONFIG = ROOT / "examples" / "demo.toml"
LINE = "张阿姨 白菜饺子2袋 五花肉2斤"


def timed(cmd: list[str], before=None) -> tuple[float, float]:
    if before:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-600:]}")
    return wall, (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chat = tmp / "two.jsonl"
        demo = (ROOT / "examples" / "demo-chat.jsonl").read_text(encoding="utf-8").splitlines()
        chat.write_text("\n".join(demo[:2]) + "\n", encoding="utf-8")
        db = tmp / "fresh.db"

        def fresh() -> None:
            for path in tmp.glob("fresh.db*"):
                path.unlink()

        commands = {
            "regex baseline": ([sys.executable, str(ROOT / "bench" / "regex_baseline.py"), str(chat)], None),
            "replay, 2 messages, fresh SQLite": ([str(JIELONG), "replay", str(chat), "--config", str(CONFIG),
                                                  "--db", f"sqlite:///{db}", "--quiet"], fresh),
            "parse, one line": ([str(JIELONG), "parse", "--config", str(CONFIG), LINE], None),
            "floor: import sqlalchemy.orm": ([sys.executable, "-c", "import sqlalchemy.orm"], None),
        }
        for cmd, before in commands.values():      # warm-up: byte-code, saved grammars, page cache
            timed(cmd, before)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, before) in commands.items():
                figures[name].append(timed(cmd, before))
    base_wall = min(w for w, _ in figures["regex baseline"])
    base_cpu = min(c for _, c in figures["regex baseline"])
    print(f"start-up, whole processes, {args.runs} runs each in turn (best / median / worst):")
    for name, runs in figures.items():
        walls = sorted(w for w, _ in runs)
        cpus = sorted(c for _, c in runs)
        print(f"  {name:34} wall {walls[0]:.3f} / {statistics.median(walls):.3f} / {walls[-1]:.3f}s  "
              f"cpu {cpus[0]:.3f} / {statistics.median(cpus):.3f}s  "
              f"= {walls[0] / base_wall:.1f}x wall, {cpus[0] / base_cpu:.1f}x cpu of the baseline (best of each)")


if __name__ == "__main__":
    main()
