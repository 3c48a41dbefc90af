"""Findings 15 and 16 of issue 28: what an API key may read, and wrong keys.

A key reads back only the records it saved itself, unless it was made with the read scope
(`api-keys create NAME --scope read`, for the practice's electronic record); a record it may not
read gets exactly the answer a reference with no record gets, so a key cannot tell them apart.
Wrong keys (and requests with no key or session) count against the address's limit on every API
endpoint, the FHIR export included. With the database down the FHIR export answers 503, never 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.api import bearer, issue_key
from tests.support.cases import VIGNETTE
from tests.support.database import REFUSED_POSTGRESQL, UNOPENABLE_SQLITE
from tests.support.records import audit_entries, save
from tests.support.staff import RECEPTION, logged_in_on
from triage.cli import main

API = "/api/v1/assessments"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
UNKNOWN = "ZZZZ-ZZZZ"


def fhir(reference: str) -> str:
    return f"/api/v1/fhir/assessments/{reference}"


def saved_with(client: FlaskClient, key: str) -> str:
    """An assessment saved through the API with this key; its reference."""
    body = client.post(API, json=URGENT, headers=bearer(key)).get_json()
    assert body["saved"] is True
    return str(body["reference"])


def from_address(app: Flask, address: str) -> FlaskClient:
    """A client whose requests come from this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def created_key(runner: CliRunner, *args: str) -> str:
    """A key made by `python -m triage api-keys create …` (its last line)."""
    result = runner.invoke(main, ["api-keys", "create", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def answer_without_code(response: TestResponse, reference: str) -> tuple[int, str, str]:
    """A response's status, type and body with the reference code it names taken out."""
    return response.status_code, response.mimetype, response.text.replace(reference, "<reference>")


# --- a key reads what it saved ------------------------------------------------------------------------


def test_a_key_reads_the_records_it_saved(app: Flask) -> None:
    client = app.test_client()
    key = issue_key(app, "kiosk")
    reference = saved_with(client, key)
    response = client.get(fhir(reference), headers=bearer(key))
    assert response.status_code == 200
    assert json.loads(response.text)["resourceType"] == "Bundle"


def test_a_key_cannot_read_a_record_another_key_saved_nor_tell_it_from_no_record(app: Flask) -> None:
    client = app.test_client()
    theirs, mine = issue_key(app, "website"), issue_key(app, "kiosk")
    reference = saved_with(client, theirs)
    refused = client.get(fhir(reference), headers=bearer(mine))
    unknown = client.get(fhir(UNKNOWN), headers=bearer(mine))
    assert refused.status_code == 404
    assert answer_without_code(refused, reference) == answer_without_code(unknown, UNKNOWN)
    assert "Eleni" not in refused.text and "resourceType" in refused.text


def test_a_key_cannot_read_records_saved_online_or_by_phone(app: Flask) -> None:
    client = app.test_client()
    key = issue_key(app, "kiosk")
    for channel in ("online", "phone"):
        reference = save(app, URGENT, channel=channel)
        assert client.get(fhir(reference), headers=bearer(key)).status_code == 404, channel


def test_a_read_refused_to_a_key_is_audited_with_the_key_and_the_record(app: Flask) -> None:
    client = app.test_client()
    theirs, mine = issue_key(app, "website"), issue_key(app, "kiosk")
    reference = saved_with(client, theirs)
    client.get(fhir(reference), headers=bearer(mine))
    refused = [e for e in audit_entries(app) if e.action == "read_refused"]
    assert [(e.username, e.target) for e in refused] == [("api-key", reference)]
    assert "kiosk" in (refused[0].detail or "")


def test_a_key_made_with_the_read_scope_reads_every_record(app: Flask, runner: CliRunner) -> None:
    client = app.test_client()
    others = [saved_with(client, issue_key(app, "website")), save(app, URGENT), save(app, URGENT, "phone")]
    ehr = created_key(runner, "practice-ehr", "--scope", "read")
    for reference in others:
        assert client.get(fhir(reference), headers=bearer(ehr)).status_code == 200, reference
    assert client.get(fhir(UNKNOWN), headers=bearer(ehr)).status_code == 404
    assert saved_with(client, ehr)  # it saves too


def test_keys_are_made_with_the_narrow_scope_unless_told(app: Flask, runner: CliRunner) -> None:
    client = app.test_client()
    online = save(app, URGENT)
    plain = created_key(runner, "kiosk")
    assert client.get(fhir(online), headers=bearer(plain)).status_code == 404
    result = runner.invoke(main, ["api-keys", "create", "odd", "--scope", "everything"])
    assert result.exit_code == 2
    assert "everything" in result.stderr


def test_listing_keys_shows_each_keys_scope(app: Flask, runner: CliRunner) -> None:
    created_key(runner, "kiosk")
    created_key(runner, "practice-ehr", "--scope", "read")
    listing = runner.invoke(main, ["api-keys", "list"])
    assert listing.exit_code == 0
    lines = dict(line.split("\t", 1) for line in listing.stdout.strip().splitlines())
    assert "scope save" in lines["kiosk"] and "scope read" not in lines["kiosk"]
    assert "scope read" in lines["practice-ehr"]
    assert lines["kiosk"].endswith("active")


# --- wrong keys count against the address -------------------------------------------------------------


def test_wrong_keys_on_the_fhir_export_are_stopped_per_address(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="5 per minute")
    reference = save(app, URGENT)
    guesser = from_address(app, "198.51.100.20")
    statuses = [guesser.get(fhir(reference), headers=bearer(f"st_guess-{n}")).status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    blocked = guesser.get(fhir(reference), headers={**bearer("st_guess-7"), "Accept-Language": "el"})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert from_address(app, "198.51.100.21").get(fhir(reference), headers=bearer("st_x")).status_code == 401


def test_requests_with_no_key_or_session_count_too(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="3 per minute")
    client = from_address(app, "198.51.100.30")
    assert [client.get(fhir(UNKNOWN)).status_code for _ in range(4)] == [401, 401, 401, 429]


def test_a_good_key_is_not_held_back_by_its_own_reads(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="3 per minute")
    client = from_address(app, "198.51.100.40")
    key = issue_key(app, "kiosk")
    reference = saved_with(client, key)
    assert {client.get(fhir(reference), headers=bearer(key)).status_code for _ in range(6)} == {200}


def test_a_keys_fhir_reads_count_against_the_key(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, RATELIMIT_API_KEY="3 per minute")
    key = issue_key(app, "kiosk")
    reference = saved_with(from_address(app, "198.51.100.41"), key)
    reads = [
        from_address(app, f"198.51.100.{42 + n}").get(fhir(reference), headers=bearer(key)) for n in range(4)
    ]
    assert [r.status_code for r in reads] == [200, 200, 200, 429]  # whatever address each comes from
    assert reads[3].headers["X-RateLimit-Limit"] == "3" and "Retry-After" in reads[3].headers


def test_wrong_keys_on_the_assessments_endpoint_are_stopped_per_address(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="5 per minute")
    guesser = from_address(app, "198.51.100.50")
    statuses = [guesser.post(API, json=URGENT, headers=bearer(f"st_guess-{n}")).status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]


# --- the database down -----------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite-cannot-open", "postgresql-refused"])
def down(request: pytest.FixtureRequest, make_app: Callable[..., Flask]) -> Flask:
    """An app like the test app (same secret key, so the same sessions) whose database is gone."""
    return make_app(UNOPENABLE_SQLITE if request.param == "sqlite-cannot-open" else REFUSED_POSTGRESQL)


def test_with_the_database_down_a_staff_session_gets_503_not_401(app: Flask, down: Flask) -> None:
    reference = save(app, URGENT)
    response = logged_in_on(down, app, RECEPTION).get(fhir(reference))
    assert response.status_code == 503
    assert json.loads(response.text)["issue"][0]["code"] == "transient"


def test_with_the_database_down_a_key_gets_503_not_401(app: Flask, down: Flask) -> None:
    key = issue_key(app, "kiosk")
    response = down.test_client().get(fhir(UNKNOWN), headers=bearer(key))
    assert response.status_code == 503
    assert json.loads(response.text)["issue"][0]["code"] == "transient"
