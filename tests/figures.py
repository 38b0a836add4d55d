"""Figures the reliability tests measure, for docs/reliability.md.

Each test calls `record("crash", kills=22, ...)`; the values are printed
(visible with `pytest -s`) and merged into out/reliability.json, so one run
of the suite leaves every figure in one file.
"""
from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "out" / "reliability.json"


def record(topic: str, **values) -> None:
    print(f"\n[reliability] {topic}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
    FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data.setdefault(topic, {}).update(values)
    FILE.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
