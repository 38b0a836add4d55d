"""Traditional → simplified in parsers/text.py: a text without a character t2s can change
is given back without loading OpenCC, and that gives exactly what converting it would."""
from __future__ import annotations

import random

import pytest
from opencc import OpenCC

from parsers import text
from parsers.text import normalize


@pytest.fixture(scope="module")
def t2s():
    return OpenCC("t2s").convert


@pytest.fixture(scope="module")
def tables():
    text._load_t2s()
    return text._traditional, text._changing()


def test_every_character_of_the_t2s_tables_converts_the_same_with_and_without_the_shortcut(t2s, tables):
    traditional, changing = tables
    for ch in sorted(traditional | changing):
        for sample in (ch, f"张{ch}2斤", f"{ch}{ch}阿姨 白菜饺子"):
            assert text._to_simplified(sample) == text._windows_to_simplified(sample), sample
            if changing.isdisjoint(sample):
                assert t2s(sample) == sample, sample


def test_every_t2s_phrase_converts_the_same_with_and_without_the_shortcut(t2s, tables):
    _, changing = tables
    rows = (text._dictionary() / "TSPhrases.txt").read_text(encoding="utf-8").splitlines()
    for row in rows:
        phrase = row.split("\t")[0]
        for sample in (phrase, f"李阿姨{phrase}一份", phrase + phrase):
            assert text._to_simplified(sample) == text._windows_to_simplified(sample), sample
            if changing.isdisjoint(sample):
                assert t2s(sample) == sample, sample


def test_random_texts_of_table_characters_convert_the_same_with_and_without_the_shortcut(tables):
    traditional, changing = tables
    rng = random.Random(15)
    common = sorted(traditional - changing)         # in the tables, but never changed alone
    rare = sorted(changing)
    for _ in range(3000):
        chars = [rng.choice(common) if rng.random() < 0.9 else rng.choice("，。 2斤x")
                 for _ in range(rng.randint(1, 60))]
        if rng.random() < 0.5:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(rare))
        sample = "".join(chars)
        assert text._to_simplified(sample) == text._windows_to_simplified(sample), sample


def test_a_simplified_line_is_normalised_without_loading_opencc():
    import subprocess
    import sys

    probe = ("import sys; from parsers.text import normalize; "
             "assert normalize('张阿姨 白菜饺子2袋 五花肉2斤') == '张阿姨 白菜饺子2袋 五花肉2斤'; "
             "print('opencc' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_traditional_characters_are_still_simplified():
    assert normalize("張阿姨 蘋果2斤") == "张阿姨 苹果2斤"
    assert normalize("回覆：沈默") == "回复:沉默"


def test_stickers_are_found_as_the_cjk_class_pattern_found_them():
    import re

    old = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]")
    rng = random.Random(7)
    for _ in range(5000):
        sample = "".join(rng.choice("[]玫瑰aZ 1🌹\n[]") for _ in range(rng.randint(0, 20)))
        assert text._STICKER.sub(text._sticker, sample) == old.sub(" ", sample), sample
        assert text.without_emoji(sample) == text._SPACES.sub(" ", text._EMOJI.sub(" ", old.sub(" ", sample))).strip()
