"""Text normalisation: what people type on phones, made comparable.

Full-width forms become half-width (`２` → `2`, `＋` → `+`), traditional
characters become simplified (`蘋果` → `苹果`), zero-width characters go,
WeChat's bracketed stickers (`[玫瑰]`) and emoji become spaces so they never
glue two words together or end up inside a product name.
"""
from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
# WeChat renders stickers as [名字]; they are at most a few CJK characters. The pattern finds
# a bracketed run and _sticker() checks its characters: a class of the 21,000 CJK characters
# takes sre ~1.5 ms to compile, at every start (same matches: the run holds no bracket).
_STICKER = re.compile(r"\[[^\[\]]{1,6}\]")


def _sticker(match: re.Match[str], replacement: str = " ") -> str:
    word = match.group()
    if all("\u4e00" <= c <= "\u9fff" or "A" <= c <= "Z" or "a" <= c <= "z" for c in word[1:-1]):
        return replacement
    return word

# Emoji, pictographs, dingbats, variation selectors, keycaps and similar symbols.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0000FE00-\U0000FE0F"
    "\U0001F1E6-\U0001F1FF\u2B00-\u2BFF\u20E3\u3030\u303D\u2190-\u21FF]+"
)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# Every break str.splitlines knows.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Characters NFKC would wrongly fold (× would stay, but keep it explicit) or
# that NFKC leaves alone although people mean ASCII by them.
_PUNCT = str.maketrans({"×": "x", "＊": "*", "～": "~", "。": ".", "：": ":"})

_t2s = None
_traditional: frozenset[str] = frozenset()
# Text this far from a traditional character cannot change its conversion
# (OpenCC's longest t2s phrase is shorter), so only such windows are converted.
_CONTEXT = 16
_WINDOW = 256          # longer windows convert character by character
_char_table: dict[int, str] = {}
# The characters without which OpenCC's t2s gives a text back unchanged (see _changing).
_CHANGED: frozenset[str] | None = None


def _dictionary():
    """OpenCC's dictionary folder, found without importing OpenCC (~50 ms of imports and set-up)."""
    return Path(find_spec("opencc").origin).parent / "dictionary"


def _changing() -> frozenset[str]:
    """The characters t2s can change: those TSCharacters.txt maps to another character, and
    for each TSPhrases.txt phrase made of none of them that still converts to something else
    (回覆 → 回复: 覆 alone stays 覆), its changed characters.

    OpenCC converts a text piece by piece: each piece is a phrase, converted as a whole, or a
    character, converted alone. A text with none of these characters is made of pieces that
    all convert to themselves, so it comes back as it was, whichever pieces OpenCC cut it
    into: such a text need not be converted at all (tests/test_text.py checks this against
    OpenCC). Reading the two files takes ~3 ms, against ~50 ms for OpenCC and the full tables.
    """
    global _CHANGED
    if _CHANGED is None:
        folder = _dictionary()
        # every row is "source<TAB>target[ target...]"; TSCharacters' sources are one character
        changed = {row[0] for row in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines()
                   if row and row[2] != row[0]}
        for row in (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines():
            source, _, targets = row.partition("\t")
            target = targets.split(" ")[0]
            if target != source and changed.isdisjoint(source):
                changed.update(source if len(target) != len(source)
                               else (s for s, t in zip(source, target) if s != t))
        _CHANGED = frozenset(changed)
    return _CHANGED


def _load_t2s() -> None:
    """OpenCC's t2s converter, plus the characters that make it do anything."""
    global _t2s, _traditional
    from opencc import OpenCC  # opencc-python-reimplemented; imported on first use

    _t2s = OpenCC("t2s").convert
    dictionary = _dictionary()
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for row in (dictionary / name).read_text(encoding="utf-8").splitlines():
            source, _, target = row.partition("\t")
            if name == "TSCharacters.txt" and len(source) == 1 and target:
                _char_table[ord(source)] = target.split(" ")[0]
            chars.update(source)
    # a set, not a regex class: sre scans a 4,000-character class slowly
    _traditional = frozenset(c for c in chars if not c.isascii())


def _to_simplified(text: str) -> str:
    """t2s of text that has a character t2s changes (almost no message has one: it
    is given back as it is); of the rest, t2s on the windows around the characters
    of the t2s tables only.

    Converting a whole 100,000-character message with the pure-Python
    OpenCC takes seconds; almost every message has no traditional character
    at all, and the rest have a few.
    """
    if _changing().isdisjoint(text):
        return text
    return _windows_to_simplified(text)


def _windows_to_simplified(text: str) -> str:
    if _t2s is None:
        _load_t2s()
    spans: list[list[int]] = []
    for at in [i for i, ch in enumerate(text) if ch in _traditional]:
        start, end = max(0, at - _CONTEXT), at + 1 + _CONTEXT
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        window = text[start:end]
        out.append(text[last:start])
        out.append(_t2s(window) if len(window) <= _WINDOW else window.translate(_char_table))
        last = end
    out.append(text[last:])
    return "".join(out)


def normalize(text: str) -> str:
    """Return text in the one form every parser expects.

    Idempotent: normalize(normalize(t)) == normalize(t). Line breaks are kept;
    runs of spaces become one space and each line is stripped. Lines are
    normalised one by one through a cache, because a 接龙 repost repeats
    hundreds of lines the bot has already seen.
    """
    if not _LINE_BREAK.search(text):
        return _normalize_line(text)
    for raw, done in reversed(tuple(_recent)):     # a copy: other threads normalise too
        # a repost is the list before it plus a line: normalise only what was added
        if len(text) > len(raw) and text[len(raw)] == "\n" and raw[-1] != "\r" and text.startswith(raw):
            normalised = done + "\n" + normalize(text[len(raw) + 1:])
            break
    else:
        # split (not splitlines) keeps a trailing empty line, so "\n" stays "\n"
        normalised = "\n".join(map(_normalize_line, _LINE_BREAK.split(text)))
    if len(text) >= _CONTINUED:
        _recent.append((text, normalised))
    return normalised


# The last few long texts normalised, for texts that continue one of them.
_CONTINUED = 200       # characters: shorter texts are cheap to normalise anyway
_recent: deque[tuple[str, str]] = deque(maxlen=4)


def split_lines(text: str) -> list[str]:
    """The lines of `text` as `normalize` sees them: line i of normalize(text) is
    line i of this list, normalised (every break str.splitlines knows ends one)."""
    return _LINE_BREAK.split(text)


@lru_cache(maxsize=65536)
def _normalize_line(text: str) -> str:
    text = text.translate(_ZERO_WIDTH)
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    text = _STICKER.sub(_sticker, text)
    text = _EMOJI.sub(" ", text)
    if not text.isascii():
        text = _to_simplified(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(lines)


def strip_decorations(name: str) -> str:
    """A display name without emoji or stickers, for replies and matching."""
    return normalize(name).replace("\n", " ").strip() or name.strip()


def without_emoji(text: str) -> str:
    """Text with its emoji and stickers taken out (a menu's `🍓草莓` is 草莓)."""
    return _SPACES.sub(" ", _EMOJI.sub(" ", _STICKER.sub(_sticker, text))).strip()


# Emoji of one thing in two forms (CONTRACT 3b): a spec written 🦐 is also typed 🍤.
_SAME_EMOJI = str.maketrans({"🍤": "🦐", "🐮": "🐄", "🐷": "🐖", "🐓": "🐔", "🌶": "🌶", "🍅": "🍅",
                             "🐟": "🐟", "🐠": "🐟", "🍋": "🍋", "🌽": "🌽"})
_EMOJI_SELECTORS = dict.fromkeys(map(ord, "\ufe0e\ufe0f"), None)
_ONE_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F1E6-\U0001F1FF\u2B00-\u2BFF\u3030\u303D]"
)


def is_emoji(ch: str) -> bool:
    return _ONE_EMOJI.match(ch) is not None


def normalize_emoji(text: str) -> str:
    """A spec or name with its emoji kept, in one form: 🌶️ and 🌶 alike, 🍤 as 🦐."""
    return text.translate(_EMOJI_SELECTORS).translate(_SAME_EMOJI)


@dataclass(frozen=True)
class MappedLine:
    """One entry line normalised for reading, with emoji kept (they can be specs or
    names) and, for each character, where it came from in the line as written,
    so that names are given back as the customer wrote them (鄭姐, 🌸)."""

    text: str
    origin: tuple[int, ...]       # index in `raw` of each character of `text`
    raw: str

    def written(self, start: int, end: int) -> str:
        """The raw text behind text[start:end]."""
        if start >= end:
            return ""
        return self.raw[self.origin[start]:self.origin[end - 1] + 1]


@lru_cache(maxsize=8192)
def normalize_entry(raw: str) -> MappedLine:
    """Like `normalize` on one line, but emoji stay (as `normalize_emoji` writes them)
    and every character is traced back to `raw`. On text that `normalize` already
    made, this changes nothing but the trace."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(raw):
        if ord(ch) in _ZERO_WIDTH or ch in "\ufe0e\ufe0f\u20e3":
            continue
        if _ONE_EMOJI.match(ch):
            piece = normalize_emoji(ch)
        else:
            piece = unicodedata.normalize("NFKC", ch).translate(_PUNCT)
            if _LINE_BREAK.fullmatch(piece) or piece in "\t\u3000\xa0":
                piece = " "
        for c in piece:
            chars.append(c)
            origin.append(i)
    text = "".join(chars)
    text = _STICKER.sub(lambda m: _sticker(m, " " * len(m.group())), text)
    if not text.isascii():
        simplified = _to_simplified(text)
        text = simplified if len(simplified) == len(text) else "".join(
            c if len(t := text[k].translate(_char_table)) != 1 else t for k, c in enumerate(text))
    # runs of spaces become one, and the ends are stripped, as normalize does
    out: list[str] = []
    where: list[int] = []
    for c, at in zip(text, origin):
        if c in " \t\u3000\xa0" and (not out or out[-1] == " "):
            continue
        out.append(" " if c in "\t\u3000\xa0" else c)
        where.append(at)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return MappedLine("".join(out), tuple(where), raw)

