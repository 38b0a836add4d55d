"""Indexes over a catalogue's names, so matching a span costs the same with 12 or 12,000 products.

Two questions the catalogue asks about every chat line:

* which names contain this span (`葡萄` → both grapes)? Answered from the
  names that contain each of the span's character pairs, intersected and
  checked, instead of a table of every substring of every name;
* which names could a misspelt span (`车厘紫`, `坡萝`) be? Only names that share
  a character or a toneless syllable with it can score at all, so those are
  proposed by character and syllable postings, each with an upper bound of the
  score it could reach; the catalogue's exact scorer (rapidfuzz and pinyin)
  then runs on them best bound first and stops as soon as no name left can
  change the answer (`FuzzyCandidates.evaluate`).

Both are built lazily on first use and answers are remembered per span:
a catalogue is rebuilt when the menu changes, and a 10,000-product shop pays
for what its chat asks, not for every name up front. pypinyin is imported
only by the syllable postings, on the first misspelt span.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property

MEMO_LIMIT = 65536       # spans remembered per index before the memo starts again


class PartIndex:
    """`get(span)`: the products whose name or alias contains `span`.

    The same answers as a dict of every substring (at least `min_part`
    characters) of every key, plus the keys shorter than that as themselves.
    """

    def __init__(self, keys: Mapping[str, str], min_part: int = 2, *, restricted: Mapping[str, str] = {},
                 allowed: Callable[[str], bool] = lambda part: True) -> None:
        self._keys = dict(keys)                  # folded name/alias -> product
        # other forms of names whose parts count only when `allowed` (5花肉: parts with the digit)
        self._restricted = dict(restricted)
        self._allowed = allowed
        self._min = min_part
        self._memo: dict[str, frozenset[str] | None] = {}
        extra = [key[i:j] for key in self._restricted for i in range(len(key))
                 for j in range(i + min_part, len(key) + 1) if allowed(key[i:j])]
        self.max_len = max([len(k) for k in self._keys] + [len(p) for p in extra], default=0)
        # every character that starts some part: all but the last of a key
        # long enough to have parts, and a short key's own characters
        self.first_chars = frozenset(ch for key in self._keys for ch in
                                     (key[:len(key) - min_part + 1] if len(key) >= min_part else key[:1])) \
            | frozenset(part[0] for part in extra)

    @cached_property
    def _grams(self) -> dict[str, tuple[str, ...]]:
        """Character n-gram (n = min_part) -> keys containing it, in key order."""
        grams: dict[str, list[str]] = defaultdict(list)
        for key in (*self._keys, *(k for k in self._restricted if k not in self._keys)):
            for gram in dict.fromkeys(key[i:i + self._min] for i in range(len(key) - self._min + 1)):
                grams[gram].append(key)
        return {gram: tuple(keys) for gram, keys in grams.items()}

    @cached_property
    def _short(self) -> dict[str, frozenset[str]]:
        short: dict[str, set[str]] = defaultdict(set)
        for key, name in self._keys.items():
            if len(key) < self._min:
                short[key].add(name)
        return {key: frozenset(names) for key, names in short.items()}

    def get(self, span: str) -> frozenset[str] | None:
        if len(span) < self._min:
            return self._short.get(span)
        try:
            return self._memo[span]
        except KeyError:
            pass
        found = self._find(span)
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[span] = found
        return found

    def __contains__(self, span: object) -> bool:
        return isinstance(span, str) and self.get(span) is not None

    def _find(self, span: str) -> frozenset[str] | None:
        n = self._min
        postings = []
        for i in range(len(span) - n + 1):
            keys = self._grams.get(span[i:i + n])
            if keys is None:
                return None
            postings.append(keys)
        keys = min(postings, key=len)
        names = {self._keys[key] for key in keys if key in self._keys and span in key}
        if self._restricted and self._allowed(span):
            names.update(self._restricted[key] for key in keys if key in self._restricted and span in key)
        return frozenset(names) or None


class FuzzyCandidates:
    """Names a misspelt span could match, best possible score first.

    `bound` mirrors the parts of the catalogue's scorer (parsers/catalogue.py,
    `_fuzzy_scores`) from above: a name that shares no character and no
    syllable with the span scores 0 and is never proposed.
    """

    def __init__(self, keys: Mapping[str, str], syllable: Callable[[str], str],
                 readings: Callable[[str], Iterable[str]]) -> None:
        self._keys = keys
        self._order = {key: i for i, key in enumerate(keys)}
        self._syllable = syllable                # a character's usual toneless syllable
        self._readings = readings                # every toneless syllable a character can have

    @cached_property
    def _by_char(self) -> dict[str, tuple[str, ...]]:
        by_char: dict[str, list[str]] = defaultdict(list)
        for key in self._keys:
            for ch in set(key):
                by_char[ch].append(key)
        return {ch: tuple(keys) for ch, keys in by_char.items()}

    @cached_property
    def _mixed(self) -> frozenset[str]:
        """Keys with letters, digits or signs: pinyin groups those into one item."""
        return frozenset(key for key in self._keys if not _cjk(key))

    @cached_property
    def _by_syllable(self) -> dict[str, tuple[str, ...]]:
        # from the character postings: a shop's 10,000 names hold a few hundred characters
        # (only membership counts: _ranked treats each posting as a set)
        by_syllable: dict[str, set[str]] = defaultdict(set)
        for ch, keys in self._by_char.items():
            if not ch.isascii():
                for syllable in set(self._readings(ch)):
                    by_syllable[syllable].update(keys)
        return {s: tuple(keys) for s, keys in by_syllable.items()}

    @cached_property
    def _keys_of(self) -> dict[str, tuple[str, ...]]:
        """Product -> its keys, in catalogue order."""
        keys_of: dict[str, list[str]] = defaultdict(list)
        for key, name in self._keys.items():
            keys_of[name].append(key)
        return {name: tuple(keys) for name, keys in keys_of.items()}

    def _sharing(self, ch: str) -> tuple[str, ...]:
        """Keys holding a non-ASCII character `ch` or one of its syllables (remembered per character)."""
        found = self._shared.get(ch)
        if found is None:
            keys = set(self._by_char.get(ch, ()))
            keys.update(self._by_syllable.get(self._syllable(ch), ()))
            found = self._shared[ch] = tuple(keys)
        return found

    @cached_property
    def _shared(self) -> dict[str, tuple[str, ...]]:
        return {}

    def ranked(self, span: str, span_py: tuple[str, ...]) -> list[tuple[float, str]]:
        """(upper bound, key) for every key that could score above 0, highest bound first."""
        return self._ranked(span, span_py)[0]

    def _ranked(self, span: str, span_py: tuple[str, ...]) -> tuple[list[tuple[float, str]], set[str]]:
        length = len(span)
        in_key: Counter[str] = Counter()       # span positions whose character is in the key
        shares: Counter[str] = Counter()       # ... whose character or syllable is (non-ASCII only)
        by_char = self._by_char
        for ch in span:
            in_key.update(by_char.get(ch, ()))
            if not ch.isascii():
                shares.update(self._sharing(ch))
        # pinyin written the same (92) needs every syllable of the span in the key
        postings = sorted((self._by_syllable.get(syllable, ()) for syllable in set(span_py)), key=len)
        same_sound = set(postings[0]) if postings else set()
        for keys in postings[1:]:
            if not same_sound:
                break
            same_sound.intersection_update(keys)
        plain = _cjk(span)
        mixed = self._mixed
        order = self._order
        pool = in_key.keys() | shares.keys() | same_sound
        bounds = []
        for key in pool:
            common = in_key.get(key, 0)
            bound = min(79.0, 100.0 * shares.get(key, 0) / length)
            if not plain or key in mixed:
                # letters and digits make one pinyin item of a run: any pinyin score may follow
                if common or key in same_sound:
                    bound = 92.0
            elif len(key) == length:
                if key in same_sound:
                    bound = 92.0                # the same syllables
                elif common:
                    bound = max(bound, 85.0)    # near syllables and a shared character
            if common and len(key) >= 3:
                bound = max(bound, 98.0 * 2 * common / (length + len(key)))
            bounds.append((-bound, order[key], key))
        bounds.sort()
        return [(-bound, key) for bound, _, key in bounds], pool

    def evaluate(self, span: str, span_py: tuple[str, ...], score: Callable[[str], float],
                 cutoff: float, margin: float, suggest_cutoff: float, suggestions: int
                 ) -> dict[str, float]:
        """Exact scores of every product that can change the catalogue's answer.

        `score(key)` is the catalogue's own scorer. Keys are scored best bound
        first; scoring stops when the next bound cannot reach what the answer
        still needs: within `margin` of the best once the best passes
        `cutoff` (a match, or an ambiguity), otherwise the best score and the
        top `suggestions` at or above `suggest_cutoff`. Products come back in
        the order the full scan would have found them, so ties rank the same.
        """
        best: dict[str, float] = {}            # product -> best score so far
        scored: dict[str, float] = {}          # key -> its exact score
        candidates, pool = self._ranked(span, span_py)
        keys_of, order = self._keys_of, self._order
        earliest = _Earliest(keys_of, order, pool)   # product -> its first candidate name, in catalogue order
        for bound, key in candidates:
            if best:
                needed = self._needed(best, cutoff, margin, suggest_cutoff, suggestions)
                if bound < needed:
                    break
                if bound == needed and self._only_ties_left(best, earliest, self._keys[key], cutoff, suggestions):
                    continue
            value = scored[key] = score(key)
            name = self._keys[key]
            if value > best.get(name, 0.0):
                best[name] = value
        # The full scan meets a product at its first name (in catalogue order)
        # that scores above 0; ties rank in that order, so find it exactly.
        first: dict[str, int] = {}
        for name in best:
            for key in keys_of[name]:
                if key in pool and (scored[key] if key in scored else score(key)) > 0.0:
                    first[name] = order[key]
                    break
        return {name: best[name] for name in sorted(best, key=first.__getitem__)}

    @staticmethod
    def _only_ties_left(best: dict[str, float], earliest: dict[str, int], name: str, cutoff: float,
                        suggestions: int) -> bool:
        """Suggestions are full and this name could at most tie the last of them:
        a tie goes to the name met first in catalogue order (`sorted` is
        stable), so a name met later changes nothing (一个字 like 紫 ties
        with hundreds of names at the same score)."""
        if name in best or len(best) < suggestions:
            return False
        top = sorted(best.items(), key=lambda kv: (-kv[1], earliest[kv[0]]))
        if top[0][1] >= cutoff:
            return False
        return earliest[name] > max(earliest[n] for n, _ in top[:suggestions])

    @staticmethod
    def _needed(best: dict[str, float], cutoff: float, margin: float, suggest_cutoff: float,
                suggestions: int) -> float:
        top = sorted(best.values(), reverse=True)
        if top[0] >= cutoff:
            return max(cutoff, top[0] - margin)
        if len(top) >= suggestions:
            return min(top[0], max(suggest_cutoff, top[suggestions - 1]))
        return min(top[0], suggest_cutoff)


class _Earliest(dict):
    """Product -> the catalogue position of its first key among the candidates, found when asked."""

    def __init__(self, keys_of: Mapping[str, tuple[str, ...]], order: Mapping[str, int], pool) -> None:
        super().__init__()
        self._keys_of, self._order, self._pool = keys_of, order, pool

    def __missing__(self, name: str) -> int:
        found = self[name] = min(self._order[key] for key in self._keys_of[name] if key in self._pool)
        return found


def _cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)
