"""What the commands people run by hand do NOT import: start-up time is mostly
imports (bench/startup_bench.py), so `jielong parse` stays clear of the
database and the heavy text libraries, and a replay onto a fresh database of
alembic (created and stamped without it, storage/schema.py), the web page and
the reports' libraries. Each runs in its own interpreter, as a person runs it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "demo.toml"

# Runs the `jielong` entry point in-process, then lists the top-level modules it imported.
PROBE = """
import json, sys
sys.argv = ["jielong", *json.loads(sys.argv[1])]
from bot.__main__ import main
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print("\\n@@" + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _imported(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    return set(json.loads(run.stdout.rsplit("\n@@", 1)[1]))


def test_parse_imports_no_database_no_validation_library_no_pinyin():
    imported = _imported("parse", "--config", str(CONFIG), "张阿姨 白菜饺子2袋 五花肉2斤")
    assert "parsers" in imported                          # the probe did run the command
    unwanted = {"sqlalchemy", "alembic", "storage", "apscheduler", "pydantic", "pypinyin", "cn2an",
                "rapidfuzz", "openpyxl", "matplotlib", "starlette", "jinja2"}
    assert imported & unwanted == set()


def test_replay_onto_a_fresh_database_imports_no_alembic_web_or_reports_libraries(tmp_path):
    demo = (ROOT / "examples" / "demo-chat.jsonl").read_text(encoding="utf-8").splitlines()
    chat = tmp_path / "two.jsonl"
    chat.write_text("\n".join(demo[:2]) + "\n", encoding="utf-8")
    imported = _imported("replay", str(chat), "--config", str(CONFIG), "--db", f"sqlite:///{tmp_path}/fresh.db",
                         "--quiet")
    assert "sqlalchemy" in imported and (tmp_path / "fresh.db").exists()
    unwanted = {"alembic", "pydantic", "openpyxl", "matplotlib", "starlette", "jinja2", "uvicorn", "psycopg"}
    assert imported & unwanted == set()
