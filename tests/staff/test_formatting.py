"""Times in the practice's time zone and phone numbers grouped for reading, on every staff page and in
the export; what is stored stays UTC and E.164."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.staff.test_queue import AT_LEVEL
from tests.support.cases import VIGNETTE
from tests.support.journeys import prime, take_call
from tests.support.markup import parse
from tests.support.records import callbacks, record, save
from tests.support.staff import ADMIN, RECEPTION, login
from triage.config import SettingInvalid
from triage.engine import Level
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import TimeWindow
from triage.storage.models import AuditEntry
from triage.web.phones import with_readable_numbers

#: 07:38 UTC on 1 December is 09:38 in Athens (EET, UTC+2); on 1 July 10:38 (EEST, UTC+3).
WINTER = datetime(2026, 12, 1, 7, 38, 27, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 7, 38, 27, tzinfo=UTC)
TYPED_PHONE, STORED_PHONE, READ_PHONE = "691 234 5678", "+306912345678", "+30 691 234 5678"


@pytest.fixture
def reference(app: Flask) -> str:
    """A record saved at WINTER with a call-back request."""
    found = save(app, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"], created_at=WINTER)
    with app.app_context():
        repository.save_callback(found, "Eleni Test", STORED_PHONE, TimeWindow.TODAY)
    return found


def test_the_record_shows_times_in_the_practice_zone_and_the_number_grouped(
    client: FlaskClient, reference: str
) -> None:
    login(client, RECEPTION)
    page = parse(client.get(f"/staff/assessments/{reference}").text)
    assert "1 Dec 2026, 09:38 EET" in page.main.text
    assert READ_PHONE in page.main.text
    assert f"tel:{STORED_PHONE}" in [a.get("href") for a in page.main.find_all("a")]


def test_greek_pages_word_the_month_in_greek(client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    page = parse(client.get(f"/staff/assessments/{reference}?lang=el").text)
    assert "1 Δεκ 2026, 09:38 EET" in page.main.text


def test_summer_time_is_named_as_such(app: Flask, client: FlaskClient) -> None:
    summer = save(app, VIGNETTE["osteoporosis-no-pain"]["answers"], created_at=SUMMER)
    login(client, RECEPTION)
    assert "1 Jul 2026, 10:38 EEST" in parse(client.get(f"/staff/assessments/{summer}").text).main.text


def test_another_practice_zone_is_followed(make_app: Callable[..., Flask], staff_database: Path) -> None:
    app = make_app(staff_database, PRACTICE_TIMEZONE="Europe/London")
    found = save(app, VIGNETTE["osteoporosis-no-pain"]["answers"], created_at=WINTER)
    client = app.test_client()
    login(client, RECEPTION)
    assert "1 Dec 2026, 07:38 GMT" in parse(client.get(f"/staff/assessments/{found}").text).main.text


def test_the_queue_groups_the_number_and_localises_the_time(client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    row = parse(client.get("/staff/").text).one("tbody").find_all("tr")[0]
    assert reference in row.text
    assert READ_PHONE in row.text
    assert "1 Dec 2026, 09:38 EET" in row.text


def test_the_audit_trail_shows_its_times_in_the_practice_zone(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        repository.audit("someone", "view", target="ABCD-EFGH")
        entry = db.session.query(AuditEntry).filter_by(username="someone").one()
        entry.at = WINTER
        db.session.commit()
    login(client, ADMIN)
    rows = parse(client.get("/staff/audit").text).one("tbody").find_all("tr")
    mine = [row.text for row in rows if "someone" in row.text]
    assert mine and "1 Dec 2026, 09:38 EET" in mine[0]


def test_the_export_gives_times_in_the_practice_zone_with_the_offset(
    client: FlaskClient, reference: str
) -> None:
    login(client, ADMIN)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv?show=all").text)))
    exported = {row["reference"]: row for row in rows}[reference]
    assert exported["created_at"] == "2026-12-01T09:38:27+02:00"
    assert datetime.fromisoformat(exported["created_at"]) == WINTER


def test_what_is_stored_is_not_formatted(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    client.get(f"/staff/assessments/{reference}")
    assert [row["phone"] for row in callbacks(app)] == [STORED_PHONE]
    saved = record(app, reference).created_at
    assert (saved if saved.tzinfo else saved.replace(tzinfo=UTC)) == WINTER


def test_a_caller_number_typed_nationally_is_shown_grouped(client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"], "Maria Callerou", TYPED_PHONE)
    page = parse(client.get(f"/staff/assessments/{call.reference}").text)
    assert READ_PHONE in page.main.text


def test_the_practice_number_is_grouped_one_way_wherever_it_is_shown(
    make_app: Callable[..., Flask], staff_database: Path
) -> None:
    """Typed into the settings without spaces, the practice's number is shown as every number is
    (readable_number): on patient pages, in rule texts, on the surgeon's summary and in the API."""
    app = make_app(staff_database, PRACTICE_PHONE="2105550199")
    client = app.test_client()
    urgent = AT_LEVEL[Level.URGENT]
    prime(client, urgent, submitted=True)
    result = parse(client.get("/result").text)
    action = client.post("/api/v1/assessments", json=urgent).get_json()["action"]
    reference = save(app, urgent)
    login(client, RECEPTION)
    summary = parse(client.get(f"/staff/assessments/{reference}").text).one(cls="surgeon-summary")
    shown = {
        "footer": result.one("footer").text,
        "result's action": result.one("p", cls="action").text,
        "API's action": action,
        "surgeon's summary": summary.text,
    }
    for where, text in shown.items():
        assert "+30 21 0555 0199" in text, where
        assert "2105550199" not in text, where
    assert {a.get("href") for a in result.find_all("a", cls="tel")} >= {"tel:+302105550199"}


@pytest.mark.parametrize(
    "typed", ["2105550199", "210 555 0199", "+30 210 555 0199", "+302105550199", "0030 210 555 0199"]
)
def test_a_practice_number_however_typed_is_grouped_one_way(typed: str) -> None:
    details = {"practice_phone": typed, "emergency_number": "112", "practice_name": "Clinic 2105550199"}
    assert with_readable_numbers(details) == {**details, "practice_phone": "+30 21 0555 0199"}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "EET+2"])
def test_a_zone_that_is_not_one_stops_start_up_naming_the_setting(
    make_app: Callable[..., Flask], staff_database: Path, zone: str
) -> None:
    with pytest.raises(SettingInvalid, match="PRACTICE_TIMEZONE"):
        make_app(staff_database, PRACTICE_TIMEZONE=zone)
