"""The architecture cannot drift silently: import-linter's contracts (pyproject.toml) hold,
and an independent count of every import of a project module, including those inside
functions and under TYPE_CHECKING, finds no cycle and no layer reaching up."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "parsers", "storage")
# Layers of the project, top first: a package may import only those below it.
LAYERS = ("bot", "storage", "parsers")
# Modules that import project modules inside functions, and why. A deferred import that
# hides a cycle is never a reason; a command line that must start fast is.
DEFERRED_OK = {"bot.cli": "each `jielong` subcommand loads only what it runs",
               "bot.__main__": "the `jielong` entry turns the garbage collector off before importing the CLI",
               "bot.config": "the deadline grammar only for a configured deadline (`jielong parse` start-up)",
               "bot.debug": "the 接龙 post parser and menu reader only for a text that can be a post "
                            "(`jielong parse` start-up)"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    return {module_name(p, root): p for package in packages for p in sorted((root / package).rglob("*.py"))
            if "__pycache__" not in p.parts}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, bool]]:
    """Every project module `name` imports, anywhere in the file, and whether the import
    sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def resolve(target: str) -> str | None:
        while target and target not in modules:     # `from bot.chat import replies`, a name in a module
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if (target := resolve(alias.name)) is not None:
                        found.append((target, inside))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[:len(package.split(".")) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in child.names:
                    if (target := resolve(f"{base}.{alias.name}")) is not None:
                        found.append((target, inside))
            visit(child, inside)

    visit(tree, False)
    return [(target, inside) for target, inside in found if target != name]


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    modules = project_modules(root, packages)
    return {name: {target for target, _ in imports_of(name, path, modules)} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}          # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_import_linter_contracts_are_kept():
    # In its own process: lint-imports reconfigures logging, which would silence the bot's loggers.
    run = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_import_cycle_counting_imports_inside_functions():
    assert find_cycle(import_graph(ROOT)) is None


def test_lower_layers_import_nothing_of_the_layers_above():
    reaching_up = [(module, target) for module, targets in import_graph(ROOT).items() for target in targets
                   if LAYERS.index(target.split(".")[0]) < LAYERS.index(module.split(".")[0])]
    assert reaching_up == []


def test_project_modules_are_imported_inside_functions_only_where_start_up_time_asks():
    modules = project_modules(ROOT)
    deferred = sorted({name for name, path in modules.items()
                       for _, inside in imports_of(name, path, modules) if inside})
    assert set(deferred) <= set(DEFERRED_OK), deferred


def test_the_cycle_check_sees_an_import_hidden_in_a_function(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg.b import helper\n")
    (tmp_path / "pkg" / "b.py").write_text("def helper():\n    from pkg import a\n    return a\n")
    assert find_cycle(import_graph(tmp_path, ("pkg",))) == ["pkg.a", "pkg.b", "pkg.a"]
