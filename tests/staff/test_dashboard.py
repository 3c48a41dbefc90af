"""The dashboard: its figures from a database seeded with known times (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), the weeks of the practice's time zone, and the page: clinicians and
admins only, a period to choose, charts without script and the same figures in tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.staff.test_queue import AT_LEVEL
from tests.support.database import BACKENDS
from tests.support.markup import Document, parse
from tests.support.records import save
from tests.support.staff import ADMIN, CLINICIAN, RECEPTION, login, staff_database_on
from triage.engine import Level
from triage.extensions import db
from triage.staff import dashboard as figures
from triage.storage import repository
from triage.storage.codes import Status
from triage.storage.models import CallbackRequest

ATHENS = ZoneInfo("Europe/Athens")
#: Wednesday of ISO week 2026-W11 (Monday 9 March); the last 4 weeks are W08 to W11.
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed(
    app: Flask,
    level: Level,
    created: str,
    callback_after: timedelta | None = None,
    contacted_after: timedelta | None = None,
    override: Level | None = None,
    early_exit: bool = False,
) -> str:
    """A record at this level, made at a known time (UTC), with a call-back request so long after
    it, first contacted so long after that request, perhaps overridden or an early exit."""
    made = utc(created)
    reference = save(app, AT_LEVEL[level], created_at=made)
    with app.app_context():
        found = repository.find_assessment(reference)
        assert found is not None
        found.early_exit = early_exit
        if callback_after is not None:
            asked = made + callback_after
            found.callbacks.append(
                CallbackRequest(
                    created_at=asked, name="N", phone="+306900000000", time_window="any", consent_at=asked
                )
            )
            if contacted_after is not None:
                found.status, found.contacted_at = Status.CONTACTED, asked + contacted_after
        if override is not None:
            found.override_level, found.override_reason, found.override_by = override.value, "why", "colin"
            found.override_at = made + HOUR
        db.session.commit()
    return reference


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The staff accounts' database, on each backend."""
    return staff_database_on(str(request.param), tmp_path)


@pytest.fixture
def seeded(app: Flask) -> None:
    minutes = timedelta(minutes=1)
    seed(app, Level.URGENT, "2026-03-09 08:00", 5 * minutes, HOUR)  # W11: waited 1 h
    seed(app, Level.URGENT, "2026-03-10 08:00", timedelta(0), 2 * HOUR)  # 2 h
    seed(app, Level.URGENT, "2026-03-10 12:00", timedelta(0), 3 * HOUR)  # 3 h
    seed(app, Level.URGENT, "2026-03-10 20:00", timedelta(0), 10 * HOUR)  # 10 h
    seed(app, Level.URGENT, "2026-03-11 08:00", timedelta(0))  # still waiting
    seed(app, Level.EMERGENCY, "2026-03-08 22:30", early_exit=True)  # Monday 00:30 in Athens: W11
    seed(app, Level.SOON, "2026-03-08 21:30", override=Level.INFORMATION)  # Sunday 23:30 in Athens: W10
    seed(app, Level.INFORMATION, "2026-03-03 09:00", override=Level.URGENT)  # W10
    seed(app, Level.EMERGENCY, "2026-02-16 10:00", timedelta(0), 30 * minutes, early_exit=True)  # W08
    seed(app, Level.URGENT, "2026-02-15 10:00", timedelta(0), 99 * HOUR)  # W07: before the period


def figures_at(app: Flask, now: datetime, weeks: int) -> figures.Dashboard:
    with app.app_context():
        period = figures.iso_weeks(now, ATHENS, weeks)
        rows = repository.dashboard_rows(period[0].start, period[-1].end)
        return figures.dashboard(rows, period, overdue_now=0)


def test_assessments_per_week_and_level_in_the_practice_time_zone(app: Flask, seeded: None) -> None:
    shown = figures_at(app, NOW, 4)
    assert [w.week.label for w in shown.weeks] == ["2026-W08", "2026-W09", "2026-W10", "2026-W11"]
    assert shown.weeks[0].week.start == datetime(2026, 2, 16, tzinfo=ATHENS)
    counts = {w.week.label: {lvl.value: n for lvl, n in w.by_level.items() if n} for w in shown.weeks}
    assert counts == {
        "2026-W08": {"emergency": 1},
        "2026-W09": {},
        "2026-W10": {"soon": 1, "information": 1},  # by the tool's level, not the override
        "2026-W11": {"urgent": 5, "emergency": 1},
    }
    assert [w.early_exits for w in shown.weeks] == [1, 0, 0, 1]
    assert [w.early_exit_share for w in shown.weeks] == [1.0, None, 0.0, 1 / 6]
    assert shown.assessments == 9


def test_time_from_call_back_request_to_contacted_per_level(app: Flask, seeded: None) -> None:
    times = {r.level: r for r in figures_at(app, NOW, 4).response_times}
    urgent = times[Level.URGENT]
    assert (urgent.contacted, urgent.waiting) == (4, 1)
    assert urgent.median == 2.5 * HOUR  # between 2 h and 3 h
    assert urgent.p90 == 10 * HOUR  # nearest rank: the 4th of 4
    emergency = times[Level.EMERGENCY]
    assert (emergency.contacted, emergency.median, emergency.p90) == (
        1,
        timedelta(minutes=30),
        timedelta(minutes=30),
    )
    assert all(times[level].median is None for level in (Level.AMBULANCE, Level.SOON, Level.INFORMATION))


def test_overrides_by_direction_and_by_pair(app: Flask, seeded: None) -> None:
    changes = figures_at(app, NOW, 4).overrides
    assert (changes.up, changes.down) == (1, 1)
    assert changes.pairs == ((Level.SOON, Level.INFORMATION, 1), (Level.INFORMATION, Level.URGENT, 1))


def test_a_shorter_period_counts_fewer_weeks(app: Flask, seeded: None) -> None:
    shown = figures_at(app, NOW, 1)
    assert [w.week.label for w in shown.weeks] == ["2026-W11"]
    assert shown.assessments == 6 and shown.overrides.total == 0


def test_percentiles_by_nearest_rank() -> None:
    values = [timedelta(minutes=m) for m in (5, 1, 4, 2, 3, 10, 7, 6, 9, 8)]
    assert figures.percentile(values, 90) == timedelta(minutes=9)
    assert figures.percentile(values[:1], 90) == timedelta(minutes=5)
    assert figures.median(values) == timedelta(minutes=5, seconds=30)
    assert figures.median([]) is None and figures.percentile([], 90) is None


# --- the page ------------------------------------------------------------------------------------


def table(page: Document, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, cell by cell (row headings included)."""
    found = [t for t in page.find_all("table") if t.find_all("caption") and t.one("caption").text == caption]
    assert found, f"no table {caption!r}"
    return [
        [cell.text for cell in row.find_all() if cell.tag in ("th", "td")]
        for row in found[0].one("tbody").find_all("tr")
    ]


def test_the_page_shows_this_weeks_figures_in_charts_and_tables(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    for level in (Level.URGENT, Level.URGENT, Level.SOON):
        save(app, AT_LEVEL[level], created_at=now)
    login(client, CLINICIAN)
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    page = parse(response.text)
    weeks = table(page, "Assessments per week, by level, and early exits")
    assert len(weeks) == 4
    this_week = weeks[-1]
    levels = [lvl.value for lvl in sorted(Level, reverse=True)]
    assert this_week[1 : 1 + len(levels)] == ["0", "0", "2", "1", "0"]
    assert this_week[1 + len(levels)] == "3"
    charts = page.find_all("svg", cls="chart")
    assert len(charts) == 4
    for chart in charts:
        assert chart.get("role") == "img" and chart.find_all("title") and chart.find_all("desc")
        assert not chart.find_all("script") and not [a for a in ("onload", "onclick") if chart.get(a)]
    assert (
        len(
            table(
                parse(client.get("/staff/dashboard?weeks=12").text),
                "Assessments per week, by level, and early exits",
            )
        )
        == 12
    )
    assert (
        len(
            table(
                parse(client.get("/staff/dashboard?weeks=banana").text),
                "Assessments per week, by level, and early exits",
            )
        )
        == 4
    )
    assert client.get("/staff/dashboard?lang=el").status_code == 200


def test_the_dashboard_is_for_clinicians_and_admins(client: FlaskClient) -> None:
    login(client, RECEPTION)
    assert client.get("/staff/dashboard").status_code == 403
    assert "/staff/dashboard" not in [a.get("href") for a in parse(client.get("/staff/").text).find_all("a")]
    client.post("/staff/logout")
    login(client, ADMIN)
    assert client.get("/staff/dashboard").status_code == 200


def test_the_count_of_assessments_is_worded_for_one_and_the_dates_in_each_languages_order(
    app: Flask, client: FlaskClient
) -> None:
    save(app, AT_LEVEL[Level.SOON], created_at=datetime.now(UTC))
    login(client, CLINICIAN)
    lead = parse(client.get("/staff/dashboard").text).find_all("p", cls="lead")[0].text
    assert lead.endswith(": 1 assessment.")
    # day, month, year ("9 November 2026"), not "November 9, 2026"
    british = r"From \d{1,2} [A-Z][a-z]+ \d{4} to \d{1,2} [A-Z][a-z]+ \d{4} "
    assert re.search(british, lead), lead
    greek = parse(client.get("/staff/dashboard?lang=el").text).find_all("p", cls="lead")[0].text
    assert greek.endswith(": 1 αξιολόγηση.")
    save(app, AT_LEVEL[Level.URGENT], created_at=datetime.now(UTC))
    lead = parse(client.get("/staff/dashboard?lang=en").text).find_all("p", cls="lead")[0].text
    assert lead.endswith(": 2 assessments.")
