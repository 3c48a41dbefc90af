"""Spec §3b: a saved result stays readable by its own address, which carries a secret, for the
answers' time limit after they time out; a call-back sent after the answers timed out is still taken
for a saved result, and otherwise the page says plainly that it was not sent, with the practice's
number and what was typed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from tests.support.cases import VIGNETTE
from tests.support.journeys import show, submit_online
from tests.support.markup import Document, level_shown
from tests.support.records import callbacks

URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
CALLBACK = {"name": "Eleni Ioannou", "phone": "694 123 4567", "consent": "y"}


def idle_for(client: FlaskClient, seconds: float) -> None:
    with client.session_transaction() as session:
        session["touched"] = time.time() - seconds


def secret_on(page: Document) -> str:
    """The saved result's secret that the call-back form sends."""
    secret = page.one("input", name="result").get("value")
    assert secret
    return secret


def callbacks_of(app: Flask, reference: str) -> list[str]:
    """The names in the call-back requests saved for a record."""
    return [row["name"] for row in callbacks(app) if row["reference"] == reference]


def test_a_call_back_sent_after_the_answers_timed_out_is_taken_for_the_saved_result(
    app: Flask, client: FlaskClient
) -> None:
    reference = submit_online(client, URGENT)
    assert reference is not None
    secret = secret_on(show(client, "/result"))
    idle_for(client, app.config["IDLE_LIMIT_SECONDS"] + 60)
    sent = client.post("/call-back", data={**CALLBACK, "result": secret})
    assert sent.status_code == 302 and sent.location == f"/result/{secret}/call-back-sent"
    assert callbacks_of(app, reference) == ["Eleni Ioannou"]
    page = show(client, sent.location)
    assert reference in page.text and "The practice will call you back today" in page.text


def test_a_saved_result_is_readable_by_its_address_after_the_answers_timed_out(
    app: Flask, client: FlaskClient
) -> None:
    reference = submit_online(client, URGENT)
    assert reference is not None
    secret = secret_on(show(client, "/result"))
    assert reference not in secret.split(".")[-1], "the secret is not the reference alone"
    idle_for(client, app.config["IDLE_LIMIT_SECONDS"] + 60)
    back = client.get("/result")
    assert back.status_code == 302 and back.location.startswith("/result/"), "the result, not the start page"
    page = show(client, back.location)
    assert level_shown(page) == "urgent" and reference in page.text
    assert page.find_all("form", action="/call-back#callback-title"), "the call-back form is still there"


def test_a_saved_results_address_expires_one_time_limit_after_the_answers(
    make_app: Callable[..., Flask], database: Path | str
) -> None:
    quick = make_app(database, IDLE_LIMIT_SECONDS=2)
    client = quick.test_client()
    submit_online(client, URGENT)
    secret = secret_on(show(client, "/result"))
    time.sleep(2.3)  # past the answers' time limit: the result is still at its address
    assert client.get("/result").location.startswith("/result/")
    assert client.get(f"/result/{secret}").status_code == 200
    time.sleep(3.0)  # past one more time limit (kept in whole seconds): the address has expired too
    gone = client.get(f"/result/{secret}")
    assert gone.status_code == 410
    assert "This result can no longer be shown" in gone.text and "Urgent" not in gone.text


def test_no_address_reaches_another_record_or_one_made_up(app: Flask, client: FlaskClient) -> None:
    first = submit_online(client, URGENT)
    other_client = app.test_client()
    other = submit_online(other_client, VIGNETTE["osteoporosis-no-pain"]["answers"])
    assert first and other
    forged = URLSafeSerializer("not the app's key", salt="saved-result").dumps(
        {"reference": other, "until": int(time.time()) + 3600}
    )
    for address in (f"/result/{forged}", f"/result/{other}", "/result/x"):
        page = client.get(address)
        assert page.status_code == 410 and "This result can no longer be shown" in page.text, address


def test_a_late_call_back_whose_result_is_gone_says_plainly_it_was_not_sent_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient
) -> None:
    reference = submit_online(client, URGENT)
    assert reference is not None
    secret = secret_on(show(client, "/result"))
    idle_for(client, app.config["IDLE_LIMIT_SECONDS"] + 60)
    refused = client.post("/call-back", data={**CALLBACK, "result": secret[:-2]})  # no longer valid
    assert refused.status_code == 410
    assert "Your request for a call back was not sent" in refused.text
    assert app.config["PRACTICE_PHONE"].replace(" ", "")[-4:] in refused.text.replace(" ", "")
    assert "Eleni Ioannou" in refused.text and "694 123 4567" in refused.text
    assert callbacks_of(app, reference) == []


def test_a_call_back_form_with_an_expired_token_comes_back_filled_in(
    csrf_app: Flask, csrf_client: FlaskClient
) -> None:
    reference = submit_online_with_csrf(csrf_client)
    page = show(csrf_client, "/result")
    secret = secret_on(page)
    token = (
        page.one("form", action="/call-back#callback-title")
        .find_all("input", name="csrf_token")[0]
        .get("value")
    )
    with csrf_client.session_transaction() as session:
        session.pop("csrf_token")  # the token the form carries no longer matches: as after it expired
    sent = csrf_client.post("/call-back", data={**CALLBACK, "result": secret, "csrf_token": token or ""})
    assert sent.status_code == 400
    assert "The form timed out. What you typed is kept below" in sent.text
    assert 'value="Eleni Ioannou"' in sent.text and reference in sent.text
    assert callbacks_of(csrf_app, reference) == [], "nothing is sent without a valid token"


def submit_online_with_csrf(client: FlaskClient) -> str:
    """Confirm the urgent answers through /check-answers with its CSRF token; the reference."""
    from tests.support.journeys import prime, session_reference

    prime(client, URGENT)
    token = (
        show(client, "/check-answers").find_all("input", name="csrf_token")[0].get("value")
    )  # one per page
    assert client.post("/check-answers", data={"csrf_token": token or ""}).status_code == 302
    reference = session_reference(client)
    assert reference is not None
    return reference
