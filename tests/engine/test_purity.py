"""The engine is pure Python: no web framework, no database, no code run from data."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cases import vignettes

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "triage"
ENGINE = PACKAGE / "engine"
FRAMEWORKS = frozenset(
    {"flask", "wtforms", "flask_wtf", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "jinja2"}
)
#: PyYAML functions that can build arbitrary Python objects; only safe_load is allowed.
UNSAFE_YAML = frozenset({"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"})


def is_framework(module: str) -> bool:
    """Whether a module belongs to the web framework or the database layer."""
    top = module.split(".")[0]
    return top in FRAMEWORKS or top.startswith("flask_")


def imported_modules(tree: ast.AST) -> list[str]:
    """The absolute modules a module imports (relative imports are within the engine, checked apart)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def forbidden_calls(tree: ast.AST) -> list[str]:
    """eval/exec calls and any yaml loader but safe_load, as 'line N: name'."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            owner = (
                func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            )
            if name in {"eval", "exec"} or (owner == "yaml" and name in UNSAFE_YAML):
                found.append(f"line {node.lineno}: {owner + '.' if owner else ''}{name}")
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found.extend(
                f"line {node.lineno}: from yaml import {a.name}" for a in node.names if a.name in UNSAFE_YAML
            )
    return found


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the checkers themselves, so the tests below can fail ----------------------------------------

IMPURE = [
    "import flask",
    "from flask import Flask",
    "import flask_wtf",
    "from flask_babel import gettext",
    "from wtforms import Form",
    "import sqlalchemy.orm",
    "from flask_sqlalchemy import SQLAlchemy",
    "from werkzeug.exceptions import BadRequest",
    "from jinja2 import Template",
    "def f():\n    import flask",
]
UNSAFE = [
    "eval('1 + 1')",
    "exec('x = 1')",
    "yaml.load(text)",
    "yaml.load(text, Loader=yaml.Loader)",
    "yaml.unsafe_load(text)",
    "yaml.full_load(text)",
    "from yaml import load",
    "import builtins\nbuiltins.eval('1')",
]


@pytest.mark.parametrize("source", IMPURE)
def test_import_checker_catches_a_framework_import(source: str) -> None:
    assert any(is_framework(name) for name in imported_modules(ast.parse(source)))


@pytest.mark.parametrize("source", UNSAFE)
def test_call_checker_catches_code_run_from_data(source: str) -> None:
    assert forbidden_calls(ast.parse(source))


def test_checkers_let_the_engine_s_own_kind_of_code_through() -> None:
    tree = ast.parse(
        "import yaml\nimport jsonschema\nfrom . import schemas\nyaml.safe_load(text)\nevaluate(x)"
    )
    assert not any(is_framework(name) for name in imported_modules(tree))
    assert forbidden_calls(tree) == []


# --- the project -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", modules(ENGINE), ids=_name)
def test_engine_module_imports_no_web_framework_or_database(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert [name for name in imported_modules(tree) if is_framework(name)] == []


@pytest.mark.parametrize("path", modules(ENGINE), ids=_name)
def test_engine_module_imports_nothing_from_the_rest_of_the_app(path: Path) -> None:
    """The web app may use the engine, never the other way round (relative imports stay inside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    outside = [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 1
    ]
    absolute = [name for name in imported_modules(tree) if name.split(".")[0] == "triage"]
    assert outside == []
    assert all(name == "triage.engine" or name.startswith("triage.engine.") for name in absolute), absolute


def test_engine_folder_has_modules_to_check() -> None:
    assert {"loader.py", "conditions.py", "validate.py"} <= {path.name for path in modules(ENGINE)}


@pytest.mark.parametrize("path", modules(PACKAGE), ids=_name)
def test_no_module_runs_code_from_data(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert forbidden_calls(ast.parse(source, filename=str(path))) == []
    assert "yaml.load(" not in source


ASSESS_AND_LIST_MODULES = """
import json, sys, traceback

FRAMEWORKS = set(sys.argv[1].split(","))
first_imported_from = {}


class Witness:
    # Records where each framework module is first imported from; imports nothing itself.
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if (top in FRAMEWORKS or top.startswith("flask_")) and top not in first_imported_from:
            frames = [f for f in traceback.extract_stack() if "/triage/" in f.filename]
            first_imported_from[top] = [f"{f.filename}:{f.lineno}" for f in frames]
        return None


sys.meta_path.insert(0, Witness())
from triage.engine import load_rules

outcome = load_rules().assess(json.load(sys.stdin))
print(json.dumps({"level": outcome.level.value, "modules": sorted(sys.modules), "from": first_imported_from}))
"""


def test_assessing_with_the_engine_loads_no_web_framework_or_database() -> None:
    case = next(case for case in vignettes() if case["expected_level"] == "ambulance")
    run = subprocess.run(
        [sys.executable, "-c", ASSESS_AND_LIST_MODULES, ",".join(sorted(FRAMEWORKS))],
        input=json.dumps(case["answers"]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["level"] == "ambulance"  # the engine really ran
    assert "triage.engine" in result["modules"]
    loaded = [name for name in result["modules"] if is_framework(name)]
    assert loaded == [], f"imported from (innermost last): {json.dumps(result['from'], indent=1)}"
