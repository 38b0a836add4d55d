"""Grammars are built once and loaded afterwards (parsers/grammars.py)."""
from __future__ import annotations

import os

import pytest
from lark import Lark

from parsers import grammars
from parsers.entry import _TokenList


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "__pycache__"
    monkeypatch.setattr(grammars, "CACHE", folder)
    return folder


def _count_builds(monkeypatch) -> list[str]:
    built: list[str] = []
    real_init = Lark.__init__

    def counting_init(self, grammar, **options):
        built.append(grammar[:20])
        real_init(self, grammar, **options)

    monkeypatch.setattr(Lark, "__init__", counting_init)
    return built


def test_a_grammar_built_once_is_loaded_by_the_next_process(cache, monkeypatch):
    built = _count_builds(monkeypatch)
    first = grammars.load("command", start="command")
    assert len(built) == 1 and len(list(cache.glob("command.*.lark-parser"))) == 1
    again = grammars.load("command", start="command")
    assert len(built) == 1                               # loaded, not built
    assert again.parse("截单") == first.parse("截单")


def test_a_loaded_parser_keeps_its_custom_lexer_and_start_symbols(cache):
    grammars.load("entry", lexer=_TokenList, start=["entry", "change"])
    loaded = grammars.load("entry", lexer=_TokenList, start=["entry", "change"])
    assert set(loaded.options.start) == {"entry", "change"}
    assert loaded.options.lexer is _TokenList


def test_other_options_or_another_grammar_text_get_their_own_tables(cache, monkeypatch):
    grammars.load("command", start="command")
    built = _count_builds(monkeypatch)
    grammars.load("command", start="command", propagate_positions=True)
    assert len(built) == 1
    # only the newest tables of a grammar are kept
    assert len(list(cache.glob("command.*.lark-parser"))) == 1


def test_a_damaged_file_is_built_again_and_replaced(cache, monkeypatch):
    grammars.load("command", start="command")
    (saved,) = cache.glob("command.*.lark-parser")
    saved.write_bytes(saved.read_bytes()[:100])
    built = _count_builds(monkeypatch)
    parser = grammars.load("command", start="command")
    assert len(built) == 1 and parser.parse("截单")
    grammars.load("command", start="command")
    assert len(built) == 1                               # the replacement loads


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_that_cannot_be_written_still_gives_a_parser(cache):
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert grammars.load("command", start="command").parse("截单")
        assert not list(cache.iterdir())
    finally:
        cache.chmod(0o700)


def test_a_folder_that_cannot_be_made_still_gives_a_parser(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(grammars, "CACHE", blocker / "__pycache__")
    assert grammars.load("command", start="command").parse("截单")


def test_no_temporary_files_are_left_behind(cache):
    grammars.load("command", start="command")
    grammars.load("deadline", lexer="contextual")
    assert sorted(p.name.split(".")[0] for p in cache.iterdir()) == ["command", "deadline"]


def test_a_loaded_parser_runs_the_transformer_it_is_handed(cache, monkeypatch):
    from parsers import menu

    line = menu.prepare("3. 草莓 35元/斤")
    built_parser = grammars.load("menu", lexer=menu._Tokens, start="line", transformer=menu.MenuBuilder())
    built = _count_builds(monkeypatch)
    loaded_parser = grammars.load("menu", lexer=menu._Tokens, start="line", transformer=menu.MenuBuilder())
    assert built == []                                   # loaded, the builder handed in
    expected = built_parser.parse(menu.tokenize(line))
    assert loaded_parser.parse(menu.tokenize(line)) == expected
    assert expected[1]                                   # the builder's (code, items), not a tree
