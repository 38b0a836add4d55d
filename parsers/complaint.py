"""After-sales reports (售后): text in, a typed `Complaint` out.

`草莓坏了两盒`, `排骨少了半斤`, `鸡蛋碎了3个`, `收到的车厘子不新鲜 要退款`,
`@小龙 我的芒果没收到`: which product (as written, and what the catalogue
makes of it), how much, what kind of problem, and whether the customer asks
for a refund or a resend.

The entry lexer (parsers/lexer.py) segments products, specs and amounts with
the catalogue; this module then marks the words of problems and wishes in
the text it left, and `grammar/complaint.lark` arranges the tokens. A line
without a problem or a wish word is not a complaint (None), so orders
(`草莓再加两盒`, `草莓2盒`) and questions (`草莓还有吗`) never come here.
Pure: no I/O, nothing of the bot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError
from lark.lexer import Lexer

from parsers.catalogue import Catalogue, Match
from parsers.lexer import Tok, quantity_of, tokenize
from parsers.units import Quantity

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "complaint.lark"

ProblemKind = Literal["damaged", "spoiled", "short", "missing", "wrong", "refund"]

# Problem words by kind, as customers type them. A negation or a wish just
# before (不坏, 没少, 不要烂的, 会坏吗) is not a report: those lookbehinds are
# the `_NOT` prefix. Longer words first inside each alternative.
_NOT = r"(?<![不没别无])(?<!不要)(?<!会)(?<!容易)(?<!挑)"
PROBLEM_WORDS: dict[str, str] = {
    # broken, crushed, rotten, leaking
    "damaged": _NOT + r"(?:压|摔|碰|磕|挤)?(?:坏|烂|碎|破)(?:了|掉|的|损|皮|开|成)?|漏(?:液|水|汁|气)|洒了|化了|压扁了?|变形了?",
    # not fresh any more
    "spoiled": r"不新鲜|变质|发霉|霉了|长毛|发臭|臭了|臭的|馊了|有异味|有怪味|过期|蔫了|发黑|死了|不能吃",
    # less than ordered
    "short": _NOT + r"(?:少了|少发|少给|少送|少寄|少装|缺了|缺(?!货))|(?<!出)差了?(?=[\d一二两三四五六七八九十半])|不够秤|不足秤|分量不足|斤两不足|短斤少两|份量不够|数量不对",
    # never arrived
    "missing": r"没(?:有)?(?:收到|拿到|送到|领到)|漏(?:发|送|给|装|了)|没(?:有)?发(?:货|过来)?(?!票)|丢了|不见了",
    # not what was ordered
    # (发错群 is the wrong chat, not the wrong goods; 写错了 corrects a message)
    "wrong": r"(?:发|送|拿|给|装|配)错(?!群|地方|了群)",
}
# Wishes: money back, or the goods again.
REFUND_WORDS = r"(?:要|想|申请|麻烦|能|可以)?(?:退(?:款|钱|货|费)|赔(?:偿|钱)?|补偿)"
RESEND_WORDS = r"(?:要|想|申请|麻烦|能|可以)?(?:补发|补寄|补送|重发|换货|补一?[个盒份斤袋])"

# 少发了, 坏掉啦: the particle after a problem word belongs to it
_PROBLEM = re.compile("(?:" + "|".join(f"(?P<{kind}>{words})" for kind, words in PROBLEM_WORDS.items())
                      + ")[了啦咯]?")
_REFUND = re.compile(REFUND_WORDS)
_RESEND = re.compile(RESEND_WORDS)
# What stands before a product that is not part of it: 我的, 收到的, 昨天买的.
_FILLER = re.compile(r"^(?:@\S+\s*)?(?:我|咱|我们|我家)?(?:家)?(?:的)?"
                     r"(?:今天|昨天|前天|刚才|刚刚|这次|上次|这回)?(?:买|订|收到|拿到|领|到)?(?:的)?\s*")
# Earley costs grow fast with the tokens (≈40 ms for 5, ≈150 ms for 20 on this
# machine); a report is a few tokens, so a longer message with problem words is
# not parsed but answered (`Complaint.unread`: ask for one problem per message).
MAX_TOKENS = 14


@dataclass(frozen=True)
class Problem:
    """One product's problem: 草莓 坏了 两盒."""

    text: str                       # the product as written ("" when none is named)
    match: Match | None             # what the catalogue makes of it (None: nothing named)
    kind: ProblemKind
    quantity: Quantity | None = None     # how much, as written (None: not said)
    spec: str | None = None

    @property
    def product(self) -> str | None:
        return self.match.product if self.match is not None else None


@dataclass(frozen=True)
class Complaint:
    """A customer's after-sales report: one or more problems and what they want."""

    problems: tuple[Problem, ...]
    wants_refund: bool = False
    wants_resend: bool = False
    unread: bool = False            # problem words in a message too long to read as reports


def has_complaint_words(line: str) -> bool:
    """Cheap pre-check: only lines with a problem or wish word are parsed."""
    return bool(_PROBLEM.search(line) or _REFUND.search(line) or _RESEND.search(line))


def parse_complaint(line: str, catalogue: Catalogue) -> Complaint | None:
    """Parse one normalised line (parsers.text.normalize); None when it reports nothing.

    >>> # with 草莓 sold by the 盒: Complaint(problems=(Problem('草莓', …, 'damaged', Quantity(2.0, '盒')),))
    """
    if len(line) > 200 or not has_complaint_words(line):
        return None
    tokens = _tokens(line, catalogue)
    if not any(t.type in ("PROBLEM", "WISH") for t in tokens):
        return None
    if len(tokens) > MAX_TOKENS:
        return Complaint((), unread=True)
    try:
        tree = _parser().parse(tokens, start="complaint")
    except LarkError:
        return None
    return _Builder(line, catalogue).transform(tree)


# -- tokens ----------------------------------------------------------------------

def _tokens(line: str, catalogue: Catalogue) -> list[Tok]:
    """The entry lexer's tokens, with problem and wish words cut out of its text.

    Products win over problem words (a name is never cut); every other token
    that a problem or wish word overlaps gives way to it; what is left of the
    text becomes WORD, and neighbouring WORDs join.
    """
    lexed = tokenize(line, catalogue)
    products = [(t.start_pos, t.end_pos) for t in lexed if t.type in ("PRODUCT", "SPEC")]
    marks: list[tuple[int, int, str, object]] = []
    for regex, kind in ((_PROBLEM, "PROBLEM"), (_REFUND, "WISH"), (_RESEND, "WISH")):
        for found in regex.finditer(line):
            start, end = found.span()
            if any(start < b and a < end for a, b in products):
                continue
            if any(start < b and a < end for a, b, _, _ in marks):
                continue
            payload = found.lastgroup if kind == "PROBLEM" else ("refund" if regex is _REFUND else "resend")
            marks.append((start, end, kind, payload))
    marks.sort()
    out: list[Tok] = []
    for token in lexed:
        pieces = [(token.start_pos, token.end_pos)]
        for a, b, _, _ in marks:
            pieces = [piece for s, e in pieces for piece in ((s, min(e, a)), (max(s, b), e)) if piece[0] < piece[1]]
        if pieces == [(token.start_pos, token.end_pos)] and token.type in _KEEP:
            out.append(token)
            continue
        out += [_tok("SEP" if token.type == "SEP" else "WORD", line[s:e], s, e) for s, e in pieces]
    out += [_tok(kind, line[a:b], a, b, payload) for a, b, kind, payload in marks]
    out.sort(key=lambda t: t.start_pos)
    return _join_words(out, line)


_KEEP = frozenset({"PRODUCT", "SPEC", "NUM", "UNIT", "HALF", "TIMES", "SEP"})


def _join_words(tokens: list[Tok], line: str) -> list[Tok]:
    out: list[Tok] = []
    for token in tokens:
        if token.type == "WORD" and out and out[-1].type == "WORD":
            start = out[-1].start_pos
            out[-1] = _tok("WORD", line[start:token.end_pos], start, token.end_pos)
        else:
            out.append(token)
    return out


def _tok(kind: str, text: str, start: int, end: int, payload: object = None) -> Tok:
    token = Tok(kind, text, start_pos=start, end_pos=end)
    token.payload = payload
    return token


class _TokenList(Lexer):
    """Hands lark the tokens made above."""

    def __init__(self, lexer_conf) -> None:  # noqa: D107 - lark's interface
        pass

    def lex(self, data, *_):
        return iter(data)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="earley", lexer=_TokenList,
                start=["complaint", "action"], ambiguity="resolve")


# -- tree to values ----------------------------------------------------------------

@dataclass(frozen=True)
class _Subject:
    text: str
    match: Match | None
    spec: str | None
    quantity: Quantity | None


@dataclass(frozen=True)
class _Trouble:
    kind: ProblemKind
    quantity: Quantity | None
    wishes: frozenset[str]


@v_args(inline=True)
class _Builder(Transformer):
    """Parse tree to a Complaint; the only place tree shapes are known."""

    def __init__(self, line: str, catalogue: Catalogue) -> None:
        super().__init__()
        self.line = line
        self.catalogue = catalogue

    def amount(self, *parts: Tok) -> Quantity:
        return quantity_of(parts)

    def subject(self, *parts) -> _Subject:
        product = next(p for p in parts if isinstance(p, Tok) and p.type == "PRODUCT")
        spec = next((str(p) for p in parts if isinstance(p, Tok) and p.type == "SPEC"), None)
        quantity = next((p for p in parts if isinstance(p, Quantity)), None)
        return _Subject(str(product), product.payload, spec, quantity)

    def counted(self, *parts) -> _Trouble:
        return self.uncounted(*parts)

    def uncounted(self, *parts) -> _Trouble:
        problem = next(p for p in parts if isinstance(p, Tok) and p.type == "PROBLEM")
        wishes = frozenset(p.payload for p in parts if isinstance(p, Tok) and p.type == "WISH")
        quantity = next((p for p in parts if isinstance(p, Quantity)), None)
        return _Trouble(problem.payload, quantity, wishes)

    def trouble(self, *parts) -> _Trouble:
        if isinstance(parts[0], _Trouble):
            return parts[0]
        wish = parts[0]           # a wish alone: 车厘子要退款 asks for money back for it
        quantity = next((p for p in parts if isinstance(p, Quantity)), None)
        return _Trouble("refund" if wish.payload == "refund" else "missing", quantity,
                        frozenset({wish.payload}))

    def subject_first(self, subject: _Subject, *rest) -> tuple[Problem, frozenset[str]]:
        between = next((p for p in rest if isinstance(p, Quantity)), None)     # 草莓有两盒坏了
        if between is not None and subject.quantity is None:
            subject = _Subject(subject.text, subject.match, subject.spec, between)
        return self._problem(subject, rest[-1])

    def trouble_first(self, trouble: _Trouble, *rest) -> tuple[Problem, frozenset[str]]:
        return self._problem(rest[-1], trouble)

    def unnamed(self, word: Tok, trouble: _Trouble) -> tuple[Problem, frozenset[str]]:
        written = _FILLER.sub("", str(word)).strip()
        match = self.catalogue.match(written) if written else None
        return self._problem(_Subject(written, match, None, None), trouble)

    def bare(self, trouble: _Trouble) -> tuple[Problem, frozenset[str]]:
        return self._problem(_Subject("", None, None, None), trouble)

    def _problem(self, subject: _Subject, trouble: _Trouble) -> tuple[Problem, frozenset[str]]:
        quantity = trouble.quantity or subject.quantity
        return (Problem(subject.text, subject.match, trouble.kind, quantity, subject.spec), trouble.wishes)

    def complaint(self, *parts) -> Complaint:
        reports = [p for p in parts if isinstance(p, tuple)]
        wishes = frozenset().union(*(w for _, w in reports))
        # a wish written apart from any problem (不新鲜 … 麻烦退款) is the whole message's
        wishes |= {t.payload for t in parts if isinstance(t, Tok) and t.type == "WISH"}
        return Complaint(tuple(p for p, _ in reports), "refund" in wishes, "resend" in wishes)


# -- the merchant's commands: 退款 3 20 | 退款 3 草莓 1盒 | 补发 3 排骨 半斤 | 驳回 3 原因 ---

@dataclass(frozen=True)
class ActionArgs:
    """What follows 退款 / 补发 / 驳回: the order's number, then money, an item, or words."""

    order: int
    money: float | None = None           # 退款 3 20: yuan
    text: str = ""                       # the item as written (退款 3 草莓 1盒), "" when none
    match: Match | None = None
    spec: str | None = None
    quantity: Quantity | None = None     # the item's amount as written; None: not said
    reason: str = ""                     # the words after the money or item (退款 3 20 质量问题)
    words: str = ""                      # everything after the order number (驳回 3 草莓是好的)


_ORDER_NO = re.compile(r"^\s*[#＃]?\s*(\d{1,6})\s*(?:号|单)?(?=\s|$|[^\d.])")
_MONEY = re.compile(r"^(?:[¥￥]\s*)?(\d+(?:\.\d+)?)\s*(?:元|块钱|块|圆|rmb|RMB)?$")


def parse_action(rest: str, catalogue: Catalogue) -> ActionArgs | None:
    """Parse what follows an after-sales verb (normalised); None when it does
    not start with an order number or does not fit `退款 N 金额` / `N 商品 数量`."""
    found = _ORDER_NO.match(rest)
    if found is None or len(rest) > 200:
        return None
    line = f"{found.group(1)} {rest[found.end():].strip()}".strip()
    tokens = _action_tokens(line, catalogue)
    try:
        tree = _parser().parse(tokens, start="action")
    except LarkError:
        return None
    return replace(_ActionBuilder(line, catalogue).transform(tree), words=rest[found.end():].strip())


def _action_tokens(line: str, catalogue: Catalogue) -> list[Tok]:
    """The entry lexer's tokens; prices (20元, ¥20, 20块) become MONEY, other text WORD."""
    out: list[Tok] = []
    for token in tokenize(line, catalogue):
        if token.type == "UNIT" and token.payload == "块" and out and out[-1].type == "NUM" \
                and out[-1].end_pos == token.start_pos and len(out) >= 2:
            number = out.pop()
            out.append(_tok("MONEY", line[number.start_pos:token.end_pos], number.start_pos, token.end_pos,
                            number.payload))
            continue
        money = _MONEY.match(str(token)) if token.type not in _KEEP else None
        if money and (token.type != "NUM"):
            out.append(_tok("MONEY", str(token), token.start_pos, token.end_pos, float(money.group(1))))
        elif token.type in _KEEP:
            out.append(token)
        else:
            out.append(_tok("WORD", str(token), token.start_pos, token.end_pos))
    return _join_words(out, line)


@v_args(inline=True)
class _ActionBuilder(_Builder):
    """Parse tree to ActionArgs."""

    def money(self, token: Tok) -> float:
        return float(token.payload)

    def by_money(self, number: Tok, money: float, *rest) -> ActionArgs:
        return ActionArgs(int(number.payload), money=money,
                          reason=self.line[rest[0].start_pos:].strip() if rest else "")

    def by_item(self, number: Tok, subject: _Subject, *rest) -> ActionArgs:
        return ActionArgs(int(number.payload), text=subject.text, match=subject.match, spec=subject.spec,
                          quantity=subject.quantity,
                          reason=self.line[rest[0].start_pos:].strip() if rest else "")

    def by_order(self, number: Tok, *rest) -> ActionArgs:
        return ActionArgs(int(number.payload), reason=self.line[rest[0].start_pos:].strip() if rest else "")
