"""Cutting a chat line into tokens the grammar can arrange.

Chinese has no spaces, so this is where product names are segmented: at each
position the catalogue is asked for the longest name (or part of one) that
starts there, before numbers, units and keywords are tried. Everything else
becomes TEXT (names, room numbers, notes). One left-to-right pass with
bounded look-ahead: linear in the length of the line. Runs of characters that
can start nothing (most of a long note) are skipped with one regex step, so a
100,000-character line costs milliseconds, not seconds.

Besides cutting, the lexer settles what only the characters can tell:
* 和 inside a word is part of it (王和平, 百和), a separator only between items;
* a one-character spec (公, 母, 大) counts only standing apart from other
  text, so 公司 and 老公 are not the spec 公; `公的` is the spec 公;
* pack sizes (`5斤装`, `5斤/袋`, `5斤一袋`) describe the product, they are not
  how much is wanted: they become PACK tokens that stick to the product;
* prices (`35元`, `¥35`, `35块钱`) are words of the note;
* a misspelt first character glued to a part of a name (`无花肉` for 五花肉)
  joins the name, and two glued parts that name one product together
  (`白菜猪肉` + `水饺`) are one product.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token

from parsers.catalogue import FOLD, MATCH_CUTOFF, Catalogue, Match
from parsers.numbers import CN_DIGITS, parse_number
from parsers.text import is_emoji
from parsers.units import COUNT_WORDS, UNIT_SLIPS, UNIT_WORDS, WEIGHT_GRAMS, Quantity

# Room numbers, phone numbers and order numbers are words, not quantities.
_UNITS = "(?:" + "|".join(map(re.escape, UNIT_WORDS)) + ")"
_ROOM = re.compile(
    r"1[3-9]\d {1,2}\d{4} {1,2}\d{4}(?!\d)"               # phones typed in groups: 138 1234 5678
    r"|\d+(?:-\d+)+"                                   # 5-302, 8-1101
    r"|\d+(?:栋|幢|号楼|号|楼|单元|座|层|室|区|期)"        # 3栋1单元502, 3号楼
    r"(?:\d+(?:栋|幢|号楼|号|楼|单元|座|层|室)?)*"
    r"|\d{5,}"                                         # phones, ids
    r"|\d+/\d+"                                        # dates 12/30
    r"|\d+[:点]\d*"                                     # times 10:00, 4点
    r"|\d+(?:\.\d+)?(?:(?:元|块钱|圆|rmb|RMB)(?:/" + _UNITS + ")?"  # prices 35元, 12.5块钱, 28元/斤
    r"|块?/" + _UNITS + ")"                              # 28/斤, 28块/斤
)
# Payment notes: 已转账70, 微信已付35 name money, not an amount of a product.
_PAID = ("已付", "已转", "转账", "付款", "支付", "付了", "红包", "收款")
_PRICE = re.compile(r"¥\s?\d+(?:\.\d+)?")
_PAID_AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:元|块)?")
_VOLUME = re.compile(r"(\d+(?:\.\d+)?)\s?(ml|mL|ML|l|L|毫升|升)(?!(?![xX*]\s*\d)[A-Za-z])")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CN_RUN = re.compile(rf"[{CN_DIGITS}]+")
_TIMES = re.compile(rf"[xX*]\s*(\d+(?:\.\d+)?|[{CN_DIGITS}]+)")
_PLUS = re.compile(r"\+\s*(\d+)")
_MENTION = re.compile(r"@\S*")   # a lone "@" too
_LATIN = re.compile(r"[A-Za-z][A-Za-z'.]*")
_UNIT = re.compile("|".join(map(re.escape, UNIT_WORDS)), re.IGNORECASE)
SEPARATORS = frozenset(",、;+和及/|")
WORD_SEPARATORS = frozenset("和及")   # separators that are also characters of names
MAX_NUMERAL = 6        # 一百二十五: longer runs of numerals are words, not numbers
# After a quantity, what makes it a pack size: 5斤装, 5斤/袋, 5斤一袋, 5斤每袋.
_PACK_TAIL = re.compile("装|(?:/|一|每)(?:" + "|".join(map(re.escape, sorted(COUNT_WORDS))) + ")")

# Change keywords, longest first. 取消 is also a merchant verb; the bot only
# reads it as a customer change after the command parser has passed.
KEYWORDS: tuple[tuple[str, str], ...] = tuple(sorted((
    ("改成", "SET"), ("改为", "SET"), ("换成", "SET"), ("改到", "SET"), ("改", "SET"),
    ("加到", "SET"), ("增加到", "SET"), ("减到", "SET"),
    # fewer: 五花肉减1斤, 少要1斤 (bare 少 is 少冰, 少糖: not a keyword)
    ("减", "SUB"), ("减少", "SUB"), ("减掉", "SUB"), ("少要", "SUB"), ("少来", "SUB"),
    ("再加", "ADD"), ("加", "ADD"), ("多加", "ADD"), ("追加", "ADD"), ("再来", "ADD"), ("补", "ADD"),
    ("不要了", "REMOVE"), ("不要", "REMOVE"), ("取消", "REMOVE"), ("删掉", "REMOVE"),
    ("删了", "REMOVE"), ("删除", "REMOVE"), ("退掉", "REMOVE"), ("去掉", "REMOVE"),
    ("同上", "SAME"),
), key=lambda kw: -len(kw[0])))
_KEYWORD_FIRST = frozenset(word[0] for word, _ in KEYWORDS)


class Tok(Token):
    """A lark Token that also carries a parsed value (a Match, a Quantity...)."""

    __slots__ = ("payload",)


def quantity_of(parts) -> Quantity:
    """The amount a grammar's quantity rule matched: numbers (and 半) add up, a unit
    names what they count, a ×N sets the count."""
    value, unit = 0.0, None
    for part in parts:
        if part.type in ("NUM", "HALF"):
            value += part.payload
        elif part.type == "UNIT":
            unit = part.payload
        elif part.type == "TIMES":
            value = part.payload.value
    return Quantity(value, unit)


def _tok(kind: str, text: str, start: int, end: int, payload: object = None) -> Tok:
    token = Tok(kind, text, start_pos=start, end_pos=end)
    token.payload = payload
    return token


def tokenize(line: str, catalogue: Catalogue) -> list[Tok]:
    """Tokens of one normalised line (see parsers.text.normalize)."""
    tokens = list(_scan(line, line.translate(FOLD), catalogue))
    tokens = _pack_sizes(_compound_weights(tokens, line), line)
    return _whole_words(_join_products(_packs_in_names(tokens, line), line, catalogue), line, catalogue)


def _packs_in_names(tokens: list[Tok], line: str) -> list[Tok]:
    """Pack sizes written inside a product's text describe it (CONTRACT 3b): in
    抽纸100抽*24包 2提 and 洗衣液3kg 2瓶 the amount ordered is the one after."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        five = tokens[i:i + 4]
        glued = all(a.end_pos == b.start_pos for a, b in zip(five, five[1:]))
        if (len(five) == 4 and glued and [t.type for t in five] == ["NUM", "TEXT", "TIMES", "TEXT"]
                and len(five[1]) == 1 and str(five[3]) in COUNT_WORDS):
            # 100抽*24包: so many sheets a pack, so many packs a case
            out.append(_tok("PACK", line[tok.start_pos:five[3].end_pos], tok.start_pos, five[3].end_pos,
                            Quantity(five[2].payload.value, str(five[3]))))
            i += 4
            continue
        nxt = tokens[i + 2] if i + 2 < len(tokens) else None
        if (tok.type == "NUM" and out and out[-1].type == "PRODUCT" and out[-1].end_pos == tok.start_pos
                and i + 3 < len(tokens) and tokens[i + 1].type == "UNIT" and tokens[i + 1].start_pos == tok.end_pos
                and tokens[i + 1].payload in WEIGHT_GRAMS and nxt.type == "NUM" and tokens[i + 3].type == "UNIT"
                and tokens[i + 3].payload in COUNT_WORDS and tokens[i + 3].start_pos == nxt.end_pos):
            # 洗衣液3kg 2瓶: the weight of one bottle, then how many bottles
            out.append(_tok("PACK", line[tok.start_pos:tokens[i + 1].end_pos], tok.start_pos,
                            tokens[i + 1].end_pos, Quantity(tok.payload, tokens[i + 1].payload)))
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


# After a part of a name, characters that say something about it rather than
# continue the word: 三鲜的, 三鲜馅, 水饺呢.
_NOT_A_TAIL = frozenset("的要呢吗么了啊呀吧哦馅味款装类系都也还就再先")


def _whole_words(tokens: list[Tok], line: str, catalogue: Catalogue) -> list[Tok]:
    """柠檬水 with 柠檬茶 on sale: a part of a name glued to a character or two that
    are not part of it is one word, matched whole (a slip of a name, or something
    not on sale, asked about with suggestions), never the name plus a note."""
    out: list[Tok] = []
    for tok in tokens:
        last = out[-1] if out else None
        if (tok.type == "TEXT" and last is not None and last.type == "PRODUCT" and last.end_pos == tok.start_pos
                and last.payload.products and last.payload.score < 100.0 and len(tok) <= 2
                and all(_is_cjk(c) and c not in CN_DIGITS for c in str(tok)) and str(tok)[0] not in _NOT_A_TAIL
                and (tok.end_pos == len(line) or not _is_cjk(line[tok.end_pos]))):
            whole = line[last.start_pos:tok.end_pos]
            match = catalogue.match(whole)
            if not match.products:
                match = Match(whole, (), match.score, match.suggestions or last.payload.products)
            out[-1] = _tok("PRODUCT", whole, last.start_pos, tok.end_pos, match)
            continue
        out.append(tok)
    return out


def _compound_weights(tokens: list[Tok], line: str) -> list[Tok]:
    """1斤2两 = 1.2斤, 1kg500g = 1.5kg: a weight glued to a smaller weight is one amount.

    The four tokens become NUM (the whole amount, in the first unit) and UNIT
    (the first unit), so the grammar sees one ordinary quantity.
    """
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        four = tokens[i:i + 4]
        if (len(four) == 4 and [t.type for t in four] == ["NUM", "UNIT", "NUM", "UNIT"]
                and all(a.end_pos == b.start_pos for a, b in zip(four, four[1:]))
                and four[1].payload in WEIGHT_GRAMS and four[3].payload in WEIGHT_GRAMS
                and WEIGHT_GRAMS[four[3].payload] < WEIGHT_GRAMS[four[1].payload]):
            big, small = WEIGHT_GRAMS[four[1].payload], WEIGHT_GRAMS[four[3].payload]
            value = round(four[0].payload + four[2].payload * small / big, 4)
            out.append(_tok("NUM", line[four[0].start_pos:four[2].end_pos], four[0].start_pos, four[2].end_pos, value))
            out.append(_tok("UNIT", str(four[3]), four[3].start_pos, four[3].end_pos, four[1].payload))
            i += 4
            continue
        out.append(tokens[i])
        i += 1
    return out


def _scan(line: str, folded: str, catalogue: Catalogue) -> Iterator[Tok]:
    i, n = 0, len(line)
    text_start = -1          # start of the TEXT run being collected
    prev: Tok | None = None  # last token emitted, for 两 and unit decisions
    named: set[str] = set()  # products named so far in the line, for specs that are also names
    plain = _plain_run(catalogue)
    # Items come first, the note after (CONTRACT 3b): once a word follows an item,
    # a bare number is a word of the note, neither a menu number nor an amount.
    item_seen = False
    note_started = False
    close_bracket = False    # 1(巧克力): the bracket around a menu item's spec

    def flush(end: int) -> Iterator[Tok]:
        nonlocal text_start, prev, note_started
        if text_start >= 0:
            prev = _tok("TEXT", line[text_start:end], text_start, end)
            if item_seen and any(c.isalnum() for c in str(prev)):
                note_started = True
            text_start = -1
            yield prev

    seq = _LINE_SEQ.match(line)
    if seq and catalogue.by_code or seq and catalogue.default:
        # 7. 小林: the 接龙 line's own number is a word of the line, not an amount
        prev = _tok("TEXT", seq.group().rstrip(), 0, len(seq.group().rstrip()))
        yield prev
        i = seq.end()
    while i < n:
        ch = line[i]
        if ch == " ":
            yield from flush(i)
            i += 1
            continue
        if ch == "@":
            yield from flush(i)
            i = _MENTION.match(line, i).end()
            continue

        if close_bracket and ch in ")]":
            close_bracket = False
            i += 1
            continue
        if is_emoji(ch):
            # an emoji is a spec written with it (🥭), or else no word: part of a
            # name before the items (🌸5), nothing after them
            spec_end = catalogue.spec_at(line, i)
            yield from flush(i)
            end = spec_end or i + 1
            token = _tok("SPEC" if spec_end else "EMOJI", line[i:end], i, end)
            yield token
            prev = token
            i = end
            continue
        in_text = text_start >= 0
        if in_text and ch.isdecimal() and line[i - 1] in _BUILDING:
            i = _ARABIC.match(line, i).end()    # A栋1203, C区0805: a room is a word of the name
            continue
        code = _menu_code(line, i, prev, catalogue, note_started) if catalogue.by_code else None
        if code is not None:
            yield from flush(i)
            yield code
            prev = code
            item_seen = True
            i = code.end_pos
            bracket = re.compile(r" ?[(\[]").match(line, i)
            if bracket and catalogue.spec_at(line, bracket.end()) is not None:
                i, close_bracket = bracket.end(), True
            continue
        if ch.isdecimal() and _bare_number(line, i) and (
                note_started or (prev is not None and prev.type == "CODE" and prev.end_pos < i)):
            # 2+4 88 Pine St: a number that names no menu item after the items is the note's
            if text_start < 0:
                text_start = i
            note_started = True
            i = _ARABIC.match(line, i).end()
            continue
        token = _product_or_spec(line, folded, i, catalogue, in_text, named)
        if token is not None and token.type == "PRODUCT" and in_text:
            token, text_start = _extend_left(token, line, text_start, catalogue)
        if token is None and ch.isdigit() and (volume := _VOLUME.match(line, i)):
            # 可乐500ml 2瓶: a bottle size describes the product like a pack size
            token = _tok("PACK", volume.group(), i, volume.end(),
                         Quantity(float(volume.group(1)), volume.group(2).lower()))
        if token is None and (ch.isdigit() or ch == "¥"):
            word = _ROOM.match(line, i) or _PRICE.match(line, i)
            if word is None and in_text and line[text_start:i].rstrip().endswith(_PAID):
                word = _PAID_AMOUNT.match(line, i)
            if word:
                # a room, phone or price is a word of its own: 5-302荔枝2斤 is 5-302 + 荔枝
                yield from flush(i)
                prev = _tok("TEXT", word.group(), i, word.end())
                yield prev
                i = word.end()
                continue
        if token is None and ch in CN_DIGITS:
            run = _CN_RUN.match(line, i).end()
            if run - i > MAX_NUMERAL:      # a run of numerals this long is a word
                if text_start < 0:
                    text_start = i
                i = run
                continue
        if token is None:
            token = _quantity_word(line, i, prev, in_text, catalogue)
        if token is None and not (in_text and ch in WORD_SEPARATORS):
            token = _keyword_or_separator(line, i, prev)
        if token is None:
            if text_start < 0:
                text_start = i
            latin = _LATIN.match(line, i)
            i = latin.end() if latin else i + 1
            if not latin:
                i = plain.match(line, i).end()
            continue
        yield from flush(token.start_pos)
        yield token
        prev = token
        item_seen |= token.type == "PRODUCT"
        if token.type == "PRODUCT" and token.payload.product:
            named.add(token.payload.product)
        i = token.end_pos
        if token.type == "SPEC" and line.startswith("的", i):
            i += 1                          # 公的, 大杯的: the 的 adds nothing
    yield from flush(n)


_PLAIN_CACHE: dict[frozenset[str], re.Pattern[str]] = {}


def _plain_run(catalogue: Catalogue) -> re.Pattern[str]:
    """A regex for a run of characters that cannot start any token.

    Inside a TEXT run only product and spec starts, numerals, separators and
    keywords can end the run; everything else (and it is most of a note) is
    skipped in one step. ASCII is never plain: letters may start an English
    name, and digits, `x`, `+` and separators are tokens.
    """
    key = catalogue.first_chars | catalogue.spec_first_chars
    pattern = _PLAIN_CACHE.get(key)
    if pattern is None:
        special = set(key) | set(CN_DIGITS) | set("半各¥") | SEPARATORS | set(_KEYWORD_FIRST)
        special = {c for c in special if not c.isascii()}
        if len(_PLAIN_CACHE) > 64:
            _PLAIN_CACHE.clear()
        body = "".join(re.escape(c) for c in sorted(special))
        pattern = _PLAIN_CACHE[key] = re.compile(rf"[^\x00-\x7f{body}]*")
    return pattern


def _extend_left(token: Tok, line: str, text_start: int, catalogue: Catalogue) -> tuple[Tok, int]:
    """无花肉: a part of a name (花肉) with one or two glued characters before it
    that, together, spell the name with a slip. The characters join the name;
    the TEXT run before it shrinks (and may vanish)."""
    match: Match = token.payload
    if match.score >= 100.0:
        return token, text_start
    for back in (1, 2):
        start = token.start_pos - back
        if start < text_start or not _is_cjk(line[start]):
            break
        wider = catalogue.match(line[start:token.end_pos])
        if wider.product and wider.score >= MATCH_CUTOFF and wider.product in match.products:
            grown = _tok("PRODUCT", line[start:token.end_pos], start, token.end_pos, wider)
            return grown, (text_start if start > text_start else -1)
    return token, text_start


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _pack_sizes(tokens: list[Tok], line: str) -> list[Tok]:
    """5斤装, 5斤/袋, 5斤一袋: a quantity that describes the pack, not the order.

    The NUM UNIT pair and its tail become one PACK token (payload: the
    Quantity), which the grammar lets stick to a product.
    """
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        unit = tokens[i + 1] if i + 1 < len(tokens) else None
        tail = (_PACK_TAIL.match(line, unit.end_pos)
                if tok.type == "NUM" and unit is not None and unit.type == "UNIT" and unit.start_pos == tok.end_pos
                else None)
        four = tokens[i:i + 4]
        if (tail is None and len(four) == 4 and [t.type for t in four] == ["NUM", "UNIT", "NUM", "UNIT"]
                and all(a.end_pos == b.start_pos for a, b in zip(four, four[1:]))
                and four[1].payload in COUNT_WORDS and four[3].payload in COUNT_WORDS
                and four[1].payload != four[3].payload):
            # 一束11枝, 一箱24罐: an amount of packs, then the pack's size
            out += four[:2]
            out.append(_tok("PACK", line[four[2].start_pos:four[3].end_pos], four[2].start_pos, four[3].end_pos,
                            Quantity(four[2].payload, four[3].payload)))
            i += 4
            continue
        if tail is None:
            out.append(tok)
            i += 1
            continue
        end = tail.end()
        inside = i + 2
        while inside < len(tokens) and tokens[inside].start_pos < end:
            inside += 1
        crossing = tokens[inside - 1] if inside > i + 2 and tokens[inside - 1].end_pos > end else None
        if crossing is not None and crossing.type != "TEXT":
            out.append(tok)
            i += 1
            continue
        out.append(_tok("PACK", line[tok.start_pos:end], tok.start_pos, end, Quantity(tok.payload, unit.payload)))
        if crossing is not None:       # 5斤装的: the rest of the word stays text
            out.append(_tok("TEXT", line[end:crossing.end_pos], end, crossing.end_pos))
        i = inside
    return out


def _join_products(tokens: list[Tok], line: str, catalogue: Catalogue) -> list[Tok]:
    """白菜猪肉 + 水饺, 巨峰 + 葡萄: two parts of names, glued or one space apart,
    that share a product are one mention of it (the products both allow)."""
    out: list[Tok] = []
    for tok in tokens:
        if tok.type == "PRODUCT" and len(out) >= 2 and (_slip_between(out[-2], out[-1], tok, line, catalogue)
                                                        or _other_between(out[-2], out[-1], tok)):
            # 一品 + 嫌 + 酱油: a slip inside a long name split it in two;
            # 猪肉 + 大葱 + 水饺: parts of names around another word name something else
            first = out[-2]
            del out[-2:]
            text = line[first.start_pos:tok.end_pos]
            out.append(_tok("PRODUCT", text, first.start_pos, tok.end_pos, catalogue.match(text)))
            continue
        if (tok.type == "PRODUCT" and len(out) >= 2 and out[-2].type == "PRODUCT" and out[-1].type == "TEXT"
                and set(str(out[-1])) <= set("([") and tok.start_pos - out[-2].end_pos <= 3):
            del out[-1]                 # 水饺(三鲜): a part in brackets names the same product
        last = out[-1] if out else None
        if (tok.type == "PRODUCT" and last is not None and last.type == "PRODUCT"
                and tok.start_pos - last.end_pos <= 3):
            a, b = last.payload, tok.payload
            common = tuple(p for p in a.products if p in b.products)
            # one name in two parts is about as long as the name: never a chain;
            # two names of one product side by side (蒙牛 牛奶, Darlie牙膏) are one mention
            same = a.product is not None and a.product == b.product
            if common and (min(a.score, b.score) < 100.0 or same) \
                    and tok.end_pos - last.start_pos <= catalogue.max_key + 2:
                text = line[last.start_pos:tok.end_pos]
                score = 100.0 if len(common) == 1 else 90.0
                out[-1] = _tok("PRODUCT", text, last.start_pos, tok.end_pos, Match(text, common, score))
                continue
        out.append(tok)
    return out


def _other_between(first: Tok, gap: Tok, second: Tok) -> bool:
    """PRODUCT TEXT PRODUCT, all glued, both parts of names and the word between
    them not a slip (see _slip_between): one word for a product not on sale, so it
    is matched whole and asked about, never ordered as one of its parts."""
    return (first.type == "PRODUCT" and gap.type == "TEXT" and second.type == "PRODUCT"
            and first.end_pos == gap.start_pos and gap.end_pos == second.start_pos
            and len(gap) <= 3 and all(_is_cjk(c) for c in str(gap))
            and first.payload.score < 100.0 and second.payload.score < 100.0)


def _slip_between(first: Tok, gap: Tok, second: Tok, line: str, catalogue: Catalogue) -> bool:
    """Whether PRODUCT TEXT PRODUCT, all glued, is one name with a slip in the middle."""
    if not (first.type == "PRODUCT" and gap.type == "TEXT" and len(gap) <= 2
            and first.end_pos == gap.start_pos and gap.end_pos == second.start_pos):
        return False
    common = set(first.payload.products) & set(second.payload.products)
    whole = catalogue.match(line[first.start_pos:second.end_pos])
    return bool(common) and whole.product in common


def _product_or_spec(line: str, folded: str, i: int, catalogue: Catalogue, in_text: bool,
                     named: set[str] = frozenset()) -> Tok | None:
    product = catalogue.product_at(folded, i)
    spec_end = catalogue.spec_at(line, i)
    # 包子 鲜肉 1袋: 鲜肉 is a spec of 包子, named just before, more than a part of 鲜肉水饺
    spec_of_named = (spec_end is not None and product is not None and spec_end == product[0]
                     and product[1].score < 100.0
                     and any(catalogue.sold_in(name, catalogue.spec_named(line[i:spec_end])) for name in named))
    if spec_end and (product is None or spec_end > product[0] or spec_of_named) \
            and _stands(line, i, spec_end, in_text, catalogue):
        return _tok("SPEC", catalogue.spec_named(line[i:spec_end]), i, spec_end)
    if product and product[0] - i == 1 and not _stands(line, i, product[0], in_text, catalogue):
        # 姜阿姨 is a name, not 姜; 老姜2斤 is asked about (王姐蒜2斤 too: a
        # glued one-character name cannot be told from a modifier)
        product = None
    if product:
        end, match = product
        return _tok("PRODUCT", line[i:end], i, end, match)
    return None


def _stands(line: str, start: int, end: int, in_text: bool, catalogue: Catalogue) -> bool:
    """A one-character spec (公, 母, 大) or name (姜) is one only when it stands
    apart: not glued to text before it (老公) nor to a plain character after
    it (公司, 姜阿姨)."""
    if end - start > 1:
        return True
    if in_text and start > 0 and (_is_cjk(line[start - 1]) or line[start - 1].isalnum()):
        return False                    # 老公; but 基围虾(活) and 虾/活 stand apart
    if end == len(line):
        return True
    nxt = line[end]
    return (not _is_cjk(nxt) or nxt in CN_DIGITS or nxt in "半的各和"
            or catalogue.product_at(line.translate(FOLD) if nxt.isascii() else line, end) is not None
            or catalogue.spec_at(line, end) is not None or nxt in _KEYWORD_FIRST)


def _quantity_word(line: str, i: int, prev: Tok | None, in_text: bool, catalogue: Catalogue) -> Tok | None:
    ch = line[i]
    after_number = prev is not None and prev.type in ("NUM", "HALF") and prev.end_pos == i
    if after_number or (prev is not None and prev.type == "NUM" and line[i - 1:i] == " "):
        unit = _UNIT.match(line, i)
        if unit:
            return _tok("UNIT", unit.group(), i, unit.end(), UNIT_SLIPS.get(unit.group().lower(), unit.group().lower()))
    if ch in "xX*":
        # 小龙包x3: glued to a word too, unless the word is Latin (max3, box2)
        # and not a product's name (Vinda×2, read vindax2)
        if i > 0 and line[i - 1].isascii() and line[i - 1].isalpha() \
                and not (prev is not None and prev.type in ("PRODUCT", "CODE", "PACK") and prev.end_pos == i):
            return None
        m = _TIMES.match(line, i)
        if m:
            value = parse_number(m.group(1)[:MAX_NUMERAL])
            unit = _UNIT.match(line, m.end())
            if value is not None and unit and unit.group() in COUNT_WORDS and prev is not None \
                    and prev.type == "PACK" and prev.end_pos == i:
                # 矿泉水550ml*24瓶3箱: bottles in the pack, not the amount ordered
                return _tok("PACK", line[i:unit.end()], i, unit.end(), Quantity(value, unit.group()))
            if value is not None:
                return _tok("TIMES", m.group(), i, m.end(), Quantity(value))
        return None
    if in_text and not ch.isdecimal() and not _counts_something(line, i):
        return None
    if ch.isdecimal():
        m = _ARABIC.match(line, i)
        if m.end() < len(line) and line[m.end()] in _MEASURES:
            return None                 # 3分糖, 11月, 2天: a measure that is not a selling unit
        return _tok("NUM", m.group(), i, m.end(), float(m.group()))
    if ch == "半":
        if not _number_ends(line, i + 1, catalogue):
            return None
        return _tok("HALF", ch, i, i + 1, 0.5)
    if ch in CN_DIGITS:
        m = _CN_RUN.match(line, i)
        span = m.group()
        if "两" in span[1:]:  # 三两: the number is 三, 两 is the unit
            span = span[:span.index("两", 1)]
        # 两三黄鸡: the numerals stop where a product name starting with one begins
        for k in range(1, len(span)):
            found = catalogue.product_at(line, i + k)
            if found and found[1].score >= 100.0:
                span = span[:k]
                break
        # 两 right after a number is the weight unit, handled above; 一点, 十分 are words.
        if line.startswith(("一点", "一下", "一起", "一样", "一些", "十分", "一直", "两天", "三天"), i):
            return None
        value = parse_number(span)
        if value is None or not _number_ends(line, i + len(span), catalogue):
            return None
        return _tok("NUM", span, i, i + len(span), value)
    return None


# Measure words that are not selling units: 3分糖, 11月20日, 2天, 5折, 3次.
_MEASURES = frozenset("分月日号天周年岁次折度倍成人点时秒期楼层")


def _number_ends(line: str, end: int, catalogue: Catalogue) -> bool:
    """Whether a Chinese numeral or 半 ends at `end`, or starts a word.

    Glued to a Chinese character that is not a unit, a name, a spec, a
    numeral or a keyword it is part of a word: 三分糖, 半糖, 一点, 两天. (An
    Arabic number glued to an unknown name, 可乐2雪碧3, still counts; only
    the measure words above make it a word.)
    """
    if end >= len(line) or not _is_cjk(line[end]):
        return True
    nxt = line[end]
    return (nxt in CN_DIGITS or nxt in "半各" or nxt in WORD_SEPARATORS or nxt in _KEYWORD_FIRST
            or _UNIT.match(line, end) is not None or catalogue.product_at(line, end) is not None
            or catalogue.spec_at(line, end) is not None)


def _counts_something(line: str, i: int) -> bool:
    """Whether a numeral inside a word is a quantity: 荔枝两斤, 樱桃半斤."""
    m = _CN_RUN.match(line, i)
    end = m.end() if m else i + (line[i] == "半")
    if end == i or end - i > MAX_NUMERAL:
        return False
    rest = line[end:end + 2]
    return rest.startswith("半") or bool(_UNIT.match(rest)) and not rest[:1].isascii()


_BUILDING = frozenset("栋幢座区楼号室")
_LINE_SEQ = re.compile(r"\d{1,4} ?[.、)](?!\d) ?")
_CODE_DIGITS = re.compile(r"\d{1,3}(?![\d.])")
_SEQ_MARK = re.compile(r" ?[.、)](?!\d)")
_BUILDING_NUMBER = re.compile(r"(?:栋|幢|座|号楼|单元)\d")


def _menu_code(line: str, i: int, prev: Tok | None, catalogue: Catalogue, note_started: bool) -> Tok | None:
    """A menu number or letter naming an item (2+4+9, 11x2, 1抹茶, c 黑椒, 🌸5).

    A number followed by a unit or a product name is an amount (2椰蓉小方, 3份);
    one right after a product is that product's amount (蛋挞2); the number a
    接龙 line starts with (3. 小林) is the line's; in the note it is a word.
    """
    ch = line[i]
    if note_started:
        return None
    # right after an item (蛋挞2, 酥饼 肉松 2) a number is its amount, unless, apart from a
    # product's own words, it is followed by a spec of menu item N or a multiplier (3x2 2焦糖, 3x2 5x3)
    after_item = prev is not None and prev.type in ("PRODUCT", "SPEC", "PACK", "TIMES", "UNIT") \
        and line[prev.end_pos:i].strip() == ""
    if after_item and (prev.type == "PRODUCT" or prev.end_pos == i):
        return None
    if ch.isdecimal():
        m = _CODE_DIGITS.match(line, i)
        if m is None or (i > 0 and (line[i - 1].isdigit() or line[i - 1] in ".-/:")):
            return None
        end = m.end()
        if line[:i].strip() == "" and _SEQ_MARK.match(line, end):
            return None                     # 3. 小林: the 接龙 line's own number
        if _BUILDING_NUMBER.match(line, end):
            return None                     # 5栋1102: a room, part of the customer's name
    elif ch.isascii() and ch.isalpha():
        end = i + 1
        if i > 0 and (line[i - 1].isascii() and line[i - 1].isalnum()):
            return None
        nxt = line[end:end + 1]
        if nxt.isascii() and nxt.isalnum() and not _TIMES.match(line, end):
            return None                     # Amy, A3-1201: a word, not a letter of the menu
    else:
        return None
    written = line[i:end]
    name = catalogue.product_by_code(written)
    if name is None:
        return None
    if after_item:
        gap = 1 if line[end:end + 1] == " " else 0
        spec_end = catalogue.spec_at(line, end + gap)
        if _TIMES.match(line, end) or (spec_end is not None and catalogue.sold_in(
                name, catalogue.spec_named(line[end + gap:spec_end]))):
            return _tok("CODE", written, i, end, name)
        return None
    rest = line[end:]
    gap = 1 if rest[:1] == " " else 0
    after = end + gap
    if after < len(line):
        if catalogue.spec_at(line, after) is not None and catalogue.sold_in(name, catalogue.spec_named(
                line[after:catalogue.spec_at(line, after)])):
            return _tok("CODE", written, i, end, name)       # 1抹茶, c 黑椒
        nxt = line[after]
        if nxt in _MEASURES or _UNIT.match(line, after) or (nxt in "%℃" and not gap):
            return None                     # 3份, 2斤: an amount; 3天, 5%: words
        if ch.isalpha() and _is_cjk(nxt) and not gap:
            return None                     # A栋, C区: a building, not a letter of the menu
        found = catalogue.product_at(line.translate(FOLD), after)
        if found is not None and found[1].score >= 100.0 or (
                found is not None and found[0] - after >= 2):
            return None                     # 2椰蓉小方: an amount of the product named
    return _tok("CODE", written, i, end, name)


def _bare_number(line: str, i: int) -> bool:
    """An Arabic number with no unit after it (305, 88, 666)."""
    end = _ARABIC.match(line, i).end()
    return not _UNIT.match(line, end) and not _UNIT.match(line, end + 1 if line[end:end + 1] == " " else end)


def _keyword_or_separator(line: str, i: int, prev: Tok | None) -> Tok | None:
    ch = line[i]
    if ch == "+":
        m = _PLUS.match(line, i)
        if m and (prev is None or prev.type == "TEXT"):
            return _tok("PLUS", m.group(), i, m.end(), float(m.group(1)))
    if ch in SEPARATORS:
        return _tok("SEP", ch, i, i + 1)
    if ch in ",;":
        return _tok("SEP", ch, i, i + 1)
    if ch == "各":
        return _tok("EACH", ch, i, i + 1)
    if ch in _KEYWORD_FIRST:
        for word, kind in KEYWORDS:
            if line.startswith(word, i):
                return _tok(kind, word, i, i + len(word))
    return None
