"""Replay keeps the chat's time: cut-offs, reminders and summaries land between the messages."""
from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import main

CONFIG = """
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "苹果"
price = 6.8
unit = "斤"

[schedule]
remind_before_minutes = 30
daily_summary = "21:00"
"""

POST = "#接龙\\n周五晚8点截单\\n苹果 6.8元/斤\\n例 张三 苹果2斤\\n"


def line(msg_id: str, ts: str, sender: str, name: str, text: str) -> str:
    return json.dumps({"id": msg_id, "ts": ts, "room": "r1", "sender": sender, "name": name,
                       "text": text.replace("\\n", "\n")}, ensure_ascii=False)


def test_replay_shows_the_reminder_and_the_cutoff_where_they_belong_and_refuses_late_entries(tmp_path):
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join([
        line("m1", "2026-11-18T10:00:00+08:00", "wxid_boss", "团长", POST + "1. 团长 苹果1斤"),
        line("m2", "2026-11-20T19:59:00+08:00", "wxid_li", "李明", POST + "1. 团长 苹果1斤\\n2. 李明 苹果2斤"),
        line("m3", "2026-11-20T20:00:01+08:00", "wxid_wang", "王芳", "王芳 苹果3斤"),
    ]) + "\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "orders.json"
    result = CliRunner().invoke(main, ["replay", str(chat), "--config", str(tmp_path / "config.toml"),
                                       "--db", f"sqlite:///{tmp_path}/replay.db", "--orders-json", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    # Wednesday's and Thursday's summaries, Friday's reminder, then 李明's entry, then the cut-off
    assert text.index("[11-18 21:00] ⏰") < text.index("[11-19 21:00] ⏰") < text.index("还有30分钟截单") \
        < text.index("李明") < text.index("[11-20 20:00] ⏰") < text.index("已截单：共2单")
    assert "[11-20 21:00]" not in text              # after the last message: not yet
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [o["customer"] for o in document["orders"]] == ["团长", "李明"]
    assert [u["reason"] for u in document["unresolved"]] == ["closed"]


def _run(tmp_path, chat, env=None):
    import os
    import subprocess
    import sys
    from pathlib import Path

    jielong = Path(sys.executable).with_name("jielong")
    return subprocess.run([str(jielong), "replay", str(chat), "--config", str(tmp_path / "config.toml"),
                           "--db", f"sqlite:///{tmp_path}/replay.db", "--orders-json", str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def test_a_replay_killed_before_the_cutoff_fires_it_once_when_run_again(tmp_path):
    """SIGKILL between a job's scheduling and its firing: the store keeps it, it fires once."""
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join([
        line("m1", "2026-11-18T10:00:00+08:00", "wxid_boss", "团长", POST + "1. 团长 苹果1斤"),
        line("m2", "2026-11-19T12:00:00+08:00", "wxid_li", "李明", POST + "1. 团长 苹果1斤\\n2. 李明 苹果2斤"),
        line("m3", "2026-11-21T09:00:00+08:00", "wxid_wang", "王芳", "王芳 苹果3斤"),
    ]) + "\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG.replace('daily_summary = "21:00"', ""), encoding="utf-8")
    killed = _run(tmp_path, chat, {"JIELONG_CRASH_AFTER": "2"})
    assert killed.returncode == -9 and "已截单" not in killed.stdout
    again = _run(tmp_path, chat)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("已截单：共2单") == 1 and again.stdout.count("还有30分钟截单") == 1
    assert again.stdout.index("[11-20 20:00] ⏰") < again.stdout.index("王芳")
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [o["customer"] for o in document["orders"]] == ["团长", "李明"]
    assert [u["reason"] for u in document["unresolved"]] == ["closed"]
    once_more = _run(tmp_path, chat)
    assert "已截单" not in once_more.stdout
