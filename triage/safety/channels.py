"""Driving the two channels as people do, for the safety report: the patient's pages and a phone
call, through Flask's test client on an app of its own with a temporary SQLite database.

The pages are answered one by one, following wherever the app sends the person (through the
urgent-advice page of an early exit), and the answers are confirmed; the call goes through the
emergency screen, then the other questions, as a receptionist logged in through the login form.
What each shows is read from the page's level banner (`class="level level--<id>"`).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from triage.engine import RuleSet
from triage.questionnaire import Questionnaire
from triage.questionnaire.fields import to_form_value

#: The receptionist the report logs in as, in its own temporary database.
RECEPTION = "safety-report"
CHECK, RESULT, URGENT = "/check-answers", "/result", "/urgent-advice"
PHONE, PHONE_QUESTIONS, PHONE_RESULT = "/staff/phone", "/staff/phone/questions", "/staff/phone/result/"
#: The report's calls give no caller's number, so they say why, as an urgent or soon call must.
NO_NUMBER_REASON = "The caller will ring back."


class ChannelError(Exception):
    """A channel did not behave as a person would expect (a page refused, no way on)."""


@dataclass(frozen=True)
class Shown:
    """The level a channel gave, and the early-exit level it showed first (if any)."""

    level: str
    early: str | None = None


class _Page(HTMLParser):
    """The level banners of a page and the button links inside its <main> that lead on (no download)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.levels: list[str] = []
        self.buttons: list[str] = []
        self._in_main = 0
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "main":
            self._in_main += 1
        if "level" in classes:
            self.levels += [c.removeprefix("level--") for c in classes if c.startswith("level--")]
        onward = "download" not in values  # "Save as PDF" is a button too, but no way on
        if tag == "a" and "button" in classes and self._in_main and values.get("href") and onward:
            self.buttons.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1

    @property
    def level(self) -> str:
        if len(self.levels) != 1:
            raise ChannelError(f"expected one level banner, found {self.levels}")
        return self.levels[0]


class Channels:
    """The pages and phone mode of one app, for a rule set."""

    def __init__(self, app: Flask, rules: RuleSet, password: str) -> None:
        self.app = app
        self.rules = rules
        self.flow = Questionnaire.of(rules)
        self.screen = set(rules.contract.emergency_screen.question_ids)
        self.password = password
        self._staff: FlaskClient | None = None

    # -- the patient's pages -------------------------------------------------------------------

    def online(self, answers: Mapping[str, Any]) -> Shown:
        """Answer the pages from the first to the result; the level shown, and any early exit."""
        client = self.app.test_client()
        path, early = f"/questions/{self.flow.pages[0].id}", None
        for _ in range(3 * len(self.flow.pages)):
            if urlsplit(path).path == CHECK:
                break
            if path == URGENT:
                page = _Page(self._get(client, URGENT))
                early = early or page.level
                if len(page.buttons) != 1:
                    raise ChannelError("the urgent-advice page has no single way on")
                path = page.buttons[0]
                continue
            path = self._answer(client, path, answers)
        else:
            raise ChannelError("the pages never reached the check-answers page")
        self._get(client, CHECK)
        confirmed = client.post(CHECK)
        if confirmed.status_code != 302 or confirmed.location != RESULT:
            raise ChannelError(f"confirming the answers gave {confirmed.status_code}")
        return Shown(_Page(self._get(client, RESULT)).level, early)

    def _answer(self, client: FlaskClient, path: str, answers: Mapping[str, Any]) -> str:
        page = self.flow.page(urlsplit(path).path.removeprefix("/questions/"))
        if page is None:
            raise ChannelError(f"the app sent the person to an unknown page: {path}")
        self._get(client, path)
        response = client.post(path, data=self._form(page.questions, answers))
        if response.status_code != 302:
            raise ChannelError(f"the page {page.id} refused the answers ({response.status_code})")
        return str(response.location)

    # -- a phone call --------------------------------------------------------------------------

    def phone(self, answers: Mapping[str, Any]) -> Shown:
        """A whole call: the emergency screen, then the other questions; the level read out.

        The receptionist logs in once (the login form is throttled per address) and takes every
        call in the same session; opening phone mode starts each call afresh.
        """
        client = self._reception()
        given = self._asked(answers)
        self._get(client, PHONE)
        screen_questions = [q for q in self.rules.contract.questions if q.id in self.screen]
        screen = client.post(PHONE, data=self._form(screen_questions, given))
        early = None
        if screen.status_code == 200:
            early = _Page(screen.text).level
            self._get(client, PHONE_QUESTIONS)
        elif screen.status_code != 302:
            raise ChannelError(f"the emergency screen gave {screen.status_code}")
        rest = [q for q in self.rules.contract.questions if q.id not in self.screen]
        data = {
            **self._form(rest, given),
            "caller_name": "",
            "caller_phone": "",
            "no_number_reason": NO_NUMBER_REASON,
        }
        finished = client.post(PHONE_QUESTIONS, data=data)
        path = urlsplit(finished.location or "").path
        if finished.status_code != 302 or not path.startswith(PHONE_RESULT):
            raise ChannelError(f"the call's questions gave {finished.status_code}")
        return Shown(_Page(self._get(client, path)).level, early)

    def _reception(self) -> FlaskClient:
        if self._staff is None:
            client = self.app.test_client()
            login = client.post("/staff/login", data={"username": RECEPTION, "password": self.password})
            if login.status_code != 302 or urlsplit(login.location).path != "/staff/":
                raise ChannelError(f"the receptionist could not log in ({login.status_code})")
            self._staff = client
        return self._staff

    # -- shared --------------------------------------------------------------------------------

    def _asked(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        asked = {qid for page in self.flow.asked(answers) for qid in page.question_ids}
        return {qid: value for qid, value in answers.items() if qid in asked}

    def _form(self, questions: Any, answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
        """What is ticked and typed on a form to give these answers to these questions."""
        data: dict[str, str | list[str]] = {}
        for question in questions:
            if question.id in answers:
                value = to_form_value(question, answers[question.id])
                data[question.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return data

    @staticmethod
    def _get(client: FlaskClient, path: str) -> str:
        response = client.get(path)
        if response.status_code != 200:
            raise ChannelError(f"GET {urlsplit(path).path} gave {response.status_code}")
        return response.get_data(as_text=True)


@contextmanager
def channels(rules_dir: Path, rules: RuleSet) -> Iterator[Channels]:
    """An app on these rules with a fresh SQLite database and one receptionist; removed afterwards."""
    from triage import create_app
    from triage.config import RATE_LIMITS
    from triage.extensions import db
    from triage.staff import accounts

    folder = Path(tempfile.mkdtemp(prefix="triage-safety-"))
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": secrets.token_hex(32),
                "RULES_DIR": str(rules_dir),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'triage.sqlite3'}",
                "WTF_CSRF_ENABLED": False,  # the test client posts the forms; nothing to forge here
                # Every request comes from one address: no limit may stop the report's own.
                **{name: "100000 per minute" for name in RATE_LIMITS if name != "RATELIMIT_STORAGE_URI"},
                "STAFF_MFA": "admins",  # a receptionist logs in with the password alone
            }
        )
        password = secrets.token_urlsafe(24)
        with app.app_context():
            # The models' schema, which the migrations give exactly (tests/storage/test_migrations.py).
            db.create_all()
            accounts.create(RECEPTION, "Safety report", "reception", password)
        try:
            yield Channels(app, rules, password)
        finally:
            with app.app_context():
                db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["ChannelError", "Channels", "Shown", "channels"]
