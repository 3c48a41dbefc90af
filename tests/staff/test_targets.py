"""The queue built for triage: time left against each level's target, overdue first within a level,
the positive answers in words, the overdue count in the header, a clinician's override of the level
(audited, not for reception), and the news the queue's script asks for."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.staff.test_queue import AT_LEVEL
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import RULES, early_level, screen_answers
from tests.support.markup import Document, error_summary, parse
from tests.support.records import audit_entries, record, save
from tests.support.staff import ADMIN, CLINICIAN, RECEPTION, Staff, login
from triage.config import SettingInvalid
from triage.engine import Level
from triage.extensions import db
from triage.storage import repository
from triage.storage.codes import Action, Channel, Status
from triage.web.opening import OpeningTimes


@pytest.fixture
def app(make_app: Callable[..., Flask], database: Path) -> Flask:
    """Open round the clock, so "today" ends at midnight whatever the day and hour these tests run
    (the practice's closing time: the tests at the end)."""
    return make_app(database, PRACTICE_OPENING_TIMES="Mon-Sun 00:00-24:00")


def rows(page: Document) -> dict[str, dict[str, str]]:
    """Each row of the queue by reference, top to bottom: its cells by column heading."""
    headings = [th.text for th in page.one("thead").find_all("th")]
    found = {}
    for row in page.one("tbody").find_all("tr"):
        cells = [td.text for td in row.find_all("td")]
        found[row.find_all("a")[0].text] = dict(zip(headings, cells, strict=True))
    return found


def queue_page(client: FlaskClient, query: str = "") -> Document:
    response = client.get("/staff/" + query)
    assert response.status_code == 200
    return parse(response.text)


def header_overdue(page: Document) -> str:
    found = page.find_all(cls="overdue-count")
    return found[0].text if found else ""


@pytest.fixture
def calls(app: Flask) -> dict[str, str]:
    """Phone calls (records staff act on) at known ages: name -> reference. "urgent, yesterday, done"
    was contacted; the rest are new."""
    now = datetime.now(UTC)
    made = {
        "urgent, 2 days ago, done": (Level.URGENT, now - timedelta(days=2)),
        "urgent, yesterday": (Level.URGENT, now - timedelta(days=1)),
        "urgent, just now": (Level.URGENT, now),
        "emergency, 20 minutes ago": (Level.EMERGENCY, now - timedelta(minutes=20)),
        "emergency, 5 minutes ago": (Level.EMERGENCY, now - timedelta(minutes=5)),
        "soon, 20 days ago": (Level.SOON, now - timedelta(days=20)),
        "information, 20 days ago": (Level.INFORMATION, now - timedelta(days=20)),
    }
    saved = {
        name: save(app, AT_LEVEL[level], channel="phone", created_at=when)
        for name, (level, when) in made.items()
    }
    with app.app_context():
        repository.set_status(saved["urgent, 2 days ago, done"], Status.CONTACTED, "", "rita")
    return saved


def test_overdue_records_come_first_within_their_level_with_the_time_left(
    client: FlaskClient, calls: dict[str, str]
) -> None:
    login(client, RECEPTION)
    shown = rows(queue_page(client))
    order = [
        "emergency, 20 minutes ago",  # 15 minutes: overdue
        "emergency, 5 minutes ago",
        "urgent, yesterday",  # by the end of the day it came: overdue
        "urgent, 2 days ago, done",  # older, but contacted: no longer counts down
        "urgent, just now",
        "soon, 20 days ago",  # 14 days: overdue
        "information, 20 days ago",  # 28 days: not yet
    ]
    assert list(shown) == [calls[name] for name in order]
    left = {name: shown[calls[name]]["Time left"] for name in order}
    overdue = {name for name, text in left.items() if text.startswith("Overdue by")}
    assert overdue == {"emergency, 20 minutes ago", "urgent, yesterday", "soon, 20 days ago"}
    assert left["emergency, 5 minutes ago"].startswith("10 minutes left")
    assert left["information, 20 days ago"].startswith("8 days left")
    assert left["urgent, 2 days ago, done"] == "—"
    assert left["soon, 20 days ago"].startswith("Overdue by 6 days")


def test_the_header_counts_the_overdue_records_on_every_staff_page(
    client: FlaskClient, calls: dict[str, str]
) -> None:
    login(client, RECEPTION)
    assert header_overdue(queue_page(client)) == "3 overdue"
    assert header_overdue(parse(client.get("/staff/phone").text)) == "3 overdue"
    client.post(f"/staff/assessments/{calls['soon, 20 days ago']}/status", data={"status": "closed"})
    assert header_overdue(queue_page(client)) == "2 overdue"


def test_a_record_nobody_can_call_back_says_so_and_every_page_counts_the_same_overdue(
    app: Flask, client: FlaskClient
) -> None:
    """An online early exit without a call-back request has no contact details: "Every record" says
    so plainly instead of "Overdue", and the queue, the header and the dashboard agree on the count."""
    twenty_minutes_ago = datetime.now(UTC) - timedelta(minutes=20)
    emergency = next(
        case["answers"]
        for case in VIGNETTES
        if early_level(case["answers"]) is RULES.assess(case["answers"]).level is Level.EMERGENCY
    )
    with app.app_context():
        early_advice = RULES.assess_partial(screen_answers(emergency))
        early = repository.save_assessment(early_advice, Channel.ONLINE, "en")
        found = repository.find_assessment(early)
        assert found is not None and found.early_exit
        found.created_at = twenty_minutes_ago
        db.session.commit()
    call = save(app, emergency, channel="phone", created_at=twenty_minutes_ago)
    login(client, CLINICIAN)
    every = rows(queue_page(client, "?show=all"))
    assert set(every) == {early, call}
    assert every[early]["Time left"] == "No contact details"
    overdue = [reference for reference, cells in every.items() if cells["Time left"].startswith("Overdue by")]
    assert overdue == [call]
    dashboard = parse(client.get("/staff/dashboard").text)
    assert dashboard.one(cls="figure-now__number").text == "1"
    assert header_overdue(dashboard) == header_overdue(queue_page(client, "?show=all")) == "1 overdue"


def test_the_queue_shows_age_language_channel_and_the_positive_answers_in_words(
    app: Flask, client: FlaskClient
) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    reference = save(app, answers, channel="phone")
    contract = RULES.contract
    login(client, RECEPTION)
    for lang in ("en", "el"):
        row = queue_page(client, f"?lang={lang}").one("tbody").find_all("tr")[0]
        told = [li.text for li in row.one("ul", cls="positives").find_all("li")]
        features, cancer, kind = contract["pain_features"], contract["cancer"], contract["cancer_type"]
        assert told == [
            f"{features.label.get(lang)}: "
            + ", ".join(features.options[value].get(lang) for value in answers["pain_features"]),
            f"{cancer.label.get(lang)}: {cancer.options[answers['cancer']].get(lang)}",
            f"{kind.label.get(lang)}: {kind.options[answers['cancer_type']].get(lang)}",
        ], "only the positive answers, in the contract's words and order, in the staff member's language"
    row = rows(queue_page(client, "?lang=en"))[reference]
    assert row["Age"] == str(answers["age"])
    assert (row["Language"], row["Channel"]) == ("English", "Phone")


def test_the_refresh_link_keeps_the_filters_and_the_script_is_a_file(client: FlaskClient) -> None:
    login(client, RECEPTION)
    page = queue_page(client, "?level=urgent&show=all")
    news = page.one(cls="queue-news")
    refresh = news.one("a", cls="queue-news__refresh").get("href") or ""
    assert "level=urgent" in refresh and "show=all" in refresh
    assert "level=urgent" in (news.get("data-news-url") or "")
    scripts = page.find_all("script")
    assert scripts and all(s.get("src") for s in scripts), "no inline script (Content-Security-Policy)"
    assert "/static/js/queue.js" in [str(s.get("src")).split("?")[0] for s in scripts]
    assert not page.find_all("meta", **{"http-equiv": "refresh"})


def test_the_news_gives_a_count_and_a_time_only_and_keeps_no_session_going(
    app: Flask, client: FlaskClient, calls: dict[str, str]
) -> None:
    login(client, RECEPTION)
    since = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    response = client.get("/staff/queue/news", query_string={"after": since})
    assert response.status_code == 200
    news = response.get_json()
    assert set(news) == {"count", "newest"}
    assert news["count"] == 2  # the emergency 5 minutes ago, and the urgent one just now
    newest = record(app, calls["urgent, just now"]).created_at.replace(tzinfo=UTC)
    assert datetime.fromisoformat(news["newest"]) == newest
    assert (
        client.get("/staff/queue/news", query_string={"after": since, "level": "emergency"}).get_json()[
            "count"
        ]
        == 1
    )
    assert client.get("/staff/queue/news", query_string={"after": "yesterday"}).status_code == 400

    with client.session_transaction() as session:
        session["staff_seen"] = idle_since = time.time() - 25 * 60
    client.get("/staff/queue/news", query_string={"after": since})
    with client.session_transaction() as session:
        assert session["staff_seen"] == idle_since, "the script's asking kept the session going"
    client.get("/staff/")
    with client.session_transaction() as session:
        assert session["staff_seen"] > idle_since


def test_the_news_is_for_logged_in_staff_only(client: FlaskClient) -> None:
    response = client.get("/staff/queue/news", query_string={"after": datetime.now(UTC).isoformat()})
    assert response.status_code == 302 and "/staff/login" in response.location


# --- override -----------------------------------------------------------------------------------


def override(client: FlaskClient, reference: str, level: str, reason: str) -> int:
    data = {"level": level, "reason": reason}
    return client.post(f"/staff/assessments/{reference}/override", data=data).status_code


@pytest.mark.parametrize("staff", [CLINICIAN, ADMIN], ids=["clinician", "admin"])
def test_a_clinician_sets_another_level_with_a_reason_and_the_queue_follows_it(
    app: Flask, client: FlaskClient, calls: dict[str, str], staff: Staff
) -> None:
    login(client, staff)
    calm = calls["information, 20 days ago"]
    assert override(client, calm, "soon", "Night pain on the phone: wants seeing sooner.") == 302
    saved = record(app, calm)
    assert (saved.level, saved.override_level, saved.override_by) == ("information", "soon", staff.username)
    assert saved.override_reason == "Night pain on the phone: wants seeing sooner."
    assert saved.override_at is not None

    shown = rows(queue_page(client))
    soon = [ref for ref, row in shown.items() if row["Level"].startswith("Soon")]
    assert soon == [calls["soon, 20 days ago"], calm], "sorted by the override; both overdue at 14 days"
    assert shown[calm]["Time left"].startswith("Overdue by 6 days"), "the target follows the override"
    assert "changed from Information" in shown[calm]["Level"]
    assert header_overdue(queue_page(client)) == "4 overdue"
    assert calm in [queue_ref for queue_ref in rows(queue_page(client, "?level=soon"))], (
        "the level filter is the level acted on"
    )

    page = parse(client.get(f"/staff/assessments/{calm}").text)
    text = page.main.text
    assert "Level changed by a clinician." in text and "Night pain on the phone" in text
    assert "The tool's level" in text and staff.username in text
    entry = [e for e in audit_entries(app) if e.action == Action.OVERRIDE][-1]
    assert (entry.username, entry.target, entry.detail) == (staff.username, calm, "information -> soon")


def test_an_override_needs_a_reason_and_a_level(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, CLINICIAN)
    response = client.post(f"/staff/assessments/{reference}/override", data={"level": "emergency"})
    assert response.status_code == 400
    assert error_summary(parse(response.text)) == ["Enter the reason for the change"]
    assert override(client, reference, "nonsense", "A reason") == 400
    assert record(app, reference).override_level is None
    assert not [e for e in audit_entries(app) if e.action == Action.OVERRIDE]


def test_setting_the_tools_own_level_again_ends_the_override(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    login(client, CLINICIAN)
    tool = record(app, reference).level
    assert override(client, reference, "emergency", "Worse since") == 302
    assert override(client, reference, tool, "Spoke to the GP: as the tool said") == 302
    saved = record(app, reference)
    assert (saved.override_level, saved.override_reason) == (None, "Spoke to the GP: as the tool said")


def test_reception_cannot_override_nor_sees_the_form(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    assert override(client, reference, "emergency", "I think so") == 403
    assert record(app, reference).override_level is None
    page = parse(client.get(f"/staff/assessments/{reference}").text)
    assert not page.find_all("form", action=f"/staff/assessments/{reference}/override")


def test_contacted_keeps_the_first_time_of_contact(app: Flask, client: FlaskClient, reference: str) -> None:
    login(client, RECEPTION)
    assert record(app, reference).contacted_at is None
    client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted"})
    first = record(app, reference).contacted_at
    assert first is not None
    client.post(f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": "again"})
    client.post(f"/staff/assessments/{reference}/status", data={"status": "closed"})
    assert record(app, reference).contacted_at == first


# --- "today" ends when the practice closes (spec §3a, v3) ---------------------------------------------

ATHENS = ZoneInfo("Europe/Athens")
WEEKDAYS = OpeningTimes.parse("Mon-Fri 09:00-17:00", ATHENS)


def athens(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ATHENS)


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        ("2026-03-11 14:55", "2026-03-11 17:00"),  # a Wednesday afternoon: by closing time
        ("2026-03-11 09:00", "2026-03-11 17:00"),
        ("2026-03-11 08:30", "2026-03-11 10:00"),  # before opening: an hour after it opens
        ("2026-03-11 17:00", "2026-03-12 10:00"),  # at closing: the next morning
        ("2026-03-13 18:00", "2026-03-16 10:00"),  # Friday evening: Monday, an hour after opening
        ("2026-03-14 12:00", "2026-03-16 10:00"),  # a Saturday
        ("2026-03-29 12:00", "2026-03-30 10:00"),  # a Sunday the clocks changed: 10:00 in summer time
    ],
)
def test_today_is_due_by_closing_time_or_an_hour_after_the_next_opening(arrived: str, due: str) -> None:
    assert WEEKDAYS.due_today(athens(arrived)) == athens(due)
    assert WEEKDAYS.due_today(athens(arrived).astimezone(UTC).replace(tzinfo=None)) == athens(due), "SQLite"


@pytest.mark.parametrize(
    "now", ["2026-03-11 14:55", "2026-03-11 09:30", "2026-03-16 08:00", "2026-03-15 12:00"]
)
def test_the_queues_cut_off_agrees_with_the_due_times(now: str) -> None:
    """A record that arrived before the cut-off is past its due time now, and only such a record."""
    moment = athens(now)
    cut_off = WEEKDAYS.overdue_before(moment)
    for minutes in range(-10 * 24 * 60, 60, 17):
        arrived = moment + timedelta(minutes=minutes)
        assert (WEEKDAYS.due_today(arrived) <= moment) == (arrived < cut_off), arrived


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no opening times"),
        ("Monday to Friday, 9 to 5", "is not a day or days and times"),
        ("Mon-Fri 17:00-09:00", "must open before it closes"),
        ("Mon-Fri 09:00-25:00", "is not a time of day"),
        ("Fri-Mon 09:00-17:00", "from Monday towards Sunday"),
        ("Mon-Fri 09:00-17:00, Fri 09:00-13:00", "Fri is given twice"),
        ("Mon-Xyz 09:00-17:00", "is not a day"),
    ],
)
def test_opening_times_that_cannot_work_stop_start_up_saying_why(
    make_app: Callable[..., Flask], database: Path, text: str, problem: str
) -> None:
    with pytest.raises(SettingInvalid, match=f"PRACTICE_OPENING_TIMES: .*{problem}"):
        make_app(database, PRACTICE_OPENING_TIMES=text)


def test_several_spans_and_a_saturday_morning() -> None:
    hours = OpeningTimes.parse("Mon-Fri 08:30-16:30; Sat 09:00-13:00", ATHENS)
    assert hours.due_today(athens("2026-03-14 10:00")) == athens("2026-03-14 13:00")
    assert hours.due_today(athens("2026-03-13 17:00")) == athens("2026-03-14 10:00")
    assert hours.is_open(athens("2026-03-16 08:30")) and not hours.is_open(athens("2026-03-15 10:00"))


@pytest.mark.parametrize(
    ("arrived", "shown"),
    [
        (athens("2026-03-11 14:55"), "due 11 Mar 2026, 17:00 EET"),  # not 00:00 that night
        (athens("2026-03-13 18:00"), "due 16 Mar 2026, 10:00 EET"),
    ],
)
def test_the_queue_shows_an_urgent_call_back_due_by_closing_time(
    make_app: Callable[..., Flask], database: Path, arrived: datetime, shown: str
) -> None:
    weekdays = make_app(database)  # the default opening times: Mon-Fri 09:00-17:00
    reference = save(weekdays, AT_LEVEL[Level.URGENT], channel="phone", created_at=arrived.astimezone(UTC))
    client = weekdays.test_client()
    login(client, RECEPTION)
    assert shown in rows(queue_page(client, "?show=all"))[reference]["Time left"]
