"""A call back promised "within N working days" (levels.yaml `callback`, spec v3 §3a) is what the queue
counts down to: by closing time of the Nth working day after the request, never later than the
level's own target. The record page, the queue, the header and the dashboard agree, on SQLite and
PostgreSQL (when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.staff.test_queue import AT_LEVEL
from tests.staff.test_targets import header_overdue, queue_page, rows
from tests.support.database import BACKENDS
from tests.support.markup import parse
from tests.support.records import save
from tests.support.staff import CLINICIAN, login, staff_database_on
from triage.engine import Level
from triage.extensions import db
from triage.staff import targets
from triage.storage import repository
from triage.storage.models import CallbackRequest
from triage.web.formatting import local_time
from triage.web.opening import OpeningTimes

ATHENS = ZoneInfo("Europe/Athens")
WEEKDAYS = OpeningTimes.parse("Mon-Fri 09:00-17:00", ATHENS)
#: What the soon level promises once the person asks for a call back (rules/levels.yaml).
SOON_DAYS = 2


def athens(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ATHENS)


# --- when the promise falls due ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        ("2026-03-09 16:00", "2026-03-11 17:00"),  # Monday afternoon: Wednesday at closing time
        ("2026-03-13 18:00", "2026-03-17 17:00"),  # Friday evening: from Monday's opening, so Tuesday
        ("2026-03-14 11:00", "2026-03-17 17:00"),  # a Saturday: the same
        ("2026-03-09 08:00", "2026-03-10 17:00"),  # before Monday's opening: Monday is the first day
        ("2026-03-09 09:00", "2026-03-11 17:00"),  # at opening the practice is open: from Tuesday
        ("2026-03-09 17:00", "2026-03-11 17:00"),  # at closing it is closed: from Tuesday
        ("2026-03-27 16:00", "2026-03-31 17:00"),  # over the Sunday the clocks change: 17:00 summer time
    ],
)
def test_a_call_back_within_2_working_days_is_due_by_closing_time(asked: str, due: str) -> None:
    assert WEEKDAYS.due_in_working_days(athens(asked), SOON_DAYS) == athens(due)
    sqlite = athens(asked).astimezone(UTC).replace(tzinfo=None)  # SQLite keeps no zone: UTC
    assert WEEKDAYS.due_in_working_days(sqlite, SOON_DAYS) == athens(due)


def test_a_saturday_morning_is_a_working_day() -> None:
    hours = OpeningTimes.parse("Mon-Fri 08:30-16:30; Sat 09:00-13:00", ATHENS)
    assert hours.due_in_working_days(athens("2026-03-13 18:00"), 2) == athens("2026-03-16 16:30")
    assert hours.due_in_working_days(athens("2026-03-13 18:00"), 1) == athens("2026-03-14 13:00")


@pytest.mark.parametrize(
    "now",
    ["2026-03-11 14:55", "2026-03-11 17:00", "2026-03-16 08:00", "2026-03-15 12:00", "2026-03-31 09:00"],
)
@pytest.mark.parametrize("days", [1, 2, 5])
def test_the_queues_cut_off_for_requests_agrees_with_their_due_times(now: str, days: int) -> None:
    """A request made before the cut-off is past its due time now (as the queue's time left below
    zero), and only such a request."""
    moment = athens(now)
    cut_off = WEEKDAYS.asked_overdue_before(moment, days)
    for minutes in range(-14 * 24 * 60, 60, 13):
        asked = moment + timedelta(minutes=minutes)
        assert (WEEKDAYS.due_in_working_days(asked, days) < moment) == (asked < cut_off), asked
    for opening in (athens("2026-03-09 09:00"), athens("2026-03-10 09:00")):  # exactly at an opening
        assert (WEEKDAYS.due_in_working_days(opening, days) < moment) == (opening < cut_off)


# --- the queue, the header, the dashboard and the record agree --------------------------------------


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The staff accounts' database, on each backend (the default opening times: Mon-Fri 09:00-17:00)."""
    return staff_database_on(str(request.param), tmp_path)


def seed(
    app: Flask, level: Level, made: datetime, asked: datetime | None, override: Level | None = None
) -> str:
    """A record at this level (the tool's), made then; with a call-back request made `asked`, or by
    phone without one; perhaps set to another level by a clinician. Times are stored in UTC, as the
    app stores them."""
    made, asked = made.astimezone(UTC), asked.astimezone(UTC) if asked else None
    reference = save(app, AT_LEVEL[level], channel="online" if asked else "phone", created_at=made)
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None
        if asked is not None:
            found.callbacks.append(
                CallbackRequest(
                    created_at=asked, name="N", phone="+306900000000", time_window="any", consent_at=asked
                )
            )
        db.session.commit()
        if override is not None:
            repository.set_override(reference, override, "why", "colin")
    return reference


def last_weeks(day: int, hour: int) -> datetime:
    """A day of last week (0: Monday) at an hour, in Athens: 1 to 13 days ago, whatever today is."""
    today = datetime.now(ATHENS).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return datetime.combine(monday + timedelta(days=day), datetime.min.time(), ATHENS).replace(hour=hour)


def due_text(app: Flask, moment: datetime) -> str:
    with app.test_request_context():
        return f"due {local_time(moment, 'en')}"


def test_a_soon_call_back_counts_down_to_2_working_days_everywhere(app: Flask, client: FlaskClient) -> None:
    """A clinician's override counts down to the promise of the level acted on, if it makes one."""
    now = datetime.now(UTC)
    monday_16 = last_weeks(0, 16)  # 7 to 13 days ago: within the 14 days of the soon level's target
    late_call = now - timedelta(days=13.5)
    made = {
        "asked last Monday 16:00": seed(app, Level.SOON, monday_16, monday_16),
        "by phone 13 and a half days ago": seed(app, Level.SOON, late_call, None),
        "asked just now": seed(app, Level.SOON, now, now),
        "information, asked last Monday, set to soon": seed(
            app, Level.INFORMATION, monday_16, monday_16, override=Level.SOON
        ),
        "soon, asked last Monday, set to information": seed(
            app, Level.SOON, monday_16, monday_16, override=Level.INFORMATION
        ),
    }
    login(client, CLINICIAN)
    shown = rows(queue_page(client))
    left = {name: shown[reference]["Time left"] for name, reference in made.items()}
    overdue = {name for name, text in left.items() if text.startswith("Overdue by")}
    assert overdue == {"asked last Monday 16:00", "information, asked last Monday, set to soon"}
    due = {
        "asked last Monday 16:00": last_weeks(2, 17),  # Wednesday at closing time
        "information, asked last Monday, set to soon": last_weeks(2, 17),
        "asked just now": WEEKDAYS.due_in_working_days(now, SOON_DAYS),
        "by phone 13 and a half days ago": late_call + timedelta(days=14),  # no request: 14 days
        "soon, asked last Monday, set to information": monday_16 + timedelta(days=28),
    }
    assert due["asked just now"] - now < timedelta(days=5)
    for name, when in due.items():
        assert due_text(app, when) in left[name], name

    soon = [reference for reference, cells in shown.items() if cells["Level"].startswith("Soon")]
    assert soon == [
        made["asked last Monday 16:00"],  # overdue first within the level, then oldest first
        made["information, asked last Monday, set to soon"],
        made["by phone 13 and a half days ago"],
        made["asked just now"],
    ]
    assert header_overdue(queue_page(client)) == "2 overdue"
    dashboard = parse(client.get("/staff/dashboard").text)
    assert dashboard.one(cls="figure-now__number").text == "2"
    assert header_overdue(dashboard) == "2 overdue"
    for name, reference in made.items():
        on_record = parse(client.get(f"/staff/assessments/{reference}").text).one(id="time-left").text
        assert on_record.startswith("Overdue by") == (name in overdue), name
        assert due_text(app, due[name]) in on_record, name


def test_the_promise_is_never_later_than_the_levels_target(app: Flask) -> None:
    """A request made late (the answers kept for a while) still falls due by the level's 14 days."""
    made = datetime.now(UTC) - timedelta(days=13)
    reference = seed(app, Level.SOON, made, datetime.now(UTC))
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None
        assert targets.due(found) == made + timedelta(days=14)
