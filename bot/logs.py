"""Logging set-up for the command line: one line per problem, no personal data.

A merchant running `jielong replay` or `jielong run` should see one readable
line when a message fails, not a traceback (JIELONG_DEBUG=1 brings the
tracebacks back). Every record, whatever its source, goes through
`mask_private`: a log file is read by whoever runs the server, so phone
numbers and house numbers never reach it in full.
"""
from __future__ import annotations

import logging
import os
import re
import sys

from parsers.address import mask_phones

DEBUG_ENV = "JIELONG_DEBUG"

# Digits that locate a home: 3号楼 2单元 502室 12号, and 3-2-502 / 5-302.
_HOUSE = re.compile(r"\d+(?=\s*(?:号楼|栋|幢|座|单元|室|号|楼))")
_DASHED = re.compile(r"(?<![\d-])\d{1,3}-(?:\d{1,2}-)?\d{3,4}(?![\d-])")


def mask_private(text: str) -> str:
    """Phone numbers as 138****5678, house numbers and 5-302 style rooms as *."""
    text = mask_phones(text)
    text = _DASHED.sub(lambda m: re.sub(r"\d", "*", m.group()), text)
    return _HOUSE.sub(lambda m: "*" * len(m.group()), text)


class PrivacyFilter(logging.Filter):
    """Renders the record's message masked, so no handler sees the raw text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_private(record.getMessage())
        record.args = ()
        return True


class OneLineFormatter(logging.Formatter):
    """`WARNING jielong.bot: message m7 could not be handled (KeyError: 'x')`."""

    def __init__(self, *, timestamps: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s" if timestamps
                         else "%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info = exc_info
        if exc_info and exc_info[1] is not None:
            line += f" ({describe(exc_info[1])})"
        return mask_private(line.replace("\n", " "))


def describe(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its text."""
    first = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def configure(level: int = logging.WARNING, *, timestamps: bool = False) -> None:
    """Send log records to stderr: one masked line each, tracebacks only when debugging."""
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(PrivacyFilter())
    if debug:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(OneLineFormatter(timestamps=timestamps))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else level)
