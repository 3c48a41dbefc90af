"""Driving the real pages with a Flask test client, as a person would: a patient answering the pages
one by one (Journey), and a receptionist taking a phone call (take_call), with a vignette's answers.

Which pages there are and what each asks come from the questionnaire (tests/support/flow.py); what
is ticked or typed for an answer from triage.questionnaire.fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.flow import FLOW, RULES, SCREEN, asked_answers, screen_answers
from tests.support.markup import Document, error_summary, level_shown, parse, problems
from triage.questionnaire import Page, Questionnaire
from triage.questionnaire.fields import to_form_value

# --- the patient's pages -------------------------------------------------------------------------


def page_url(page: Page | str, returning: bool = False) -> str:
    """The address of a question page."""
    page_id = page if isinstance(page, str) else page.id
    return f"/questions/{page_id}" + ("?returning=check" if returning else "")


def form_data(answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What is ticked and typed in the forms to give these answers."""
    data: dict[str, str | list[str]] = {}
    for qid, answer in answers.items():
        value = to_form_value(RULES.contract[qid], answer)
        data[qid] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def page_form(page: Page, answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What a person ticks and types on `page` to give `answers` (questions without an answer left empty)."""
    return form_data({q.id: answers[q.id] for q in page.questions if q.id in answers})


def answer_warning_signs(client: FlaskClient, answers: Mapping[str, Any]) -> TestResponse:
    """Send the warning-sign pages with these answers, one by one, until one leads to the emergency
    advice or the last is sent; the last response."""
    for page in FLOW.warning_signs:
        response = client.post(page_url(page), data=page_form(page, answers))
        if response.location == "/urgent-advice":
            break
    return response


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
        found = error_summary(parse(response.text)) if response.status_code == 200 else []
        assert response.status_code == 302, f"POST {path}: {response.status_code} {found}"
        return str(response.location)

    def send(self, path: str, page: Page, answers: Mapping[str, Any]) -> TestResponse:
        """POST a page's answers as the form would."""
        return self.client.post(path, data=page_form(page, answers))

    def _through_urgent_advice(self, trip: Trip) -> str:
        document = show(self.client, "/urgent-advice")
        if trip.urgent_advice is None:
            trip.urgent_advice, trip.early_level = document, level_shown(document)
        # Found by what it is, not its words, so journeys work in every language.
        links = [
            a for a in document.main.find_all("a", cls="button") if not a.has("download")
        ]  # not "Save as PDF"
        assert len(links) == 1, "the urgent-advice page has no way on"
        return str(links[0].get("href"))


# --- a phone call --------------------------------------------------------------------------------


@dataclass
class Call:
    """What the receptionist saw during one call."""

    emergency_page: Document | None
    result: Document
    reference: str


#: Why a call has no number to call back, where a test gives none (needed at urgent and soon).
NO_NUMBER = "The caller will ring back."


def take_call(
    client: FlaskClient,
    answers: Mapping[str, Any],
    caller_name: str = "",
    caller_phone: str = "",
    no_number_reason: str = NO_NUMBER,
) -> Call:
    """A whole call through the phone pages: the emergency screen, then the other questions.

    The client must be logged in as a member of staff (tests/support/staff.py). Without a phone
    number the receptionist says why there is none (`no_number_reason`).
    """
    given = asked_answers(answers)
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
    if not caller_phone:
        data["no_number_reason"] = no_number_reason
    finished = client.post("/staff/phone/questions", data=data)
    assert finished.status_code == 302, f"{finished.status_code}: {problems(finished)}"
    path = urlsplit(finished.location).path
    assert path.startswith("/staff/phone/result/"), finished.location
    result = client.get(path)
    assert result.status_code == 200
    return Call(emergency_page, parse(result.text), path.removeprefix("/staff/phone/result/"))


# --- an assessment saved from the pages ----------------------------------------------------------


def session_reference(client: FlaskClient) -> str | None:
    """The reference code the client's session holds (None: the assessment was not saved)."""
    with client.session_transaction() as session:
        reference: str | None = session.get("reference")
        return reference


def submit_online(client: FlaskClient, answers: Mapping[str, Any]) -> str | None:
    """Answer the pages (primed session) and confirm on /check-answers; the reference saved, if any."""
    prime(client, answers)
    response = client.post("/check-answers")
    assert (response.status_code, response.location) == (302, "/result")
    return session_reference(client)
