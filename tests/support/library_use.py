"""Finds where code reaches into a library's internals, read from its syntax tree.

A library's private names (`x._y`, `from lib import _y`, `lib._private` modules, name-mangled
`_Class__name`) and Flask's hook lists are not its interface: they change without notice, so code
that uses them breaks silently on an upgrade. What counts as a library's: any private name that the
project's own code never defines (a function, class, argument, assignment or import of its own).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Flask's lists of request hooks: add to them with the decorators, never edit them.
HOOK_LISTS = frozenset(
    {
        "before_request_funcs",
        "after_request_funcs",
        "teardown_request_funcs",
        "url_value_preprocessors",
        "url_default_functions",
        "template_context_processors",
    }
)
#: Private-looking names that are documented public interface.
DOCUMENTED = frozenset(
    {"_get_current_object", "_asdict", "_replace", "_fields", "_make", "_missing_", "_mapping", "_exit"}
)
_MANGLED = re.compile(r"^_[A-Za-z0-9]+__\w+")
_PRIVATE_TEXT = re.compile(r"_[a-z]\w*")


@dataclass(frozen=True)
class Reach:
    """One place where code uses a library's internals."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def is_private(name: str) -> bool:
    """A single-underscore name: `_y`, not a dunder."""
    return name.startswith("_") and not name.startswith("__")


def own_names(trees: Iterable[ast.AST]) -> set[str]:
    """Every name the project's own code defines: its private names are its to use."""
    own: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
            elif isinstance(node, ast.arg):
                own.add(node.arg)
            elif isinstance(node, ast.alias):
                own.add(node.asname or node.name.split(".")[-1])
            elif isinstance(node, ast.keyword) and node.arg:
                own.add(node.arg)
    return own


def library_modules(tree: ast.AST, package: str) -> set[str]:
    """The names a module binds to imported libraries (not the project's own package)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != package:
                    bound.add(alias.asname or alias.name.split(".")[0])
    return bound


def reaches(path: str, tree: ast.AST, own: set[str], package: str = "triage") -> list[Reach]:
    """Every place in one module that uses a library's internals."""
    found: list[Reach] = []
    libraries = library_modules(tree, package)

    def add(node: ast.AST, what: str) -> None:
        found.append(Reach(path, getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    add(node, f"imports the private module {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != package:
                parts = node.module.split(".")
                if any(is_private(part) for part in parts) and parts[0] != "_typeshed":
                    add(node, f"imports from the private module {node.module}")
                for alias in node.names:
                    if is_private(alias.name):
                        add(node, f"imports the private {alias.name} from {node.module}")
        elif isinstance(node, ast.Attribute):
            if (
                isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in libraries
            ):
                add(node, f"assigns {node.value.id}.{node.attr}, a library's attribute")
            if _MANGLED.match(node.attr):
                add(node, f"uses the name-mangled {node.attr}")
            elif node.attr in HOOK_LISTS:
                add(node, f"uses Flask's hook list {node.attr}")
            elif is_private(node.attr) and node.attr not in own and node.attr not in DOCUMENTED:
                add(node, f"uses the private {ast.unparse(node)[:60]}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _MANGLED.match(node.name):
            add(node, f"overrides the name-mangled {node.name}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _PRIVATE_TEXT.fullmatch(node.value)
            and node.value not in own
        ):
            add(node, f"names the private {node.value!r}")
    return found


def reaches_in(paths: Iterable[Path], root: Path) -> list[Reach]:
    """Every place in these files that uses a library's internals."""
    trees = {path: ast.parse(path.read_text("utf-8"), str(path)) for path in paths}
    own = own_names(trees.values())
    found: list[Reach] = []
    for path, tree in trees.items():
        found.extend(reaches(str(path.relative_to(root)), tree, own))
    return found
