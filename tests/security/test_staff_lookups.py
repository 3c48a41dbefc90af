"""Finding 16 of issue 28: staff look-ups of reference codes that find no record.

Each miss is in the audit trail (the code when it has a reference code's shape; of anything else
typed, only its length: it may be a name or a number typed in the wrong box), and a member of staff
who misses too often (RATELIMIT_STAFF_LOOKUPS) is stopped for a while with a page in their language
saying why. Look-ups that find their record never count.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE
from tests.support.markup import parse
from tests.support.records import audit_entries, save
from tests.support.staff import CLINICIAN, RECEPTION, login
from triage.storage.models import AuditEntry

URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
UNKNOWN = "ZZZZ-ZZZZ"
TOO_MANY = {"en": "Too many reference codes not found", "el": "Πάρα πολλοί κωδικοί αναφοράς δεν βρέθηκαν"}


def misses(app: Flask) -> list[AuditEntry]:
    return [entry for entry in audit_entries(app) if entry.action == "lookup_unknown"]


def look_up(client: FlaskClient, typed: str) -> int:
    return client.get("/staff/lookup", query_string={"reference": typed}).status_code


@pytest.fixture
def limited(make_app: Callable[..., Flask], database: Path) -> Flask:
    """An app that lets each member of staff miss three times a minute."""
    return make_app(database, RATELIMIT_STAFF_LOOKUPS="3 per minute")


# --- audited ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [UNKNOWN, "zzzz zzzz", "ZZZZZZZZ"])
def test_a_reference_that_finds_no_record_is_audited_as_a_code(
    app: Flask, client: FlaskClient, typed: str
) -> None:
    login(client, RECEPTION)
    assert look_up(client, typed) == 302
    assert [(e.username, e.target, e.detail) for e in misses(app)] == [(RECEPTION.username, UNKNOWN, None)]


def test_what_is_not_a_reference_code_is_audited_by_its_length_alone(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    typed = "Maria Pappa 694 123 4567\x07"
    assert look_up(client, typed) == 302
    (entry,) = misses(app)
    assert (entry.target, entry.detail) == (None, f"not a reference code ({len(typed)} characters)")
    assert all("Maria" not in f"{e.target} {e.detail}" for e in audit_entries(app))


def test_a_record_address_that_finds_nothing_is_audited(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    for path in (f"/staff/assessments/{UNKNOWN}", f"/staff/assessments/{UNKNOWN}/summary.pdf"):
        assert client.get(path).status_code == 404, path
    assert [e.target for e in misses(app)] == [UNKNOWN, UNKNOWN]


def test_a_staff_session_reading_fhir_audits_its_misses(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    assert client.get(f"/api/v1/fhir/assessments/{UNKNOWN}").status_code == 404
    assert [(e.username, e.target) for e in misses(app)] == [(RECEPTION.username, UNKNOWN)]


def test_a_reference_found_is_audited_as_before_and_not_as_a_miss(app: Flask, client: FlaskClient) -> None:
    reference = save(app, URGENT)
    login(client, RECEPTION)
    assert client.get("/staff/lookup", query_string={"reference": reference}).location == (
        f"/staff/assessments/{reference}"
    )
    assert misses(app) == []
    assert [e.target for e in audit_entries(app) if e.action == "lookup"] == [reference]


# --- limited per member of staff --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "el"])
def test_too_many_misses_stop_look_ups_with_a_page_saying_why(limited: Flask, lang: str) -> None:
    client = limited.test_client()
    login(client, RECEPTION)
    client.get(f"/staff/?lang={lang}")
    assert [look_up(client, f"ZZZZ-ZZZ{n}") for n in range(3)] == [302, 302, 302]
    stopped = client.get("/staff/lookup", query_string={"reference": "ZZZZ-ZZZ9"})
    assert stopped.status_code == 429
    assert "Retry-After" in stopped.headers
    page = parse(stopped.text)
    assert page.html.get("lang") == lang
    assert TOO_MANY[lang] in page.title
    assert "7KQ3-M9TX" in page.main.text  # what a code looks like
    assert len(misses(limited)) == 3, "a look-up stopped is not made"


def test_look_ups_that_find_their_record_never_count(limited: Flask) -> None:
    reference = save(limited, URGENT)
    client = limited.test_client()
    login(client, RECEPTION)
    assert {look_up(client, reference) for _ in range(6)} == {302}
    assert {client.get(f"/staff/assessments/{reference}").status_code for _ in range(6)} == {200}


def test_every_kind_of_miss_counts_in_one_count(limited: Flask) -> None:
    client = limited.test_client()
    login(client, RECEPTION)
    assert client.get(f"/staff/assessments/{UNKNOWN}").status_code == 404
    assert client.get(f"/api/v1/fhir/assessments/{UNKNOWN}").status_code == 404
    assert look_up(client, UNKNOWN) == 302
    assert look_up(client, UNKNOWN) == 429
    assert client.get(f"/staff/assessments/{UNKNOWN}").status_code == 429


def test_one_member_of_staff_stopped_leaves_the_others_looking_up(limited: Flask) -> None:
    reception = limited.test_client()
    login(reception, RECEPTION)
    for _ in range(4):
        look_up(reception, UNKNOWN)
    assert look_up(reception, UNKNOWN) == 429
    clinician = limited.test_client()  # from the same address: the desk's shared connection
    login(clinician, CLINICIAN)
    assert look_up(clinician, UNKNOWN) == 302


def test_an_empty_authorization_header_does_not_take_a_staff_session_past_the_limit(limited: Flask) -> None:
    client = limited.test_client()
    login(client, RECEPTION)
    empty = {"Authorization": ""}
    statuses = [
        client.get(f"/api/v1/fhir/assessments/{UNKNOWN}", headers=empty).status_code for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
