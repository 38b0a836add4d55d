"""SIGKILL the replay at 21 points of a 260-message chat, restart, re-deliver
everything: orders, stock and the replies sent equal an uninterrupted run.

The kills come from the replay's JIELONG_CRASH_AFTER hook, at three moments:
`commit` (inside a message's transaction, all its changes flushed), `handled`
(committed, its replies not yet sent) and `send` (a reply printed, not yet
marked sent). Only the last can repeat a reply, and exactly that one reply.

The uninterrupted run, the first kills and the final run are the installed
`jielong replay` command; the other killed runs are the same command's
`main()` in a child forked from the test (`os.fork`), which skips the second
of imports each fresh interpreter costs and keeps the test well under a
minute. Either way a separate process dies by SIGKILL on the same database.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import traceback
from pathlib import Path

from sqlalchemy import select

import chatgen
from bot.cli import main as jielong_main
from bot.transports.replay import CrashHook
from figures import record
from storage.database import Database
from storage.models import OutboxMessage, ProcessedMessage, Product
from storage.reports import orders_document

JIELONG = Path(sys.executable).with_name("jielong")
CRASH_ENV = "JIELONG_CRASH_AFTER"
KILLS = 21
MESSAGES = 260


def _replay(chat: Path, config: Path, db: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (CRASH_ENV, "JIELONG_DEBUG")}
    if crash:
        env[CRASH_ENV] = crash
    return subprocess.run([str(JIELONG), "replay", str(chat), "--config", str(config), "--db", f"sqlite:///{db}"],
                          capture_output=True, text=True, env=env, timeout=180)


def _replay_forked(chat: Path, config: Path, db: Path, crash: str, out: Path) -> subprocess.CompletedProcess:
    """`jielong replay` in a forked child; the same result type as `_replay`."""
    pid = os.fork()
    if pid == 0:                                   # the child: never returns into pytest
        code = 70
        try:
            os.environ[CRASH_ENV] = crash
            os.environ.pop("JIELONG_DEBUG", None)
            CrashHook._instance = None             # read the hook from this child's environment
            with open(out, "w", encoding="utf-8") as stdout, open(f"{out}.err", "w", encoding="utf-8") as stderr:
                os.dup2(stdout.fileno(), 1)
                os.dup2(stderr.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
                try:
                    jielong_main(["replay", str(chat), "--config", str(config), "--db", f"sqlite:///{db}"])
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                except BaseException:
                    traceback.print_exc()
                sys.stdout.flush()
                sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return subprocess.CompletedProcess([], code, out.read_text(encoding="utf-8"),
                                       Path(f"{out}.err").read_text(encoding="utf-8"))


def _printed(stdout: str) -> list[str]:
    """The reply blocks a replay printed, in order (headers dropped)."""
    return [chunk[chunk.index("小龙 → "):] for chunk in stdout.split("\n\n") if "小龙 → " in chunk]


def _state(db_path: Path) -> dict:
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            outbox = [(r.message_id, r.to, r.text, tuple(r.mentions), r.sent_at is not None)
                      for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
            stock = {p.name: (p.stock, p.on_sale, p.price) for p in session.scalars(select(Product))}
            processed = len(session.scalars(select(ProcessedMessage.id)).all())
        return {"orders": orders_document(db), "stock": stock, "outbox": outbox, "processed": processed}
    finally:
        db.dispose()


def _processed(db_path: Path) -> int:
    """How many messages the database has seen (those a restart re-delivers)."""
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT count(*) FROM processed_messages").fetchone()[0]


def test_replay_killed_21_times_ends_exactly_like_an_uninterrupted_run(tmp_path):
    chat, config = tmp_path / "chat.jsonl", tmp_path / "shop.toml"
    chatgen.write(chat, seed=20261122, size=MESSAGES)
    config.write_text(chatgen.CONFIG, encoding="utf-8")

    calm = _replay(chat, config, tmp_path / "calm.db")
    assert calm.returncode == 0, calm.stderr
    expected = _state(tmp_path / "calm.db")
    expected_printed = _printed(calm.stdout)
    assert len(expected["orders"]["orders"]) > 50 and len(expected_printed) > 150   # a busy chat

    rng = random.Random(5)
    points = sorted(rng.sample(range(2, MESSAGES), KILLS))
    phases = [rng.choice(("commit", "handled", "send")) for _ in points]
    crashed = tmp_path / "crashed.db"
    runs: list[tuple[str, list[str]]] = []          # (how the run ended, reply blocks it printed)
    kills = redelivered = 0
    for run, (point, phase) in enumerate(zip(points, phases)):
        redelivered += _processed(crashed)
        if run < 2:
            result = _replay(chat, config, crashed, f"{point}:{phase}")
        else:
            result = _replay_forked(chat, config, crashed, f"{point}:{phase}", tmp_path / f"run{run}.out")
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode == -signal.SIGKILL:
            kills += 1
            runs.append((phase, _printed(result.stdout)))
        else:                                        # a `send` kill with no reply left to send
            assert result.returncode == 0, result.stderr
            runs.append(("finished", _printed(result.stdout)))
    redelivered += _processed(crashed)
    final = _replay(chat, config, crashed)
    assert final.returncode == 0, final.stderr
    runs.append(("finished", _printed(final.stdout)))

    # Replies: every one printed, in order; a `send` kill repeats exactly the reply it interrupted.
    merged: list[str] = []
    repeated = 0
    for index, (ended, blocks) in enumerate(runs):
        if index and runs[index - 1][0] == "send" and runs[index - 1][1]:
            assert blocks[:1] == runs[index - 1][1][-1:], "the interrupted reply is sent again first"
            blocks = blocks[1:]
            repeated += 1
        merged += blocks
    assert merged == expected_printed

    got = _state(crashed)
    assert got["orders"] == expected["orders"]
    assert got["stock"] == expected["stock"]
    assert got["outbox"] == expected["outbox"]
    assert all(sent for *_, sent in got["outbox"])
    assert kills >= 20
    record("crash", kills_survived=kills, messages_in_chat=MESSAGES, messages_redelivered=redelivered,
           orders_compared=len(expected["orders"]["orders"]),
           unresolved_compared=len(expected["orders"]["unresolved"]),
           replies_compared=len(expected["outbox"]), replies_lost=0, replies_repeated_by_send_kills=repeated,
           kill_phases={p: phases.count(p) for p in ("commit", "handled", "send")})
