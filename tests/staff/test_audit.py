"""The audit trail: every view and change is recorded with who, what and which record, and never any
patient data; admins read it at /staff/audit; the CSV export holds no names or phone numbers."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.journeys import take_call
from tests.support.markup import parse
from tests.support.records import audit_entries, save
from tests.support.staff import ADMIN, RECEPTION, login, try_login
from triage.staff.views import EXPORT_COLUMNS
from triage.storage import repository
from triage.web.labels import ACTIONS

CALLER_NAME, CALLER_PHONE, CALLER_E164 = "Eleni Zacharopoulou", "6941234567", "+306941234567"
CALLBACK_NAME, CALLBACK_PHONE = "Kostas Anagnostou", "+306977000111"


def new_entries(app: Flask, before: int) -> list[tuple[str, str, str | None]]:
    """(username, action, target) of the entries written since there were `before`."""
    return [(e.username, e.action, e.target) for e in audit_entries(app)[before:]]


def count(app: Flask) -> int:
    return len(audit_entries(app))


def test_login_logout_and_failed_logins_are_recorded(app: Flask, client: FlaskClient) -> None:
    try_login(client, RECEPTION.username, "not the password")
    try_login(client, "nobody", "whatever password")
    login(client, RECEPTION)
    client.post("/staff/logout")
    entries = [(e.username, e.action, e.detail) for e in audit_entries(app)]
    assert entries[0] == (RECEPTION.username, "login_failed", "wrong")
    # An unknown name is not kept: it may be a password typed into the wrong box.
    assert entries[1] == ("(unknown)", "login_failed", "wrong")
    assert (RECEPTION.username, "login", None) in entries
    assert entries[-1][:2] == (RECEPTION.username, "logout")
    assert all("not the password" not in str(e) and "whatever password" not in str(e) for e in entries)


def test_a_record_view_is_recorded(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    before = count(app)
    client.get(f"/staff/assessments/{reference}")
    assert new_entries(app, before) == [(RECEPTION.username, "view", reference)]


def test_a_lookup_hit_is_recorded(app: Flask, client: FlaskClient, reference: str) -> None:
    """Finding a record by its code confirms it exists: recorded even if the record is not opened."""
    login(client, RECEPTION)
    before = count(app)
    response = client.get("/staff/lookup", query_string={"reference": reference.lower()})
    assert response.location == f"/staff/assessments/{reference}"
    entries = new_entries(app, before)
    assert [e for e in entries if e[0] == RECEPTION.username and e[2] == reference], (
        f"a lookup hit wrote no audit entry naming the record (entries written: {entries})"
    )


def test_a_lookup_hit_followed_to_the_record_is_recorded(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    before = count(app)
    client.get("/staff/lookup", query_string={"reference": reference.lower()}, follow_redirects=True)
    assert (RECEPTION.username, "view", reference) in new_entries(app, before)


def test_a_status_change_is_recorded(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    before = count(app)
    client.post(
        f"/staff/assessments/{reference}/status", data={"status": "closed", "note": "Mrs X rang back"}
    )
    entries = audit_entries(app)[before:]
    assert [(e.username, e.action, e.target, e.detail) for e in entries] == [
        (RECEPTION.username, "status", reference, "closed")
    ]


def test_queue_views_and_exports_are_recorded(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, ADMIN)
    before = count(app)
    client.get("/staff/?show=all&level=urgent")
    client.get("/staff/export.csv?show=all")
    entries = audit_entries(app)[before:]
    assert [(e.username, e.action, e.detail) for e in entries] == [
        (ADMIN.username, "view_queue", "1 records shown"),
        (ADMIN.username, "export", "1 records"),
    ]


def test_a_phone_call_is_recorded_with_its_record(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    before = count(app)
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"], CALLER_NAME, CALLER_PHONE)
    assert new_entries(app, before) == [
        (RECEPTION.username, "phone_call", call.reference),
        (RECEPTION.username, "view", call.reference),  # the result page shows the record's outcome
    ]


def test_refused_requests_are_not_recorded_as_done(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    before = count(app)
    assert client.get("/staff/export.csv").status_code == 403
    assert "export" not in [action for _, action, _ in new_entries(app, before)]


def test_the_audit_trail_holds_no_patient_data(app: Flask, client: FlaskClient) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-pain-heavy-legs"]["answers"]
    login(client, RECEPTION)
    call = take_call(client, answers, CALLER_NAME, CALLER_PHONE)
    with app.app_context():
        repository.save_callback(call.reference, CALLBACK_NAME, CALLBACK_PHONE, "morning")
    client.get("/staff/lookup", query_string={"reference": call.reference}, follow_redirects=True)
    client.post(
        f"/staff/assessments/{call.reference}/status", data={"status": "contacted", "note": "spoke to Eleni"}
    )
    client.get("/staff/")
    client.post("/staff/logout")
    login(client, ADMIN)
    client.get("/staff/export.csv")
    stored = "\n".join(f"{e.username}|{e.action}|{e.target}|{e.detail}" for e in audit_entries(app))
    forbidden = [
        CALLER_NAME,
        "Eleni",
        CALLER_PHONE,
        CALLER_E164,
        CALLBACK_NAME,
        CALLBACK_PHONE,
        "breast",
        "upper_back",
    ]
    forbidden += [qid for qid in answers]
    assert [text for text in forbidden if text in stored] == []
    assert call.reference in stored


def test_admins_read_the_audit_trail_newest_first(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    client.get(f"/staff/assessments/{reference}")
    client.post("/staff/logout")
    login(client, ADMIN)
    page = parse(client.get("/staff/audit").text)
    rows = [[td.text for td in row.find_all("td")] for row in page.one("tbody").find_all("tr")]
    entries = list(reversed(audit_entries(app)))
    # The action is shown in words (in the page's language), not as its code.
    words = {code: str(text) for code, text in ACTIONS.items()}
    assert [row[1:4] for row in rows] == [[e.username, words[e.action], e.target or ""] for e in entries]
    assert [RECEPTION.username, "Viewed a record", reference] in [row[1:4] for row in rows]


def test_the_audit_trail_gives_stored_codes_in_words(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted"})
    client.post("/staff/logout")
    login(client, ADMIN)  # the admin's first login sets up the authenticator: stored as "mfa set up"
    client.post(f"/staff/assessments/{reference}/override", data={"level": "soon", "reason": "Seen"})
    page = parse(client.get("/staff/audit").text)
    details = {
        (row.find_all("td")[2].text, row.find_all("td")[4].text) for row in page.one("tbody").find_all("tr")
    }
    assert ("Logged in", "after setting up the code app") in details
    assert ("Changed a status", "Contacted") in details
    assert ("Changed a record's urgency level", "Urgent: today → Soon: 1 to 2 weeks") in details
    assert not [detail for _, detail in details if detail in ("mfa set up", "contacted", "urgent -> soon")]


# --- the CSV export -----------------------------------------------------------------------------


@pytest.fixture
def exported(app: Flask, client: FlaskClient) -> tuple[list[list[str]], str, dict[str, str]]:
    """Records taken by phone with the caller's details, online with a call-back request, and by API;
    then the export as an admin: its rows, its text and the references by kind."""
    login(client, RECEPTION)
    phone = take_call(client, VIGNETTE["major-fall-walking"]["answers"], CALLER_NAME, CALLER_PHONE).reference
    online = save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
    api = save(app, VIGNETTE["osteoporosis-no-pain"]["answers"], channel="api")
    with app.app_context():
        repository.save_callback(online, CALLBACK_NAME, CALLBACK_PHONE, "afternoon")
    client.post("/staff/logout")
    login(client, ADMIN)
    response = client.get("/staff/export.csv?show=all")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=spine-triage-queue-")
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text))), text, {"phone": phone, "online": online, "api": api}


def test_the_export_has_a_header_and_one_row_per_record(
    exported: tuple[list[list[str]], str, dict[str, str]],
) -> None:
    rows, _, references = exported
    assert rows[0] == list(EXPORT_COLUMNS)
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(row["reference"] for row in body) == sorted(references.values())
    by_reference = {row["reference"]: row for row in body}
    assert by_reference[references["phone"]]["channel"] == "phone"
    assert by_reference[references["api"]]["channel"] == "api"
    assert by_reference[references["online"]]["callback_requested"] == "yes"
    assert by_reference[references["phone"]]["callback_requested"] == "no"
    assert [row["level"] for row in body] == ["emergency", "urgent", "information"]  # the queue's order


def test_the_export_holds_no_names_or_phone_numbers(
    exported: tuple[list[list[str]], str, dict[str, str]],
) -> None:
    _, text, _ = exported
    for private in (CALLER_NAME, CALLER_PHONE, CALLER_E164, CALLBACK_NAME, CALLBACK_PHONE, "6977000111"):
        assert private not in text


def test_the_export_follows_the_queue_filters(app: Flask, client: FlaskClient) -> None:
    urgent = save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"])
    save(app, VIGNETTE["osteoporosis-no-pain"]["answers"])
    login(client, ADMIN)
    rows = list(
        csv.reader(io.StringIO(client.get("/staff/export.csv?show=all&level=urgent").get_data(as_text=True)))
    )
    assert [row[0] for row in rows[1:]] == [urgent]
