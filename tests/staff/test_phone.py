"""Phone mode: every clinical vignette taken as a call by a receptionist gives the engine's level;
red flags on the emergency screen bring up the script to read out at once; the call is saved as a
phone record with who took it and the caller's details; no patient data reaches the logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS, PRACTICE
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import RULES, SCREEN, asked_answers, early_level, screen_answers
from tests.support.journeys import form_data, take_call
from tests.support.markup import level_shown, parse, problems, reasons_shown
from tests.support.records import audit_entries, record
from tests.support.staff import ADMIN, CLINICIAN, RECEPTION, Staff, login
from triage.engine import Level
from triage.storage import repository

BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
EARLY_EXITS = [case for case in VIGNETTES if early_level(case["answers"]) >= Level.EMERGENCY]
CALLER_NAME = "Eleni Zacharopoulou"
CALLER_PHONE, CALLER_E164 = "6941234567", "+306941234567"


def rendered(text: Any) -> str:
    """A rule-set text in English as the app fills it in."""
    return str(text.render("en", PLACEHOLDERS))


def with_caller(case: dict[str, Any]) -> bool:
    """Every other vignette's caller gives a name and phone number."""
    return VIGNETTES.index(case) % 2 == 0


def test_the_vignettes_have_calls_with_and_without_an_early_emergency() -> None:
    assert EARLY_EXITS
    assert len(EARLY_EXITS) < len(VIGNETTES)


@BY_ID
def test_a_call_gives_the_engine_level_and_is_saved_as_a_phone_record(
    app: Flask, client: FlaskClient, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    outcome = RULES.assess(answers)
    login(client, RECEPTION)
    name, phone = (CALLER_NAME, CALLER_PHONE) if with_caller(case) else ("", "")
    call = take_call(client, answers, caller_name=name, caller_phone=phone)

    assert level_shown(call.result) == outcome.level.value
    assert call.result.one("strong", cls="reference").text == call.reference
    early = RULES.assess_partial(screen_answers(answers))
    if early.level >= Level.EMERGENCY:
        assert call.emergency_page is not None, "red flags on the screen must bring up the script at once"
        assert level_shown(call.emergency_page) == early.level.value
    else:
        assert call.emergency_page is None

    saved = record(app, call.reference)
    assert saved.channel == "phone"
    assert saved.recorded_by == RECEPTION.username
    assert saved.level == outcome.level.value
    assert saved.answers == outcome.answers.as_dict()
    assert saved.fired_rules == [rule.id for rule in outcome.fired_rules]
    assert saved.rules_version == outcome.rules_version.version
    assert saved.status == "new"
    if with_caller(case):
        assert (saved.caller_name, saved.caller_phone) == (CALLER_NAME, CALLER_E164)
    else:
        assert (saved.caller_name, saved.caller_phone) == (None, None)
    entries = [(e.username, e.action, e.target) for e in audit_entries(app)]
    assert (RECEPTION.username, "phone_call", call.reference) in entries


@pytest.mark.parametrize("case", EARLY_EXITS, ids=[case["id"] for case in EARLY_EXITS])
def test_red_flags_on_the_screen_bring_up_the_emergency_script_at_once(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    early = RULES.assess_partial(screen_answers(case["answers"]))
    login(client, RECEPTION)
    client.get("/staff/phone")
    response = client.post("/staff/phone", data=form_data(screen_answers(case["answers"])))
    assert response.status_code == 200, "the script is shown in answer to the screen, not after a redirect"
    page = parse(response.text)
    assert "read this out" in page.title.lower()
    assert level_shown(page) == early.level.value
    assert page.one("p", cls="action").text == rendered(early.phone_script)
    assert PRACTICE["EMERGENCY_NUMBER"] in page.main.text
    assert "tel:" + PRACTICE["EMERGENCY_NUMBER"] in [a.get("href") for a in page.main.find_all("a")]
    shown = [reason for ul in page.main.find_all("ul", cls="reasons") for reason in reasons_shown(ul)]
    shown += [
        reason for ul in page.main.find_all("ul", cls="also-told__list") for reason in reasons_shown(ul)
    ]
    assert shown == [rendered(reason) for reason in (*early.decisive_reasons, *early.also_told_reasons)]
    assert page.link("Continue with the other questions").get("href") == "/staff/phone/questions"
    assert "Take a call: other questions" not in page.main.text


@pytest.mark.parametrize("question", [qid for qid in SCREEN if RULES.contract[qid].kind == "yes_no"])
def test_not_sure_about_a_red_flag_counts_as_yes(client: FlaskClient, question: str) -> None:
    quiet = screen_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    unsure = {**quiet, question: "unsure"}
    yes = {**quiet, question: True}
    login(client, RECEPTION)
    response = client.post("/staff/phone", data=form_data(unsure))
    expected = RULES.assess_partial(yes).level
    assert RULES.assess_partial(unsure).level == expected
    if expected >= Level.EMERGENCY:
        assert response.status_code == 200
        assert level_shown(parse(response.text)) == expected.value
    else:
        assert (response.status_code, response.location) == (302, "/staff/phone/questions")


def test_an_unanswered_screen_question_is_asked_again_and_nothing_goes_on(client: FlaskClient) -> None:
    quiet = screen_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    missing = next(iter(quiet))
    login(client, RECEPTION)
    response = client.post("/staff/phone", data=form_data({k: v for k, v in quiet.items() if k != missing}))
    assert response.status_code == 200
    assert len(problems(response)) == 1
    assert client.get("/staff/phone/questions").location == "/staff/phone"


def test_an_age_under_18_on_a_call_is_told_the_practices_emergency_number(client: FlaskClient) -> None:
    answers = asked_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    login(client, RECEPTION)
    client.post("/staff/phone", data=form_data(screen_answers(answers)))
    rest = {k: v for k, v in answers.items() if k not in SCREEN}
    data = {**form_data({**rest, "age": 16}), "caller_name": CALLER_NAME, "caller_phone": CALLER_PHONE}
    (message,) = problems(client.post("/staff/phone/questions", data=data))
    assert f"call {PRACTICE['EMERGENCY_NUMBER']}." in message, message


def test_an_incomplete_call_is_not_saved(app: Flask, client: FlaskClient) -> None:
    answers = asked_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    login(client, RECEPTION)
    client.post("/staff/phone", data=form_data(screen_answers(answers)))
    rest = {k: v for k, v in answers.items() if k not in SCREEN and k != "age"}
    response = client.post("/staff/phone/questions", data={**form_data(rest), "caller_name": CALLER_NAME})
    assert response.status_code == 200
    assert problems(response)
    assert CALLER_NAME in response.text, "what was typed is kept"
    with app.app_context():
        assert repository.queue(repository.QueueFilter()) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("6941234567", "+306941234567"),
        ("694 123 4567", "+306941234567"),
        ("+30 694 123 4567", "+306941234567"),
        ("+44 20 7946 0321", "+442079460321"),
    ],
)
def test_the_callers_phone_is_stored_in_international_form(
    app: Flask, client: FlaskClient, typed: str, stored: str
) -> None:
    login(client, RECEPTION)
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"], CALLER_NAME, typed)
    assert record(app, call.reference).caller_phone == stored


@pytest.mark.parametrize("user", [CLINICIAN, ADMIN], ids=["clinician", "admin"])
def test_any_member_of_staff_may_take_a_call_and_is_recorded_as_taking_it(
    app: Flask, client: FlaskClient, user: Staff
) -> None:
    login(client, user)
    call = take_call(client, VIGNETTE["osteoporosis-no-pain"]["answers"])
    assert record(app, call.reference).recorded_by == user.username


def test_a_new_call_starts_afresh(client: FlaskClient) -> None:
    answers = asked_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    login(client, RECEPTION)
    client.post("/staff/phone", data=form_data(screen_answers(answers)))
    assert client.get("/staff/phone").status_code == 200  # "Take another call"
    assert client.get("/staff/phone/questions").location == "/staff/phone"


# --- no patient data in the logs ----------------------------------------------------------------


def patient_data(answers: dict[str, Any]) -> list[str]:
    """Strings that would show an answer, the caller's name or phone in a log line."""
    found = [CALLER_NAME, CALLER_PHONE, CALLER_E164, "694 123"]
    for qid, value in answers.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and len(item) > 3 and item not in {"none", "never"}:
                found.append(item)  # choice values: upper_back, minor_fall, night_pain …
            found += [f"{qid}={item}", f"'{qid}': {item!r}", f'"{qid}": {str(item).lower()}']
    found += [f'"{qid}"' for qid in answers]  # answers serialised as JSON
    return found


def logged_during_calls(client: FlaskClient, caplog: pytest.LogCaptureFixture, case_id: str) -> str:
    """Everything logged while a receptionist takes a call with the caller's details and works on it."""
    answers = VIGNETTE[case_id]["answers"]
    login(client, RECEPTION)
    call = take_call(client, answers, CALLER_NAME, CALLER_PHONE)
    client.get(f"/staff/assessments/{call.reference}")
    client.get(f"/staff/lookup?reference={call.reference}")
    client.post(f"/staff/assessments/{call.reference}/status", data={"status": "contacted", "note": "rang"})
    client.get("/staff/")
    return "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records)


@pytest.mark.parametrize(
    "case_id", ["breast-cancer-thoracic-pain-heavy-legs", "major-crash-severe-pain", "osteoporosis-no-pain"]
)
def test_the_app_logs_no_answers_and_no_caller_details(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, case_id: str
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger of the app, Flask and its extensions
    caplog.set_level(logging.WARNING, logger="sqlalchemy.engine")  # see the next test
    logged = logged_during_calls(client, caplog, case_id)
    assert caplog.handler in logging.getLogger().handlers, "the log is being captured"
    leaks = [text for text in patient_data(VIGNETTE[case_id]["answers"]) if text in logged]
    assert leaks == [], f"patient data in the log: {leaks}\n{logged[:3000]}"


def test_no_answers_or_caller_details_reach_the_log_even_with_sql_logging_at_info(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A deployment that logs at INFO (logging.basicConfig(level=INFO), a platform's default) turns
    on SQLAlchemy's statement log too, which writes every statement's parameters unless the engine
    hides them. (This test process has sqlalchemy.engine at WARN only because the migrations'
    alembic.ini says so; a running app never reads that file.) The new assessment, the call's caller
    details and the status note all go through it."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements and parameters, not rows
    case_id = "breast-cancer-thoracic-pain-heavy-legs"
    logged = logged_during_calls(client, caplog, case_id)
    assert "INSERT INTO assessments" in logged and "UPDATE assessments" in logged, "the statement log is on"
    leaks = [text for text in patient_data(VIGNETTE[case_id]["answers"]) if text in logged]
    assert leaks == [], f"patient data in the log: {leaks}"


def test_sending_the_questions_twice_saves_one_record(app: Flask, client: FlaskClient) -> None:
    answers = asked_answers(VIGNETTE["osteoporosis-no-pain"]["answers"])
    login(client, RECEPTION)
    client.post("/staff/phone", data=form_data(screen_answers(answers)))
    rest = form_data({k: v for k, v in answers.items() if k not in SCREEN})
    first = client.post("/staff/phone/questions", data=rest)
    again = client.post("/staff/phone/questions", data=rest)
    assert first.location.startswith("/staff/phone/result/")
    assert again.location == "/staff/phone"
    with app.app_context():
        assert len(repository.queue(repository.QueueFilter())) == 1


@pytest.mark.parametrize("ending", ["logging out", "the idle logout"], ids=["logout", "idle"])
def test_a_call_in_progress_is_forgotten_when_the_session_ends(
    app: Flask, client: FlaskClient, ending: str
) -> None:
    """The screen's answers are patient data: they must not outlive the staff session in the
    (signed, not encrypted) session cookie, nor be carried into the next person's login."""
    answers = asked_answers(VIGNETTE["saddle-numbness-only"]["answers"])
    login(client, RECEPTION)
    assert client.post("/staff/phone", data=form_data(screen_answers(answers))).status_code == 200
    if ending == "logging out":
        client.post("/staff/logout")
    else:
        with client.session_transaction() as session:
            session["staff_seen"] -= 31 * 60
        assert client.get("/staff/").status_code == 302
    with client.session_transaction() as session:
        kept = sorted(key for key in session if key not in ("csrf_token", "_flashes"))
    assert kept == [], f"left in the session cookie after {ending}: {kept}"
    login(client, CLINICIAN)
    assert client.get("/staff/phone/questions").location == "/staff/phone", (
        "the next person to log in carries on the previous caller's call"
    )


@pytest.mark.parametrize("flag", ["saddle_numbness", "bladder_bowel", "cannot_stand"])
def test_one_red_flag_shows_the_script_at_once_even_with_the_rest_of_the_screen_unanswered(
    client: FlaskClient, flag: str
) -> None:
    login(client, RECEPTION)
    response = client.post("/staff/phone", data={flag: "yes"})
    page = parse(response.text)
    assert response.status_code == 200 and "read this out" in page.title.lower()
    follow_on = client.get("/staff/phone/questions")  # the unanswered warning signs are asked there
    assert follow_on.status_code == 200
    assert 'name="leg_weakness"' in follow_on.text and f'name="{flag}"' not in follow_on.text
