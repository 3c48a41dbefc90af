"""The one way the tests make the app: the test settings, the practice's details, a database, and
nothing from the shell.

Every app a test uses comes from make_app(); the fixtures `app`, `csrf_app` (tests/conftest.py)
and the patient pages' session-wide `app` differ only in its arguments. The browser tests' server
runs create_app() in a process of its own, with the same practice details in its environment.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from triage import PROJECT_ROOT, create_app, extensions
from triage.config import NUMBER_SETTINGS, PRACTICE_DEFAULTS, SWITCH_SETTINGS, TEXT_SETTINGS, practice_values
from triage.engine import RuleSet, load_rules

#: Practice details unlike the demo defaults, so a page or an outcome showing the defaults is caught.
PRACTICE = {
    "PRACTICE_NAME": "Northgate Spine Clinic",
    "PRACTICE_PHONE": "+44 161 496 0707",
    "PRACTICE_EMAIL": "desk@northgate-spine.test",
    "OPENING_HOURS": "Monday to Thursday, 8:00 to 16:00",
    "EMERGENCY_NUMBER": "999",
    "AMBULANCE_NUMBER": "999",
}
#: The practice's details for Greek pages.
PRACTICE_IN_GREEK = {
    "PRACTICE_NAME_EL": "Ιατρείο Σπονδυλικής Στήλης Northgate",
    "OPENING_HOURS_EL": "Δευτέρα έως Πέμπτη, 8:00 έως 16:00",
}
#: Rate limits high enough that no test is throttled by another's requests (every test client
#: comes from 127.0.0.1, and the patient pages' app is shared by the whole run); tests of the
#: limits set their own.
UNTHROTTLED = {
    "RATELIMIT_PATIENT_PAGES": "100000 per minute",
    "RATELIMIT_PATIENT_FORMS": "100000 per minute",
    "RATELIMIT_API_ADDRESS": "100000 per minute",
    "RATELIMIT_API_KEY": "100000 per minute",
    "RATELIMIT_STAFF_SAVES": "100000 per minute",
    "RATELIMIT_STAFF_LOOKUPS": "100000 per minute",
    "RATELIMIT_PDF": "100000 per minute",
}
#: The {placeholders} of patient texts, as the test apps fill them.
PLACEHOLDERS = practice_values(PRACTICE)
#: The settings create_app reads from the environment; none may leak in from the shell.
SETTINGS = [
    "SECRET_KEY",
    "RULES_DIR",
    "DEFAULT_LANGUAGE",
    "SESSION_COOKIE_SECURE",
    "DATABASE_URL",
    "RETENTION_DAYS",
    "PROXY_COUNT",
    "RATELIMIT_STORAGE_URI",
    "STAFF_MFA",
    "LOGIN_FAILURES_PER_SOURCE",
    "LOGIN_FAILURES_PER_ACCOUNT",
    *UNTHROTTLED,
    *PRACTICE_DEFAULTS,
    *TEXT_SETTINGS,  # time zone, alerts and mail
    *NUMBER_SETTINGS,
    *SWITCH_SETTINGS,
]
#: Practice settings given per language (PRACTICE_NAME_EL …), read from the environment as well.
LOCALISED_SETTINGS = ("PRACTICE_NAME_", "OPENING_HOURS_", "PRACTICE_PHONE_", "PRACTICE_EMAIL_")
#: The SQLite file of an app's instance folder (triage.config.default_database_uri).
DATABASE_FILE = "triage.sqlite3"


def settings_in(environment: Mapping[str, str]) -> list[str]:
    """The names in `environment` that create_app would read as settings."""
    return [name for name in environment if name in SETTINGS or name.startswith(LOCALISED_SETTINGS)]


def isolate(patch: pytest.MonkeyPatch, instance: Path | str) -> None:
    """No setting from the shell, and Flask's instance folder at `instance`, never the repository's.

    create_app keeps a generated secret key (and the default SQLite file) in Flask's instance
    folder, which for this editable install is the repository's instance/; no test may write there.
    """
    for name in settings_in(os.environ):
        patch.delenv(name)
    patch.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))


@functools.cache
def shared_rules(rules_dir: str) -> RuleSet:
    """One loaded rule set per folder (immutable; loading it is most of create_app's time)."""
    return load_rules(rules_dir)


def config(*, csrf: bool = False, **settings: Any) -> dict[str, Any]:
    """The test apps' settings: testing, the test secret, the practice, CSRF checks only when asked,
    the saving endpoints unthrottled (UNTHROTTLED)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": csrf,
        "STAFF_MFA": "admins",  # admins always; tests of MFA for everyone set "required"
        **UNTHROTTLED,
        **PRACTICE,
        **PRACTICE_IN_GREEK,
        **settings,
    }


def make_app(instance: Path | str, database: Path | str, *, csrf: bool = False, **settings: Any) -> Flask:
    """A test app from config() alone, its instance folder `instance`.

    `database`: an SQLite file (a Path), copied into the instance folder as the app's own database,
    or a database URL (a str) the app opens as it is. `csrf`: CSRF protection on, as deployed.
    `settings`: anything else to set or override.
    """
    if isinstance(database, Path):
        Path(instance).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(database, Path(instance) / DATABASE_FILE)
    else:
        settings = {"SQLALCHEMY_DATABASE_URI": database, **settings}
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, instance)
        patch.setattr(extensions, "load_rules", shared_rules)
        app = create_app(config(csrf=csrf, **settings))
    assert not Path(app.instance_path).is_relative_to(PROJECT_ROOT / "instance")
    return app


def dispose(app: Flask) -> None:
    """Close the app's database connections (so files can be removed and copied safely)."""
    from triage.extensions import db

    with app.app_context():
        db.engine.dispose()


def record_created_apps(patch: pytest.MonkeyPatch) -> list[Flask]:
    """Every app triage.create_app makes from now on (the command line makes its own), so a test
    can close their database connections afterwards (dispose)."""
    import triage

    made: list[Flask] = []
    original = triage.create_app

    def recording(*args: Any, **kwargs: Any) -> Flask:
        app = original(*args, **kwargs)
        made.append(app)
        return app

    patch.setattr(triage, "create_app", recording)
    return made
