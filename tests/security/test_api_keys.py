"""Finding 1: nobody can flood the staff queue. Without an API key the API assesses but saves
nothing; with one it saves, recording the key's name; keys are kept only as hashes and made,
listed and revoked on the command line. Every saving endpoint is throttled per address (the API
also per key) with a 429 that says why, in the page's language; the queue lists by default what
staff can act on, and every record stays searchable."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.api import bearer, issue_key, send_api_key
from tests.support.cases import VIGNETTE
from tests.support.journeys import prime, take_call
from tests.support.markup import parse
from tests.support.records import assessments, count, record, save
from tests.support.staff import CLINICIAN, RECEPTION, login
from triage.cli import main
from triage.extensions import db
from triage.storage.models import ApiKey, Assessment

API = "/api/v1/assessments"
URGENT = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
CALLBACK = {"name": "Eleni Ioannou", "phone": "694 123 4567", "time_window": "morning", "consent": "y"}


# --- saving only with a key -----------------------------------------------------------------------


def test_without_a_key_the_api_assesses_but_saves_nothing(backend_app: Flask) -> None:
    response = backend_app.test_client().post(API, json=URGENT)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["level"], body["saved"], body["reference"]) == ("urgent", False, None)
    assert count(backend_app, Assessment) == 0


def test_with_a_key_the_api_saves_and_records_the_keys_name(backend_app: Flask) -> None:
    client = backend_app.test_client()
    send_api_key(backend_app, client, "practice-website")
    body = client.post(API, json=URGENT).get_json()
    assert body["saved"] is True
    saved = record(backend_app, body["reference"])
    assert (saved.channel, saved.api_key, saved.level) == ("api", "practice-website", "urgent")


@pytest.mark.parametrize("header", ["Bearer st_not-a-key-anyone-was-given", "Basic dXNlcjpwYXNz", "Bearer "])
def test_an_unknown_or_malformed_key_is_refused_with_401_and_nothing_is_saved(
    backend_app: Flask, header: str
) -> None:
    response = backend_app.test_client().post(API, json=URGENT, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "authorization" in response.get_json()["errors"]
    assert count(backend_app, Assessment) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"age": "old"}', "application/json"), ("{not json", "application/json"), ("age=old", "text/plain")],
    ids=["answers-not-valid", "not-json", "not-sent-as-json"],
)
def test_a_key_that_is_not_valid_is_refused_before_the_body_is_read(
    backend_app: Flask, body: str, content_type: str
) -> None:
    headers = {"Content-Type": content_type, **bearer("st_not-a-key-anyone-was-given")}
    response = backend_app.test_client().post(API, data=body, headers=headers)
    assert response.status_code == 401
    assert "authorization" in response.get_json()["errors"]
    assert count(backend_app, Assessment) == 0


def test_with_a_valid_key_answers_that_are_not_valid_get_422_and_nothing_is_saved(backend_app: Flask) -> None:
    client = backend_app.test_client()
    send_api_key(backend_app, client, "kiosk")
    response = client.post(API, json={"age": "old"})
    assert response.status_code == 422
    assert "age" in response.get_json()["errors"]
    assert count(backend_app, Assessment) == 0


def test_a_revoked_key_saves_nothing_more(app: Flask, runner: CliRunner) -> None:
    client = app.test_client()
    key = issue_key(app, "old-kiosk")
    assert client.post(API, json=URGENT, headers=bearer(key)).get_json()["saved"] is True
    assert runner.invoke(main, ["api-keys", "revoke", "old-kiosk"]).exit_code == 0
    assert client.post(API, json=URGENT, headers=bearer(key)).status_code == 401
    assert count(app, Assessment) == 1


def test_keys_are_kept_only_as_hashes(app: Flask) -> None:
    key = issue_key(app, "kiosk")
    with app.app_context():
        rows = [dict(row._mapping) for row in db.session.execute(db.select(ApiKey.__table__))]
    assert len(rows) == 1
    assert key not in str(rows)
    assert len(rows[0]["key_hash"]) == 64


# --- the api-keys command -------------------------------------------------------------------------


def test_api_keys_create_prints_the_new_key_as_its_last_line(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(main, ["api-keys", "create", "reception-tablet"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("st_") and len(key) > 40
    body = app.test_client().post(API, json=URGENT, headers=bearer(key)).get_json()
    assert body["saved"] is True
    assert record(app, body["reference"]).api_key == "reception-tablet"


def test_api_keys_list_names_each_key_and_whether_it_is_revoked_never_the_key(
    app: Flask, runner: CliRunner
) -> None:
    kept, revoked = issue_key(app, "kept"), issue_key(app, "gone")
    runner.invoke(main, ["api-keys", "revoke", "gone"])
    result = runner.invoke(main, ["api-keys", "list"])
    assert result.exit_code == 0
    lines = dict(line.split("\t", 1) for line in result.stdout.strip().splitlines())
    assert lines["kept"].endswith("active")
    assert "revoked" in lines["gone"]
    assert kept not in result.stdout and revoked not in result.stdout


def test_a_key_name_is_used_once_and_revoking_an_unknown_key_fails(app: Flask, runner: CliRunner) -> None:
    issue_key(app, "kiosk")
    again = runner.invoke(main, ["api-keys", "create", "kiosk"])
    assert again.exit_code == 1
    assert "exists" in again.stderr
    assert runner.invoke(main, ["api-keys", "revoke", "nobody"]).exit_code == 1


# --- rate limits ----------------------------------------------------------------------------------


def from_address(client: FlaskClient, address: str) -> FlaskClient:
    """The client's requests come from this address from now on."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_flood_of_api_posts_from_one_address_is_stopped_with_429(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="5 per minute")
    client = app.test_client()
    statuses = [client.post(API, json=URGENT).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    blocked = client.post(API, json=URGENT, headers={"Accept-Language": "el"})
    assert blocked.status_code == 429
    assert "Περιμένετε" in blocked.get_json()["errors"]["request"]
    assert "Retry-After" in blocked.headers
    other = from_address(app.test_client(), "198.51.100.7")
    assert other.post(API, json=URGENT).status_code == 200


def test_one_key_is_throttled_whatever_address_it_comes_from(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_KEY="3 per minute")
    key = issue_key(app)
    statuses = [
        from_address(app.test_client(), f"198.51.100.{n}")
        .post(API, json=URGENT, headers=bearer(key))
        .status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert count(app, Assessment) == 3
    assert issue_key(app, "another") and app.test_client().post(API, json=URGENT).status_code == 200


def test_api_answers_say_how_many_requests_are_left_in_the_shortest_window(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="4 per minute; 50 per day")
    client = app.test_client()
    answers = [client.post(API, json=URGENT) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 4 + [429]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"4"}  # the minute's, not the day's
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["3", "2", "1", "0", "0"]
    resets = {int(a.headers["X-RateLimit-Reset"]) for a in answers}
    # When the minute's count ends, in whole seconds rounded up.
    assert len(resets) == 1 and 0 < resets.pop() - time.time() <= 61
    assert 1 <= int(answers[4].headers["Retry-After"]) <= 61


def test_the_day_limit_counts_too_and_nothing_is_counted_while_limits_are_off(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_API_ADDRESS="100 per minute; 2 per day")
    client = app.test_client()
    assert [client.post(API, json=URGENT).status_code for _ in range(3)] == [200, 200, 429]
    off = make_app(database, RATELIMIT_API_ADDRESS="100 per minute; 2 per day", RATELIMIT_ENABLED=False)
    responses = [from_address(off.test_client(), "198.51.100.9").post(API, json=URGENT) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in responses[0].headers


def test_confirming_answers_is_throttled_per_address_with_a_page_in_the_persons_language(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_PATIENT_FORMS="2 per minute")
    statuses = []
    for _ in range(3):
        client = app.test_client()
        prime(client, URGENT)
        statuses.append(client.post("/check-answers?lang=el").status_code)
    assert statuses == [302, 302, 429]
    page = parse(client.post("/check-answers?lang=el").text)
    assert page.html.get("lang") == "el"
    assert "Πάρα πολλές προσπάθειες" in page.title
    assert len(assessments(app)) == 2


def test_call_back_requests_share_the_forms_limit(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, RATELIMIT_PATIENT_FORMS="2 per minute")
    client = app.test_client()
    prime(client, URGENT)
    assert client.post("/check-answers").status_code == 302
    assert client.post("/call-back", data=CALLBACK).status_code == 302
    prime(client, URGENT)
    assert client.post("/call-back", data=CALLBACK).status_code == 429


def test_question_pages_are_throttled_per_address(make_app: Callable[..., Flask], database: Path) -> None:
    app = make_app(database, RATELIMIT_PATIENT_PAGES="3 per minute")
    client = app.test_client()
    statuses = [client.post("/questions/emergency-screen", data={}).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:3]
    assert client.get("/questions/emergency-screen").status_code == 200  # reading is never throttled


# --- the queue: what staff can act on ---------------------------------------------------------------


def queue_references(client: FlaskClient, query: str = "") -> list[str]:
    page = parse(client.get("/staff/" + query).text)
    return [row.find_all("a")[0].text for body in page.find_all("tbody") for row in body.find_all("tr")]


def test_the_queue_lists_call_back_requests_and_phone_calls_by_default(
    app: Flask, client: FlaskClient
) -> None:
    login(client, RECEPTION)
    online_alone = save(app, URGENT)
    api_alone = save(app, URGENT, channel="api")
    wants_a_call = save(app, URGENT)
    with app.app_context():
        from triage.storage import repository

        repository.save_callback(wants_a_call, "Eleni Ioannou", "+306941234567", "morning")
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"], "Maria Callerou", "6941234567")
    assert sorted(queue_references(client)) == sorted([wants_a_call, call.reference])
    every = queue_references(client, "?show=all")
    assert sorted(every) == sorted([online_alone, api_alone, wants_a_call, call.reference])
    found = client.get("/staff/lookup", query_string={"reference": online_alone})
    assert found.location == f"/staff/assessments/{online_alone}"  # every record stays searchable
    assert client.get(found.location).status_code == 200


def test_phone_calls_and_status_changes_are_throttled_per_member_of_staff(
    make_app: Callable[..., Flask], database: Path
) -> None:
    app = make_app(database, RATELIMIT_STAFF_SAVES="3 per minute")
    reference = save(app, URGENT)
    client = app.test_client()
    login(client, RECEPTION)
    statuses = [
        client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 302]
    assert client.post("/staff/phone", data={}).status_code == 429
    other = from_address(app.test_client(), "203.0.113.5")
    login(other, CLINICIAN)
    assert other.post(f"/staff/assessments/{reference}/status", data={"status": "closed"}).status_code == 302
