"""Fixtures for the staff area: an app with one account per role, logging in, saved records and
phone calls taken through the real pages.

The accounts are made once per run with triage.staff.accounts.create, in a copy of the migrated
database; every test gets its own copy of that database, so what one test does to an account or a
record no other test sees.

Hashing: argon2id with the production parameters takes a quarter of a second per hash or check on
a small machine, and these tests log in some hundred times. So accounts hash with argon2id at its
lowest cost here (same code, same format, other parameters); test_accounts.py checks the
production parameters with the real hasher, and that a hash of other parameters is upgraded.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PRACTICE
from tests.database import DATABASE_FILE, dispose, migrated_template
from tests.engine.conftest import vignettes
from tests.patient.markup import Document, parse
from triage import create_app
from triage.config import default_database_uri, practice_values
from triage.engine import Level, load_rules
from triage.extensions import db
from triage.questionnaire import Questionnaire
from triage.questionnaire.fields import to_form_value
from triage.staff import accounts
from triage.storage import repository
from triage.storage.models import Assessment, AuditEntry, StaffUser

RULES = load_rules()
FLOW = Questionnaire.of(RULES)
SCREEN = RULES.contract.emergency_screen.question_ids
VIGNETTES: list[dict[str, Any]] = vignettes()
VIGNETTE = {case["id"]: case for case in VIGNETTES}
#: The {placeholders} of rule texts as this app fills them (tests/conftest.py's practice).
PLACEHOLDERS = practice_values(PRACTICE)
CONFIG: dict[str, Any] = {"TESTING": True, "SECRET_KEY": "staff-test", "WTF_CSRF_ENABLED": False, **PRACTICE}


@dataclass(frozen=True)
class Staff:
    """An account the tests log in with."""

    username: str
    display_name: str
    role: str
    password: str


RECEPTION = Staff("rita", "Rita Reception", "reception", "rita-desk-password-1")
CLINICIAN = Staff("colin", "Colin Clinician", "clinician", "colin-ward-password-2")
ADMIN = Staff("ada", "Ada Admin", "admin", "ada-office-password-3")
STAFF = {user.role: user for user in (RECEPTION, CLINICIAN, ADMIN)}


#: The hasher of triage.staff.accounts, with the production parameters.
REAL_HASHER = accounts._hasher
REAL_DUMMY_HASH = accounts._DUMMY_HASH
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
FAST_DUMMY_HASH = FAST_HASHER.hash("not a real password")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its lowest cost (see the module's docstring), for the unknown-user check too."""
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", FAST_DUMMY_HASH)


@functools.cache
def staff_database() -> Path:
    """The migrated database with the three accounts, made through accounts.create."""
    folder = Path(tempfile.mkdtemp(prefix="triage-staff-"))
    shutil.copyfile(migrated_template(), folder / DATABASE_FILE)
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": default_database_uri(folder)})
    with app.app_context():
        for user in STAFF.values():
            accounts.create(user.username, user.display_name, user.role, user.password)
    dispose(app)
    return folder / DATABASE_FILE


def make_app(instance: Path, **config: Any) -> Flask:
    """An app whose instance folder (tests/conftest.py's hermetic one) holds a copy of the staff database."""
    instance.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(staff_database(), instance / DATABASE_FILE)
    return create_app({**CONFIG, **config})


@pytest.fixture
def app(hermetic: Path, fast_hashing: None) -> Flask:
    """The app with CSRF checks off (most tests post forms without a token)."""
    return make_app(hermetic)


@pytest.fixture
def csrf_app(hermetic: Path, fast_hashing: None) -> Flask:
    """The app with CSRF protection on, as deployed."""
    return make_app(hermetic, WTF_CSRF_ENABLED=True)


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    """A browser on the CSRF-protected app."""
    return csrf_app.test_client()


@pytest.fixture
def reception() -> Staff:
    return RECEPTION


@pytest.fixture
def clinician() -> Staff:
    return CLINICIAN


@pytest.fixture
def admin() -> Staff:
    return ADMIN


# --- logging in ---------------------------------------------------------------------------------


def login(client: FlaskClient, user: Staff, password: str | None = None) -> TestResponse:
    """Log in through the real login form; fails the test unless it sends the user on to the queue."""
    response = client.post(
        "/staff/login",
        data={"username": user.username, "password": user.password if password is None else password},
    )
    assert response.status_code == 302, (
        f"login of {user.username}: {response.status_code} {problems(response)}"
    )
    assert response.location == "/staff/", response.location
    return response


def try_login(client: FlaskClient, username: str, password: str) -> TestResponse:
    """Post the login form, whatever comes of it."""
    return client.post("/staff/login", data={"username": username, "password": password})


def problems(response: TestResponse) -> list[str]:
    """The messages of a page's error summary."""
    if response.mimetype != "text/html":
        return []
    document = parse(response.text)
    return [li.text for summary in document.find_all(cls="error-summary") for li in summary.find_all("li")]


def is_login_redirect(response: TestResponse) -> bool:
    """Whether a response sends the browser to the login page."""
    return response.status_code == 302 and urlsplit(response.location).path == "/staff/login"


def logged_in(client: FlaskClient) -> bool:
    """Whether the client's session is a logged-in staff session (the queue opens)."""
    return client.get("/staff/").status_code == 200


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on a page."""
    document = parse(client.get(path).text)
    fields = document.find_all("input", name="csrf_token")
    assert fields, f"no CSRF token on {path}"
    return str(fields[0].get("value"))


# --- the database -------------------------------------------------------------------------------


def save(
    app: Flask,
    answers: Mapping[str, Any],
    channel: str = "online",
    created_at: datetime | None = None,
) -> str:
    """Save an assessment of these answers as the app would; returns its reference."""
    with app.app_context():
        reference = repository.save_assessment(RULES.assess(dict(answers)), channel=channel, language="en")
        if created_at is not None:
            found = repository.find_assessment(reference)
            assert found is not None
            found.created_at = created_at
            db.session.commit()
    return reference


def record(app: Flask, reference: str) -> Assessment:
    """A saved assessment (detached from the session; read its fields only)."""
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None, reference
        db.session.expunge(found)
        return found


def audit_entries(app: Flask) -> list[AuditEntry]:
    """The whole audit trail, oldest first."""
    with app.app_context():
        entries = list(reversed(repository.audit_trail(limit=10_000)))
        db.session.expunge_all()
        return entries


def account(app: Flask, username: str) -> StaffUser:
    """An account as stored."""
    with app.app_context():
        user = repository.find_user(username)
        assert user is not None, username
        db.session.expunge(user)
        return user


# --- phone calls --------------------------------------------------------------------------------


def screen_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the emergency screen alone."""
    return {qid: value for qid, value in answers.items() if qid in SCREEN}


def early_level(answers: Mapping[str, Any]) -> Level:
    """The level the emergency screen's answers reach on their own."""
    return RULES.assess_partial(screen_answers(answers)).level


def asked(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the questions asked with these answers (pain details only with pain, and so on)."""
    asked_ids = {qid for page in FLOW.asked(answers) for qid in page.question_ids}
    return {qid: value for qid, value in answers.items() if qid in asked_ids}


def form_data(answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What the receptionist ticks and types for these answers."""
    data: dict[str, str | list[str]] = {}
    for qid, answer in answers.items():
        value = to_form_value(RULES.contract[qid], answer)
        data[qid] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def level_shown(document: Document) -> str:
    """The level a page shows, from its `level--<id>` class."""
    banners = [c for el in document.find_all(cls="level") for c in el.classes if c.startswith("level--")]
    assert len(banners) == 1, f"expected one level banner, found {banners}"
    return banners[0].removeprefix("level--")


@dataclass
class Call:
    """What the receptionist saw during one call."""

    emergency_page: Document | None
    result: Document
    reference: str


def take_call(
    client: FlaskClient, answers: Mapping[str, Any], caller_name: str = "", caller_phone: str = ""
) -> Call:
    """A whole call through the phone pages: the emergency screen, then the other questions."""
    given = asked(answers)
    assert client.get("/staff/phone").status_code == 200
    screen = client.post("/staff/phone", data=form_data(screen_answers(given)))
    emergency_page = None
    if screen.status_code == 200:
        emergency_page = parse(screen.text)
        assert not problems(screen), problems(screen)
        questions_page = client.get("/staff/phone/questions")
        assert questions_page.status_code == 200
    else:
        assert (screen.status_code, screen.location) == (302, "/staff/phone/questions"), problems(screen)
    rest = {qid: value for qid, value in given.items() if qid not in SCREEN}
    data = {**form_data(rest), "caller_name": caller_name, "caller_phone": caller_phone}
    finished = client.post("/staff/phone/questions", data=data)
    assert finished.status_code == 302, f"{finished.status_code}: {problems(finished)}"
    path = urlsplit(finished.location).path
    assert path.startswith("/staff/phone/result/"), finished.location
    result = client.get(path)
    assert result.status_code == 200
    return Call(emergency_page, parse(result.text), path.removeprefix("/staff/phone/result/"))


@pytest.fixture
def reference(app: Flask) -> str:
    """The reference of a saved online assessment (an urgent one)."""
    return save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
