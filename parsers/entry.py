"""Order lines and customer changes: text in, typed requests out.

`parse_line` runs the lexer and the LALR grammar in `grammar/entry.lark`;
`EntryBuilder` (the Transformer) is the one place that turns the parse tree
into values: who the line is for, which items, and what is left as a note.
`resolve_item` then checks an item against the catalogue (one product, a
spec when the product has specs, a unit that converts).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError
from lark.lexer import Lexer

from parsers import grammars
from parsers.catalogue import Catalogue, Match, code_key, spec_key
from parsers.lexer import Tok, quantity_of, tokenize
from parsers.text import MappedLine, is_emoji, normalize, normalize_entry
from parsers.units import COUNT_WORDS, Quantity, UnitMismatch, to_selling_unit

# Words around a name that are not the name: 我要 李四, 帮罗阿姨订.
_FILLER_PREFIXES = ("我想要", "我要", "我也要", "帮我", "给我", "麻烦", "老板", "团长", "预订",
                    "好的", "好滴", "好嘞", "嗯嗯", "哦哦", "那就", "收到", "ok", "OK",
                    "订", "要", "买", "来", "帮", "给", "替", "我", "嗯", "哦", "噢", "额", "呃", "那", "好", "行")
_FILLER_SUFFIXES = ("预订", "订", "要", "买", "的")
_QUESTION = ("吗", "?", "么", "呢", "多久", "几点", "怎么", "什么", "是不是", "有没有", "可以", "能不能")
# Asking the price or the weight: 五花肉多少钱一斤, 鲈鱼一条多重 name an amount without ordering it.
_PRICE_QUESTION = ("多少钱", "多少一斤", "几块", "什么价", "啥价", "价格", "怎么卖", "咋卖", "多重", "几斤一",
                   "有几", "几斤", "几卷", "几层", "几片", "几个装", "多大", "够不够", "够吃", "够用", "够吗")
# 鸡蛋还有3盒吗: asking what is left, with an amount in it
_STILL_THERE = re.compile(r"还有[^，,。；;]{0,8}[吗么嘛][?？]?$")


@dataclass(frozen=True)
class ItemRequest:
    """One item as written: the words that named it, spec and amount."""

    text: str
    match: Match
    spec: str | None = None
    quantity: Quantity | None = None      # None: not written, means one selling unit
    pack: Quantity | None = None          # a pack size written with it (5斤装), not an amount
    code: str | None = None               # the menu number or letter that named it ("3", "C")
    by_default: bool = False              # the round's default product (a set meal), named by no word


@dataclass(frozen=True)
class EntryRequest:
    """An order line: `[customer] items [note]`, or 同上 / +1."""

    customer: str | None = None
    items: tuple[ItemRequest, ...] = ()
    note: str = ""
    same_as_above: bool = False
    plus: float | None = None
    explicit_quantity: bool = False
    spec: str | None = None               # a spec written with +1 (+2 母的)
    # An amount that names no product (老王 两盒): the round's product when it sells
    # only one; whether the line is an order at all is the bot's call.
    bare_quantity: Quantity | None = None

    @property
    def is_order(self) -> bool:
        return bool(self.items) or self.same_as_above or self.plus is not None

    @property
    def lone_code(self) -> str | None:
        """The menu number of a line that is only a number naming one menu item
        (`2`, `王姐 2`, `🌸5`): it may also answer an open question (CONTRACT 3b, 3c)."""
        if len(self.items) == 1 and not self.note:
            item = self.items[0]
            if item.code is not None and item.code.isdigit() and item.quantity is None and item.spec is None:
                return item.code
        return None


@dataclass(frozen=True)
class ChangeAction:
    kind: Literal["set", "add", "remove"]
    item: ItemRequest | None = None        # None: the whole order (取消, 改成3斤)
    quantity: Quantity | None = None


@dataclass(frozen=True)
class ChangeRequest:
    actions: tuple[ChangeAction, ...]


# -- resolution against the catalogue ------------------------------------------

@dataclass(frozen=True)
class ResolvedItem:
    product: str
    spec: str | None
    quantity: float                        # in the product's selling unit
    text: str = ""


@dataclass(frozen=True)
class ItemProblem:
    reason: Literal["unknown_product", "ambiguous", "missing_spec", "unit", "unclear"]
    text: str
    suggestions: tuple[str, ...] = ()
    product: str | None = None


def resolve_item(item: ItemRequest, catalogue: Catalogue) -> ResolvedItem | ItemProblem:
    """Decide what one written item means, or why it cannot be decided."""
    match = item.match
    if match.ambiguous:
        return ItemProblem("ambiguous", item.text, match.products)
    if match.product is None:
        return ItemProblem("unknown_product", item.text, match.suggestions)
    product = catalogue.by_name[match.product]
    spec = item.spec
    if product.specs:
        specs = {spec_key(s): s for s in product.specs}
        key = catalogue.spec_of(product.name, spec) if spec is not None else None
        if key is None or key not in specs:
            return ItemProblem("missing_spec", item.text, product.specs, product.name)
        spec = specs[key]
    else:
        spec = None
    quantity = item.quantity or Quantity(1.0)
    pack = item.pack
    if pack is not None and pack.unit and pack.unit.lower() == product.unit.lower():
        if item.quantity is None:
            quantity = pack         # 车厘子5斤装 on a product sold by 斤: the pack is the amount
        elif item.quantity.unit in COUNT_WORDS and item.quantity.unit != product.unit:
            # 啤酒一箱24罐, 24罐一箱 2箱: packs of a size written in the selling unit
            quantity = Quantity(round(item.quantity.value * pack.value, 4), product.unit)
    try:
        amount = to_selling_unit(quantity, product.unit)
    except UnitMismatch:
        return ItemProblem("unit", item.text, (product.unit,), product.name)
    if amount < 0:   # 减1斤 of something not ordered: ask
        return ItemProblem("unclear", item.text, (), product.name)
    if amount == 0:
        return ItemProblem("unit", item.text, (product.unit,), product.name)
    return ResolvedItem(product.name, spec, amount, item.text)


# -- parsing -------------------------------------------------------------------

class _TokenList(Lexer):
    """Hands lark the tokens parsers.lexer already made."""

    def __init__(self, lexer_conf) -> None:  # noqa: D107 - lark's interface
        pass

    def lex(self, data, *_):  # data is the token list
        return iter(data)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return grammars.load("entry", lexer=_TokenList, start=["entry", "change"])


@v_args(inline=True)
class EntryBuilder(Transformer):
    """Parse tree to requests; the only place tree shapes are known."""

    def __init__(self, line: MappedLine, catalogue: Catalogue) -> None:
        super().__init__()
        self.mapped = line
        self.line = line.text
        self.catalogue = catalogue

    # quantities and products
    def quantity(self, *parts: Tok) -> _Quantity:
        return _Quantity(quantity_of(parts), parts[0].start_pos, parts[-1].end_pos)

    def product(self, *parts: Tok) -> _Product:
        product = next(p for p in parts if p.type == "PRODUCT")
        spec = next((str(p) for p in parts if p.type == "SPEC"), None)
        return _Product(str(product), product.payload, spec, parts[0].start_pos, parts[-1].end_pos)

    def item_after(self, product: _Product, quantity: _Quantity | None = None, spec: Tok | None = None):
        if isinstance(quantity, Tok):  # product SPEC with no quantity between
            quantity, spec = None, quantity
        follow = None
        if product.spec and spec is not None:
            # 大闸蟹公4只 母2只: a second spec starts another item of the same product
            follow, spec = spec, None
        spec_text = product.spec or (str(spec) if spec is not None else None)
        end = max(product.end, quantity.end if quantity else 0, spec.end_pos if spec is not None else 0)
        return _Item(ItemRequest(product.text, product.match, spec_text,
                                 quantity.value if quantity else None), product.start, end, follow=follow)

    def code_item(self, code: Tok, *rest):
        """2, 11x2, 1抹茶, C黑椒: the menu's item, in the spec written when it is one of its own."""
        spec = next((p for p in rest if isinstance(p, Tok) and p.type == "SPEC"), None)
        amount = next((p for p in rest if isinstance(p, _Quantity)), None)
        name = code.payload
        loose = None
        if spec is not None and not self.catalogue.sold_in(name, str(spec)):
            loose, spec = spec, None        # a spec of another product is not this item's
        end = max(code.end_pos, spec.end_pos if spec is not None else 0, amount.end if amount else 0)
        request = ItemRequest(str(code), Match(str(code), (name,), 100.0), str(spec) if spec is not None else None,
                              amount.value if amount else None, code=code_key(str(code)))
        item = _Item(request, code.start_pos, end)
        return [item, loose] if loose is not None else item

    def item_before(self, quantity: _Quantity, product: _Product):
        return _Item(ItemRequest(product.text, product.match, product.spec, quantity.value),
                     quantity.start, product.end, quantity)

    def spec_quantity(self, quantity: _Quantity, spec: Tok):
        if spec.start_pos != quantity.end:
            return [quantity, spec]     # 公4只 母2只: 母 starts the next amount, it does not end this one
        return _SpecQuantity(quantity, spec)

    def each(self, _each: Tok, quantity: _Quantity) -> _Each:
        return _Each(quantity)

    # a whole line
    def entry(self, *pieces) -> EntryRequest:
        flat = [p for piece in pieces for p in (piece if isinstance(piece, list) else [piece])]
        return _assemble(flat, self.mapped, self.catalogue)

    # changes
    def set_to(self, *parts):
        quantity = [p for p in parts if isinstance(p, _Quantity)][-1]
        return ChangeAction("set", self._target(parts), quantity.value)

    def add_more(self, *parts):
        quantity = next((p for p in parts if isinstance(p, _Quantity)), None)
        return ChangeAction("add", self._target(parts), quantity.value if quantity else None)

    def take_off(self, *parts):
        """五花肉减1斤: an addition of a negative amount."""
        quantity = next(p for p in parts if isinstance(p, _Quantity)).value
        return ChangeAction("add", self._target(parts), Quantity(-quantity.value, quantity.unit))

    def remove(self, *parts):
        return ChangeAction("remove", self._target(parts))

    def swap(self, *parts):
        """排骨换成牛腩: the first product goes, the second comes (its amount,
        or one selling unit when none is written)."""
        old, new = [p for p in parts if isinstance(p, _Product)]
        after = next((p for p in parts if isinstance(p, _Quantity) and p.start > new.start), None)
        return (ChangeAction("remove", _as_item(old)),
                ChangeAction("add", _as_item(new), after.value if after else None))

    def _target(self, parts) -> ItemRequest | None:
        """The item a change is about: a product (with its spec), or a spec
        alone (母的不要了: the customer's item in that spec)."""
        product = next((p for p in parts if isinstance(p, _Product)), None)
        if product is not None:
            return _as_item(product)
        spec = next((p for p in parts if isinstance(p, Tok) and p.type == "SPEC"), None)
        if spec is None:
            return None
        owners = self.catalogue.products_in(str(spec))
        return ItemRequest(str(spec), Match(str(spec), owners, 90.0), str(spec))

    def change(self, *parts) -> ChangeRequest:
        actions = []
        for part in parts:
            if isinstance(part, ChangeAction):
                actions.append(part)
            elif isinstance(part, tuple):
                actions.extend(a for a in part if isinstance(a, ChangeAction))
        return ChangeRequest(tuple(actions))


# The pieces of a parse, made and read only in this module: never changed (new ones are
# made, see _with), compared or printed. A plain __init__ each: a frozen dataclass's six
# generated methods cost ~1 ms a class at every start.
@dataclass(eq=False, repr=False)
class _Quantity:
    value: Quantity
    start: int
    end: int


@dataclass(eq=False, repr=False)
class _Product:
    text: str
    match: Match
    spec: str | None
    start: int
    end: int


@dataclass(eq=False, repr=False)
class _Item:
    request: ItemRequest
    start: int
    end: int
    leading: _Quantity | None = None   # the quantity, when written before the product
    follow: Tok | None = None          # a second spec written after it (公4只 母2只)


@dataclass(eq=False, repr=False)
class _SpecQuantity:
    quantity: _Quantity
    spec: Tok


@dataclass(eq=False, repr=False)
class _Each:
    quantity: _Quantity



def _as_item(product: _Product | None) -> ItemRequest | None:
    return None if product is None else ItemRequest(product.text, product.match, product.spec)


def _assemble(pieces: list, mapped: MappedLine, catalogue: Catalogue) -> EntryRequest:
    """Bind loose quantities, find the customer and the note."""
    line = mapped.text
    emojis = [(p.start_pos, p.end_pos) for p in pieces if isinstance(p, Tok) and p.type == "EMOJI"]
    pieces = [p for p in pieces if not (isinstance(p, Tok) and p.type == "EMOJI")]
    pieces = _rebind_trailing_quantities(pieces, catalogue)
    items: list[_Item] = []
    texts: list[tuple[int, int]] = []           # (start, end) of words that are not items
    same = False
    plus = None
    explicit = False
    pending: list[int] = []                     # items waiting for a 各 quantity
    packs: list[Tok] = []                       # pack sizes waiting for the next product
    consumed: set[int] = set()                  # pieces an item took already
    loose_specs: list[Tok] = []                 # specs no item claimed
    loose_amounts: list[_Quantity] = []         # quantities no item claimed
    for index, piece in enumerate(pieces):
        if index in consumed:
            continue
        if isinstance(piece, _Item) and (owner := _misplaced_spec(piece, items, catalogue)) is not None:
            # 4母 基围虾2斤: LALR read 母基围虾, but 母 is a spec of the crab before
            loose = pieces[index - 1] if index > 0 else None
            amount = piece.leading or (loose if isinstance(loose, _Quantity) and texts
                                       and texts[-1] == (loose.start, loose.end) else None)
            if amount is not None and amount is not piece.leading:
                texts.pop()
            spec_end = amount.end if amount is not None else piece.start
            items.append(_Item(ItemRequest(items[owner].request.text, items[owner].request.match, piece.request.spec,
                                           amount.value if amount is not None else None), spec_end, spec_end))
            explicit |= amount is not None
            piece = _with(piece, spec=None, quantity=None if piece.leading else piece.request.quantity)
        if isinstance(piece, _Item):
            if packs:
                piece = _with(piece, pack=packs[-1].payload)
                packs = []
            items.append(piece)
            explicit |= piece.request.quantity is not None
            pending = pending + [len(items) - 1] if piece.request.quantity is None else []
            if piece.follow is not None:
                nxt = pieces[index + 1] if index + 1 < len(pieces) else None
                if isinstance(nxt, _Item) and nxt.request.spec is None and nxt.start == piece.follow.end_pos \
                        and nxt.request.match.product == piece.request.match.product:
                    # 黑芝麻汤圆一袋 花生汤圆一袋: the spec glued to the next name is its spec
                    pieces[index + 1] = _with(nxt, spec=str(piece.follow))
                else:
                    items.append(_continuation(piece, piece.follow, None))
        elif isinstance(piece, _Each):
            for k in pending:
                old = items[k]
                items[k] = _Item(ItemRequest(old.request.text, old.request.match, old.request.spec,
                                             piece.quantity.value, old.request.pack), old.start, old.end)
            explicit |= bool(pending)
            pending = []
        elif isinstance(piece, _SpecQuantity):
            # 大闸蟹4公4母: an amount of a spec of the product before it
            owner = _item_with_spec(items, str(piece.spec), catalogue)
            sole = _sole_product_with_spec(str(piece.spec), catalogue)
            if owner is not None:
                items.append(_continuation(items[owner], piece.spec, piece.quantity.value))
                explicit = True
            elif sole is not None:
                # 4公4母 with no name: the only product sold in that spec
                items.append(_Item(ItemRequest(str(piece.spec), sole, str(piece.spec), piece.quantity.value),
                                   piece.quantity.start, piece.spec.end_pos))
                explicit = True
            else:
                texts.append((piece.quantity.start, piece.spec.end_pos))
        elif isinstance(piece, _Quantity) and _name_tail(pieces, index, items, catalogue):
            # 百合花2束, 三黄机1只: characters glued after a name belong to it
            word = pieces[index - 1]
            if texts and texts[-1] == (word.start_pos, word.end_pos):
                texts.pop()
            items[-1] = _with(items[-1], quantity=piece.value)
            explicit = True
        elif isinstance(piece, _Quantity) and items and items[-1].request.quantity is None \
                and _unknown_item(pieces, index, line, catalogue) is None:
            # 汤圆要花生的，2盒: a quantity after an item that has none is its quantity
            items[-1] = _with(items[-1], quantity=piece.value)
            explicit = True
        elif isinstance(piece, _Quantity):
            unknown = _unknown_item(pieces, index, line, catalogue)
            if unknown is not None:
                # the TEXT it names was collected already: give its span back
                if texts and texts[-1][1] >= unknown.start and texts[-1][0] <= unknown.start:
                    start = texts[-1][0]
                    texts.pop()
                    if start < unknown.start:
                        texts.append((start, unknown.start))
                items.append(unknown)
                explicit = True
                after = pieces[index + 1] if index + 1 < len(pieces) else None
                if isinstance(after, Tok) and after.start_pos < unknown.end:
                    consumed.add(index + 1)     # 2斤荔枝: 荔枝 is the item, not the note
            else:
                texts.append((piece.start, piece.end))
                loose_amounts.append(piece)
            pending = []
        elif isinstance(piece, Tok) and piece.type == "SPEC":
            # a loose spec belongs to the nearest item before it that has none;
            # when all have one, it starts another item of a product that has it
            target = next((k for k in range(len(items) - 1, -1, -1) if items[k].request.spec is None), None)
            owner = _item_with_spec(items, str(piece), catalogue)
            if target is not None:
                items[target] = _with(items[target], spec=str(piece))
            elif owner is not None:
                items.append(_continuation(items[owner], piece, None))
                if pending:
                    pending.append(len(items) - 1)     # 红提和青提 各2斤: 各 reaches the specs too
            elif (named := _misspelt_before(pieces, index, str(piece), catalogue)) is not None:
                word, match = named
                if texts and texts[-1] == (word.start_pos, word.end_pos):
                    texts.pop()             # the word is the item, not the customer
                items.append(_Item(ItemRequest(str(word), match, str(piece)), word.start_pos, piece.end_pos))
            elif (sole := _sole_product_with_spec(str(piece), catalogue)) is not None and _amount_follows(pieces, index):
                # 大杯2杯 with no name: the only product sold in that spec
                items.append(_Item(ItemRequest(str(piece), sole, str(piece)), piece.start_pos, piece.end_pos))
            else:
                loose_specs.append(piece)
        elif isinstance(piece, Tok) and piece.type == "PACK":
            # 东北大米5斤一袋: the pack size of the product it is written with
            if items and items[-1].request.pack is None and items[-1].end <= piece.start_pos <= items[-1].end + 1:
                items[-1] = _with(items[-1], pack=piece.payload)
            else:
                packs.append(piece)
        elif isinstance(piece, Tok):
            if piece.type == "TEXT":
                texts.append((piece.start_pos, piece.end_pos))
            elif piece.type == "SAME":
                same = True
            elif piece.type == "PLUS":
                plus = piece.payload
            if piece.type != "SEP":
                pending = []
    items.sort(key=lambda it: it.start)
    items, mentions = _clarifications(items)
    items, swapped = _swaps(items, texts, line, loose_amounts)
    texts = texts + swapped
    if catalogue.default is not None and not same:
        items, texts, plus, loose_amounts = _set_meal(items, texts, plus, loose_amounts, line, catalogue)
        explicit |= any(it.request.by_default and it.request.quantity is not None for it in items)
    bare = None
    if not items and not same and plus is None and len(loose_amounts) == 1 and loose_amounts[0].value.unit:
        bare = loose_amounts[0]             # 老王 两盒 要新鲜的: an amount, and no product named
        texts.remove((bare.start, bare.end))
    if not items and not same and plus is None and not loose_specs:
        unknown = _unknown_word(texts, bare, line, catalogue)
        if unknown is not None:
            # 榴莲 2个, 阿梅 口水鸡: a word where a product stands, not on sale: asked about
            texts.remove((unknown.start, unknown.end))
            items.append(_with(unknown, quantity=bare.value) if bare is not None else unknown)
            explicit |= bare is not None
            if bare is not None:
                texts = [t for t in texts if t != (bare.start, bare.end)]
            bare = None
    spec = None
    if (plus is not None or bare is not None) and not items and loose_specs:
        spec = str(loose_specs.pop(0))      # +2 母: the spec of the +1
    texts = sorted(texts + [(t.start_pos, t.end_pos) for t in loose_specs] + mentions)
    first = items[0].start if items else (len(line) if (same or plus is not None) else 0)
    if bare is not None:
        first = bare.start
    before = [(s, e) for s, e in texts if e <= first]
    after = [(s, e) for s, e in texts if s >= first]
    if not items and not same and plus is None and bare is None:
        before, after = [], texts
    elif items and before and before[-1][1] == first and items[0].request.code is None:
        # (晴天5: the word glued to a menu number is the customer's name)
        before, modifier = _glued_modifier(line, before)
        after = modifier + after
    # an emoji before the items is part of the name it touches (🌸小雨🌸), or the
    # name itself before a menu number (🌸5); glued to a product it is decoration
    named = before + [(s, e) for s, e in emojis if s < first and (
        any(e == a or s == b for a, b in before)
        or (items and items[0].request.code is not None and not before and e <= items[0].start))]
    customer = _customer(mapped, _touching_joined(named) if len(named) > len(before) else before)
    words = (line[s:e] for s, e in _touching_joined(after))
    # not the ( ) a spec left, nor a lone 要 or 我要 that went with an item
    note = _trim(" ".join(w for w in words if any(c.isalnum() or is_emoji(c) for c in w) and _without_fillers(w)))
    return EntryRequest(customer, tuple(it.request for it in items), note, same, plus, explicit, spec,
                        bare.value if bare is not None else None)


def _swaps(items: list[_Item], texts: list[tuple[int, int]], line: str, amounts: list[_Quantity]
           ) -> tuple[list[_Item], list[tuple[int, int]]]:
    """米饭换面条, 土豆换成豆腐: a wish about the item, for the note; neither is ordered."""
    out: list[_Item] = []
    notes: list[tuple[int, int]] = []
    skip = -1
    for k, item in enumerate(items):
        if k <= skip:
            continue
        nxt = items[k + 1] if k + 1 < len(items) else None
        if nxt is not None and item.request.quantity is None and line[item.end:nxt.start].strip() in _SWAP_WORDS \
                and nxt.start - item.end <= 3:
            end = nxt.end if nxt.request.quantity is None or nxt.leading else nxt.start + len(nxt.request.text)
            notes.append((item.start, end))
            if end < nxt.end:               # 米饭换面条 2份: the amount is the line's, not the swap's
                amount = _Quantity(nxt.request.quantity, line.index(line[end:nxt.end].strip(), end), nxt.end)
                amounts.append(amount)
                notes.append((amount.start, amount.end))
            for span in [t for t in texts if item.end <= t[0] and t[1] <= nxt.start]:
                texts.remove(span)
            skip = k + 1
            continue
        out.append(item)
    return out, notes


_SWAP_WORDS = ("换", "换成", "换为", "改成", "改")
_ADD_WORDS = re.compile(r"(?:再|多|另|追)?加(?:个|一个|一份|份)?$")


def _set_meal(items: list[_Item], texts: list[tuple[int, int]], plus: float | None, amounts: list[_Quantity],
              line: str, catalogue: Catalogue):
    """A set-meal round (CONTRACT 3b, the default product): every line is one meal,
    or the line's own amount of it (3份, +2份); named products are add-ons besides
    it (加个凉菜, 少饭，泡菜), with the count written before them (3加卤蛋); only
    单点X orders X alone. Breakdowns after the line's amount are note.

    Kept in Python: what is an add-on and what is the meal is the catalogue's
    call (which product is the default), not the line's shape.
    """
    default = catalogue.default
    texts = list(texts)
    amounts = list(amounts)
    alone = set()
    for k, item in enumerate(items):
        word = next((t for t in texts if t[1] == item.start or (t[1] == item.start - 1 and line[t[1]] == " ")),
                    None)
        if word is None:
            continue
        text = line[word[0]:word[1]]
        if text.endswith("单点"):
            alone.add(k)                    # 单点鸡腿: the add-on without the meal
            texts.remove(word)
            if len(text) > 2:
                texts.append((word[0], word[1] - 2))
        elif (added := _ADD_WORDS.search(text)) is not None:
            texts.remove(word)              # 加个凉菜: the 加 goes with the add-on
            if _trim(text[:added.start()]):
                texts.append((word[0], word[0] + added.start()))   # （1份不要辣）加2个鸡腿
                continue
            count = next((a for a in amounts if a.end == word[0]), None)
            if count is not None and item.request.quantity is None:
                # 3加卤蛋: the count before the add-on is its amount
                items[k] = _with(item, quantity=count.value)
                amounts.remove(count)
                if (count.start, count.end) in texts:
                    texts.remove((count.start, count.end))
    if any(it.request.match.product == default for it in items):
        return items, texts, plus, amounts
    if items and all(k in alone for k in range(len(items))):
        return items, texts, plus, amounts
    meal = None
    if plus is not None:
        meal, plus = Quantity(plus, None), None
        unit = next((t for t in texts if line[t[0]:t[1]] in ("份", catalogue.by_name[default].unit)), None)
        if unit is not None:
            texts.remove(unit)              # +2份
    else:
        first = next((a for a in amounts if a.value.unit in (None, "份", "例", catalogue.by_name[default].unit)), None)
        if first is not None and (first.start, first.end) in texts:
            meal = first.value              # 3份; later counts (1份少饭) are the breakdown, note
            texts.remove((first.start, first.end))
            amounts.remove(first)
    # the customer's name is the first word when it looks like one (7. 小林 C区 少饭);
    # the other words are the meal's note
    words = sorted(t for t in texts if _SEQ.fullmatch(line[t[0]:t[1]] + " ") is None)
    first_item = min([it.start for it in items] + [len(line)])
    start = 0
    if words and words[0][1] <= first_item:
        name = _without_fillers(_trim(line[words[0][0]:words[0][1]]))
        start = words[0][1] if name and _looks_like_name(name) else words[0][0]
    request = ItemRequest(default, Match(default, (default,), 100.0), None, meal, by_default=True)
    return [_Item(request, start, start)] + items, texts, plus, amounts


def _trim(text: str) -> str:
    """Without the punctuation and spaces at either end (卷纸2提。, 王姐：)."""
    start, end = 0, len(text)
    while start < end and (text[start] == " " or unicodedata.category(text[start]).startswith(("P", "S"))
                           and text[start] not in "¥#@([" and not is_emoji(text[start])):
        start += 1
    while end > start and (text[end - 1] == " " or unicodedata.category(text[end - 1]).startswith(("P", "S"))
                           and text[end - 1] not in ")]" and not is_emoji(text[end - 1])):
        end -= 1
    text = text[start:end]
    if text.count("(") != text.count(")"):
        text = text.strip("()[] ")      # a bracket whose pair went with an item
    if not any(c.isalnum() or is_emoji(c) for c in text):
        return ""                       # 基围虾(活): the brackets the spec left behind
    return text


def _touching_joined(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans written with nothing between them are one word of the note: 不要太肥, (6罐)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _clarifications(items: list[_Item]) -> tuple[list[_Item], list[tuple[int, int]]]:
    """汤圆2袋 (黑芝麻的), 水饺50个 三鲜的: a name with no amount right after an
    item it can be is a clarification of that item, not another one. The item
    keeps the products both allow (and the spec, if only the second has one);
    the words go back to the note."""
    out: list[_Item] = []
    mentions: list[tuple[int, int]] = []
    for item in items:
        last = out[-1] if out else None
        if last is not None and item.request.quantity is None and last.request.quantity is not None:
            a, b = last.request, item.request
            common = tuple(p for p in a.match.products if p in b.match.products)
            if common and (a.spec is None or b.spec is None or a.spec == b.spec):
                match = Match(a.match.text, common, a.match.score if common == a.match.products else 90.0)
                out[-1] = _Item(ItemRequest(a.text, match, a.spec or b.spec, a.quantity, a.pack or b.pack),
                                last.start, last.end, last.leading)
                mentions.append((item.start, item.end))
                continue
        out.append(item)
    return out, mentions


def _continuation(item: _Item, spec: Tok, quantity: Quantity | None) -> _Item:
    """Another item of the same product, with the spec written for it."""
    request = item.request
    return _Item(ItemRequest(request.text, request.match, str(spec), quantity, request.pack),
                 spec.start_pos, spec.end_pos)


def _misplaced_spec(item: _Item, items: list[_Item], catalogue: Catalogue) -> int | None:
    """The earlier item a spec written before this product really belongs to."""
    spec, name = item.request.spec, item.request.match.product
    if spec is None or name not in catalogue.by_name or catalogue.sold_in(name, spec):
        return None
    return _item_with_spec(items, spec, catalogue)


def _amount_follows(pieces: list, index: int) -> bool:
    nxt = pieces[index + 1] if index + 1 < len(pieces) else None
    return isinstance(nxt, _Quantity)


def _sole_product_with_spec(spec: str, catalogue: Catalogue) -> Match | None:
    """A match for the one product on sale in `spec`, if only one is."""
    owners = catalogue.products_in(spec)
    return Match(spec, (owners[0],), 90.0) if len(owners) == 1 else None


def _item_with_spec(items: list[_Item], spec: str, catalogue: Catalogue) -> int | None:
    """The latest item whose product is sold in `spec`."""
    for k in range(len(items) - 1, -1, -1):
        if catalogue.sold_in(items[k].request.match.product, spec):
            return k
    return None


def _name_tail(pieces: list, index: int, items: list[_Item], catalogue: Catalogue) -> bool:
    """Whether the word before a quantity is the end of the name before it.

    `百合花2束` (百合 + 花), `多肉植物3盆`, `三黄机1只` (三黄 + a slip): one to
    three characters glued between a product that has no quantity yet and the
    quantity, that name no product themselves (or the same one: 黑芝麻 + 羰圆).
    """
    if index == 0 or not items:
        return False
    word, quantity, item = pieces[index - 1], pieces[index], items[-1]
    if not (isinstance(word, Tok) and word.type == "TEXT" and word.end_pos == quantity.start
            and item.end == word.start_pos and item.request.quantity is None):
        return False
    return _is_name_tail(str(word), catalogue, item.request.match.product)


def _is_name_tail(text: str, catalogue: Catalogue, product: str | None = None) -> bool:
    """花 in 百合花, 植物 in 多肉植物: a few characters that name nothing themselves,
    or only `product` again (羰圆 after 黑芝麻 is a slip for 汤圆)."""
    if not (len(text) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in text)):
        return False
    named = catalogue.match(text).products
    return not named or (product is not None and named == (product,))


def _with(item: _Item, **changes) -> _Item:
    request = item.request
    fields = {"text": request.text, "match": request.match, "spec": request.spec,
              "quantity": request.quantity, "pack": request.pack, **changes}
    return _Item(ItemRequest(**fields), item.start, item.end, item.leading)


def _rebind_trailing_quantities(pieces: list, catalogue: Catalogue) -> list:
    """荔枝2斤香蕉2斤: LALR gave 2斤 to 香蕉; the 2斤 glued after 香蕉 is its own.

    When a product took the quantity before it and another quantity follows
    right after it (or after a tail glued to its name: 百合花1束), the product
    keeps the one after, and the one before goes back to whatever precedes it
    (an unknown product, or a name with a tail: 玫瑰花11枝).
    """
    out = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        tail = None
        if (isinstance(nxt, Tok) and nxt.type == "TEXT" and isinstance(piece, _Item) and nxt.start_pos == piece.end
                and i + 2 < len(pieces) and isinstance(pieces[i + 2], _Quantity)
                and pieces[i + 2].start == nxt.end_pos and _is_name_tail(str(nxt), catalogue)):
            tail, nxt = nxt, pieces[i + 2]
        if (isinstance(piece, _Item) and piece.leading is not None and isinstance(nxt, _Quantity)
                and nxt.start == (tail.end_pos if tail is not None else piece.end)):
            request = piece.request
            out.append(piece.leading)
            out.append(_Item(ItemRequest(request.text, request.match, request.spec, nxt.value, request.pack),
                             piece.leading.end, nxt.end))
            i += 3 if tail is not None else 2
            continue
        out.append(piece)
        i += 1
    return out


def _unknown_item(pieces: list, index: int, line: str, catalogue: Catalogue) -> _Item | None:
    """A quantity glued to words that are not a known product: 荔枝2斤, 2斤荔枝."""
    if catalogue.default is not None:
        return None     # 1份少饭: in a set-meal round, words with counts are the meal's breakdown
    quantity: _Quantity = pieces[index]
    prev = pieces[index - 1] if index > 0 else None
    nxt = pieces[index + 1] if index + 1 < len(pieces) else None
    word = None
    if isinstance(prev, Tok) and prev.type == "TEXT" and prev.end_pos == quantity.start:
        word = prev
    elif (isinstance(nxt, Tok) and nxt.type == "TEXT" and nxt.start_pos == quantity.end
          and quantity.value.unit is not None):
        word = nxt
    if word is None and isinstance(prev, Tok) and prev.type == "TEXT" and prev.end_pos + 1 == quantity.start \
            and (match := _misspelt_product(prev, catalogue)) is not None:
        # cocacola 2瓶, 排古 2斤: a word and its amount a space apart, an item only if the
        # word is a product (a typo or pinyin slip of one); a name (王芳 2斤) is not
        return _Item(ItemRequest(str(prev), match, None, quantity.value), prev.start_pos, quantity.end)
    if word is None or not any("\u4e00" <= c <= "\u9fff" for c in word):
        return None
    text = str(word)
    if not (text[-1] if word is prev else text[0]).isalnum():
        return None     # (28元/斤)2斤: a name does not end in a bracket or a mark
    if word is prev:
        # 王姐:荔枝2斤: the name is what follows the last mark
        cut = max((k + 1 for k, c in enumerate(text) if not c.isalnum()), default=0)
        if cut:
            text = text[cut:]
            word = _tok_like(word, text, word.start_pos + cut)
        core = _without_fillers(text)
        if not core:
            return None                 # 我要3袋: an amount, and no product named
        if core != text and _looks_like_name(core):
            return None                 # 王姐要3袋: a name, an amount, no product
        if core != text and text.endswith(core):
            word = _tok_like(word, core, word.start_pos + len(text) - len(core))
            text = core                 # 要榴莲2个: 要 is no part of the word
        found = catalogue.match_tail(text)
        if found:
            offset, match = found
            start = word.start_pos + offset
            return _Item(ItemRequest(match.text, match, None, quantity.value), start, quantity.end)
    match = catalogue.match(text)
    if len(text) > 8 and not match.products:
        return None
    start = min(word.start_pos, quantity.start)
    return _Item(ItemRequest(text, match, None, quantity.value), start, max(word.end_pos, quantity.end))


# Characters of chatter and questions, never of a product name standing alone.
_CHATTER = frozenset("截团付转随便来些吗呢吧啊呀哦嗯了谢好哈在到么是有没还什怎几多少请问能可哪谁我你他她它们这那就都也很太真")


def _unknown_word(texts: list[tuple[int, int]], bare: _Quantity | None, line: str,
                  catalogue: Catalogue) -> _Item | None:
    """The word a line without items names as a product not on sale, if it names one.

    Only the shapes of an order: `WORD`, `NAME WORD`, `WORD amount`, `NAME WORD amount`
    (向日葵 is known; 口水鸡, 榴莲 2个, 白茶 2饼 are not), where WORD is a few Chinese
    characters of no chatter and NAME a customer's name or room. Whether it is a product
    is the catalogue's call: a word that looks like a name before an amount is the
    customer (王芳 2斤) unless the amount's unit is one nothing on sale is sold by.
    """
    spans = [sp for sp in _touching_joined(texts) if _trim(line[sp[0]:sp[1]])]
    if bare is not None:
        spans = [sp for sp in spans if sp[1] <= bare.start]
        if len(spans) != len(_touching_joined(texts)):
            return None                     # words after the amount: a sentence, not an order
    if not 1 <= len(spans) <= 2:
        return None
    start, end = spans[-1]
    word = line[start:end]
    if bare is not None and bare.start - end > 1:
        return None
    if not (2 <= len(word) <= 6 and all(_is_cjk_char(c) for c in word)) or set(word) & _CHATTER:
        return None
    if len(spans) == 2:
        head = _SEQ.sub("", _trim(line[spans[0][0]:spans[0][1]]), count=1)
        if not head or not _looks_like_name(_without_fillers(head) or head):
            return None
    if _looks_like_name(word):
        units = {p.unit for p in catalogue.products}
        if bare is None or bare.value.unit in units:
            return None
    match = catalogue.match(word)
    if match.products:
        return None                         # a product after all: the lexer would have seen it
    return _Item(ItemRequest(word, match), start, end)


def _is_cjk_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _misspelt_product(word: Tok, catalogue: Catalogue) -> Match | None:
    """What a standalone word matches (a typo, a pinyin slip, an English name),
    if it matches a product well enough; never a part of a longer name (牛 2斤)."""
    text = str(word)
    if not 2 <= len(text) <= 8 or not text.replace(" ", "").isalnum():
        return None
    match = catalogue.match(text)
    least = 0.0 if text.isascii() else _WHOLE_WORD_SCORE     # English names: any match (cocacola)
    return match if match.products and match.score >= least else None


def _misspelt_before(pieces: list, index: int, spec: str, catalogue: Catalogue) -> tuple[Tok, Match] | None:
    """带渔 大 2斤, 基围下冻2斤: the word before a spec, when it is a product sold in it."""
    prev = pieces[index - 1] if index > 0 else None
    here: Tok = pieces[index]
    if not (isinstance(prev, Tok) and prev.type == "TEXT" and here.start_pos - prev.end_pos in (0, 1)):
        return None
    match = _misspelt_product(prev, catalogue)
    if match is None or not catalogue.sold_in(match.product, spec):
        return None
    return prev, match


def _tok_like(word: Tok, text: str, start: int) -> Tok:
    part = Tok(word.type, text, start_pos=start, end_pos=start + len(text))
    part.payload = None
    return part


_SEQ = re.compile(r"^\d{1,4}\s*(?:[.:](?!\d)|[、)])\s*")


def _customer(mapped: MappedLine, spans: list[tuple[int, int]]) -> str | None:
    if not spans:
        return None
    line = mapped.text
    # the words themselves, not what lies between them (王姐 +1: 王姐)
    name = _trim(" ".join(line[s:e] for s, e in _touching_joined(spans)))
    name = _SEQ.sub("", name, count=1)      # 6. 王姐: a 接龙 line's number copied along
    name = _without_fillers(name)
    if not name:
        return None
    # kept as written (鄭姐, 🌸): the same characters in the line before normalising
    at = line.find(name, spans[0][0])
    return mapped.written(at, at + len(name)) if at >= 0 else name


def _without_fillers(name: str) -> str:
    """我要 李四 -> 李四, 帮罗阿姨订 -> 罗阿姨, 好的 -> ''."""
    changed = True
    while changed and name:
        changed = False
        for word in _FILLER_PREFIXES:
            if name.startswith(word) and len(name) > len(word) - 1:
                name, changed = name[len(word):].strip(), True
                break
        for word in _FILLER_SUFFIXES:
            if name.endswith(word):
                name, changed = name[: -len(word)].strip(), True
                break
    return name


def _glued_modifier(line: str, before: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """冰可乐2箱, 手工三鲜水饺, 小馄饨: a word glued to the product is a name only
    if it looks like one (王芳排骨2斤, 5-302王姐); otherwise it says something
    about the product, and goes to the note. Returns (name spans, note spans)."""
    start, end = before[-1]
    text = line[start:end]
    word = text.rsplit(" ", 1)[-1]
    core = _without_fillers(word)
    if not core or _looks_like_name(core):
        return before, []               # 我要五花肉: the fillers go when the name is read
    cut = end - len(word)
    head = before[:-1] + ([(start, cut)] if line[start:cut].strip() else [])
    return head, [(cut, end)]


# Common surnames: a glued two- or three-character word starting with one is taken for a name.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池查麻苑迟邝")
_NAME_ENDINGS = ("姐", "哥", "姨", "叔", "婶", "嫂", "妈", "爸", "爷", "奶", "婆", "总", "宝", "老师", "先生",
                 "女士", "家", "妹", "弟")


def _looks_like_name(word: str) -> bool:
    if not word:
        return True
    if any(c.isdigit() for c in word) or word.isascii():
        return True                     # 5-302, 3栋502, Lisa
    if word.endswith(_NAME_ENDINGS) or (len(word) == 2 and word[0] == word[1]):
        return True                     # 王姐, 张阿姨, 芳芳
    if len(word) in (2, 3) and (word[0] in _SURNAMES or word[0] in "老小阿"):
        return True                     # 王芳, 欧阳娜, 小王, 老李
    return False


def _glued_texts(tokens: list[Tok], line: str) -> list[Tok]:
    """TEXT tokens with nothing between them are one word (补 + 钙奶粉)."""
    out: list[Tok] = []
    for token in tokens:
        last = out[-1] if out else None
        if token.type == "TEXT" and last is not None and last.type == "TEXT" and last.end_pos == token.start_pos:
            out[-1] = _as_text(Tok("TEXT", line[last.start_pos:token.end_pos], start_pos=last.start_pos,
                                   end_pos=token.end_pos))
        else:
            out.append(token)
    return out


def _as_text(token: Tok) -> Tok:
    """A change keyword in a line that is not a change is a word (加菲, 不要太熟)."""
    text = Tok("TEXT", str(token), start_pos=token.start_pos, end_pos=token.end_pos)
    text.payload = None
    return text


def asks_price(text: str) -> bool:
    """Questions about price, weight, size or what is left, which name amounts
    but order nothing (大米一袋有几斤？, 鸡蛋两盒够吃一周吗, 鸡蛋还有3盒吗)."""
    return any(q in text for q in _PRICE_QUESTION) or _STILL_THERE.search(text.strip()) is not None


def looks_like_question(text: str) -> bool:
    """Questions about products (草莓还有吗?) are chatter, not orders."""
    return any(q in text for q in _QUESTION)


CHANGE_KINDS = frozenset({"SET", "ADD", "REMOVE", "SUB"})


def _add_on_line(tokens: list[Tok], catalogue: Catalogue) -> bool:
    """小王 少饭 加2个鸡腿, 3加卤蛋: in a set-meal round, words or a count before 加
    make the line an entry with an add-on, not a change of an order."""
    if catalogue.default is None:
        return False
    first = next(k for k, t in enumerate(tokens) if t.type in CHANGE_KINDS)
    return tokens[first].type == "ADD" and any(t.type in ("TEXT", "NUM", "SEP") for t in tokens[:first])
# A standalone word is read as a product when it matches one at least this well:
# a typo or homophone of the whole name (catalogue.py scores those 85-92), not a part of it.
_WHOLE_WORD_SCORE = 85.0
MAX_LINE = 2000   # characters; a longer line is a pasted text, not one order


def parse_line(line: str, catalogue: Catalogue) -> EntryRequest | ChangeRequest | None:
    """Parse one line (as written, or normalised); None when it is not an order or a change.

    The lexer is linear, but lark's LALR parser costs ~20 µs a token: a line
    longer than MAX_LINE is answered as chatter instead of parsed.
    """
    if len(line) > MAX_LINE:
        return None
    mapped = normalize_entry(line)
    line = mapped.text
    tokens = tokenize(line, catalogue)
    if not tokens:
        return None
    kinds = {t.type for t in tokens}
    parser = _parser()
    builder = EntryBuilder(mapped, catalogue)
    if kinds & CHANGE_KINDS and _add_on_line(tokens, catalogue):
        tokens = _glued_texts([_as_text(t) if t.type in CHANGE_KINDS else t for t in tokens], line)
    elif kinds & CHANGE_KINDS and "SAME" not in kinds:
        try:
            return builder.transform(parser.parse(tokens, start="change"))
        except LarkError:
            # 取消 inside a longer line, 加 in a name: read it as an order line instead
            tokens = _glued_texts([_as_text(t) if t.type in CHANGE_KINDS else t for t in tokens], line)
    try:
        return builder.transform(parser.parse(tokens, start="entry"))
    except LarkError:
        return None
