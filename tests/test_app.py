"""The app factory: secret key, rules at start-up, run.py, and the HTML pages every visitor can reach."""

from __future__ import annotations

import ast
import re
import runpy
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PRACTICE
from tests.support.database import migrated_template
from triage import PROJECT_ROOT, create_app
from triage.engine import DEFAULT_RULES_DIR, RulesInvalid

RUN_PY = PROJECT_ROOT / "run.py"
SKIPPED_DIRS = {".venv", "node_modules", "build", "dist", "instance", "artifacts"}


def python_files(*roots: Path) -> list[Path]:
    """The project's own Python files under the given folders or files."""
    found = []
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
        found += [
            p
            for p in paths
            if not SKIPPED_DIRS & set(p.relative_to(PROJECT_ROOT).parts) and ".git" not in p.parts
        ]
    return found


def use_instance_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make the next create_app keep its instance files in `folder`."""
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))


# --- the secret key ----------------------------------------------------------------------------


def test_the_secret_key_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, hermetic: Path
) -> None:
    from_environment = "a-key-from-the-environment"
    monkeypatch.setenv("SECRET_KEY", from_environment)
    app = create_app({"TESTING": True})
    assert app.secret_key == from_environment
    assert not (hermetic / "secret_key").exists()


def test_an_empty_secret_key_in_the_environment_is_not_used(
    monkeypatch: pytest.MonkeyPatch, hermetic: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY", "")
    app = create_app({"TESTING": True})
    assert app.secret_key
    assert app.secret_key == (hermetic / "secret_key").read_text().strip()


def test_without_one_a_random_key_is_made_in_the_instance_folder_readable_only_by_its_owner(
    hermetic: Path,
) -> None:
    app = create_app({"TESTING": True})
    key_file = hermetic / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text().strip()
    assert len(app.secret_key) >= 32


def test_the_generated_key_is_reused_by_the_next_app(hermetic: Path) -> None:
    first = create_app({"TESTING": True}).secret_key
    second = create_app({"TESTING": True}).secret_key
    assert first == second
    assert [p.name for p in hermetic.iterdir()] == ["secret_key"]


def test_two_fresh_instance_folders_get_different_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keys = []
    for name in ("one", "two"):
        use_instance_folder(monkeypatch, tmp_path / name)
        keys.append(create_app({"TESTING": True}).secret_key)
    assert keys[0] != keys[1]


def test_the_tests_keep_the_instance_folder_out_of_the_repository(app: Flask, tmp_path: Path) -> None:
    assert Path(app.instance_path).is_relative_to(tmp_path)


SECRET_NAMES = {"SECRET_KEY", "secret_key"}


def names_secret(node: ast.AST) -> bool:
    """Whether a node names the secret key: a variable, an attribute, a subscript or a string."""
    if isinstance(node, ast.Name):
        return node.id in SECRET_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in SECRET_NAMES
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value in SECRET_NAMES
    return isinstance(node, ast.Constant) and node.value in SECRET_NAMES


def is_text(node: ast.AST | None) -> bool:
    """Whether a node is a non-empty string or bytes literal."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and bool(node.value)


def gives_literal_secret(node: ast.AST) -> bool:
    """Whether a node sets the secret key, or a fallback for it, to a literal."""
    if isinstance(node, ast.Assign):
        return any(map(names_secret, node.targets)) and is_text(node.value)
    if isinstance(node, ast.AnnAssign):
        return names_secret(node.target) and is_text(node.value)
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return any(k is not None and names_secret(k) and is_text(v) for k, v in pairs)
    if isinstance(node, ast.Call):
        keyword = any(kw.arg in SECRET_NAMES and is_text(kw.value) for kw in node.keywords)
        fallback = any(map(names_secret, node.args)) and any(
            is_text(a) and not names_secret(a) for a in node.args
        )
        return keyword or fallback
    return False


def literal_secrets(source: str) -> list[int]:
    """Lines where a string literal is given as SECRET_KEY / secret_key, in any of the usual ways."""
    return [node.lineno for node in ast.walk(ast.parse(source)) if gives_literal_secret(node)]


@pytest.mark.parametrize(
    "source",
    [
        'SECRET_KEY = "dev"',
        'SECRET_KEY: str = "dev"',
        'app.secret_key = "dev"',
        'app.config["SECRET_KEY"] = "dev"',
        'settings = {"SECRET_KEY": "dev"}',
        'app.config.update(SECRET_KEY="dev")',
        'app.config.setdefault("SECRET_KEY", "dev")',
        'key = os.environ.get("SECRET_KEY", "dev")',
    ],
)
def test_the_literal_secret_scan_finds_a_literal_secret(source: str) -> None:
    assert literal_secrets(source) == [1]


def test_no_secret_key_is_written_in_the_source() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in python_files(PROJECT_ROOT / "triage", RUN_PY)
        if (lines := literal_secrets(path.read_text(encoding="utf-8")))
    }
    assert found == {}
    for path in python_files(PROJECT_ROOT / "triage", RUN_PY):  # and no literal outside Python's grammar
        assert not re.search(r"SECRET_KEY\s*[=:]\s*[\"'][^\"']+[\"']", path.read_text(encoding="utf-8")), path


# --- run.py ------------------------------------------------------------------------------------


def module_level_calls(source: str, name: str) -> list[int]:
    """Lines where `name(...)` is called outside any function, i.e. when the module is imported."""
    tree = ast.parse(source)
    inside_functions = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for node in ast.walk(function)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and id(node) not in inside_functions
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_run_py_holds_the_only_module_level_app() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in python_files(PROJECT_ROOT)
        if (lines := module_level_calls(path.read_text(encoding="utf-8"), "create_app"))
    }
    assert list(found) == ["run.py"]
    assert len(found["run.py"]) == 1


def test_the_module_level_scan_ignores_calls_inside_functions() -> None:
    source = "def make():\n    return create_app()\n\nf = lambda: create_app()\napp = triage.create_app()\n"
    assert module_level_calls(source, "create_app") == [5]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Run run.py as a script with Flask.run replaced, on a prepared database, and give what it was
    asked to serve on."""
    calls: dict[str, Any] = {}
    shutil.copy(migrated_template(), tmp_path / "prepared.sqlite3")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prepared.sqlite3'}")

    def record(self: Flask, host: str | None = None, port: int | None = None, **options: Any) -> None:
        calls.update(host=host, port=port, **options)

    for name, value in PRACTICE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(Flask, "run", record)
    return calls


def test_run_py_serves_on_host_and_port_from_the_environment(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104  (the value under test, not a binding)
    monkeypatch.setenv("PORT", "8123")
    runpy.run_path(str(RUN_PY), run_name="__main__")
    assert (served["host"], served["port"]) == ("0.0.0.0", 8123)  # noqa: S104


def test_run_py_serves_only_on_this_computer_by_default(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    runpy.run_path(str(RUN_PY), run_name="__main__")
    assert served["host"] in ("127.0.0.1", "localhost")
    assert isinstance(served["port"], int)
    assert not served.get("debug")


def test_importing_run_py_does_not_start_a_server(served: dict[str, Any]) -> None:
    namespace = runpy.run_path(str(RUN_PY), run_name="run")
    assert isinstance(namespace["app"], Flask)
    assert served == {}


# --- the rules at start-up ---------------------------------------------------------------------


@pytest.fixture
def broken_rules(tmp_path: Path) -> Path:
    """A copy of rules/ in which rule S3 of general.yaml has a level that does not exist."""
    copy = Path(shutil.copytree(DEFAULT_RULES_DIR, tmp_path / "rules"))
    path = copy / "general.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(rule for rule in data["rules"] if rule["id"] == "S3")["level"] = "critical"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def test_a_broken_rules_folder_stops_the_app_naming_file_and_rule(broken_rules: Path) -> None:
    with pytest.raises(RulesInvalid) as raised:
        create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RULES_DIR": str(broken_rules)})
    assert "rules/general.yaml: rule S3:" in str(raised.value)
    assert "critical" in str(raised.value)


def test_the_rules_folder_can_come_from_the_environment(
    broken_rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RULES_DIR", str(broken_rules))
    with pytest.raises(RulesInvalid, match=r"general\.yaml: rule S3"):
        create_app({"TESTING": True, "SECRET_KEY": "test-secret"})


def test_a_missing_rules_folder_stops_the_app(tmp_path: Path) -> None:
    with pytest.raises(RulesInvalid, match="no such folder"):
        create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RULES_DIR": str(tmp_path / "nowhere")})


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/no-such-page", 404)])
def test_pages_render_as_html_with_a_language_and_the_emergency_number(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert re.search(r'<html lang="[a-z]{2}(-[A-Z]{2})?"', body)
    assert f'href="tel:{PRACTICE["EMERGENCY_NUMBER"]}"' in body
    assert PRACTICE["PRACTICE_PHONE"] in body


def test_the_404_page_offers_a_way_back_to_the_start(client: FlaskClient) -> None:
    body = client.get("/no-such-page").get_data(as_text=True)
    assert 'href="/"' in body
    assert "Traceback" not in body


def test_the_start_page_says_it_is_not_a_diagnosis(client: FlaskClient) -> None:
    body = client.get("/").get_data(as_text=True)
    assert "not give a diagnosis" in body or "not a diagnosis" in body
