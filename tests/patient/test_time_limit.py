"""The time limit (WCAG 2.2.1 Timing Adjustable): every page with answers says when they will be
cleared and offers more time without script; the script's "keep my answers" starts the time again.
More time asked for on a question page keeps what is typed there (spec §3b)."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import FLOW
from tests.support.journeys import page_url, prime, saved_answers, show
from tests.support.markup import error_summary, parse
from triage.patient.state import MORE_TIME

ANSWERS = VIGNETTE["osteoporosis-no-pain"]["answers"]


def idle_for(client: FlaskClient, seconds: float) -> None:
    with client.session_transaction() as session:
        session["touched"] = time.time() - seconds


def test_a_page_with_answers_says_when_they_are_cleared_and_offers_more_time(
    app: Flask, client: FlaskClient
) -> None:
    prime(client, ANSWERS)
    page = show(client, "/check-answers")
    region = page.one("section", cls="idle")
    minutes = app.config["IDLE_LIMIT_SECONDS"] // 60
    assert f"{minutes} minutes" in region.text
    assert region.one("button", name="more").text == "I need more time"
    assert int(region.attrs["data-warn-in"]) < app.config["IDLE_LIMIT_SECONDS"]


def test_the_start_page_without_answers_has_no_time_limit(client: FlaskClient) -> None:
    assert show(client, "/").find_all("section", cls="idle") == []


def test_more_time_makes_the_limit_ten_times_longer_without_script(app: Flask, client: FlaskClient) -> None:
    limit = app.config["IDLE_LIMIT_SECONDS"]
    prime(client, ANSWERS)
    asked = client.post("/keep-answers", data={"more": "1", "next": "/check-answers"})
    assert (asked.status_code, asked.location) == (302, "/check-answers#idle-title")  # back where it was
    region = show(client, "/check-answers").one("section", cls="idle")
    assert f"{limit * MORE_TIME // 60} minutes" in region.text
    assert region.find_all("button", name="more") == [], "more time is offered once"
    idle_for(client, limit + 60)  # past the usual limit, well within the longer one
    assert show(client, "/check-answers").find_all("section", cls="idle")
    assert saved_answers(client), "the answers were cleared although more time was given"


def test_without_more_time_the_answers_are_cleared_after_the_limit(app: Flask, client: FlaskClient) -> None:
    prime(client, ANSWERS)
    idle_for(client, app.config["IDLE_LIMIT_SECONDS"] + 60)
    assert client.get("/check-answers").location == "/"
    assert saved_answers(client) == {}


def test_keep_my_answers_from_the_script_starts_the_time_again(app: Flask, client: FlaskClient) -> None:
    limit = app.config["IDLE_LIMIT_SECONDS"]
    prime(client, ANSWERS)
    idle_for(client, limit - 30)  # the warning is showing
    kept = client.post("/keep-answers", headers={"Accept": "application/json"})
    assert kept.status_code == 200 and kept.json == {"expires_in": limit}
    with client.session_transaction() as session:
        assert time.time() - session["touched"] < 5


def test_keep_answers_never_sends_the_person_to_another_site(client: FlaskClient) -> None:
    prime(client, ANSWERS)
    for target in ("https://example.org/", "//example.org/x", "javascript:alert(1)"):
        assert client.post("/keep-answers", data={"next": target}).location == "/"


def test_more_time_on_a_question_page_keeps_what_is_typed_there_without_calling_it_a_problem(
    client: FlaskClient,
) -> None:
    about_you = FLOW.page("about-you")
    assert about_you is not None
    prime(client, {k: v for k, v in ANSWERS.items() if k not in about_you.question_ids})
    shown = show(client, page_url(about_you))
    more = shown.one("button", name="more")
    assert more.get("form") == shown.one("form", cls="question-form").get("id"), "it sends the page's form"
    asked = client.post(str(more.get("formaction")), data={"age": "74", "sex": "female", "more": "1"})
    assert (asked.status_code, asked.location) == (302, f"{page_url(about_you)}#idle-title")
    again = show(client, page_url(about_you))
    assert again.one("input", id="age").get("value") == "74"
    assert [i.get("value") for i in again.find_all("input", name="sex") if i.has("checked")] == ["female"]
    assert not error_summary(again), "what was only kept is not called a problem"
    assert "age" not in saved_answers(client), "kept as typed, not saved as an answer"


def test_a_draft_kept_for_more_time_is_checked_once_it_is_sent(client: FlaskClient) -> None:
    about_you = FLOW.page("about-you")
    assert about_you is not None
    prime(client, {k: v for k, v in ANSWERS.items() if k not in about_you.question_ids})
    more = show(client, page_url(about_you)).one("button", name="more")
    client.post(str(more.get("formaction")), data={"age": "abc", "more": "1"})
    assert not error_summary(show(client, page_url(about_you)))
    assert client.post(page_url(about_you), data={"age": "abc"}).status_code == 200
    assert error_summary(show(client, page_url(about_you))), "a sent draft shows its problems again"


def test_more_time_is_offered_only_with_a_form_on_the_page_to_send(csrf_client: FlaskClient) -> None:
    """The timed-out page of a question page has no question form: its "more time" sends its own."""
    prime(csrf_client, ANSWERS)
    show(csrf_client, page_url("about-you"))  # the time limit starts
    response = csrf_client.post(page_url("about-you"), data={"age": "74", "csrf_token": "not-the-token"})
    assert response.status_code == 400
    timed_out = parse(response.text)
    forms = {form.get("id") for form in timed_out.find_all("form")}
    more = timed_out.one("button", name="more")
    assert more.get("form") is None or more.get("form") in forms


def test_more_time_sent_with_an_expired_token_keeps_what_was_typed(csrf_client: FlaskClient) -> None:
    about_you = FLOW.page("about-you")
    assert about_you is not None
    prime(csrf_client, {k: v for k, v in ANSWERS.items() if k not in about_you.question_ids})
    more = show(csrf_client, page_url(about_you)).one("button", name="more")
    response = csrf_client.post(
        str(more.get("formaction")), data={"age": "74", "more": "1", "csrf_token": "not-the-token"}
    )
    assert response.status_code == 400
    back = parse(response.text).link("Go back to the page").get("href")
    assert back == page_url(about_you)
    document = show(csrf_client, back)
    assert document.one("input", id="age").get("value") == "74"
    assert not error_summary(document)


def test_more_time_on_a_call_back_form_shown_again_leads_back_to_the_result(client: FlaskClient) -> None:
    """The result shown again after a call-back form with mistakes was an answer to a POST: "more
    time" there once led to /call-back, which answers only a form sent (405)."""
    urgent = next(case for case in VIGNETTES if case["expected_level"] == "urgent")["answers"]
    prime(client, urgent, submitted=True)
    assert client.get("/result").status_code == 200
    shown_again = client.post("/call-back", data={"name": "", "phone": ""})
    assert shown_again.status_code == 200 and error_summary(parse(shown_again.text))
    form = parse(shown_again.text).one("form", cls="idle__form")
    fields = {i.get("name"): i.get("value") or "" for i in form.find_all("input")}
    kept = client.post(str(form.get("action")), data={**fields, "more": "1"})
    assert kept.status_code == 302 and kept.location.startswith("/result"), kept.location
    assert client.get(kept.location).status_code == 200
