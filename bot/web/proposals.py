"""What the questions queue offers to order: the asked line with each suggestion put in.

Pure: a question's text and the catalogue in, order lines out (each one a
line the bot itself reads as a clear order), so one tap on the page places
what the customer most likely meant. The merchant can still edit the line.
"""
from __future__ import annotations

from parsers.catalogue import Catalogue
from parsers.entry import EntryRequest, ItemProblem, ItemRequest, ResolvedItem, parse_line, resolve_item
from parsers.text import normalize

MAX_PROPOSALS = 3


def _amount(item: ItemRequest, unit: str) -> str:
    return str(item.quantity) if item.quantity is not None else f"1{unit}"


def _resolved(item: ResolvedItem, catalogue: Catalogue) -> str:
    unit = catalogue.by_name[item.product].unit
    return f"{item.product}{' ' + item.spec if item.spec else ''} {item.quantity:g}{unit}"


def _alternatives(item: ItemRequest, problem: ItemProblem, catalogue: Catalogue) -> list[str]:
    """The item written with each suggestion in place of what could not be read."""
    if problem.reason in ("ambiguous", "unknown_product"):
        out = []
        for name in problem.suggestions:
            product = catalogue.by_name.get(name)
            if product is not None:
                spec = f" {item.spec}" if item.spec else ""
                out.append(f"{name}{spec} {_amount(item, product.unit)}")
        return out
    if problem.reason == "missing_spec" and problem.product in catalogue.by_name:
        unit = catalogue.by_name[problem.product].unit
        return [f"{problem.product} {spec} {_amount(item, unit)}" for spec in problem.suggestions]
    return []


def is_clear(line: str, catalogue: Catalogue) -> bool:
    """The line orders something and every item of it is understood."""
    parsed = parse_line(normalize(line), catalogue)
    return (isinstance(parsed, EntryRequest) and bool(parsed.items)
            and all(isinstance(resolve_item(i, catalogue), ResolvedItem) for i in parsed.items))


def proposals(text: str, catalogue: Catalogue) -> list[str]:
    """Up to three clear order lines for a question's text (none when nothing fits)."""
    out: list[str] = []
    for raw in text.split("\n"):
        parsed = parse_line(normalize(raw), catalogue)
        if not isinstance(parsed, EntryRequest) or not parsed.items:
            continue
        fixed: list[str] = []
        choices: list[list[str]] = []
        for item in parsed.items:
            resolved = resolve_item(item, catalogue)
            if isinstance(resolved, ResolvedItem):
                fixed.append(_resolved(resolved, catalogue))
            else:
                choices.append(_alternatives(item, resolved, catalogue))
        if not choices:
            # understood, but not taken (sold out, over the limit, after the cut-off): the line as read
            line = " ".join(fixed)
            if line not in out:
                out.append(line)
            continue
        if not all(choices):
            continue
        # each suggestion of the first unclear item; the others take their first
        for first in choices[0]:
            line = " ".join(fixed + [first] + [c[0] for c in choices[1:]])
            if line not in out and is_clear(line, catalogue):
                out.append(line)
            if len(out) >= MAX_PROPOSALS:
                return out
    return out
