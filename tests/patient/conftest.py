"""Fixtures for the patient's pages: an app, its client, a CSRF-protected variant, and a Journey
that answers the real pages one by one, as a person would, with a vignette's answers.

The pages and their questions always come from the questionnaire the rule set defines
(triage.patient.flow), never from a list written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.database import prepare_instance
from tests.engine.conftest import vignettes
from tests.patient.markup import Document, parse
from triage import PROJECT_ROOT, create_app
from triage.config import PRACTICE_DEFAULTS, practice_values
from triage.engine import load_rules
from triage.questionnaire import Page, Questionnaire
from triage.questionnaire.fields import to_form_value

RULES = load_rules()
FLOW = Questionnaire.of(RULES)
VIGNETTES: list[dict[str, Any]] = vignettes()
VIGNETTE = {case["id"]: case for case in VIGNETTES}

#: Practice details unlike the demo defaults, so a page showing the defaults is caught.
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
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test",
    "WTF_CSRF_ENABLED": False,
    **PRACTICE,
    **PRACTICE_IN_GREEK,
}
#: The {placeholders} of patient texts, as this app fills them.
PLACEHOLDERS = practice_values(PRACTICE)
ENVIRONMENT = [
    "SECRET_KEY",
    "RULES_DIR",
    "DEFAULT_LANGUAGE",
    "SESSION_COOKIE_SECURE",
    "DATABASE_URL",
    *PRACTICE_DEFAULTS,
]


def make_app(config: Mapping[str, Any], instance: str) -> Flask:
    """An app from `config` alone: no setting from the shell, instance folder outside the repository."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ENVIRONMENT:
            patch.delenv(name, raising=False)
        patch.setattr(Flask, "auto_find_instance_path", lambda self: instance)
        prepare_instance(instance)
        app = create_app(dict(config))
    assert not app.instance_path.startswith(str(PROJECT_ROOT / "instance"))
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app, made once: nothing a test does changes it, and each test has its own client (session)."""
    return make_app(TEST_CONFIG, str(tmp_path_factory.mktemp("instance")))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh browser: no cookies, so no answers."""
    return app.test_client()


@pytest.fixture
def csrf_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app with CSRF protection on, as deployed."""
    return make_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True}, str(tmp_path_factory.mktemp("instance")))


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    """A fresh browser on the CSRF-protected app."""
    return csrf_app.test_client()


# --- helpers -----------------------------------------------------------------------------------


def page_url(page: Page | str, returning: bool = False) -> str:
    """The address of a question page."""
    page_id = page if isinstance(page, str) else page.id
    return f"/questions/{page_id}" + ("?returning=check" if returning else "")


def form_data(page: Page, answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What a person ticks and types on `page` to give `answers` (questions without an answer left empty)."""
    data: dict[str, str | list[str]] = {}
    for question in page.questions:
        if question.id in answers:
            value = to_form_value(question, answers[question.id])
            data[question.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def asked_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the questions of the pages these answers are asked (what the pages would save)."""
    asked = {qid for page in FLOW.asked(answers) for qid in page.question_ids}
    return {k: v for k, v in answers.items() if k in asked}


def prime(client: FlaskClient, answers: Mapping[str, Any], *, submitted: bool = False) -> None:
    """Put answers in the client's session, as if the pages had been answered."""
    with client.session_transaction() as session:
        session["answers"] = asked_answers(answers)
        session["submitted"] = submitted


def saved_answers(client: FlaskClient) -> dict[str, Any]:
    """The answers the client's session holds."""
    with client.session_transaction() as session:
        return dict(session.get("answers", {}))


def show(client: FlaskClient, path: str, status: int = 200) -> Document:
    """GET a page, check its status, and read it."""
    response = client.get(path)
    assert response.status_code == status, f"GET {path}: {response.status_code} {response.location or ''}"
    return parse(response.text)


def level_shown(document: Document) -> str:
    """The level a result or urgent-advice page shows, from its `level--<id>` class."""
    banners = [c for el in document.find_all(cls="level") for c in el.classes if c.startswith("level--")]
    assert len(banners) == 1, f"expected one level banner, found {banners}"
    return banners[0].removeprefix("level--")


def error_summary(document: Document) -> list[str]:
    """The messages of the page's error summary (empty when there is none)."""
    return [li.text for summary in document.find_all(cls="error-summary") for li in summary.find_all("li")]


# --- a journey through the real pages -----------------------------------------------------------


@dataclass
class Trip:
    """What a person saw on their way through the pages."""

    trail: list[str] = field(default_factory=list)  # every address shown, in order
    early_level: str | None = None  # the level of the urgent-advice page, when it was shown
    urgent_advice: Document | None = None
    check_answers: Document | None = None
    result: Document | None = None

    @property
    def level(self) -> str:
        """The level on the result page."""
        assert self.result is not None
        return level_shown(self.result)

    @property
    def saw_urgent_advice(self) -> bool:
        """Whether the urgent-advice page was shown on the way."""
        return "/urgent-advice" in self.trail


@dataclass
class Journey:
    """Answers each page the app shows with given answers, until the result."""

    client: FlaskClient
    flow: Questionnaire = FLOW

    def walk(self, answers: Mapping[str, Any]) -> Trip:
        """From the first page to the result, following wherever the app sends the person."""
        trip = Trip()
        path = page_url(self.flow.pages[0])
        for _ in range(3 * len(self.flow.pages)):
            trip.trail.append(path)
            if urlsplit(path).path == "/check-answers":
                break
            path = (
                self._through_urgent_advice(trip) if path == "/urgent-advice" else self.answer(path, answers)
            )
        else:
            pytest.fail(f"the pages never reached /check-answers: {trip.trail}")
        trip.check_answers = show(self.client, "/check-answers")
        confirmed = self.client.post("/check-answers")
        assert (confirmed.status_code, confirmed.location) == (302, "/result")
        trip.trail.append("/result")
        trip.result = show(self.client, "/result")
        return trip

    def answer(self, path: str, answers: Mapping[str, Any]) -> str:
        """Show a question page, send its answers, and give the address it goes on to."""
        page = self.flow.page(urlsplit(path).path.removeprefix("/questions/"))
        assert page is not None, f"the app sent the person to an unknown page: {path}"
        show(self.client, path)
        response = self.send(path, page, answers)
        problems = error_summary(parse(response.text)) if response.status_code == 200 else []
        assert response.status_code == 302, f"POST {path}: {response.status_code} {problems}"
        return str(response.location)

    def send(self, path: str, page: Page, answers: Mapping[str, Any]) -> TestResponse:
        """POST a page's answers as the form would."""
        return self.client.post(path, data=form_data(page, answers))

    def _through_urgent_advice(self, trip: Trip) -> str:
        document = show(self.client, "/urgent-advice")
        if trip.urgent_advice is None:
            trip.urgent_advice, trip.early_level = document, level_shown(document)
        # Found by what it is, not its words, so journeys work in every language.
        links = [a for a in document.main.find_all("a", cls="button")]
        assert len(links) == 1, "the urgent-advice page has no way on"
        return str(links[0].get("href"))


@pytest.fixture
def journey(client: FlaskClient) -> Journey:
    """A journey with a fresh client."""
    return Journey(client)
