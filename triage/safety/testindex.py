"""The project's tests as pytest would name them, found by reading the test files with `ast`.

No test is imported or run: a node id is `tests/<path>.py::<function>` for a module-level function
named `test…`, or `tests/<path>.py::<Class>::<method>` for a `test…` method of a class named
`Test…` (pytest's default collection rules, which pyproject.toml keeps). Parametrised tests have
one id here, without their `[…]` cases.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from triage import PROJECT_ROOT

TESTS_DIR = PROJECT_ROOT / "tests"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class NamedTest:
    """One test function or method: its node id and its source (decorators included)."""

    node_id: str
    source: str


def index_tests(tests_dir: Path = TESTS_DIR, root: Path = PROJECT_ROOT) -> dict[str, NamedTest]:
    """Every test under `tests_dir`, by node id (relative to `root`, as pytest prints them)."""
    found: dict[str, NamedTest] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        module = path.relative_to(root).as_posix()
        lines = text.splitlines()
        for node in tree.body:
            if isinstance(node, _FUNCTIONS) and node.name.startswith("test"):
                found[f"{module}::{node.name}"] = NamedTest(f"{module}::{node.name}", _source(node, lines))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(item, _FUNCTIONS) and item.name.startswith("test"):
                        node_id = f"{module}::{node.name}::{item.name}"
                        found[node_id] = NamedTest(node_id, _source(item, lines))
    return found


def _source(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> str:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return "\n".join(lines[first - 1 : node.end_lineno])
