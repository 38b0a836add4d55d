"""Every config file the project and the corpora ship still loads under the
strict schema (unknown keys refused), with the menu keys `default` and
`confirm_over` accepted."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [ROOT / "config.example.toml", *sorted((ROOT / "examples").glob("*.toml"))]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_configs_load(path):
    load_config(path)


def test_every_corpus_config_loads(shared_eval):
    paths = sorted(shared_eval.glob("cases*/*/config.toml"))
    assert paths
    failures = []
    for path in paths:
        try:
            load_config(path)
        except ConfigError as exc:
            failures.append(str(exc))
    assert failures == []


def test_menu_keys_are_read_into_the_product(tmp_path):
    path = tmp_path / "menu.toml"
    path.write_text('[[products]]\nname = "套餐"\nprice = 25\ndefault = true\nconfirm_over = 20\n', encoding="utf-8")
    product = load_config(path).products[0]
    assert product.default is True and product.confirm_over == 20


def test_a_config_with_only_bot_is_complete(tmp_path):
    path = tmp_path / "bot.toml"
    path.write_text('[bot]\nname = "小龙"\n', encoding="utf-8")
    assert load_config(path).products == ()
