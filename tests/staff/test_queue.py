"""The call-back queue: most urgent first then oldest, its filters, look-up by reference code,
moving a record along new -> contacted -> closed, and what a record's page shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import RULES
from tests.support.journeys import take_call
from tests.support.markup import Document, level_shown, parse
from tests.support.records import record, save
from tests.support.staff import CLINICIAN, RECEPTION, login
from triage.engine import Level
from triage.extensions import db

#: One vignette's answers for each level.
AT_LEVEL = {
    level: next(case["answers"] for case in VIGNETTES if RULES.assess(case["answers"]).level is level)
    for level in Level
}
DAY_1, DAY_2, DAY_3 = (datetime(2026, 3, day, tzinfo=UTC) for day in (10, 11, 12))


def queue_references(page: Document) -> list[str]:
    """The references in the queue table, top to bottom."""
    rows = [row for body in page.find_all("tbody") for row in body.find_all("tr")]
    return [row.find_all("a")[0].text for row in rows]


def shown(client: FlaskClient, query: str = "") -> list[str]:
    """The references the queue shows with these filters, every record included (not only those
    to act on, the default: tests/security/test_api_keys.py)."""
    every = ("&" if query else "?") + "show=all"
    response = client.get("/staff/" + query + every)
    assert response.status_code == 200
    return queue_references(parse(response.text))


def notices(page: Document) -> list[str]:
    return [p.text for notice in page.find_all(cls="notice") for p in notice.find_all("p")]


@pytest.fixture
def records(app: Flask) -> dict[str, str]:
    """Records at every level, on three days and through every channel: name -> reference."""
    made = {
        "information, day 1": (Level.INFORMATION, DAY_1 + timedelta(hours=8), "online"),
        "urgent, day 2": (Level.URGENT, DAY_2 + timedelta(hours=10), "phone"),
        "urgent, day 1": (Level.URGENT, DAY_1 + timedelta(hours=12), "online"),
        "ambulance, day 3": (Level.AMBULANCE, DAY_3 + timedelta(hours=23, minutes=59), "api"),
        "soon, day 1": (Level.SOON, DAY_1, "phone"),
        "emergency, day 2": (Level.EMERGENCY, DAY_2 + timedelta(hours=1), "online"),
        "urgent, day 3": (Level.URGENT, DAY_3 + timedelta(hours=7), "api"),
    }
    return {
        name: save(app, AT_LEVEL[level], channel=channel, created_at=when)
        for name, (level, when, channel) in made.items()
    }


def test_the_vignettes_cover_every_level() -> None:
    assert set(AT_LEVEL) == set(Level)


def test_the_queue_shows_the_most_urgent_first_then_the_oldest(
    client: FlaskClient, records: dict[str, str]
) -> None:
    login(client, RECEPTION)
    order = [
        "ambulance, day 3",
        "emergency, day 2",
        "urgent, day 2",  # overdue first: a phone call; the others have no contact details
        "urgent, day 1",
        "urgent, day 3",
        "soon, day 1",
        "information, day 1",
    ]
    assert shown(client) == [records[name] for name in order]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # urgent, day 2 is contacted, so no longer overdue, and the others have no contact details
        # (not overdue either: test_targets.py): oldest first
        ("?level=urgent", ["urgent, day 1", "urgent, day 2", "urgent, day 3"]),
        ("?level=ambulance", ["ambulance, day 3"]),
        ("?channel=phone", ["urgent, day 2", "soon, day 1"]),
        ("?channel=api", ["ambulance, day 3", "urgent, day 3"]),
        ("?since=2026-03-12", ["ambulance, day 3", "urgent, day 3"]),
        ("?until=2026-03-10", ["urgent, day 1", "soon, day 1", "information, day 1"]),
        ("?since=2026-03-11&until=2026-03-11", ["emergency, day 2", "urgent, day 2"]),
        ("?level=urgent&channel=online&since=2026-03-10&until=2026-03-11", ["urgent, day 1"]),
        ("?status=contacted", ["urgent, day 2"]),
        ("?status=closed", []),
    ],
)
def test_the_queue_filters_by_status_level_channel_and_date(
    app: Flask, client: FlaskClient, records: dict[str, str], query: str, expected: list[str]
) -> None:
    login(client, RECEPTION)
    client.post(f"/staff/assessments/{records['urgent, day 2']}/status", data={"status": "contacted"})
    assert shown(client, query) == [records[name] for name in expected]


def test_the_new_status_filter_leaves_out_records_dealt_with(
    client: FlaskClient, records: dict[str, str]
) -> None:
    login(client, RECEPTION)
    client.post(f"/staff/assessments/{records['ambulance, day 3']}/status", data={"status": "closed"})
    new = shown(client, "?status=new")
    assert records["ambulance, day 3"] not in new
    assert len(new) == len(records) - 1


def test_a_filter_that_matches_nothing_says_so_and_bad_filters_are_ignored(
    client: FlaskClient, records: dict[str, str]
) -> None:
    login(client, RECEPTION)
    page = parse(client.get("/staff/?since=2030-01-01").text)
    assert queue_references(page) == []
    assert "Nothing matches these filters." in page.main.text
    assert len(shown(client, "?level=bogus&status=<b>&channel=fax&since=yesterday&until=2026-13-40")) == len(
        records
    )


def test_the_queue_shows_who_to_call_back(app: Flask, client: FlaskClient) -> None:
    login(client, RECEPTION)
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"], "Maria Callerou", "6941234567")
    row = parse(client.get("/staff/").text).one("tbody").find_all("tr")[0]
    assert "Maria Callerou" in row.text
    assert "tel:+306941234567" in [a.get("href") for a in row.find_all("a")]
    assert call.reference in row.text


# --- look-up by reference -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        lambda ref: ref,
        lambda ref: ref.lower(),
        lambda ref: ref.lower().replace("-", " "),
        lambda ref: "  " + ref[:2].lower() + " " + ref[2:4] + " " + ref[5:].lower() + " ",
        lambda ref: ref.replace("-", "").replace("0", "o").replace("1", "l"),
    ],
    ids=["as-given", "lower-case", "lower-case-with-space", "spaced-out", "without-dash-O-for-0"],
)
def test_lookup_finds_a_record_however_the_code_is_read_out(
    client: FlaskClient, records: dict[str, str], typed: Callable[[str], str]
) -> None:
    reference = records["urgent, day 2"]
    login(client, RECEPTION)
    response = client.get("/staff/lookup", query_string={"reference": typed(reference)})
    assert (response.status_code, response.location) == (302, f"/staff/assessments/{reference}")
    page = parse(client.get(response.location).text)
    assert reference in page.one("h1").text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZZZZ-ZZZZ", "No record has the reference code ZZZZ-ZZZZ."),
        ("hello there", "No record has the reference code hello there."),
        ("", "Enter a reference code."),
    ],
)
def test_lookup_of_an_unknown_code_says_so(
    client: FlaskClient, records: dict[str, str], typed: str, message: str
) -> None:
    login(client, RECEPTION)
    response = client.get("/staff/lookup", query_string={"reference": typed})
    assert (response.status_code, response.location) == (302, "/staff/")
    assert notices(parse(client.get("/staff/").text)) == [message]


def test_what_was_typed_is_shown_back_escaped(client: FlaskClient) -> None:
    login(client, RECEPTION)
    client.get("/staff/lookup", query_string={"reference": "<b>x</b>"})
    page = client.get("/staff/").text
    assert "No record has the reference code &lt;b&gt;x&lt;/b&gt;." in page
    assert "<b>x</b>" not in page


def test_an_unknown_record_is_404(client: FlaskClient) -> None:
    login(client, RECEPTION)
    assert client.get("/staff/assessments/ZZZZ-ZZZZ").status_code == 404
    assert client.post("/staff/assessments/ZZZZ-ZZZZ/status", data={"status": "closed"}).status_code == 404


# --- status -------------------------------------------------------------------------------------


def test_status_moves_new_contacted_closed_with_note_who_and_when(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    assert record(app, reference).status == "new"
    login(client, RECEPTION)
    before = datetime.now(UTC)
    response = client.post(
        f"/staff/assessments/{reference}/status", data={"status": "contacted", "note": "  Left a voicemail  "}
    )
    assert (response.status_code, response.location) == (302, f"/staff/assessments/{reference}")
    saved = record(app, reference)
    assert (saved.status, saved.status_note, saved.status_by) == ("contacted", "Left a voicemail", "rita")
    assert saved.status_at is not None
    assert before - timedelta(seconds=1) <= saved.status_at.replace(tzinfo=UTC) <= datetime.now(UTC)
    page = parse(client.get(response.location).text)
    assert "Status saved." in notices(page)
    assert "Contacted · rita" in page.main.text and "Left a voicemail" in page.main.text

    client.post("/staff/logout")
    login(client, CLINICIAN)
    client.post(
        f"/staff/assessments/{reference}/status", data={"status": "closed", "note": "Booked for Monday"}
    )
    saved = record(app, reference)
    assert (saved.status, saved.status_note, saved.status_by) == ("closed", "Booked for Monday", "colin")
    assert "Closed · colin" in parse(client.get(f"/staff/assessments/{reference}").text).main.text


@pytest.mark.parametrize("data", [{"status": "lost"}, {}, {"status": "closed", "note": "x" * 1001}])
def test_an_invalid_status_change_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, reference: str, data: dict[str, str]
) -> None:
    login(client, RECEPTION)
    response = client.post(f"/staff/assessments/{reference}/status", data=data)
    assert response.status_code == 400
    assert record(app, reference).status == "new"


# --- the record page ----------------------------------------------------------------------------


def test_the_record_page_shows_answers_level_fired_rules_and_rules_version(
    client: FlaskClient, app: Flask
) -> None:
    answers = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    outcome = RULES.assess(answers)
    login(client, RECEPTION)
    call = take_call(client, answers, "Maria Callerou", "6941234567")
    page = parse(client.get(f"/staff/assessments/{call.reference}").text)
    text = page.main.text
    assert level_shown(page) == outcome.level.value
    assert outcome.fired_rules, "the vignette should fire rules"
    listed = page.one("ul", cls="fired-rules").find_all("li")
    fired = [li.find_all("strong")[0].text for li in listed if li.find_all("strong")]
    assert [rule.id for rule in outcome.fired_rules] == [f for f in fired if f in {r.id for r in RULES.rules}]
    assert f"{outcome.rules_version.version} ({outcome.rules_version.content_hash[7:19]})" in text
    assert "taken by rita" in text and "Phone" in text
    assert "Maria Callerou" in text
    answer_rows = {
        row.one("dt").text: row.one("dd").text
        for row in page.find_all(cls="summary__row")
        if row.find_all("dt") and row.one("dt").text not in ("Received", "Status", "Rules version")
    }
    for qid in answers:
        label = RULES.contract[qid].label.get("en")
        assert label in answer_rows, f"no answer shown for {qid}"
    assert answer_rows[RULES.contract["age"].label.get("en")] == str(answers["age"])
    assert answer_rows[RULES.contract["cancer"].label.get("en")] == RULES.contract["cancer"].options[
        "past"
    ].get("en")


def test_a_record_made_with_other_rules_lists_its_rule_ids(
    app: Flask, client: FlaskClient, reference: str
) -> None:
    with app.app_context():
        from triage.storage import repository

        found = repository.find_assessment(reference)
        assert found is not None
        found.rules_hash, found.rules_version = "sha256:" + "0" * 64, "2025.1.0"
        db.session.commit()
    login(client, RECEPTION)
    text = parse(client.get(f"/staff/assessments/{reference}").text).main.text
    fired = record(app, reference).fired_rules
    assert ", ".join(fired) in text
    assert "made with an earlier rules version" in text
    assert "2025.1.0" in text
