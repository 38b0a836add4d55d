"""parsers/name_index.py answers exactly what scanning every name answers."""
from __future__ import annotations

import random

import pytest

from parsers.catalogue import (AMBIGUITY_MARGIN, MATCH_CUTOFF, MIN_PARTIAL, SUGGEST_CUTOFF, Catalogue,
                               ProductInfo, _pinyin)
from parsers.name_index import PartIndex

SHOP = [
    ("草莓", ("奶油草莓",)), ("车厘子", ("樱桃",)), ("五花肉", ()), ("排骨", ("肋排",)), ("菠萝", ()),
    ("7喜", ()), ("Coca Cola", ("可乐",)), ("姜", ()), ("蒜", ()), ("阳光玫瑰葡萄", ()), ("巨峰葡萄", ()),
    ("猪肉白菜水饺", ("白菜饺子",)), ("三鲜水饺", ()), ("银行卡套", ()), ("行李箱", ()), ("Darlie牙膏", ("黑人牙膏",)),
    ("土鸡蛋", ()), ("鸡蛋", ()), ("鲜牛奶", ()), ("酸奶", ()), ("基围虾", ()), ("大闸蟹", ()),
]
TYPOS = ["草霉", "车厘紫", "无花肉", "排古", "坡萝", "七喜", "cocacola", "可了", "猪肉", "苹果", "樱", "葡萄",
         "阳光玫瑰", "白菜猪肉", "水饺", "银航", "型李", "鸡旦", "算奶", "鲜扭奶", "基维虾", "大炸蟹", "达利牙膏",
         "黑人", "猪肉大葱水饺", "土机蛋", "巨峰", "肉", "牛", "x", "coca", "蛋", "手工水饺", "抽纸"]


def catalogue_of(products) -> Catalogue:
    return Catalogue(tuple(ProductInfo(name, 1.0, "斤", aliases) for name, aliases in products))


def every_substring(keys: dict[str, str]) -> dict[str, frozenset[str]]:
    """The table the index replaces: every part of every name."""
    parts: dict[str, set[str]] = {}
    for key, name in keys.items():
        for i in range(len(key)):
            for j in range(i + MIN_PARTIAL, len(key) + 1):
                parts.setdefault(key[i:j], set()).add(name)
        if len(key) < MIN_PARTIAL:
            parts.setdefault(key, set()).add(name)
    return {k: frozenset(v) for k, v in parts.items()}


def full_scan(catalogue: Catalogue, span: str) -> dict[str, float]:
    """Every name scored, as the catalogue did before the index."""
    span_py = _pinyin(span)
    scores: dict[str, float] = {}
    for key, name in catalogue._keys.items():
        score = catalogue._key_score(span, span_py, key)
        if score > scores.get(name, 0.0):
            scores[name] = score
    return scores


def answer(scores: dict[str, float]):
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= MATCH_CUTOFF:
        best = ranked[0][1]
        return "match", tuple(n for n, s in ranked if s >= MATCH_CUTOFF and best - s < AMBIGUITY_MARGIN), best
    return "none", tuple(n for n, s in ranked[:3] if s >= SUGGEST_CUTOFF), ranked[0][1] if ranked else 0.0


def generated_shop(size: int, seed: int) -> list[tuple[str, tuple[str, ...]]]:
    rng = random.Random(seed)
    pool = "东北云南山东有机精选农家野生冷冻新鲜大米小米玉米红枣核桃花生芝麻木耳香菇茶叶蜂蜜面条腐竹豆腐鸡腿牛腩羊排虾仁海带礼盒家庭装"
    names = {"".join(rng.choice(pool) for _ in range(rng.randint(2, 7))) for _ in range(size)}
    return [(name, ()) for name in sorted(names)] + SHOP


@pytest.mark.parametrize("products", [SHOP, generated_shop(600, 1)], ids=["shop", "generated"])
def test_parts_of_names_are_the_same_as_every_substring(products):
    catalogue = catalogue_of(products)
    table = every_substring(catalogue._keys)
    index = PartIndex(catalogue._keys, MIN_PARTIAL)
    spans = list(table) + TYPOS + [t[:k] for t in TYPOS for k in range(1, len(t))]
    for span in spans:
        assert index.get(span) == table.get(span), span
        assert (span in index) == (span in table)
    assert index.max_len == max(map(len, table))
    assert index.first_chars == frozenset(k[0] for k in table)


@pytest.mark.parametrize("products", [SHOP, generated_shop(600, 2)], ids=["shop", "generated"])
def test_a_misspelt_span_gets_the_answer_of_scoring_every_name(products):
    catalogue = catalogue_of(products)
    rng = random.Random(5)
    keys = list(catalogue._keys)
    spans = TYPOS + [_slip(rng.choice(keys), rng) for _ in range(150)]
    for span in spans:
        span = span.replace(" ", "")
        if not span:
            continue
        assert answer(catalogue._fuzzy_scores(span)) == answer(full_scan(catalogue, span)), span


def _slip(key: str, rng: random.Random) -> str:
    """A key with one character changed, dropped or added: what phones do."""
    chars = list(key)
    i = rng.randrange(len(chars))
    what = rng.random()
    if what < 0.5:
        chars[i] = rng.choice("无坡霉古旦机扭维炸航型李肉蛋菜饺")
    elif what < 0.75 and len(chars) > 1:
        del chars[i]
    else:
        chars.insert(i, rng.choice("的大小鲜肉"))
    return "".join(chars)


def test_a_misspelt_name_scores_only_a_few_of_ten_thousand_names():
    catalogue = catalogue_of(generated_shop(10_000, 3))
    scored = []
    real = catalogue._key_score
    catalogue._key_score = lambda span, span_py, key: scored.append(key) or real(span, span_py, key)
    assert catalogue.match("车厘紫").product == "车厘子"
    assert len(scored) < 50


def test_other_forms_of_names_give_only_the_parts_they_are_allowed():
    keys = {"五花肉": "五花肉", "排骨": "排骨"}
    forms = {"5花肉": "五花肉"}
    allowed = lambda part: any(c.isdigit() for c in part) and sum(not c.isdigit() for c in part) >= 2  # noqa: E731
    index = PartIndex(keys, MIN_PARTIAL, restricted=forms, allowed=allowed)
    table = every_substring(keys)
    for key, name in forms.items():
        for i in range(len(key)):
            for j in range(i + MIN_PARTIAL, len(key) + 1):
                if allowed(key[i:j]):
                    table[key[i:j]] = table.get(key[i:j], frozenset()) | {name}
    for span in ["5花肉", "5花", "花肉", "五花", "排骨", "5", "肉"]:
        assert index.get(span) == table.get(span), span
    assert index.first_chars == frozenset(k[0] for k in table)
    assert index.max_len == max(map(len, table))


def table_of_the_catalogue_before_the_index(catalogue: Catalogue) -> dict[str, frozenset[str]]:
    """The part table parsers/catalogue.py built before the index: every substring of every
    name and alias (and its 七喜 form), one-character names whole, and of a 5花肉 form the
    parts holding the digit and two other characters."""
    keys = {k: n for k, n in catalogue._keys.items() if k not in digit_forms_of(catalogue)}
    table = {k: set(v) for k, v in every_substring(keys).items()}
    for key, name in digit_forms_of(catalogue).items():
        for i in range(len(key)):
            for j in range(i + MIN_PARTIAL, len(key) + 1):
                part = key[i:j]
                if any(c.isdigit() for c in part) and sum(not c.isdigit() for c in part) >= 2:
                    table.setdefault(part, set()).add(name)
    return {k: frozenset(v) for k, v in table.items()}


def digit_forms_of(catalogue: Catalogue) -> dict[str, str]:
    return dict(catalogue._parts._restricted)


def test_the_catalogues_parts_with_digit_and_spelled_forms_are_those_of_the_table_before():
    catalogue = catalogue_of(SHOP + [("五花肉", ("三层肉",)), ("一品豆腐", ()), ("7喜", ("七喜汽水",)),
                                     ("四川泡菜", ()), ("二", ())])
    table = table_of_the_catalogue_before_the_index(catalogue)
    spans = list(table) + TYPOS + ["5花", "5花肉", "3层", "3层肉", "1品", "1品豆", "4川", "4川泡菜", "七喜", "7喜汽"]
    for span in spans:
        assert catalogue._parts.get(span) == table.get(span), span
    assert catalogue.max_key == max(map(len, table))
    assert catalogue._parts.first_chars == frozenset(k[0] for k in table)
