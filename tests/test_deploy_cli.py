"""What a deployer sees from the `jielong` command when something is wrong:
a misspelt config, a product without a price, a database URL that cannot be
used. Each stops within 15 s with at most 3 lines naming the file and key or
the URL (password hidden), no traceback, and a non-zero exit."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

JIELONG = Path(sys.executable).parent / "jielong"

GOOD = """\
[bot]
id = "bot"
name = "小龙"
admins = ["wxid_boss"]

[[products]]
name = "苹果"
price = 8
unit = "斤"
"""
CHAT = ('{"id": "m1", "ts": "2026-11-20T09:00:00+08:00", "room": "r1", "sender": "wxid_boss", '
        '"name": "老板", "text": "开团", "mentions": []}\n')

MISSPELT = {
    "admin": (GOOD.replace("admins =", "admin ="), 'unknown key "admin" in [bot]; did you mean "admins"?'),
    "product": (GOOD.replace("[[products]]", "[[product]]"), "did you mean [[products]]?"),
    "no price": (GOOD.replace("price = 8\n", ""), "has no price"),
    "wrong type": (GOOD.replace("price = 8", 'price = "eight"'), "price must be a number"),
    "unknown table key": (GOOD + '\n[schedule]\ntimezon = "Asia/Shanghai"\n', 'did you mean "timezone"?'),
}


def _jielong(*args: str, cwd: Path | None = None, stdin: str = "") -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run([str(JIELONG), *args], capture_output=True, text=True, timeout=60, cwd=cwd,
                            input=stdin)
    return result, time.monotonic() - start


def _assert_short_failure(result: subprocess.CompletedProcess, seconds: float, *needles: str) -> str:
    output = (result.stderr + result.stdout).strip()
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert len(output.splitlines()) <= 3, output
    # Not a speed measurement (a loaded 2-core machine takes seconds to start Python): it only
    # catches a command that waits on the network for minutes instead of the 5 s connect timeout.
    assert seconds < 45, seconds
    for needle in needles:
        assert needle in output, output
    return output


def _config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version_answers():
    result, _ = _jielong("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("jielong ")


@pytest.mark.parametrize("kind", list(MISSPELT))
def test_config_mistakes_stop_replay_with_one_line_naming_file_and_key(tmp_path, kind):
    text, expected = MISSPELT[kind]
    config = _config(tmp_path, text)
    chat = tmp_path / "chat.jsonl"
    chat.write_text(CHAT, encoding="utf-8")
    result, seconds = _jielong("replay", str(chat), "--config", str(config), "--db", f"sqlite:///{tmp_path}/o.db")
    output = _assert_short_failure(result, seconds, str(config), expected)
    assert len(output.splitlines()) == 1


def test_every_command_that_reads_a_config_refuses_a_misspelt_one(tmp_path):
    config = _config(tmp_path, MISSPELT["admin"][0])
    commands = [
        ("run", "--config", str(config), "--db", f"sqlite:///{tmp_path}/o.db"),
        ("console", "--config", str(config), "--db", f"sqlite:///{tmp_path}/o.db"),
        ("export", "--config", str(config), "--db", f"sqlite:///{tmp_path}/o.db", "--out", str(tmp_path / "x.xlsx")),
        ("parse", "--config", str(config), "苹果2斤"),
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda args: _jielong(*args), commands))
    for result, seconds in results:
        _assert_short_failure(result, seconds, str(config), '"admin"')


BAD_URLS = {
    "not a url": ("notaurl", "notaurl"),
    "missing folder": ("sqlite:////no/such/dir/x.db", "/no/such/dir"),
    "no driver": ("mysql://shop:secret@127.0.0.1/orders", "driver"),
    "refused": ("postgresql+psycopg://shop:secret@127.0.0.1:1/orders", "127.0.0.1:1"),
    "unknown host": ("postgresql+psycopg://shop:secret@no-such-host.invalid/orders", "no-such-host.invalid"),
    "silent server": ("postgresql+psycopg://shop:secret@127.0.0.1:{port}/orders", "127.0.0.1:{port}"),
}


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word: a server that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.mark.parametrize("kind", list(BAD_URLS))
def test_bad_database_urls_stop_every_command_quickly_in_a_line(tmp_path, kind, silent_port):
    url, expected = (text.format(port=silent_port) for text in BAD_URLS[kind])
    config = _config(tmp_path, GOOD)
    chat = tmp_path / "chat.jsonl"
    chat.write_text(CHAT, encoding="utf-8")
    commands = [
        ("replay", str(chat), "--config", str(config), "--db", url),
        ("run", "--config", str(config), "--db", url),
        ("console", "--config", str(config), "--db", url),
        ("export", "--db", url, "--out", str(tmp_path / "x.xlsx")),
    ]
    with ThreadPoolExecutor(2) as pool:       # two cores: timings of four at once would measure the machine
        results = list(pool.map(lambda args: _jielong(*args), commands))
    for result, seconds in results:
        output = _assert_short_failure(result, seconds, expected)
        assert "secret" not in output
    assert not Path("/no/such/dir").exists()


def test_console_help_and_banner_teach_speakers_and_multi_line_paste(tmp_path):
    help_text, _ = _jielong("console", "--help")
    for needle in ("/as", "/admin", "\\"):
        assert needle in help_text.stdout
    config = _config(tmp_path, GOOD)
    result, _ = _jielong("console", "--config", str(config), "--db", f"sqlite:///{tmp_path}/o.db", stdin="/quit\n")
    banner = result.stdout.splitlines()[0] if result.stdout else ""
    for needle in ("/as", "/admin", "\\"):
        assert needle in result.stdout, banner
