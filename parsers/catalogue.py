"""Matching what customers type against the product catalogue.

Three tiers, strongest first: a name or alias written exactly; part of one
(`阳光玫瑰` → 阳光玫瑰葡萄, `葡萄` → two grapes: ambiguous); and, for text that
sits where a product should be, a fuzzy match that forgives typos and the
homophone slips of pinyin input (`草霉` → 草莓, `坡萝` → 菠萝). Below an explicit
cutoff nothing matches; when the best two are within a margin, the match is
ambiguous. pypinyin costs ~0.3 s to import, so it is loaded only when a span
did not match directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from parsers.name_index import FuzzyCandidates, PartIndex
from parsers.text import is_emoji, normalize, normalize_entry

MATCH_CUTOFF = 80.0      # below this a fuzzy candidate is not a match
AMBIGUITY_MARGIN = 5.0   # best two products closer than this: ask which
# Worth offering as "did you mean": a third of the span is shared with the
# name (a character, or a syllable as pinyin input would type it), or the
# spelling is close. Letter-level pinyin similarity alone is noise (面粉 is
# not 大米), so it no longer counts.
SUGGEST_CUTOFF = 30.0
MIN_PARTIAL = 2          # shortest part of a name that may stand for it
MAX_FUZZY = 24           # longer spans are sentences, not misspelt names

# Names and chat are compared with ASCII letters folded (Coca Cola, coca cola);
# the translation keeps every index, so lexer positions stay valid.
FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_DIGIT_NAMES = str.maketrans("0123456789", "零一二三四五六七八九")
_NAME_DIGITS = str.maketrans("一二三四五六七八九", "123456789")

# Initials and finals that pinyin typists and southern speakers swap.
_NEAR_INITIALS = {("b", "p"), ("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("f", "h")}


@dataclass(frozen=True)
class ProductInfo:
    """A product as the catalogue knows it (from the config or the database)."""

    name: str
    price: float
    unit: str
    aliases: tuple[str, ...] = ()
    stock: float | None = None
    limit: float | None = None
    specs: tuple[str, ...] = ()
    on_sale: bool = True
    # From the round's menu (CONTRACT 3b): the number or letter the merchant's
    # post gives the line ("3", "C"; None when unnumbered), a price per spec in
    # spec order (empty: every spec sells at `price`), and whether a line that
    # names no product orders this one (a set meal).
    code: str | None = None
    spec_prices: tuple[float, ...] = ()
    default: bool = False
    # More than this many selling units in one item is confirmed first (3c).
    confirm_over: float = 50.0


@dataclass(frozen=True)
class Match:
    """The outcome of matching one span: one product, several, or none."""

    text: str
    products: tuple[str, ...] = ()       # one: matched; several: ambiguous; none: unknown
    score: float = 0.0
    suggestions: tuple[str, ...] = ()    # closest products when unknown

    @property
    def product(self) -> str | None:
        return self.products[0] if len(self.products) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.products) > 1


@dataclass
class Catalogue:
    """Products on sale, indexed for fast scanning of chat text."""

    products: tuple[ProductInfo, ...]
    off_sale: tuple[ProductInfo, ...] = ()
    _keys: dict[str, str] = field(init=False, repr=False)          # name/alias -> product
    _parts: PartIndex = field(init=False, repr=False)               # part of a name -> products
    _specs: dict[str, str] = field(init=False, repr=False)          # spec as written (folded) -> spec

    def __post_init__(self) -> None:
        self._keys = {}
        # a shop's 10,000 names mostly need no OpenCC: normalize skips text with no character t2s changes
        for product in self.products:
            for written in (product.name, *product.aliases):
                if key := fold(written):
                    self._keys.setdefault(key, product.name)
        for key, name in list(self._keys.items()):
            # 7喜 is also typed 七喜: digits inside a name are spelled both ways.
            spelled = key.translate(_DIGIT_NAMES)
            if spelled != key:
                self._keys.setdefault(spelled, name)
        # 5花肉 for 五花肉: numerals inside a name are typed as digits too; such a
        # form is a name, and only its parts with two characters besides the digit
        digit_forms = {}
        for key, name in list(self._keys.items()):
            typed = key.translate(_NAME_DIGITS)
            if typed != key and sum(not c.isdigit() for c in typed) >= 2:
                digit_forms.setdefault(typed, name)
        self._match_cache: dict[str, Match] = {}
        # cocacola for Coca Cola: Latin names are also typed without their spaces
        self._squeezed = {k.replace(" ", ""): n for k, n in self._keys.items() if " " in k}
        # Parts of names from character-pair postings (parsers/name_index.py), not a
        # table of every substring: 姜, 蒜, one-character names, are matched whole only;
        # a digit form gives only its parts with the digit and two other characters.
        self._parts = PartIndex(self._keys, MIN_PARTIAL, restricted=digit_forms, allowed=_digit_part)
        for key, name in digit_forms.items():
            self._keys.setdefault(key, name)
        self._fuzzy = FuzzyCandidates(self._keys, _syllable, _readings)
        self._key_py: dict[str, tuple[str, ...]] = {}
        every_spec = {k for p in self.products for k in map(spec_key, p.specs) if k}
        self._specs = _spec_forms(every_spec, self._parts)
        # Parts of a longer spec (黑椒 of 黑椒牛柳, 🍓 of 🍓奶昔) are found like
        # specs; which spec they name is decided per product (spec_of).
        for part in _spec_parts(every_spec):
            if part not in self._specs and fold(part) not in self._parts:
                self._specs[part] = part
        self.by_name = {p.name: p for p in self.products}
        self._specs_of = {p.name: tuple(k for k in map(spec_key, p.specs) if k) for p in self.products}
        self.max_key = self._parts.max_len
        self.max_spec = max((len(s) for s in self._specs), default=0)
        # Menu numbers and letters (CONTRACT 3b), as customers type them.
        self.by_code = {code_key(p.code): p.name for p in self.products if p.code and code_key(p.code)}
        self.default = next((p.name for p in self.products if p.default), None)
        # Names of products taken off sale: said in full, they are that product (and
        # refused as such), never a part of another name (雪花啤酒 is not 啤酒 of 青岛啤酒).
        self._off_keys = {fold(k): p.name for p in self.off_sale for k in (p.name, *p.aliases) if fold(k)}
        self.max_off_key = max((len(k) for k in self._off_keys), default=0)
        self.first_chars = self._parts.first_chars | frozenset(k[0] for k in self._off_keys)
        self.spec_first_chars = frozenset(s[0] for s in self._specs)

    # -- scanning (used by the lexer, on every entry) ---------------------------

    def product_at(self, text: str, start: int) -> tuple[int, Match] | None:
        """Longest name, alias or part of one starting at `start`.

        `text` is folded (see `fold`). Latin names match whole words only, so
        `co` in `coffee` is not part of `coca cola`.
        """
        if start >= len(text) or text[start] not in self.first_chars:
            return None
        latin = _is_letter(text[start])
        if latin and start > 0 and (_is_letter(text[start - 1]) or text[start - 1].isdigit()):
            return None
        found = self._on_sale_at(text, start, latin)
        for end in range(min(len(text), start + self.max_off_key), (found[0] if found else start), -1):
            if text[start:end] in self._off_keys:
                return end, Match(text[start:end])     # unknown here; the bot says it is off sale
        return found

    def _on_sale_at(self, text: str, start: int, latin: bool) -> tuple[int, Match] | None:
        for end in range(min(len(text), start + self.max_key), start, -1):
            span = text[start:end]
            names = self._parts.get(span)
            if names:
                if latin and end < len(text) and _is_letter(text[end]) and _is_letter(text[end - 1]) \
                        and not _times_follows(text, end):
                    continue
                exact = self._keys.get(span)
                if exact:
                    return end, Match(span, (exact,), 100.0)
                return end, Match(span, tuple(sorted(names, key=self._order)), 90.0)
        return None

    def spec_at(self, text: str, start: int) -> int | None:
        """End of the longest spec (大果, 6寸, 原味) starting at `start`, in any
        of the forms people write it (粉色 for 粉, 10KG for 10kg, 草莓 for 草莓味)."""
        if start >= len(text) or text[start].lower() not in self.spec_first_chars:
            return None
        for end in range(min(len(text), start + self.max_spec), start, -1):
            if text[start:end].lower() in self._specs:
                return end
        return None

    def sold_in(self, name: str | None, spec: str) -> bool:
        """Whether the product on sale called `name` comes in `spec` (normalised,
        or a part of one of its specs that fits only that one)."""
        return self.spec_of(name, spec) is not None

    def spec_of(self, name: str | None, written: str) -> str | None:
        """The spec key of product `name` that `written` names: the spec itself, a form
        of it (粉色 for 粉), or a part that fits only one of its specs (黑椒 for 黑椒牛柳)."""
        specs = self._specs_of.get(name, ()) if name else ()
        if not specs or not written:
            return None
        if written in specs:
            return written
        form = self._specs.get(written.lower())
        if form in specs:
            return form
        fits = [s for s in specs if written in s or written.lower() in s.lower()]
        return fits[0] if len(fits) == 1 else None

    def products_in(self, spec: str) -> tuple[str, ...]:
        """The products on sale that come in `spec`, in catalogue order."""
        return tuple(name for name in self._with_specs if self.spec_of(name, spec) is not None)

    @cached_property
    def _with_specs(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.products if self._specs_of.get(p.name))

    def product_by_code(self, written: str) -> str | None:
        """The product the round's menu numbers or letters `written` (2, 05, c, C)."""
        return self.by_code.get(code_key(written)) if self.by_code else None

    def spec_named(self, written: str) -> str:
        """The catalogue's spec for one `spec_at` found."""
        return self._specs.get(written.lower(), written)

    def _order(self, name: str) -> int:
        return self._positions[name]

    @cached_property
    def _positions(self) -> dict[str, int]:
        positions: dict[str, int] = {}
        for i, p in enumerate(self.products):
            positions.setdefault(p.name, i)
        return positions

    @cached_property
    def whole(self) -> Catalogue:
        """Every product, off sale or not, on sale (after-sales names what was bought)."""
        return Catalogue(self.products + self.off_sale) if self.off_sale else self

    # -- fuzzy matching (only for text where a product should be) --------------

    def match(self, span: str) -> Match:
        """Best product for a whole span, tolerating typos and homophones."""
        cached = self._match_cache.get(span)
        if cached is None:
            if len(self._match_cache) > 4096:
                self._match_cache.clear()
            cached = self._match_cache[span] = self._match(span)
        return cached

    def _match(self, span: str) -> Match:
        text = span
        span = fold(span).replace(" ", "")
        if not span:
            return Match(span)
        exact = self._keys.get(span) or self._keys.get(fold(text)) or self._squeezed.get(span)
        if exact:
            return Match(span, (exact,), 100.0)
        names = self._parts.get(span) or self._parts.get(fold(text))
        if names:
            return Match(span, tuple(sorted(names, key=self._order)), 90.0)
        if len(span) > MAX_FUZZY:
            return Match(span)
        scored = self._fuzzy_scores(span)
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= MATCH_CUTOFF:
            best = ranked[0][1]
            close = tuple(name for name, s in ranked if s >= MATCH_CUTOFF and best - s < AMBIGUITY_MARGIN)
            return Match(span, close, best)
        suggestions = tuple(name for name, s in ranked[:3] if s >= SUGGEST_CUTOFF)
        return Match(span, (), ranked[0][1] if ranked else 0.0, suggestions)

    def match_tail(self, text: str) -> tuple[int, Match] | None:
        """A product spelled (possibly misspelled) at the end of `text`.

        For glued text such as `赵磊车里子` before a quantity: the product is
        the longest matching suffix; returns where it starts.
        """
        text = text.replace(" ", "")
        longest = min(len(text), self.max_key + 1)
        for size in range(longest, MIN_PARTIAL - 1, -1):
            found = self.match(text[-size:])
            if found.products:
                return len(text) - size, found
        return None

    def _fuzzy_scores(self, span: str) -> dict[str, float]:
        """Each product's best score over its names, for the names that can
        change the answer (parsers/name_index.py proposes them)."""
        span_py = _pinyin(span)
        return self._fuzzy.evaluate(span, span_py, lambda key: self._key_score(span, span_py, key),
                                    MATCH_CUTOFF, AMBIGUITY_MARGIN, SUGGEST_CUTOFF, 3)

    def _key_score(self, span: str, span_py: tuple[str, ...], key: str) -> float:
        from rapidfuzz import fuzz

        score = 0.0
        key_py = self._key_py.get(key)
        if key_py is None:
            key_py = self._key_py[key] = _pinyin(key)
        if len(key_py) == len(span_py):
            if key_py == span_py:
                score = 92.0
            elif set(span) & set(key) and all(_near(a, b) for a, b in zip(span_py, key_py)):
                score = 85.0
        if len(key) >= 3:
            score = max(score, fuzz.ratio(span, key, processor=None) * 0.98)
        # Suggestions only: how much of the span the name shares, by
        # character or by syllable (猪肉 ~ 五花肉, 抽纸 ~ 卷纸).
        shared = sum(1 for ch in span if not ch.isascii() and (ch in key or _syllable(ch) in key_py))
        return max(score, min(79.0, 100.0 * shared / len(span)))

    def off_sale_match(self, span: str) -> str | None:
        """The name of a product taken off sale that `span` names exactly."""
        span = normalize(span)
        for product in self.off_sale:
            if span in (normalize(product.name), *map(normalize, product.aliases)):
                return product.name
        return None


def spec_key(spec: str) -> str:
    """A spec as it is compared: normalised, with its emoji kept (🌶, 🍓奶昔)."""
    return normalize_entry(spec).text


def code_key(code: str) -> str:
    """A menu number or letter as it is compared: 05 and 5 alike, c and C alike."""
    code = normalize(code).strip().upper()
    return code.lstrip("0") or code if code.isdigit() else code


def _spec_parts(specs: set[str]) -> set[str]:
    """Parts of specs that may name them: two or more characters of a spec of three
    or more, and an emoji of a spec that has words too (🍓 of 🍓奶昔)."""
    parts: set[str] = set()
    for spec in specs:
        if len(spec) >= 3:
            parts.update(spec[i:j] for i in range(len(spec)) for j in range(i + 2, len(spec) + 1)
                         if spec[i:j] != spec and not spec[i:j].isascii() and " " not in spec[i:j])
        if len(spec) >= 2:
            parts.update(ch for ch in spec if is_emoji(ch))
    return parts


def fold(text: str) -> str:
    """Text as names are compared: normalised, ASCII letters in lower case."""
    return normalize(text).translate(FOLD)


def _is_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    return _pinyin(ch)[0]


def _readings(ch: str) -> tuple[str, ...]:
    """Every toneless syllable a character can be read as (行: xing, hang, heng)."""
    from pypinyin import Style, pinyin

    return (_syllable(ch), *pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def _digit_part(part: str) -> bool:
    """A part of a name's digit form (5花肉) that stands for it: the digit and two other characters."""
    return any(c.isdigit() for c in part) and sum(not c.isdigit() for c in part) >= 2


def _split(syllable: str) -> tuple[str, str]:
    for initial in ("zh", "ch", "sh"):
        if syllable.startswith(initial):
            return initial, syllable[2:]
    if syllable and syllable[0] in "bpmfdtnlgkhjqxrzcsyw":
        return syllable[0], syllable[1:]
    return "", syllable


def _near(a: str, b: str) -> bool:
    """Whether two toneless syllables are a likely slip for each other."""
    if a == b:
        return True
    (ia, fa), (ib, fb) = _split(a), _split(b)
    initials_ok = ia == ib or (ia, ib) in _NEAR_INITIALS or (ib, ia) in _NEAR_INITIALS
    finals_ok = fa == fb or fa.rstrip("g") == fb.rstrip("g")
    return initials_ok and finals_ok


def _times_follows(text: str, end: int) -> bool:
    """vindax2 (Vinda×2, × folded to x): the x starts the amount, not the word."""
    return text[end] == "x" and end + 1 < len(text) and text[end + 1].isdigit()


_SPEC_ENDINGS = ("口味", "味", "馅", "色")
_METRIC_SPEC = re.compile(r"(\d+(?:\.\d+)?)(kg|g|l|ml)")
_METRIC_WORDS = {"kg": ("公斤", "千克"), "g": ("克",), "l": ("升",), "ml": ("毫升",)}


def _spec_forms(specs: set[str], names: PartIndex) -> dict[str, str]:
    """Each spec under the forms people type it, lower-cased: 粉 also as 粉色,
    草莓味 also as 草莓, 10kg also as 10KG and 10公斤. A form that is another
    spec, a product name or part of one stays theirs (草莓 when 草莓 is sold)."""
    forms = {spec.lower(): spec for spec in specs}
    for spec in sorted(specs):
        extra = set()
        if len(spec) == 1 and not spec.isascii():
            extra.add(spec + "色")                      # 粉 -> 粉色
        for ending in _SPEC_ENDINGS:
            if spec.endswith(ending) and len(spec) - len(ending) >= 2:
                extra.add(spec[: -len(ending)])          # 草莓味 -> 草莓, 黑芝麻馅 -> 黑芝麻
        if len(spec) >= 2 and not spec.isascii() and not spec.endswith(_SPEC_ENDINGS):
            extra.update((spec + "味", spec + "馅"))      # 花生 -> 花生味, 花生馅
        metric = _METRIC_SPEC.fullmatch(spec.lower())
        if metric:
            extra.update(metric.group(1) + word for word in _METRIC_WORDS[metric.group(2)])
        for form in extra:
            form = form.lower()
            if form not in forms and form not in names:
                forms[form] = spec
    return forms
