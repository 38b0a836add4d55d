"""Benchmark: how long the commands people run by hand take, against the regex baseline.

    python bench/startup_bench.py [--runs 7] [--against DIR]

Whole processes, interpreter start-up included, run in turn (baseline,
replay, parse, floor, baseline, ...) so drift in a shared machine's speed hits
all of them; prints the best, median and worst wall and CPU time of each and
their ratios to the baseline (bench/regex_baseline.py on the same chat):

  * `jielong replay` of a 2-message chat (a #接龙 post and one repost with an
    order) onto a fresh SQLite file;
  * `jielong parse` of one line;
  * the floor: an interpreter that only imports SQLAlchemy's ORM, which the
    replay cannot do without.

`--against DIR` runs the same commands of another checkout (DIR/.venv, e.g.
the main branch's) in the same alternation, so before and after are measured
under the same load. Then a breakdown of the replay inside one process, best
of the runs: imports, reading the config, creating the database (and the
bot), handling the two messages.
Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "demo.toml"
LINE = "张阿姨 白菜饺子2袋 五花肉2斤"

# The replay command's steps, timed inside one process of a checkout (run with its python, in it).
# The collector is handled as that checkout's `jielong` handles it (off during start-up where
# bot/__main__.py says so).
BREAKDOWN = r"""
import gc, importlib.util, json, sys, time
entry = importlib.util.find_spec("bot.__main__") is not None
if entry:
    gc.disable()
t0 = time.perf_counter()
import bot.cli
from bot.app import build_bot
from bot.clock import VirtualClock
from bot.config import load_config
from bot.transports.outbox import Outbox
from bot.transports.replay import printer, read_chat, replay
t1 = time.perf_counter()
config = load_config(sys.argv[1])
t2 = time.perf_counter()
bot = build_bot(config, sys.argv[3], clock=VirtualClock())
t3 = time.perf_counter()
if entry:
    gc.freeze()
    gc.enable()
outbox = Outbox(bot.db, printer(None))
replay(read_chat(sys.argv[2]), bot.handle, None, deliver=outbox.drain, tick=bot.scheduler.run_due_jobs)
t4 = time.perf_counter()
bot.scheduler.shutdown()
bot.db.dispose()
print(json.dumps({"import": t1 - t0, "config": t2 - t1, "db create": t3 - t2, "handling": t4 - t3}))
"""


def timed(cmd: list[str], before=None, cwd: Path = ROOT) -> tuple[float, float]:
    if before:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-600:]}")
    return wall, (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout with its own .venv (e.g. /work/main): measured in turn with this one")
    args = parser.parse_args()
    here = Path(sys.executable).parent
    checkouts = {"": (ROOT, here)}
    if args.against:
        other = args.against.resolve()
        if not (other / ".venv" / "bin" / "jielong").exists():
            sys.exit(f"{other}/.venv/bin/jielong not found: run `make setup` there first")
        checkouts = {" (this)": (ROOT, here), f" ({other.name})": (other, other / ".venv" / "bin")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chat = tmp / "two.jsonl"
        demo = (ROOT / "examples" / "demo-chat.jsonl").read_text(encoding="utf-8").splitlines()
        chat.write_text("\n".join(demo[:2]) + "\n", encoding="utf-8")
        db = tmp / "fresh.db"

        def fresh() -> None:
            for path in tmp.glob("fresh.db*"):
                path.unlink()

        commands: dict[str, tuple[list[str], object, Path]] = {
            "regex baseline": ([sys.executable, str(ROOT / "bench" / "regex_baseline.py"), str(chat)], None, ROOT)}
        for label, (root, bin_) in checkouts.items():
            commands["replay, 2 messages, fresh SQLite" + label] = (
                [str(bin_ / "jielong"), "replay", str(chat), "--config", str(CONFIG), "--db", f"sqlite:///{db}",
                 "--quiet"], fresh, root)
        for label, (root, bin_) in checkouts.items():
            commands["parse, one line" + label] = (
                [str(bin_ / "jielong"), "parse", "--config", str(CONFIG), LINE], None, root)
        commands["floor: import sqlalchemy.orm"] = ([sys.executable, "-c", "import sqlalchemy.orm"], None, ROOT)
        for cmd, before, cwd in commands.values():      # warm-up: byte-code, saved grammars, page cache
            timed(cmd, before, cwd)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        steps: dict[str, list[dict[str, float]]] = {label: [] for label in checkouts}
        for _ in range(args.runs):
            for name, (cmd, before, cwd) in commands.items():
                figures[name].append(timed(cmd, before, cwd))
            for label, (root, bin_) in checkouts.items():
                fresh()
                run = subprocess.run([str(bin_ / "python"), "-c", BREAKDOWN, str(CONFIG), str(chat), f"sqlite:///{db}"],
                                     capture_output=True, text=True, cwd=root)
                if run.returncode != 0:
                    sys.exit(f"breakdown failed in {root}:\n{run.stderr[-600:]}")
                steps[label].append(json.loads(run.stdout.strip().splitlines()[-1]))
    base_wall = min(w for w, _ in figures["regex baseline"])
    base_cpu = min(c for _, c in figures["regex baseline"])
    print(f"start-up, whole processes, {args.runs} runs each in turn (best / median / worst):")
    for name, runs in figures.items():
        walls = sorted(w for w, _ in runs)
        cpus = sorted(c for _, c in runs)
        print(f"  {name:42} wall {walls[0]:.3f} / {statistics.median(walls):.3f} / {walls[-1]:.3f}s  "
              f"cpu {cpus[0]:.3f} / {statistics.median(cpus):.3f}s  "
              f"= {walls[0] / base_wall:.1f}x wall, {cpus[0] / base_cpu:.1f}x cpu of the baseline (best of each)")
    print("replay inside one process, best of the runs (s):")
    for label, runs in steps.items():
        best = {step: min(run[step] for run in runs) for step in runs[0]}
        print(f"  {('replay' + label):42} " + "  ".join(f"{step} {value:.3f}" for step, value in best.items())
              + f"  (sum {sum(best.values()):.3f})")


if __name__ == "__main__":
    main()
