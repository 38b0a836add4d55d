"""A value of the wrong type in the config is one line naming the table and key:
TOML has numbers and true/false, so quoted ones are typos, never converted."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config

GOOD = """\
[bot]
admins = ["wxid_boss"]

[[products]]
name = "苹果"
price = 8
unit = "斤"
"""

WRONG = {
    "quoted true": (GOOD + '\n[web]\nenabled = "true"\n', "[web] enabled must be true or false, not 'true'"),
    "quoted port": (GOOD + '\n[web]\nport = "8080"\n', "[web] port must be a whole number, not '8080'"),
    "fractional port": (GOOD + "\n[web]\nport = 80.5\n", "[web] port must be a whole number, not 80.5"),
    "port too big": (GOOD + "\n[web]\nport = 70000\n", "[web] port is 70000: it must be at most 65535"),
    "1 for true": (GOOD + "\n[wechaty]\nallow_private = 1\n",
                   "[wechaty] allow_private must be true or false, not 1"),
    "quoted minutes": (GOOD + '\n[schedule]\nremind_before_minutes = "5"\n',
                       "[schedule] remind_before_minutes must be a whole number, not '5'"),
    "quoted default": (GOOD.replace('unit = "斤"', 'unit = "斤"\ndefault = "yes"'),
                       "[[products]] #1 (苹果) default must be true or false, not 'yes'"),
    "true price": (GOOD.replace("price = 8", "price = true"), "[[products]] #1 (苹果) price must be a number, not True"),
    "negative price": (GOOD.replace("price = 8", "price = -1"), "[[products]] #1 (苹果) price is -1: it must be at least 0"),
    "nan price": (GOOD.replace("price = 8", "price = nan"), "[[products]] #1 (苹果) price is nan: it must be at least 0"),
    "zero limit": (GOOD.replace("price = 8", "price = 8\nlimit = 0"),
                   "[[products]] #1 (苹果) limit is 0: it must be more than 0"),
    "admins not a list": (GOOD.replace('["wxid_boss"]', '"wxid_boss"'),
                          '[bot] admins must be a list like ["a", "b"], not \'wxid_boss\''),
    "true in a list": (GOOD.replace('["wxid_boss"]', '["a", true]'), "[bot] admins[1] must be text in quotes, not True"),
    "unknown transport": (GOOD.replace("admins", 'transport = "wechat"\nadmins'),
                          "[bot] transport must be 'console' or 'wechaty', not 'wechat'"),
    "table as a value": ("bot = 1\n", "[bot] must be a table, not 1"),
    "products not tables": ('products = ["a"]\n', "products must be tables written [[products]]"),
    "blank product name": (GOOD.replace('name = "苹果"', 'name = "  "'), "[[products]] #1 name: a product needs a name"),
    "web address": (GOOD + '\n[web]\nbase_url = "tuan.example.com"\n',
                    "[web] base_url: base_url must start with https:// (or http://)"),
    "second product": (GOOD + '\n[[products]]\nname = "梨"\n',
                       "[[products]] #2 (梨) has no price (write e.g. price = 12.5: a product is never sold at 0 元)"),
    "key outside its table": ('admins = ["x"]\n' + GOOD, 'unknown key "admins" at the top level; it belongs in [bot]'),
    "unknown table": (GOOD + "\n[zzz]\na = 1\n", "unknown table [zzz] (tables: [bot], [products], [storage], "
                                                 "[wechaty], [schedule], [delivery], [web])"),
}


@pytest.mark.parametrize("kind", list(WRONG))
def test_a_wrong_value_is_one_line_naming_the_table_and_key(tmp_path, kind):
    text, expected = WRONG[kind]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {expected}"


def test_numbers_where_text_is_wanted_are_kept_as_text(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD.replace('["wxid_boss"]', "[12345]").replace('unit = "斤"', 'unit = "斤"\naliases = [7]'),
                    encoding="utf-8")
    config = load_config(path)
    assert config.admins == {"12345"}
    assert config.products[0].aliases == ("7",)


def test_unset_keys_take_their_defaults(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    product = config.products[0]
    assert (product.price, product.stock, product.limit, product.confirm_over) == (8.0, None, None, 50.0)
    assert isinstance(product.price, float)
    assert (config.web.enabled, config.web.port, config.schedule.remind_before_minutes) == (False, 8080, 30)
    assert config.transport == "console" and config.bot_name == "小龙"


def test_a_datetime_where_text_is_wanted_is_quoted_as_python_reads_it(tmp_path):
    # the fast parser gives datetimes another tzinfo; the message quotes the standard library's value
    path = tmp_path / "config.toml"
    path.write_text(GOOD.replace('unit = "斤"', "unit = 2026-11-20T08:00:00Z"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (f"{path}: [[products]] #1 (苹果) unit must be text in quotes, not "
                                 "datetime.datetime(2026, 11, 20, 8, 0, tzinfo=datetime.timezone.utc)")


def test_a_file_only_the_standard_parser_reads_is_still_read(tmp_path):
    # a float too big for a double is inf to tomllib and an error to rtoml
    path = tmp_path / "config.toml"
    path.write_text(GOOD.replace("price = 8", "price = 8\nconfirm_over = 1e400"), encoding="utf-8")
    assert load_config(path).products[0].confirm_over == float("inf")
