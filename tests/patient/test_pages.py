"""The patient's pages one by one: what every page has, question pages and their errors, routing,
check answers, the result's gatekeeping, start again, idle expiry, expired forms and the logs."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import FLOW, RULES, asked_answers
from tests.support.journeys import Journey, page_form, page_url, prime, saved_answers, show
from tests.support.markup import Document, Element, answers_offered, error_summary, level_shown, parse
from triage.config import Defaults
from triage.engine import AnswersInvalid, Level
from triage.engine.contract import Question
from triage.questionnaire import Page
from triage.questionnaire.fields import to_answer

CONTRACT = RULES.contract
SCREEN = CONTRACT.emergency_screen.question_ids


def screen_level(answers: dict[str, Any]) -> Level:
    """The level the emergency screen's answers reach on their own."""
    return RULES.assess_partial({k: v for k, v in answers.items() if k in SCREEN}).level


def first_case(description: str, wanted: Any) -> dict[str, Any]:
    """The first vignette that fits; collecting the tests fails when the vignettes have none."""
    for case in VIGNETTES:
        if wanted(case["answers"]):
            return case
    raise LookupError(f"no vignette {description}")


#: Answers that make every page asked, with no emergency on the screen, and the optional questions answered.
EVERY_PAGE = {
    **first_case(
        "asking every page without an emergency on the screen",
        lambda a: FLOW.asked(a) == list(FLOW.pages) and screen_level(a) < Level.EMERGENCY,
    )["answers"],
    "sex": "female",
}
NO_PAIN = first_case(
    "without back pain or cancer", lambda a: a["back_pain"] is False and a["cancer"] == "never"
)["answers"]
AT_LEVEL = {
    level: next((c for c in VIGNETTES if RULES.assess(c["answers"]).level == level), None) for level in Level
}
EARLY_EXIT = first_case("with an emergency on the screen", lambda a: screen_level(a) >= Level.EMERGENCY)[
    "answers"
]
PAGES = pytest.mark.parametrize("page", FLOW.pages, ids=[p.id for p in FLOW.pages])
REQUIRED = [(page, q) for page in FLOW.pages for q in page.questions if q.required]


def without(answers: dict[str, Any], *question_ids: str) -> dict[str, Any]:
    """The answers less some questions."""
    return {k: v for k, v in answers.items() if k not in question_ids}


def engine_messages(answers: dict[str, Any], page: Page) -> dict[str, str]:
    """The messages the engine gives for a page's answers (the page must show these)."""
    try:
        RULES.read(answers, partial=True, require=page.question_ids)
    except AnswersInvalid as problems:
        return problems.messages("en", practice=PLACEHOLDERS)
    return {}


def shown_value(document: Document, question: Question) -> Any:
    """What a question's field shows: the text in the box, the option chosen, or the options ticked."""
    if question.kind == "integer":
        return document.one("input", id=question.id).get("value")
    ticked = [i.get("value") for i in document.find_all("input", name=question.id) if i.has("checked")]
    if question.kind == "multi_choice":
        return ticked
    assert len(ticked) <= 1, f"{question.id}: more than one option chosen {ticked}"
    return ticked[0] if ticked else None


def described_by(field: Element) -> list[str]:
    """The ids a field is described by: its own, or those of the fieldset around it."""
    holder: Element | None = field
    while holder is not None and holder.tag != "fieldset" and not holder.has("aria-describedby"):
        holder = holder.parent
    return (holder.get("aria-describedby") or "").split() if holder is not None else []


def words(question: Question, answer: Any) -> str:
    """An answer as the person reads it on the check page."""
    said = CONTRACT.answer_words
    if isinstance(answer, list):
        return ", ".join(words(question, item) for item in answer) if answer else said["none"].get("en")
    if answer is True or answer is False or answer == "unsure":
        return said[{True: "yes", False: "no"}.get(answer, "unsure")].get("en")
    if question.kind == "integer":
        return str(answer)
    return question.options[answer].get("en") if answer is not None else "Not answered"


# --- what every page has ----------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """A page to look at, and what a person has answered before."""

    name: str
    path: str
    answers: dict[str, Any] | None = None
    submitted: bool = False
    status: int = 200


SCREENS = [
    Screen("start", "/"),
    *[Screen(f"question-{p.id}", page_url(p), EVERY_PAGE) for p in FLOW.pages],
    Screen("urgent-advice", "/urgent-advice", EARLY_EXIT),
    Screen("check-answers", "/check-answers", EVERY_PAGE),
    *[
        Screen(f"result-{level.value}", "/result", case and case["answers"], submitted=True)
        for level, case in AT_LEVEL.items()
    ],
    Screen("rules", "/rules"),
    Screen("not-found", "/no-such-page", status=404),
    Screen("unknown-question-page", "/questions/no-such-page", status=404),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_page_has_one_heading_english_language_and_the_emergency_number(
    client: FlaskClient, screen: Screen
) -> None:
    if screen.path == "/result":
        assert screen.answers is not None, f"no vignette reaches {screen.name}"
    if screen.answers is not None:
        prime(client, screen.answers, submitted=screen.submitted)
    page = show(client, screen.path, screen.status)
    assert page.html.get("lang") == "en"
    assert len(page.find_all("h1")) == 1
    assert page.title.endswith("Spine Triage")
    assert [a.text for a in page.find_all("a") if a.get("href") == "tel:999"], (
        "no tap-to-call emergency number"
    )


@pytest.mark.parametrize("level", list(Level), ids=[level.value for level in Level])
def test_the_result_page_shows_each_level(client: FlaskClient, level: Level) -> None:
    case = AT_LEVEL[level]
    assert case is not None, f"no vignette reaches {level.value}"
    prime(client, case["answers"], submitted=True)
    assert level_shown(show(client, "/result")) == level.value


def test_the_rules_page_lists_every_rule_and_the_rules_version(client: FlaskClient) -> None:
    page = show(client, "/rules")
    listed = [h.text for h in page.find_all("h3", cls="rule__title")]
    assert sorted(listed) == sorted(f"Rule {rule.id}" for rule in RULES.rules)
    assert f"Rules version {RULES.version.version}" in page.main.text


def test_the_start_page_says_it_is_not_a_diagnosis_and_starts_at_the_first_page(client: FlaskClient) -> None:
    page = show(client, "/")
    assert "It does not give a diagnosis." in page.main.text
    assert page.link("Start now").get("href") == page_url(FLOW.pages[0])


# --- question pages ----------------------------------------------------------------------------


@PAGES
def test_each_choice_question_is_a_fieldset_with_the_question_as_legend(
    client: FlaskClient, page: Page
) -> None:
    prime(client, EVERY_PAGE)
    document = show(client, page_url(page))
    choices = [q for q in page.questions if q.kind != "integer"]
    fieldsets = document.main.find_all("fieldset")
    assert len(fieldsets) == len(choices)
    for fieldset, question in zip(fieldsets, choices, strict=True):
        assert fieldset.one("legend").text == question.wording["label"].get("en")
        kind = "checkbox" if question.kind == "multi_choice" else "radio"
        inputs = fieldset.find_all("input")
        assert inputs
        assert {(i.get("name"), i.get("type")) for i in inputs} == {(question.id, kind)}
        for box in inputs:
            assert document.one("label", for_=box.get("id") or "").text


@PAGES
def test_each_number_question_has_a_label_and_a_text_box(client: FlaskClient, page: Page) -> None:
    prime(client, EVERY_PAGE)
    document = show(client, page_url(page))
    for question in (q for q in page.questions if q.kind == "integer"):
        assert document.one("label", for_=question.id).text == question.wording["label"].get("en")
        assert document.one("input", id=question.id).get("type") == "text"


@PAGES
def test_each_question_page_says_which_step_of_seven_it_is(client: FlaskClient, page: Page) -> None:
    prime(client, EVERY_PAGE)
    document = show(client, page_url(page))
    assert f"Step {page.step} of 7" in document.main.text
    assert len(CONTRACT.sections) == 7


BACK_LINKS = [
    (name, answers, page)
    for name, answers in (("every-page", EVERY_PAGE), ("no-pain", NO_PAIN))
    for page in FLOW.asked(answers)
]


@pytest.mark.parametrize(
    ("answers", "page"), [(a, p) for _, a, p in BACK_LINKS], ids=[f"{n}-{p.id}" for n, _, p in BACK_LINKS]
)
def test_the_back_link_goes_to_the_page_asked_before(
    client: FlaskClient, answers: dict[str, Any], page: Page
) -> None:
    prime(client, answers)
    asked = FLOW.asked(answers)
    position = asked.index(page)
    expected = page_url(asked[position - 1]) if position else "/"
    assert show(client, page_url(page)).one("a", cls="back-link").get("href") == expected


# --- errors on question pages ---------------------------------------------------------------------


@pytest.mark.parametrize(("page", "question"), REQUIRED, ids=[f"{p.id}-{q.id}" for p, q in REQUIRED])
def test_a_required_question_left_empty_is_named_linked_and_the_rest_is_kept(
    client: FlaskClient, page: Page, question: Question
) -> None:
    prime(client, without(EVERY_PAGE, *page.question_ids))
    typed = without(EVERY_PAGE, question.id)
    response = client.post(page_url(page), data=page_form(page, typed))
    assert response.status_code == 200
    document = parse(response.text)
    message = engine_messages(typed, page)[question.id]
    anchor = question.id if question.kind == "integer" else f"{question.id}-0"

    assert document.title.startswith("Error:")
    summary = document.one(role="alert")
    assert [(a.get("href"), a.text) for a in summary.find_all("a")] == [(f"#{anchor}", message)]
    assert document.one(id=anchor).tag == "input"  # the link lands on the question's first field
    assert document.one(id=f"{question.id}-error").text == f"Error: {message}"
    assert f"{question.id}-error" in described_by(document.one(id=anchor))
    for other in page.questions:
        if other != question:
            assert shown_value(document, other) == page_form(page, typed).get(other.id), other.id
    assert question.id not in saved_answers(client)


TYPED_NUMBERS = [
    ("about-you", "age", "abc", "not_integer"),
    ("about-you", "age", "67.5", "not_integer"),
    ("about-you", "age", "17", "below_minimum"),
    ("about-you", "age", "121", "out_of_range"),
    ("pain-details", "pain_severity", "11", "out_of_range"),
    ("pain-details", "pain_severity", "-1", "out_of_range"),
    ("pain-details", "pain_severity", "seven", "not_integer"),
]


@pytest.mark.parametrize(
    ("page_id", "question_id", "typed", "problem"),
    TYPED_NUMBERS,
    ids=[f"{q}={t}" for _, q, t, _ in TYPED_NUMBERS],
)
def test_a_number_that_is_not_allowed_is_explained_and_stays_in_the_box_with_the_rest(
    client: FlaskClient, page_id: str, question_id: str, typed: str, problem: str
) -> None:
    page = FLOW.page(page_id)
    assert page is not None
    prime(client, without(EVERY_PAGE, *page.question_ids))
    data = {**page_form(page, EVERY_PAGE), question_id: typed}
    document = parse(client.post(page_url(page), data=data).text)
    message = engine_messages({**EVERY_PAGE, question_id: to_answer(CONTRACT[question_id], typed)}, page).get(
        question_id
    )
    assert message is not None
    assert CONTRACT.message(question_id, problem).get("en").split("{")[0] in message
    assert error_summary(document) == [message]
    assert document.one("input", id=question_id).get("value") == typed
    for other in page.questions:
        if other.id != question_id:
            assert shown_value(document, other) == page_form(page, EVERY_PAGE)[other.id], other.id


#: What a page says about "Not sure": as a rule for every question, or only where a question has it.
NOT_SURE_ALWAYS = 'If you are not sure, choose "Not sure".'
NOT_SURE_WHERE_OFFERED = 'If you are not sure, choose "Not sure" where a question has it.'


@pytest.mark.parametrize("page", FLOW.pages, ids=[page.id for page in FLOW.pages])
def test_a_page_tells_a_person_to_choose_not_sure_only_where_its_questions_offer_it(
    client: FlaskClient, page: Page
) -> None:
    """The warning signs said 'If you are not sure, choose "Not sure"' above a numbness question
    that has no such answer (its values are fixed by the contract)."""
    prime(client, without(EVERY_PAGE, *page.question_ids))
    document = show(client, page_url(page))
    said = " ".join(p.text for p in document.main.find_all("p"))
    offering = [q.id for q in page.questions if "Not sure" in answers_offered(document, q.id)]
    if NOT_SURE_ALWAYS in said:
        assert len(offering) == len(page.questions), f"{page.id}: only {offering} offer it"
    if NOT_SURE_WHERE_OFFERED in said:
        assert 0 < len(offering) < len(page.questions), page.id
    if page == FLOW.emergency_screen:  # the warning signs say what to do when unsure
        assert NOT_SURE_ALWAYS in said or NOT_SURE_WHERE_OFFERED in said


@pytest.mark.parametrize("lang", ["en", "el"])
def test_every_question_page_has_a_title_of_its_own(client: FlaskClient, lang: str) -> None:
    """Two pages with one title ("Your pain" twice) read as the same page in tabs, history and
    screen readers' page lists."""
    titles: dict[str, str] = {}
    for page in FLOW.pages:
        prime(client, without(EVERY_PAGE, *page.question_ids))
        document = show(client, f"{page_url(page)}?lang={lang}")
        titles[page.id] = document.one("h1").text
        assert document.title.startswith(titles[page.id]), page.id
    repeated = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    assert not repeated, {page_id: title for page_id, title in titles.items() if title in repeated}


@pytest.mark.parametrize("lang", ["en", "el"])
def test_an_age_under_18_is_told_the_practices_emergency_number(client: FlaskClient, lang: str) -> None:
    page = FLOW.page("about-you")
    assert page is not None
    prime(client, without(EVERY_PAGE, *page.question_ids))
    data = {**page_form(page, EVERY_PAGE), "age": "16"}
    (message,) = error_summary(parse(client.post(f"{page_url(page)}?lang={lang}", data=data).text))
    call = {"en": "call", "el": "καλέστε το"}[lang]
    assert f"{call} {PLACEHOLDERS['emergency_number']}." in message, message


ACCEPTED_NUMBERS = [
    ("about-you", "age", "18", 18),
    ("about-you", "age", "120", 120),
    ("about-you", "age", " 67 ", 67),
    ("pain-details", "pain_severity", "0", 0),
    ("pain-details", "pain_severity", "10", 10),
]


@pytest.mark.parametrize(
    ("page_id", "question_id", "typed", "saved"),
    ACCEPTED_NUMBERS,
    ids=[f"{q}={t}" for _, q, t, _ in ACCEPTED_NUMBERS],
)
def test_a_number_within_the_limits_is_saved_as_a_number(
    client: FlaskClient, page_id: str, question_id: str, typed: str, saved: int
) -> None:
    page = FLOW.page(page_id)
    assert page is not None
    prime(client, without(EVERY_PAGE, *page.question_ids))
    response = client.post(page_url(page), data={**page_form(page, EVERY_PAGE), question_id: typed})
    assert response.status_code == 302
    assert saved_answers(client)[question_id] == saved


def test_what_was_typed_but_rejected_is_still_there_after_going_away_and_back(client: FlaskClient) -> None:
    about_you = FLOW.page("about-you")
    assert about_you is not None
    prime(client, without(EVERY_PAGE, *about_you.question_ids))
    assert client.post(page_url(about_you), data={"age": "abc", "sex": "male"}).status_code == 200
    show(client, page_url(FLOW.pages[0]))
    show(client, "/")
    document = show(client, page_url(about_you))
    assert document.one("input", id="age").get("value") == "abc"
    assert shown_value(document, CONTRACT["sex"]) == "male"
    assert "age" not in saved_answers(client)


def test_a_draft_is_forgotten_once_the_page_is_saved(client: FlaskClient) -> None:
    about_you = FLOW.page("about-you")
    assert about_you is not None
    prime(client, without(EVERY_PAGE, *about_you.question_ids))
    client.post(page_url(about_you), data={"age": "abc", "sex": "male"})
    assert client.post(page_url(about_you), data={"age": "71"}).status_code == 302
    document = show(client, page_url(about_you))
    assert document.one("input", id="age").get("value") == "71"
    assert shown_value(document, CONTRACT["sex"]) is None
    assert not error_summary(document)


# --- routing: which pages are asked ---------------------------------------------------------------

BEFORE_PAIN = {
    k: v for k, v in EVERY_PAGE.items() if CONTRACT[k].section in ("emergency_screen", "about_you", "injury")
}
BEFORE_CANCER = without(EVERY_PAGE, "cancer", "cancer_type", "bone_metastases", "weight_loss", "fever")


@pytest.mark.parametrize(
    ("form_value", "next_page"), [("yes", "pain-details"), ("no", "bone-health")], ids=["pain", "no-pain"]
)
def test_pain_details_are_asked_only_when_there_is_pain(
    client: FlaskClient, form_value: str, next_page: str
) -> None:
    prime(client, BEFORE_PAIN)
    response = client.post("/questions/pain", data={"back_pain": form_value})
    assert response.location == page_url(next_page)
    details = client.get("/questions/pain-details")
    assert details.status_code == (200 if form_value == "yes" else 302)


@pytest.mark.parametrize(
    ("cancer", "next_page"),
    [("never", "general"), ("past", "cancer-details"), ("current", "cancer-details")],
)
def test_cancer_details_are_asked_only_after_cancer(client: FlaskClient, cancer: str, next_page: str) -> None:
    prime(client, BEFORE_CANCER)
    response = client.post("/questions/cancer", data={"cancer": cancer})
    assert response.location == page_url(next_page)
    details = client.get("/questions/cancer-details")
    assert details.status_code == (302 if cancer == "never" else 200)


@pytest.mark.parametrize(
    ("ticked", "saved"),
    [
        (["none"], []),
        (["night_pain", "worsening"], ["night_pain", "worsening"]),
    ],
    ids=["none-of-these", "two-features"],
)
def test_none_of_these_on_pain_features_gives_an_empty_list(
    client: FlaskClient, ticked: list[str], saved: list[str]
) -> None:
    details = FLOW.page("pain-details")
    assert details is not None
    prime(client, without(EVERY_PAGE, *details.question_ids))
    response = client.post(
        page_url(details), data={**page_form(details, EVERY_PAGE), "pain_features": ticked}
    )
    assert response.status_code == 302
    assert saved_answers(client)["pain_features"] == saved


def test_none_of_these_ticked_with_a_feature_is_refused_and_keeps_the_ticks(client: FlaskClient) -> None:
    details = FLOW.page("pain-details")
    assert details is not None
    prime(client, without(EVERY_PAGE, *details.question_ids))
    response = client.post(
        page_url(details), data={**page_form(details, EVERY_PAGE), "pain_features": ["night_pain", "none"]}
    )
    assert response.status_code == 200
    page = parse(response.text)
    assert any("not both" in message for message in error_summary(page)), error_summary(page)
    ticked = [
        box.attrs["value"] for box in page.find_all("input", name="pain_features") if box.has("checked")
    ]
    assert sorted(ticked) == ["night_pain", "none"]
    assert "pain_features" not in saved_answers(client)


def test_an_empty_pain_features_list_shows_none_of_these_ticked(client: FlaskClient) -> None:
    prime(client, {**EVERY_PAGE, "pain_features": []})
    document = show(client, "/questions/pain-details")
    assert shown_value(document, CONTRACT["pain_features"]) == ["none"]


# --- check answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=[c["id"] for c in VIGNETTES])
def test_check_answers_lists_every_answer_in_words_with_a_change_link(
    client: FlaskClient, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    prime(client, answers)
    rows = show(client, "/check-answers").find_all(cls="summary__row")
    expected = [(page, q) for page in FLOW.asked(answers) for q in page.questions]
    assert len(rows) == len(expected)
    for row, (page, question) in zip(rows, expected, strict=True):
        anchor = question.id if question.kind == "integer" else f"{question.id}-0"
        shown = row.one("dd", cls="summary__value").text
        assert row.one("dt").text == question.label.get("en")
        assert shown == words(question, answers.get(question.id))
        assert not re.search(r"\b(True|False|unsure|[a-z]+_[a-z_0-9]+)\b", shown), shown
        assert row.one("a").get("href") == f"{page_url(page, returning=True)}#{anchor}"


@pytest.mark.parametrize("page", FLOW.asked(EVERY_PAGE), ids=[p.id for p in FLOW.asked(EVERY_PAGE)])
def test_a_change_link_returns_to_check_answers_after_saving(client: FlaskClient, page: Page) -> None:
    prime(client, EVERY_PAGE)
    changes = [
        a.get("href") or ""
        for a in show(client, "/check-answers").find_all("a")
        if a.text.startswith("Change")
    ]
    path = next(href for href in changes if href.startswith(page_url(page, returning=True))).split("#")[0]
    document = show(client, path)
    assert document.one("form", cls="question-form").one("button", type="submit").text == (
        "Save and return to your answers"
    )
    response = client.post(path, data=page_form(page, EVERY_PAGE))
    assert response.location == "/check-answers"
    assert saved_answers(client) == asked_answers(EVERY_PAGE)


def test_changing_back_pain_to_yes_asks_the_pain_details_before_returning(client: FlaskClient) -> None:
    prime(client, NO_PAIN)
    response = client.post(page_url("pain", returning=True), data={"back_pain": "yes"})
    assert response.location == page_url("pain-details", returning=True)
    details = FLOW.page("pain-details")
    assert details is not None
    assert (
        show(client, response.location).one("form", cls="question-form").one("button", type="submit").text
        == "Save and return to your answers"
    )
    response = client.post(response.location, data=page_form(details, EVERY_PAGE))
    assert response.location == "/check-answers"
    labels = [dt.text for dt in show(client, "/check-answers").find_all("dt")]
    assert all(q.label.get("en") in labels for q in details.questions)


def test_changing_back_pain_to_no_returns_at_once_without_the_pain_details(client: FlaskClient) -> None:
    prime(client, EVERY_PAGE)
    response = client.post(page_url("pain", returning=True), data={"back_pain": "no"})
    assert response.location == "/check-answers"
    labels = [dt.text for dt in show(client, "/check-answers").find_all("dt")]
    assert CONTRACT["pain_severity"].label.get("en") not in labels


#: Complete answers to change a warning sign in, from the check page: with and without a cancer history.
CHECKED = {
    "cancer-history": EVERY_PAGE,
    "no-cancer": first_case(
        "with pain, no cancer and no emergency",
        lambda a: a["back_pain"] and a["cancer"] == "never" and RULES.assess(a).level < Level.URGENT,
    )["answers"],
}
SCREEN_CHANGES = [
    (base, question.id, value)
    for base, answers in CHECKED.items()
    for question in (CONTRACT[qid] for qid in SCREEN)
    for value in ((True, "unsure") if question.kind == "yes_no" else question.values)
    if value != answers[question.id]
]


@pytest.mark.parametrize(
    ("base", "question_id", "value"), SCREEN_CHANGES, ids=[f"{b}-{q}={v}" for b, q, v in SCREEN_CHANGES]
)
def test_a_warning_sign_changed_from_the_check_page_shows_urgent_advice_at_once_when_it_is_an_emergency(
    client: FlaskClient, base: str, question_id: str, value: Any
) -> None:
    changed = {**CHECKED[base], question_id: value}
    level = RULES.assess(changed).level  # everything else is already answered
    prime(client, CHECKED[base], submitted=True)
    response = client.post(page_url(FLOW.pages[0], returning=True), data=page_form(FLOW.pages[0], changed))
    if level >= Level.EMERGENCY:
        assert response.location == "/urgent-advice"
        advice = show(client, "/urgent-advice")
        assert level_shown(advice) == level.value
        assert advice.link("Check your answers").get("href") == "/check-answers"
    else:
        assert response.location == "/check-answers"
        assert client.get("/urgent-advice").location == "/check-answers"


def test_warning_signs_changed_from_the_check_page_include_emergencies_and_not() -> None:
    emergencies = {RULES.assess({**CHECKED[b], q: v}).level >= Level.EMERGENCY for b, q, v in SCREEN_CHANGES}
    assert emergencies == {True, False}  # both branches of the test above are exercised


# --- the result, starting again, idle expiry ---------------------------------------------------------


def test_the_result_is_not_shown_before_the_answers_are_confirmed(client: FlaskClient) -> None:
    prime(client, EVERY_PAGE)
    assert client.get("/result").location == "/check-answers"
    client.post("/check-answers")
    assert client.get("/result").status_code == 200


def test_changing_an_answer_after_confirming_asks_to_confirm_again(client: FlaskClient) -> None:
    prime(client, EVERY_PAGE, submitted=True)
    about_you = FLOW.page("about-you")
    assert about_you is not None
    client.post(page_url(about_you, returning=True), data={**page_form(about_you, EVERY_PAGE), "age": "80"})
    assert client.get("/result").location == "/check-answers"


def test_an_empty_session_is_sent_to_the_first_question_not_the_result(client: FlaskClient) -> None:
    assert client.get("/result").location == "/check-answers"
    assert client.get("/check-answers").location == page_url(FLOW.pages[0])


def test_start_again_clears_the_answers(client: FlaskClient) -> None:
    prime(client, EVERY_PAGE, submitted=True)
    assert show(client, "/").link("Continue").get("href") == page_url(FLOW.pages[0])
    response = client.post("/start-again")
    assert response.location == "/"
    start = show(client, "/")
    assert "Your answers have been cleared." in start.one(role="status").text
    assert start.link("Start now")
    assert saved_answers(client) == {}
    assert client.get("/result").location == "/check-answers"


@pytest.mark.parametrize("path", [page_url("about-you"), "/check-answers", "/result"])
def test_answers_left_idle_over_30_minutes_are_cleared_and_the_start_page_says_so(
    client: FlaskClient, path: str
) -> None:
    prime(client, EVERY_PAGE, submitted=True)
    with client.session_transaction() as session:
        session["touched"] = time.time() - Defaults.IDLE_LIMIT_SECONDS - 60
    assert client.get(path).location == "/"
    assert saved_answers(client) == {}
    notice = show(client, "/").one(role="status").text
    assert "We cleared your answers because there was no activity for 30 minutes." in notice


def test_answers_idle_under_30_minutes_are_kept(client: FlaskClient) -> None:
    prime(client, EVERY_PAGE, submitted=True)
    with client.session_transaction() as session:
        session["touched"] = time.time() - Defaults.IDLE_LIMIT_SECONDS + 60
    assert client.get("/result").status_code == 200
    assert saved_answers(client) == asked_answers(EVERY_PAGE)


# --- expired forms (CSRF) -------------------------------------------------------------------------


def csrf_token(document: Document) -> str:
    """The token a page's form carries."""
    return str(document.one("input", name="csrf_token").get("value"))


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["no-token", "wrong-token"])
@pytest.mark.parametrize("returning", [False, True], ids=["in-order", "from-check-page"])
def test_a_form_sent_without_a_valid_token_times_out_kindly_and_keeps_what_was_typed(
    csrf_client: FlaskClient, token: str | None, returning: bool
) -> None:
    path = page_url("about-you", returning=returning)
    show(csrf_client, path)
    typed = {"age": "67", "sex": "female", **({"csrf_token": token} if token else {})}
    response = csrf_client.post(path, data=typed)
    assert response.status_code == 400
    timed_out = parse(response.text)
    assert timed_out.one("h1").text == "This page timed out"
    back = timed_out.link("Go back to the page").get("href")
    assert back == path
    assert "age" not in saved_answers(csrf_client)
    document = show(csrf_client, back)
    assert document.one("input", id="age").get("value") == "67"
    assert shown_value(document, CONTRACT["sex"]) == "female"


@pytest.mark.parametrize("path", ["/check-answers", "/start-again"])
def test_a_timed_out_button_leads_back_to_a_page_that_opens(csrf_client: FlaskClient, path: str) -> None:
    prime(csrf_client, EVERY_PAGE)
    show(csrf_client, "/check-answers")
    response = csrf_client.post(path)
    assert response.status_code == 400
    back = parse(response.text).link("Go back to the page").get("href")
    assert back is not None
    assert csrf_client.get(back, follow_redirects=True).status_code == 200


def test_a_form_sent_with_the_page_token_is_accepted(csrf_client: FlaskClient) -> None:
    token = csrf_token(show(csrf_client, page_url("about-you")))
    response = csrf_client.post(page_url("about-you"), data={"age": "67", "csrf_token": token})
    assert response.status_code == 302
    assert saved_answers(csrf_client)["age"] == 67


# --- privacy ----------------------------------------------------------------------------------------


LOGGED_JOURNEYS = ["bone-mets-cannot-walk", "steroids-sneeze"]


@pytest.mark.parametrize("case_id", LOGGED_JOURNEYS)
def test_no_answer_is_written_to_the_logs(
    journey: Journey, caplog: pytest.LogCaptureFixture, case_id: str
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = {**VIGNETTE[case_id]["answers"], "age": 93, "sex": "female"}
    journey.client.post(page_url("about-you"), data={"age": "abc"})  # a rejected answer too
    journey.walk(answers)
    chosen = [v for value in answers.values() for v in (value if isinstance(value, list) else [value])]
    personal = ["93", "abc", "female", *(v for v in chosen if isinstance(v, str) and "_" in v)]
    logged = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in personal:
        assert not re.search(rf"\b{re.escape(value)}\b", logged), f"{value!r} was logged"


#: Each warning sign alone, and the level of the advice it gives at once (spec v3: cannot stand, A3).
WARNING_SIGN_LEVEL = [
    ("saddle_numbness", "emergency"),
    ("bladder_bowel", "emergency"),
    ("sexual_dysfunction", "emergency"),
    ("cannot_stand", "ambulance"),
]


@pytest.mark.parametrize(("flag", "level"), WARNING_SIGN_LEVEL)
def test_one_warning_sign_on_an_unfinished_screen_still_shows_the_advice_at_once(
    client: FlaskClient, flag: str, level: str
) -> None:
    response = client.post("/questions/emergency-screen", data={flag: "unsure"})
    assert (response.status_code, response.location) == (302, "/urgent-advice")
    advice = show(client, "/urgent-advice")
    assert level_shown(advice) == level
    # Going on leads back to the screen, with what was ticked kept, the rest still to answer and no
    # error shown for questions the person has not yet been asked to finish.
    back = show(client, "/questions/emergency-screen")
    assert back.one("input", id=f"{flag}-2").has("checked")
    assert error_summary(back) == []
    # Answering the rest goes on with the questions; the same advice is not shown a second time.
    rest = {
        q.id: "no" if q.kind.is_truth else "none"
        for q in RULES.contract.questions
        if q.section == "emergency_screen"
    }
    onward = client.post("/questions/emergency-screen", data={**rest, flag: "unsure"})
    assert onward.status_code == 302 and onward.location != "/urgent-advice", onward.location
