"""Fixtures for the web app and the command line (engine tests in tests/engine/ need none of them)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.database import prepare_instance
from triage import create_app, extensions
from triage.config import PRACTICE_DEFAULTS
from triage.engine import RuleSet, load_rules

#: Practice details unlike the demo defaults, so a test can tell configured text from default text.
PRACTICE = {
    "PRACTICE_NAME": "Harbour Spine Clinic",
    "PRACTICE_PHONE": "+44 20 7946 0321",
    "PRACTICE_EMAIL": "desk@harbour-spine.test",
    "OPENING_HOURS": "Monday to Thursday, 8:00 to 16:00",
    "EMERGENCY_NUMBER": "911",
    "AMBULANCE_NUMBER": "911",
}


@functools.cache
def _rules(rules_dir: str) -> RuleSet:
    return load_rules(rules_dir)


@pytest.fixture(autouse=True)
def rules_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps share one loaded rule set per folder (immutable; loading it is most of create_app's time)."""
    monkeypatch.setattr(extensions, "load_rules", _rules)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the shell, and the instance folder is a fresh one under tmp_path.

    create_app keeps a generated secret key in Flask's instance folder, which for this editable
    install is the repository's instance/; no test may write there.
    """
    settings = ["SECRET_KEY", "RULES_DIR", "DEFAULT_LANGUAGE", "SESSION_COOKIE_SECURE", "DATABASE_URL"]
    for name in [*settings, "RETENTION_DAYS", *PRACTICE_DEFAULTS]:
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))
    return instance


@pytest.fixture
def app(hermetic: Path) -> Flask:
    """A fresh app for one test, with a test secret, the practice details above and a migrated database."""
    prepare_instance(hermetic)
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", **PRACTICE})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """Runs the click CLI of triage/cli.py (`runner.invoke(main, [...])`), stderr kept apart."""
    return CliRunner()
