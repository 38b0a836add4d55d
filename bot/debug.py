"""`jielong parse`: what the parsers understand of a text, as plain data."""
from __future__ import annotations

from dataclasses import asdict, is_dataclass

from bot.config import Config
from parsers.catalogue import Catalogue
from parsers.commands import parse_command
from parsers.entry import EntryRequest, parse_line, resolve_item
from parsers.text import normalize


def _plain(value):
    if is_dataclass(value):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _post(text: str):
    """The #接龙 post `text` is, or None. The post parser, and the menu reader it imports,
    are loaded only for a text that can be one (it starts with the header's "#"): `jielong
    parse` of an order line starts without them (~15 ms, tests/test_cli_imports.py)."""
    if not text.lstrip().startswith("#"):
        return None
    from parsers.post import parse_post

    return parse_post(text)


def explain(text: str, config: Config) -> dict:
    """Command, 接龙 post or entry lines, with each item resolved."""
    catalogue = Catalogue(config.products)
    text = normalize(text)
    command = parse_command(text.split("\n", 1)[0].lstrip("/"))
    if command is not None:
        return {"kind": "command", "command": _plain(command)}
    post = _post(text)
    lines = [e.text for e in post.entries] if post else [" ".join(text.split("\n"))]
    out = {"kind": "jielong" if post else "message"}
    if post:
        out.update(title=post.title, description=list(post.description), example=post.example)
    parsed_lines = []
    for line in lines:
        parsed = parse_line(normalize(line), catalogue)
        entry = {"line": line, "parsed": _plain(parsed)}
        if isinstance(parsed, EntryRequest):
            entry["resolved"] = [_plain(resolve_item(item, catalogue)) for item in parsed.items]
        parsed_lines.append(entry)
    out["lines"] = parsed_lines
    return out
