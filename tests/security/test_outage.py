"""Finding 3: with the database down, nobody gets a 500. A logged-in browser still opens the
patient's pages (they never read the staff accounts); staff pages say the records are unavailable,
with 503; phone mode still gives the script; logging in says it cannot check now; logging out still
ends the session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.database import REFUSED_POSTGRESQL, UNOPENABLE_SQLITE, migrated_database
from tests.support.flow import asked_answers, screen_answers
from tests.support.journeys import form_data
from tests.support.records import save
from tests.support.staff import ADMIN, RECEPTION, is_login_redirect, logged_in_on, try_login
from triage.extensions import db
from triage.storage.models import Base

UNAVAILABLE = "The records are unavailable"
CANNOT_CHECK = "Logins cannot be checked right now"
OUTAGES = ["sqlite-cannot-open", "postgresql-refused", "tables-dropped"]
RED_FLAGS = VIGNETTE["saddle-numbness-only"]["answers"]
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]


@pytest.fixture(params=OUTAGES)
def down(request: pytest.FixtureRequest, make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The same app (same secret key, so the same sessions) with its database gone."""
    if request.param == "sqlite-cannot-open":
        return make_app(UNOPENABLE_SQLITE)
    if request.param == "postgresql-refused":
        return make_app(REFUSED_POSTGRESQL)
    app = make_app(migrated_database("sqlite", tmp_path / "lost"))  # a database file of its own
    with app.app_context():
        Base.metadata.drop_all(db.engine)
    return app


@pytest.fixture
def reception_during_outage(app: Flask, down: Flask) -> FlaskClient:
    return logged_in_on(down, app, RECEPTION)


@pytest.mark.parametrize("path", ["/", "/rules", "/questions/emergency-screen", "/staff/login", "/nowhere"])
def test_a_logged_in_browser_still_opens_the_pages_that_need_no_record(
    reception_during_outage: FlaskClient, path: str
) -> None:
    response = reception_during_outage.get(path)
    assert response.status_code == (404 if path == "/nowhere" else 200)


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/lookup?reference=7KQ3-M9TX", "/staff/assessments/7KQ3-M9TX"]
)
def test_staff_pages_say_the_records_are_unavailable_with_503(
    reception_during_outage: FlaskClient, path: str
) -> None:
    response = reception_during_outage.get(path)
    assert response.status_code == 503
    assert UNAVAILABLE in response.text
    assert 'href="/staff/phone"' in response.text  # the way to phone mode


def test_the_admin_pages_say_so_too(app: Flask, down: Flask) -> None:
    client = logged_in_on(down, app, ADMIN)
    for path in ("/staff/audit", "/staff/export.csv"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert UNAVAILABLE in response.text


def test_a_status_change_says_the_records_are_unavailable(
    app: Flask, down: Flask, reception_during_outage: FlaskClient
) -> None:
    response = reception_during_outage.post("/staff/assessments/7KQ3-M9TX/status", data={"status": "closed"})
    assert response.status_code == 503
    assert UNAVAILABLE in response.text


def test_phone_mode_still_gives_the_emergency_script(reception_during_outage: FlaskClient) -> None:
    client = reception_during_outage
    assert client.get("/staff/phone").status_code == 200
    given = asked_answers(RED_FLAGS)
    response = client.post("/staff/phone", data=form_data(screen_answers(given)))
    assert response.status_code == 200
    assert "level--emergency" in response.text


def test_phone_mode_still_gives_the_result_of_a_whole_call(reception_during_outage: FlaskClient) -> None:
    client = reception_during_outage
    given = asked_answers(URGENT)
    client.get("/staff/phone")
    assert client.post("/staff/phone", data=form_data(screen_answers(given))).status_code == 302
    rest = {qid: value for qid, value in given.items() if qid not in screen_answers(given)}
    caller = {"caller_phone": "6941234567"}  # an urgent call needs a number to call back
    result = client.post("/staff/phone/questions", data={**form_data(rest), **caller})
    assert result.status_code == 200
    assert "level--urgent" in result.text
    assert "This call could not be saved." in result.text


def test_logging_in_says_it_cannot_check_now(down: Flask) -> None:
    response = try_login(down.test_client(), RECEPTION.username, RECEPTION.password)
    assert response.status_code == 503
    assert CANNOT_CHECK in response.text


def test_logging_out_still_ends_the_session(reception_during_outage: FlaskClient) -> None:
    client = reception_during_outage
    assert client.get("/staff/phone").status_code == 200
    assert is_login_redirect(client.post("/staff/logout"))
    assert is_login_redirect(client.get("/staff/phone"))


def test_an_anonymous_visitor_is_sent_to_the_login_page(down: Flask) -> None:
    assert is_login_redirect(down.test_client().get("/staff/"))


def test_when_the_database_is_back_the_records_open_again(app: Flask, down: Flask) -> None:
    reference = save(app, URGENT)
    client = logged_in_on(down, app, RECEPTION)
    assert client.get(f"/staff/assessments/{reference}").status_code == 503
    back = app.test_client()
    back.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    assert back.get(f"/staff/assessments/{reference}").status_code == 200
