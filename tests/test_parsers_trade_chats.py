"""Whole chats of other trades through `jielong replay`, compared with their orders.

Each folder under tests/data/trades/ holds a chat (chat.jsonl), its config and
expected.json in the contract's format. The comparison is stricter than the
corpus scorer's: every customer's basket (items summed over their orders)
must be exactly the expected one, no customer may be extra, and the
unresolved entries must be exactly the expected (sender, reason) pairs.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

TRADES = Path(__file__).resolve().parent / "data" / "trades"
JIELONG = Path(sys.executable).with_name("jielong")
_NOT_NAME = re.compile(r"[\s\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """Names compare without spaces, punctuation, emoji or case."""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name or "").lower())


def baskets(orders: list[dict]) -> dict[str, dict[tuple[str, str | None], float]]:
    out: dict[str, dict[tuple[str, str | None], float]] = {}
    for order in orders:
        basket = out.setdefault(name_key(order["customer"]), {})
        for item in order["items"]:
            key = (item["product"], item.get("spec") or None)
            basket[key] = round(basket.get(key, 0.0) + float(item["quantity"]), 4)
    return out


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs, as readable lines; empty when the chat came out right."""
    want, got = baskets(expected["orders"]), baskets(actual["orders"])
    problems = []
    for customer, basket in got.items():
        # the customer written in a line may carry more than the expected name (a room number)
        match = customer if customer in want else next((w for w in want if w and (w in customer or customer in w)),
                                                       None)
        if match is None:
            problems.append(f"extra customer {customer}: {basket}")
            continue
        if basket != want.pop(match):
            problems.append(f"{customer}: got {basket}, want {baskets(expected['orders'])[match]}")
    problems += [f"missing customer {customer}: {basket}" for customer, basket in want.items()]
    want_unresolved = Counter((u["sender"], u["reason"]) for u in expected["unresolved"])
    got_unresolved = Counter((u["sender"], u["reason"]) for u in actual["unresolved"])
    if want_unresolved != got_unresolved:
        problems.append(f"unresolved: got {sorted(got_unresolved.elements())}, "
                        f"want {sorted(want_unresolved.elements())}")
    return problems


@pytest.mark.parametrize("trade", sorted(p.name for p in TRADES.iterdir() if (p / "expected.json").exists()))
def test_trade_chat_replays_to_its_expected_orders(trade, tmp_path):
    case = TRADES / trade
    out = tmp_path / "orders.json"
    proc = subprocess.run([str(JIELONG), "replay", str(case / "chat.jsonl"), "--config", str(case / "config.toml"),
                           "--db", f"sqlite:///{tmp_path}/orders.db", "--orders-json", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    actual = json.loads(out.read_text(encoding="utf-8"))
    assert differences(expected, actual) == [], proc.stdout[-3000:]
