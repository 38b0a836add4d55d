"""The grammars of grammar/*.lark, built once per checkout instead of once per process.

Building an LALR parser reads the .lark file with lark's own grammar and
computes the parse tables: 30-100 ms a grammar, paid by every `jielong`
command before it reads a line. Lark can save a built parser and load it back
in a few milliseconds (its `cache` option), so the first process saves it and
every later one loads it.

The saved parser lives in grammar/__pycache__/ (ignored by git, like Python's
own bytecode beside it), named by a hash of the grammar text, the options and
the lark and Python versions: an edited grammar or an upgraded lark never
loads a stale table, it builds and saves a new one. A new file is written
under a temporary name and renamed into place, so processes starting together
never read half of one. Where the folder cannot be written (a read-only
install), the grammar is built in memory as before.

An LALR `transformer` (one that runs while the parser reduces, as the menu's
builder does) is not saved with the tables: it is handed to the loaded parser,
as lark's own `cache` option does.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path

import lark
from lark import Lark, Transformer

# grammar/ beside parsers/, in a checkout and in an installed package alike (a plain
# path: importlib.resources would cost its own imports, zipfile among them, at start-up)
FOLDER = Path(__file__).resolve().parent.parent / "grammar"
CACHE = FOLDER / "__pycache__"
SUFFIX = ".lark-parser"

log = logging.getLogger("jielong.grammars")


def load(name: str, transformer: Transformer | None = None, **options) -> Lark:
    """The LALR parser of grammar/`name`.lark with lark `options`, built or loaded.

    `transformer` (optional) runs while the parser reduces; it is not part of the saved tables."""
    source = (FOLDER / f"{name}.lark").read_text(encoding="utf-8")
    options.setdefault("parser", "lalr")
    path = CACHE / f"{name}.{_stamp(source, options)}{SUFFIX}"
    try:
        with path.open("rb") as handle:
            # lark's own cache loads this way: Lark.load() takes no transformer
            return Lark.__new__(Lark)._load(handle, transformer=transformer)
    except FileNotFoundError:
        pass
    except Exception:   # damaged or unreadable: build it again and replace it
        log.debug("could not load %s; building the grammar again", path, exc_info=True)
    parser = Lark(source, transformer=transformer, **options)
    _save(parser, path)
    return parser


def _save(parser: Lark, path: Path) -> None:
    try:
        CACHE.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=CACHE, prefix=f".{path.name}.", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            parser.save(handle, exclude_options=("transformer",))
    except OSError:
        return                                          # a read-only install: build in memory each time
    try:
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        return
    name = path.name.split(".", 1)[0]
    for old in CACHE.glob(f"{name}.*{SUFFIX}"):        # tables of earlier versions of the grammar
        if old != path:
            old.unlink(missing_ok=True)


def _stamp(source: str, options: dict) -> str:
    """What the saved tables depend on."""
    described = sorted((key, _describe(value)) for key, value in options.items())
    text = "\0".join([source, repr(described), lark.__version__, sys.version])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _describe(value: object) -> str:
    if isinstance(value, type):                 # a custom lexer class
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)
