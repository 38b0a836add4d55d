"""The development corpus (../shared/eval) scored through `jielong replay`.

Runs whenever the corpus is beside the clone (always in CI, where it must not
skip) and skips with a reason on a fresh clone without it. The threshold is
the level reached, so accuracy can only go up.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MIN_F1 = 1.0


def test_dev_corpus_f1_does_not_drop(shared_eval):
    jielong = Path(sys.executable).with_name("jielong")
    cmd = f"{jielong} replay {{chat}} --config {{config}} --db sqlite:///{{tmp}}/orders.db --orders-json {{out}} --quiet"
    proc = subprocess.run([sys.executable, str(shared_eval / "score.py"), "--cases", str(shared_eval / "cases"),
                           "--cmd", cmd, "--min-f1", str(MIN_F1)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
