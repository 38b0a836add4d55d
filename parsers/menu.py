"""The round's menu as the merchant writes it in the post that opens a round.

`read_menu` takes the description lines of that post and returns a `Menu`:
the lines that name something with a price (CONTRACT 3b), each read into a
`MenuLine`, and the lines that look like menu lines but could not be read
(so the bot can name them back to the merchant). Every other line (pickup,
rules, dates, times, dish lists without prices) is description and ignored.

The lexer below cuts a line into tokens (Chinese has no spaces: prices,
stock, limits and pack sizes are cut out of the text, the rest is WORDs);
`grammar/menu.lark` gives the line its shape; `MenuBuilder` turns the tree
into values. `round_products` then decides, with the catalogue's judgement,
which menu lines are configured products and which are new.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError
from lark.lexer import Lexer

from parsers import grammars
from parsers.catalogue import Catalogue, ProductInfo, fold
from parsers.numbers import parse_number
from parsers.text import without_emoji
from parsers.units import UNIT_WORDS

DEFAULT_UNIT = "份"
MAX_LINE = 200          # longer lines are prose (or an attack), not menu lines
MAX_LINES = 300         # a menu longer than this is not read past it
MAX_NAME = 20           # a longer "name" is a sentence of the description
MAX_PRICE = 100000.0    # a bigger bare number is a phone number or an order id

# Units a price may be per (`/盒`, `一斤`); a few menu-only ones beside the
# order units (`例汤3元/例`, `38元/位`).
_UNITS = tuple(sorted(set(UNIT_WORDS) | {"例", "位", "人", "客", "锅", "盘", "钵", "升", "L"}, key=len, reverse=True))
_UNIT = "(?:" + "|".join(map(re.escape, _UNITS)) + ")"
_CN = "一二两三四五六七八九十百"
_NUM = r"\d+(?:\.\d+)?"
# per unit: `/盒`, `一斤`, `每盒` (but `每人限2` is a limit)
_PER = rf"(?:(?:\s*/\s*|一|每(?!人)){_UNIT})"
# measures that only describe a pack (`保鲜膜 100米`, `纸巾 3层`), never a selling unit
_MEASURE = r"(?:ml|mL|ML|毫升|cm|mm|厘米|毫米|米|寸|层|抽|码)"
_AFTER_BARE = r"(?=\s|$|/\s*\d|[)）】\]（(【\[,，;；、。|])"

# Compiled on first use: the alternation (every unit word, several times over) takes
# ~15-20 ms to compile, paid by every process that imports this module, and
# `jielong parse` of an order line never reads a menu.
@lru_cache(maxsize=1)
def _tokens() -> re.Pattern[str]:
    return re.compile("|".join((
        r"(?P<SPECKW>规格\s*[:：]?)",
        rf"(?P<STOCK>(?:限量|仅剩|只剩|还剩|剩余|剩|库存|共)\s*(?:{_NUM}|[{_CN}]+)\s*{_UNIT}?)",
        rf"(?P<LIMIT>(?:每人限购|每人限|每人最多|每户限购|每户限|每人|限购)\s*(?:{_NUM}|[{_CN}]+)\s*{_UNIT}?)",
        # a price: marked with ¥/元/块, or per a unit, or a bare number before a break
        rf"(?P<AMOUNT>(?:[¥￥]\s*{_NUM}(?:\s*元)?|{_NUM}\s*(?:元|块钱|块|rmb|RMB)){_PER}?"
        rf"|{_NUM}{_PER}|{_NUM}{_AFTER_BARE})",
        # a pack size: 一盒六个, 500g, 550ml*24瓶, 10斤装
        rf"(?P<PACK>(?:{_NUM}|[{_CN}]+)\s*{_UNIT}\s*(?:{_NUM}|[{_CN}]+)\s*{_UNIT}"
        rf"|{_NUM}\s*(?:{_MEASURE}|{_UNIT})(?:\s*[*xX×]\s*{_NUM}\s*{_UNIT}?)?装?|[{_CN}]+{_UNIT}装)",
        r"(?P<LPAR>[(（【\[])",
        r"(?P<RPAR>[)）】\]])",
        r"(?P<SLASH>[/／])",
        r"(?P<LISTSEP>、)",
        r"(?P<SEP>[,，;；|｜。])",
        r"(?P<GLUE>\d+(?:[.:：\-]\d+)*)",   # digits inside words: 3月28日, 10:50, 3层
        # a run of plain text; a character that may start another token is a WORD on its own
        r"(?P<WORD>[^\s\d/／、,，;；|｜。()（）【】\[\]¥￥规限仅只还剩库共每一二两三四五六七八九十百]+|\S)",
    )))


_AMOUNT_PARTS = re.compile(rf"[¥￥]?\s*({_NUM})\s*(元|块钱|块|rmb|RMB)?(?:(?:\s*/\s*|一|每)({_UNIT}))?")
_DIGIT = re.compile(r"[0-9０-９①-⑳❶-❿]")
_QUANTITY = re.compile(rf"({_NUM}|[{_CN}]+)\s*({_UNIT})?$")

# `1.` `1、` `1)` `1:` or `1 ` before the text; `A:` `B：` `c.` `A ` before Chinese.
_CODE = re.compile(r"(\d{1,3})\s*(?:[.、:)）](?!\d)\s*|\s+(?=[^\d\s]))"
                   r"|([A-Za-z])\s*(?:[.:、)）]\s*|\s+(?=[^\x00-\x7f]))")
_KEYCAP = re.compile("((?:[0-9]\uFE0F?\u20E3)+)")
_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)} | {chr(0x2776 + i): str(i + 1) for i in range(10)}
_BULLET = re.compile(r"^[-*·•●○◆◇▪■□►▶]+\s*")
# Brackets opening with these are remarks, however they are punctuated (`（送米饭、紫菜汤）`).
_REMARK_STARTS = ("送", "赠", "含", "不含", "约", "介意", "包", "需", "可", "每", "限", "仅", "共", "满")
# Lines of the description that carry a price but sell nothing (`满2件包邮`, `运费10元`).
_NOT_PRODUCTS = frozenset("满 每满 运费 邮费 配送费 快递费 起送 押金 定金 订金 合计 总计 共计 立减 减 优惠 红包 返现".split())
_NOT_PRODUCT_WORDS = ("截单", "截止", "到货", "发货", "送货", "送到", "自提", "地址", "电话", "微信",
                      "联系", "取货", "付款", "转账", "包邮", "起送", "运费", "邮费", "红包")


@dataclass(frozen=True)
class MenuLine:
    """One product of the menu as the post writes it."""

    name: str
    price: float
    unit: str = DEFAULT_UNIT
    code: str | None = None                 # "3", "C"; None when the line has none
    specs: tuple[str, ...] = ()
    spec_prices: tuple[float, ...] = ()     # one per spec; empty: every spec at `price`
    stock: float | None = None
    limit: float | None = None
    remark: str = ""                        # pack sizes and remarks: description
    unit_given: bool = False                # whether the post wrote the unit
    line_no: int = 0                        # of the lines given to read_menu, from 0


@dataclass(frozen=True)
class Menu:
    lines: tuple[MenuLine, ...] = ()
    unread: tuple[tuple[int, str], ...] = ()   # (line number, text): looks like a menu line, unreadable

    def __bool__(self) -> bool:
        return bool(self.lines)

    @property
    def numbered(self) -> bool:
        return any(line.code for line in self.lines)


class _Unreadable(ValueError):
    """A line that carries a price but does not read as a menu line."""


# -- lexer ---------------------------------------------------------------------

class _Tokens(Lexer):
    def __init__(self, lexer_conf) -> None:
        pass

    def lex(self, data, *_):
        return iter(data)


def prepare(line: str) -> str:
    """One line in the form the lexer reads: half-width, emoji kept.

    ① and 1️⃣ become `1.` first, because NFKC would make ① a bare `1` glued to
    the name and the keycap is an emoji the rest of the project drops.
    """
    line = line.strip()
    line = _BULLET.sub("", line)
    if line[:1] in _CIRCLED:
        line = _CIRCLED[line[0]] + "." + line[1:]
    elif "\u20e3" in line[:12]:
        line = _KEYCAP.sub(lambda m: re.sub("[\uFE0F\u20E3]", "", m.group(1)) + ".", line, count=1)
    return unicodedata.normalize("NFKC", line).translate(_ZERO_WIDTH).strip()


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)


def tokenize(line: str) -> list[Token]:
    """Tokens of one prepared line; adjacent WORD and digit pieces join into words."""
    tokens: list[Token] = []
    code = _CODE.match(line)
    start = 0
    if code:
        value = code.group(1) or code.group(2).upper()
        tokens.append(Token("CODE", value, start_pos=0, end_pos=code.end()))
        start = code.end()
    for m in _tokens().finditer(line, start):
        kind, text = m.lastgroup, m.group()
        if text.isspace():
            continue
        if kind == "AMOUNT" and (not _sane_amount(text) or _glued_bare(line, m.start(), text)):
            kind = "GLUE"
        if kind in ("WORD", "GLUE"):
            if tokens and tokens[-1].type == "WORD" and tokens[-1].end_pos == m.start():
                prev = tokens[-1]
                tokens[-1] = Token("WORD", prev + text, start_pos=prev.start_pos, end_pos=m.end())
                continue
            kind = "WORD"
        tokens.append(Token(kind, text, start_pos=m.start(), end_pos=m.end()))
    return tokens


def _glued_bare(line: str, start: int, text: str) -> bool:
    """A number glued to the word before it with no price mark (`1+3`, `A101`, `品种14一盒`)
    is part of that word, not a price; `草莓35/盒` keeps its price."""
    if start == 0 or line[start - 1].isspace() or line[start - 1] in ")）】]/／" or not text[:1].isdigit():
        return False
    parts = _AMOUNT_PARTS.fullmatch(text)
    return parts is None or not parts.group(2) and (not parts.group(3) or "/" not in text)


def _sane_amount(text: str) -> bool:
    number = re.search(_NUM, text)
    if number is None:
        return False
    digits = number.group().split(".")[0]
    return len(digits) <= 5 and float(number.group()) < MAX_PRICE


# -- grammar and builder -----------------------------------------------------------

@lru_cache(maxsize=1)
def _parser() -> Lark:
    # the builder runs while the LALR parser reduces: no tree is built for a line
    return grammars.load("menu", lexer=_Tokens, start="line", transformer=MenuBuilder())


@dataclass(frozen=True)
class _Amount:
    value: float
    marked: bool           # 元 块 ¥ or a unit says it is a price
    unit: str | None


@dataclass
class _Item:
    words: list[str]
    head_specs: list[str]
    mods: list[tuple[str, object]]


class MenuBuilder(Transformer):
    """Tree → (code, items); items are checked and named by `_lines`."""

    def line(self, children):
        code = None
        items = []
        for child in children:
            if isinstance(child, Token) and child.type == "CODE":
                code = str(child)
            elif isinstance(child, _Item):
                items.append(child)
        return code, items

    def item(self, children):
        head, *mods = children
        words, specs = head
        return _Item(words, specs, [m for m in mods if not isinstance(m, Token)])

    def head(self, children):
        words: list[str] = []
        specs: list[str] = []
        seen_list = False
        for token in children:
            if token.type == "WORD":
                (specs if seen_list else words).append(str(token))
            else:
                seen_list = True
        if seen_list:
            if len(words) < 2:
                raise _Unreadable("a spec list with no name before it")
            specs.insert(0, words.pop())
        return words, specs

    def price(self, children):
        return "price", [_amount(str(t)) for t in children if t.type == "AMOUNT"]

    def bracket(self, children):
        pieces = [c for c in children if isinstance(c, list)]
        return "bracket", pieces

    def piece(self, children):
        return [t for t in children]

    def specs(self, children):
        return "specs", [str(t) for t in children if t.type == "WORD"]

    def pack(self, children):
        return "remark", str(children[0])

    def stock(self, children):
        return "stock", _quantity(str(children[0]))

    def limit(self, children):
        return "limit", _quantity(str(children[0]))


@lru_cache(maxsize=4096)
def _amount(token: str) -> _Amount:
    m = _AMOUNT_PARTS.match(token)
    assert m is not None
    marked = bool(m.group(2)) or bool(m.group(3)) or token.lstrip().startswith(("¥", "￥"))
    return _Amount(float(m.group(1)), marked, m.group(3))


def _quantity(text: str) -> float | None:
    m = _QUANTITY.search(text)
    return parse_number(m.group(1)) if m else None


# -- reading -------------------------------------------------------------------

def read_menu(lines: str | Iterable[str]) -> Menu:
    """The menu in a post's description lines (a string is split at line breaks)."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    found: list[MenuLine] = []
    unread: list[tuple[int, str]] = []
    names: set[str] = set()
    for number, text in enumerate(lines):
        if len(found) + len(unread) >= MAX_LINES:
            break
        kind, value = read_line(text)
        if kind == "menu":
            for line in value:
                key = fold(line.name).replace(" ", "")
                if key in names:
                    if (number, text.strip()[:MAX_LINE]) not in unread[-1:]:
                        unread.append((number, text.strip()[:MAX_LINE]))
                    continue
                names.add(key)
                found.append(replace(line, line_no=number))
        elif kind == "unread":
            unread.append((number, text.strip()[:MAX_LINE]))
    return Menu(tuple(found), tuple(unread))


@lru_cache(maxsize=4096)
def read_line(text: str) -> tuple[str, tuple[MenuLine, ...]]:
    """("menu", lines) | ("unread", ()) | ("description", ()) for one line."""
    if len(text) > MAX_LINE:
        return ("unread", ()) if _looks_priced(text[:MAX_LINE]) else ("description", ())
    if not _DIGIT.search(text):
        return "description", ()       # no number, no price
    line = prepare(text)
    tokens = tokenize(line)
    priced = _looks_like_menu(tokens, line)
    try:
        code, items = _parser().parse(tokens)
        lines = _lines(code, items)
    except (LarkError, _Unreadable):
        return ("unread", ()) if priced else ("description", ())
    if lines:
        return "menu", lines
    return ("unread", ()) if priced and not _description_only(items) else ("description", ())


def _looks_priced(text: str) -> bool:
    line = prepare(text)
    return _looks_like_menu(tokenize(line), line)


def _looks_like_menu(tokens: list[Token], line: str) -> bool:
    """A marked price, or a numbered line with a number or a currency word."""
    if any(t.type == "AMOUNT" and _amount(str(t)).marked for t in tokens):
        return True
    return bool(tokens) and tokens[0].type == "CODE" and (
        any(t.type == "AMOUNT" for t in tokens) or any(c in line for c in "元¥￥"))


def _description_only(items: list[_Item]) -> bool:
    """Priced items that sell nothing (`满99元包邮`) or sentences, and nothing else."""
    return all(_not_a_product(" ".join(item.words)) or len(" ".join(item.words)) > MAX_NAME for item in items)


def _not_a_product(name: str) -> bool:
    return name in _NOT_PRODUCTS or any(word in name for word in _NOT_PRODUCT_WORDS)


def _lines(code: str | None, items: list[_Item]) -> tuple[MenuLine, ...]:
    """The items of one line that sell something, checked; trailing words are remarks."""
    built: list[MenuLine] = []
    heads: list[int] = []       # how many words each product's name was written in
    for index, item in enumerate(items):
        last = index == len(items) - 1
        line = _menu_line(item, last)
        if line is None:
            if built:       # `草莓 35元 新鲜到货`: words after a product describe it
                built[-1] = replace(built[-1], remark=_join(built[-1].remark, " ".join(item.words)))
            continue
        built.append(line)
        heads.append(len(item.words))
    built = _spec_prices_in_a_row(built, heads, items)
    if code is not None and len(built) == 1:
        built[0] = replace(built[0], code=code)
    return tuple(built)


def _spec_prices_in_a_row(built: list[MenuLine], heads: list[int], items: list[_Item]) -> list[MenuLine]:
    """`草莓 大果39元/盒 中果29元/盒`: a name, then specs each with its price, is one
    product with a price per spec (not 草莓大果 and 中果): the first name has a word
    more than the others, which are one word each, and all sell by the same unit."""
    if len(built) < 2 or heads[0] < 2 or any(h != 1 for h in heads[1:]) \
            or any(line.specs or line.spec_prices for line in built) or len({line.unit for line in built}) != 1:
        return built
    first_words = next(item.words for item in items if _clean_name(" ".join(item.words)) == built[0].name)
    name = _clean_name(" ".join(first_words[:-1]))
    if not name:
        return built
    specs = (_clean_name(first_words[-1]), *(line.name for line in built[1:]))
    prices = tuple(line.price for line in built)
    return [replace(built[0], name=name, specs=specs, spec_prices=prices if len(set(prices)) > 1 else (),
                    stock=next((x.stock for x in built if x.stock is not None), None),
                    limit=next((x.limit for x in built if x.limit is not None), None),
                    remark=" ".join(x.remark for x in built if x.remark))]


def _menu_line(item: _Item, last: bool) -> MenuLine | None:
    name = _clean_name(" ".join(item.words))
    if not name or len(name) > MAX_NAME or _not_a_product(name):
        return None
    specs = list(item.head_specs)
    prices: list[_Amount] | None = None
    remarks: list[str] = []
    stock = limit = None
    for kind, value in item.mods:
        if kind == "price":
            if prices is None:
                prices = value
                continue
            remarks.append("/".join(f"{a.value:g}" for a in value))
        elif kind == "bracket":
            for token in (t for piece in value for t in piece if t.type in ("STOCK", "LIMIT")):
                if token.type == "STOCK":
                    stock = _quantity(str(token))
                else:
                    limit = _quantity(str(token))
            what, read = _bracket(value)
            if what == "specs" and not specs:
                specs = read
            elif what == "price" and prices is None:
                prices = read
            else:
                remarks.append(_bracket_text(value))
        elif kind == "specs" and not specs:
            specs = value
        elif kind == "stock":
            stock = value
        elif kind == "limit":
            limit = value
        elif kind == "remark":
            remarks.append(value)
    if not prices:
        return None
    marked = any(a.marked for a in prices)
    if not marked and not last:
        return None         # a bare number mid-line is not a price (`周六 3 点到`)
    unit = next((a.unit for a in reversed(prices) if a.unit), None)
    values = [a.value for a in prices]
    spec_prices: tuple[float, ...] = ()
    if len(values) > 1:
        if len(values) != len(specs):
            raise _Unreadable("prices and specs do not pair up")
        spec_prices = tuple(values)
    specs = [s.strip() for s in specs]
    if any(not s for s in specs) or len(set(specs)) != len(specs):
        raise _Unreadable("an empty or repeated spec")
    return MenuLine(
        name=name, price=values[0], unit=unit or DEFAULT_UNIT, specs=tuple(specs),
        spec_prices=spec_prices if len(set(spec_prices)) > 1 else (),
        stock=stock, limit=limit, remark=" ".join(remarks), unit_given=unit is not None,
    )


def _bracket(pieces: list[list[Token]]) -> tuple[str, list]:
    if not pieces:
        return "remark", []
    texts = ["".join(str(t) for t in piece) for piece in pieces]
    if all(len(p) == 1 and p[0].type == "AMOUNT" for p in pieces):
        amounts = [_amount(str(p[0])) for p in pieces]
        if len(amounts) > 1 or amounts[0].marked:
            return "price", amounts
        return "remark", []
    if len(pieces) > 1 and not texts[0].startswith(_REMARK_STARTS) \
            and all(p[0].type in ("WORD", "PACK") for p in pieces):
        return "specs", [_first_words(piece) for piece in pieces]
    return "remark", []


def _first_words(piece: list[Token]) -> str:
    """A spec is the text up to the first space: `（粉/红 请备注）` sells 粉 and 红."""
    end = next((i for i in range(1, len(piece)) if piece[i].start_pos != piece[i - 1].end_pos), len(piece))
    return "".join(str(t) for t in piece[:end])


def _bracket_text(pieces: list[list[Token]]) -> str:
    return "(" + "/".join("".join(str(t) for t in piece) for piece in pieces) + ")"


def _clean_name(name: str) -> str:
    """The product's name: without emoji, decorations or a lead-in (`今日特价:`)."""
    name = without_emoji(name).strip(" -*·:~")
    if ":" in name:
        name = name.rsplit(":", 1)[1].strip()
    return name


def _join(a: str, b: str) -> str:
    return f"{a} {b}".strip()


# -- the round's products --------------------------------------------------------

def round_products(menu: Menu, configured: Sequence[ProductInfo]) -> tuple[ProductInfo, ...]:
    """The products of a round: the menu's, in menu order, then the configured rest."""
    products = menu_products(menu, configured)
    taken = {p.name for p in products}
    return products + tuple(p for p in configured if p.name not in taken)


def menu_products(menu: Menu, configured: Sequence[ProductInfo]) -> tuple[ProductInfo, ...]:
    """The menu's products, in menu order.

    A menu line that names a configured product (name, alias or a clear fuzzy
    match) is that product under its configured name, with what the menu says
    for this round; a name that adds characters to a configured name or alias
    (蒜香排骨 beside 排骨) is a new product, and so is a second line naming a
    product already claimed.
    """
    catalogue = Catalogue(tuple(configured)) if configured else None
    by_name = {p.name: p for p in configured}
    keys = {fold(k).replace(" ", ""): p.name for p in configured for k in (p.name, *p.aliases) if k}
    claimed: set[str] = set()
    products: list[ProductInfo] = []
    for line in menu.lines:
        found = _configured(line.name, catalogue, keys)
        if found is not None and found not in claimed:
            claimed.add(found)
            base = by_name[found]
            products.append(replace(
                base, price=line.price, unit=line.unit if line.unit_given else base.unit,
                specs=line.specs or base.specs, spec_prices=line.spec_prices if line.specs else (),
                stock=line.stock if line.stock is not None else base.stock,
                limit=line.limit if line.limit is not None else base.limit,
                code=line.code, on_sale=True,
            ))
            continue
        name = line.name
        if name in by_name or any(p.name == name for p in products):
            name = f"{name}({line.code})" if line.code else f"{name}(本团)"
        products.append(ProductInfo(
            name=name, price=line.price, unit=line.unit, specs=line.specs,
            spec_prices=line.spec_prices, stock=line.stock, limit=line.limit, code=line.code,
        ))
    return tuple(products)


def _configured(name: str, catalogue: Catalogue | None, keys: dict[str, str]) -> str | None:
    if catalogue is None:
        return None
    key = fold(name).replace(" ", "")
    if key in keys:
        return keys[key]
    if any(k in key for k in keys):      # 蒜香排骨 beside 排骨: a product of its own
        return None
    match = catalogue.match(name)
    return match.product


_PRICE_MARK = re.compile(rf"[¥￥]\s*\d|\d\s*(?:元|块)|\d\s*/\s*{_UNIT}|\d一{_UNIT}")


def has_price(text: str) -> bool:
    """Whether a line carries a marked price (`35元`, `¥35`, `35/盒`, `28.8一斤`): cheap, for
    telling a numbered menu from numbered entries."""
    return _PRICE_MARK.search(text) is not None
