"""The app uses its libraries through their public APIs only (STYLE.md, habit 10), and its package
shows its architecture: no loose app-wide modules at the root, no module past about 400 lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.support.library_use import reaches, reaches_in

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "triage"
#: The app's own code: the package, the server's entry point and the deployment's settings.
APP_CODE = sorted([*PACKAGE.rglob("*.py"), ROOT / "run.py", *(ROOT / "deploy").glob("*.py")])
#: The only modules at the package's root (STYLE.md, "Suggested shape").
ROOT_MODULES = {"__init__.py", "__main__.py", "config.py", "extensions.py"}
MOST_LINES = 400


def test_the_app_uses_its_libraries_through_their_public_apis_only() -> None:
    found = reaches_in(APP_CODE, ROOT)
    assert not found, "\n".join(map(str, found))


def test_the_app_writes_to_sqlite_through_sqlalchemy_only() -> None:
    storage = sorted((PACKAGE / "storage").rglob("*.py"))
    raw = [
        f"{path.relative_to(ROOT)}: imports {name}"
        for path in storage
        for name in imported(path)
        if name.split(".")[0] in {"sqlite3", "fcntl"}
    ]
    assert not raw, raw


def test_the_package_root_holds_only_the_factory_its_settings_and_its_extensions() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert not loose, f"put these in the package they belong to (web/, ops/, …): {sorted(loose)}"


@pytest.mark.parametrize("path", APP_CODE, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_is_past_about_400_lines(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MOST_LINES, f"{lines} lines: split it by what its parts do"


def imported(path: Path) -> list[str]:
    """The absolute modules a file imports."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


# The checker itself finds each kind of reach, and lets the project's own private names through.
REACHES = {
    "a private module": "import flask_limiter._limits as limits\n",
    "a name from a private module": "from flask_limiter._limits import parse_many\n",
    "a private name from a library": "from flask.sessions import _lazy_sha1\n",
    "a monkey patch": "import flask\nflask.escape = str\n",
    "a name-mangled attribute": "x = limiter._Limiter__release_context\n",
    "a name-mangled override": "class S:\n    def _MemoryStorage__schedule_expiry(self): ...\n",
    "an edit of a hook list": "app.after_request_funcs[None].remove(hook)\n",
    "a library's private attribute": "obj = provider._app\n",
    "a private name as text": "state = g.get('_flask_babel')\n",
}


@pytest.mark.parametrize("source", REACHES.values(), ids=REACHES.keys())
def test_the_checker_finds_each_kind_of_reach_into_a_library(source: str) -> None:
    assert reaches("example.py", ast.parse(source), own=set())


def test_the_checker_lets_the_projects_own_private_names_through() -> None:
    source = "def _helper(): ...\nclass A:\n    _kept = 1\nvalue = A()._kept\n_helper()\n"
    tree = ast.parse(source)
    assert reaches("example.py", tree, own={"_helper", "_kept"}) == []
    assert reaches("example.py", ast.parse("value = thing._kept\n"), own=set())


def test_templates_use_no_private_attribute_of_a_library() -> None:
    """A template reaches objects through their public attributes too (`field.data`, not `field._value()`)."""
    private = re.compile(r"\.(_[a-z]\w*)")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        for match in private.finditer(line)
    ]
    assert not found, found
