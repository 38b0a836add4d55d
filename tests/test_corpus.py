"""The development corpora (../shared/eval) scored through `jielong replay`.

Runs whenever the corpora are beside the clone (always in CI, where they must
not skip) and skips with a reason on a fresh clone without them. Each floor is
the level reached, so accuracy can only go up: cases/ (sections 3 and 3a) is
perfect; cases-menu/ (sections 3b and 3c: menus in the merchant's post,
ordering by number, set meals, conversations) is being built up.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FLOORS = {"cases": 1.0, "cases-menu": 0.99}


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_dev_corpus_f1_does_not_drop(shared_eval, corpus):
    jielong = Path(sys.executable).with_name("jielong")
    cmd = f"{jielong} replay {{chat}} --config {{config}} --db sqlite:///{{tmp}}/orders.db --orders-json {{out}} --quiet"
    proc = subprocess.run([sys.executable, str(shared_eval / "score.py"), "--cases", str(shared_eval / corpus),
                           "--cmd", cmd, "--min-f1", str(FLOORS[corpus])], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
