"""Spec §3b: staff logged out while typing (the idle limit, 12 hours, or an expired form) come back,
after logging in, to the page they were on, never to an error page, and find what they typed in a
note or a reason filled in again, not yet saved; never a password, and never for someone else."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.cases import VIGNETTE
from tests.support.markup import parse
from tests.support.records import record, save
from tests.support.staff import CLINICIAN, RECEPTION, Staff, csrf_token, is_login_redirect, login, through_mfa

NOTE = "Rang twice, no answer; try again after 3 pm. Daughter's number is on the letter."
KEPT_LINE = "What you typed before you were logged out is filled in below."


def idle_too_long(client: FlaskClient) -> None:
    """The staff session's last activity was 31 minutes ago."""
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 31 * 60


def log_in_again(client: FlaskClient, user: Staff, login_page: str, token: str = "") -> str:
    """Log in through the login page a logout sent the browser to; where the login leads."""
    sent = {"username": user.username, "password": user.password, "csrf_token": token}
    response = client.post(login_page, data=sent)
    assert response.status_code == 302, response.status_code
    return through_mfa(client, user.username, response)


def note_field(response: TestResponse) -> str:
    """The text in the status form's note box."""
    return parse(response.text).one("textarea", name="note").text


def test_a_note_sent_after_the_idle_limit_is_kept_and_the_login_returns_to_its_record(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    idle_too_long(client)
    sent = client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": NOTE})
    assert is_login_redirect(sent)
    assert parse_qs(urlsplit(sent.location).query)["next"] == [f"/staff/assessments/{reference}"], (
        "after logging in, the record page (a GET), never the form's address (a 405)"
    )
    login_page = client.get(sent.location)
    assert "What you typed is kept." in login_page.text
    back = log_in_again(client, RECEPTION, sent.location)
    assert back == f"/staff/assessments/{reference}"
    page = client.get(back)
    assert page.status_code == 200
    assert note_field(page) == NOTE
    assert KEPT_LINE in page.text and "It is not saved yet" in page.text
    assert parse(page.text).one("input", name="status", value="contacted").has("checked"), "the status too"
    assert record(app, reference).status == "new", "nothing is saved until the person saves it"
    again = client.get(back)
    assert note_field(again) == "" and KEPT_LINE not in again.text, "shown once, then forgotten"


def test_a_reason_sent_after_the_idle_limit_is_kept_in_the_override_form(
    client: FlaskClient, reference: str
) -> None:
    login(client, CLINICIAN)
    idle_too_long(client)
    reason = "Spoke to her oncologist: new weakness, needs the emergency department."
    sent = client.post(
        f"/staff/assessments/{reference}/override", data={"level": "emergency", "reason": reason}
    )
    page = client.get(log_in_again(client, CLINICIAN, sent.location))
    override = parse(page.text).one("form", action=f"/staff/assessments/{reference}/override")
    assert KEPT_LINE in override.text
    assert override.one("textarea", name="reason").text == reason
    assert note_field(page) == "", "the other form is left as it was"


def test_a_note_kept_at_a_logout_is_never_shown_to_another_member_of_staff(
    client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    idle_too_long(client)
    sent = client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": NOTE})
    page = client.get(log_in_again(client, CLINICIAN, sent.location))
    assert page.status_code == 200
    assert NOTE not in page.text and KEPT_LINE not in page.text


def test_logging_out_on_purpose_forgets_a_kept_note(client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    idle_too_long(client)
    sent = client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": NOTE})
    client.post("/staff/logout")
    page = client.get(log_in_again(client, RECEPTION, sent.location))
    assert NOTE not in page.text


def test_a_status_form_sent_with_an_expired_token_keeps_the_note_and_leads_back_to_its_record(
    csrf_app: Flask, csrf_client: FlaskClient
) -> None:
    reference = save(csrf_app, VIGNETTE["osteoporosis-no-pain"]["answers"])
    log_in_again(csrf_client, RECEPTION, "/staff/login", csrf_token(csrf_client, "/staff/login"))
    record_page = f"/staff/assessments/{reference}"
    token = csrf_token(csrf_client, record_page)
    with csrf_client.session_transaction() as session:
        session.pop("csrf_token")  # the token the form carries no longer matches: as after it expired
    sent = csrf_client.post(
        f"{record_page}/status", data={"csrf_token": token, "status": "contacted", "note": NOTE}
    )
    assert sent.status_code == 400
    assert parse(sent.text).link("Go back to the page").get("href") == record_page
    assert note_field(csrf_client.get(record_page)) == NOTE


def test_a_page_opened_after_the_idle_limit_is_the_page_the_login_returns_to(
    client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    idle_too_long(client)
    sent = client.get("/staff/?status=new&level=urgent")
    assert is_login_redirect(sent)
    assert log_in_again(client, RECEPTION, sent.location) == "/staff/?status=new&level=urgent"
