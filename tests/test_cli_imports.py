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

# Runs the `jielong` entry point in-process, then lists the top-level modules it imported
# and the project's own (parsers.post, ...).
PROBE = """
import json, sys
sys.argv = ["jielong", *json.loads(sys.argv[1])]
from bot.__main__ import main
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print("\\n@@" + json.dumps(sorted({name.split(".")[0] for name in sys.modules}
                               | {name for name in sys.modules if name.startswith(("parsers.", "bot."))})))
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
                "rapidfuzz", "openpyxl", "matplotlib", "starlette", "jinja2",
                "opencc",                                # the line has no traditional character
                "parsers.post", "parsers.menu",          # nor is it a 接龙 post
                "parsers.deadline"}
    assert imported & unwanted == set()


def test_replay_onto_a_fresh_database_imports_no_alembic_web_or_reports_libraries(tmp_path):
    demo = (ROOT / "examples" / "demo-chat.jsonl").read_text(encoding="utf-8").splitlines()
    chat = tmp_path / "two.jsonl"
    chat.write_text("\n".join(demo[:2]) + "\n", encoding="utf-8")
    imported = _imported("replay", str(chat), "--config", str(CONFIG), "--db", f"sqlite:///{tmp_path}/fresh.db",
                         "--quiet")
    assert "sqlalchemy" in imported and (tmp_path / "fresh.db").exists()
    unwanted = {"alembic", "pydantic", "openpyxl", "matplotlib", "starlette", "jinja2", "uvicorn", "psycopg",
                "opencc"}                                 # the chat is written in simplified characters
    assert imported & unwanted == set()


def test_parse_still_reads_a_jielong_post_and_its_entries():
    from bot.config import load_config
    from bot.debug import explain

    out = explain("#接龙\n周六饺子肉品团\n例 张三 白菜饺子2袋\n1. 张阿姨 白菜饺子2袋", load_config(CONFIG))
    assert out["kind"] == "jielong" and out["title"] == "周六饺子肉品团"
    assert [line["resolved"][0]["product"] for line in out["lines"]] == ["猪肉白菜水饺"]
