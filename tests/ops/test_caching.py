"""What is sent again and what is not: static files by their content's hash, kept a year; the
session cookie only when its content changes; pages small; one form class per screen."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW, RULES
from tests.support.journeys import Journey, page_url, prime
from triage.questionnaire import Voice
from triage.questionnaire.fields import page_form
from triage.web.assets import FOREVER
from triage.web.idle import TOUCH_EVERY_SECONDS

MAX_PAGE_BYTES = 30 * 1024

ROOT = Path(__file__).resolve().parents[2]


def _assets(client: FlaskClient) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', client.get("/").text)


def test_every_static_address_carries_its_files_hash_and_is_kept_a_year(
    client: FlaskClient, app: Flask
) -> None:
    assets = _assets(client)
    assert len(assets) >= 3  # style sheet, script, icon
    for address in assets:
        path, _, query = address.partition("?")
        content = (Path(str(app.static_folder)) / path.removeprefix("/static/")).read_bytes()
        assert query == f"v={hashlib.sha256(content).hexdigest()[:16]}"
        answer = client.get(address)
        answer.close()
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == FOREVER


def test_a_static_file_asked_for_without_its_current_hash_is_revalidated(client: FlaskClient) -> None:
    for address in ("/static/css/main.css", "/static/css/main.css?v=0000000000000000"):
        answer = client.get(address)
        answer.close()
        assert answer.status_code == 200
        assert "immutable" not in answer.headers.get("Cache-Control", "")


def test_pages_are_never_stored(client: FlaskClient) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-store"


def _cookie_sent(answer: object) -> bool:
    return any(header.startswith("session=") for header in answer.headers.getlist("Set-Cookie"))  # type: ignore[attr-defined]


def test_the_session_cookie_is_sent_again_only_when_its_content_changes(client: FlaskClient) -> None:
    first = FLOW.pages[0]
    prime(client, VIGNETTES[0]["answers"])
    client.get(page_url(first))  # the activity time and CSRF token settle in
    again = [client.get(path) for path in (page_url(first), "/check-answers", page_url(first))]
    assert [_cookie_sent(answer) for answer in again] == [False, False, False]
    assert _cookie_sent(client.post("/start-again"))  # the answers are forgotten: a new cookie


def test_the_activity_time_is_still_renewed_once_a_minute(client: FlaskClient) -> None:
    prime(client, VIGNETTES[0]["answers"])
    with client.session_transaction() as session:
        session["touched"] = time.time() - TOUCH_EVERY_SECONDS - 1
    answer = client.get(page_url(FLOW.pages[0]))
    assert _cookie_sent(answer)
    with client.session_transaction() as session:
        assert time.time() - session["touched"] < 5


def test_every_page_of_every_public_vignette_is_under_30_kb(app: Flask) -> None:
    sizes: dict[str, int] = {}
    for case in VIGNETTES:
        client = app.test_client()
        trip = Journey(client).walk(case["answers"])
        for path in trip.trail:
            answer = client.get(path)
            if answer.status_code == 200:
                sizes[path] = max(sizes.get(path, 0), len(answer.data))
    assert sizes
    assert {path: size for path, size in sizes.items() if size >= MAX_PAGE_BYTES} == {}


def test_a_screens_form_class_is_made_once(app: Flask) -> None:
    page = FLOW.pages[1]
    with app.test_request_context():
        made = {type(page_form(page.questions, RULES.contract, "en")) for _ in range(3)}
        greek = type(page_form(page.questions, RULES.contract, "el"))
        phone = type(page_form(page.questions, RULES.contract, "en", Voice.PHONE))
    assert len(made) == 1
    assert greek not in made and phone not in made


#: A new process (nothing of Babel's read yet): the conventions are read once, then never from disk.
FRESH_PROCESS = """
from datetime import UTC, datetime
from babel import localedata
from triage import create_app
from triage.web.formatting import load_conventions, local_time, long_date

app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})
print(sorted(load_conventions(app)))

def unreadable(name):
    raise AssertionError(f"the conventions of {name} were read from disk after load_conventions")

localedata.resolve_locale_filename = unreadable  # this throwaway process only
with app.app_context():
    moment = datetime(2026, 12, 1, 7, 38, tzinfo=UTC)
    print(local_time(moment, "en"), "|", long_date(moment.date(), "el"), "|", local_time(moment, "el"))
"""


def test_date_conventions_read_before_the_workers_fork_are_never_read_again() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    locales, formatted = done.stdout.splitlines()[-2:]
    assert locales == "['el', 'en_GB']"
    english, greek_date, greek_time = formatted.split(" | ")
    assert english == "1 Dec 2026, 09:38 EET"
    assert greek_date == "1 Δεκεμβρίου 2026"
    assert greek_time.endswith("09:38 EET")


def test_templates_compiled_before_the_workers_fork_are_never_read_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.ops.serving import compile_templates

    assert compile_templates(app) == len(app.jinja_env.list_templates(extensions=["html"]))
    app.jinja_env.auto_reload = False  # as under gunicorn (not in debug)

    def unreadable(*_args: object) -> None:
        raise AssertionError("a template was read from disk after compile_templates")

    monkeypatch.setattr(app.jinja_env.loader, "get_source", unreadable)
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get(page_url(FLOW.pages[0])).status_code == 200


def test_static_files_are_kept_a_year_and_set_no_cookie(client: FlaskClient) -> None:
    """A static file is the same for everyone: kept a year (by address), never carrying a cookie.
    (Flask-Login reads the session after every request, so Flask says `Vary: Cookie` on every
    answer; deploy/nginx.conf serves /static/ itself, without it.)"""
    client.get("/")  # a browser that has a session already
    for address in _assets(client):
        answer = client.get(address)
        answer.close()
        assert answer.headers["Cache-Control"] == FOREVER, address
        assert "Set-Cookie" not in answer.headers, address
