"""Every clinical vignette answered through the real pages: the web gives the engine's level, the
result page says why and what to do, and the emergency screen can end the questionnaire early."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW, RULES
from tests.support.journeys import Journey, Trip, page_url
from tests.support.markup import level_shown, reasons_shown
from triage.engine import Level

BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
#: The number a person at each level is given to call, as a tap-to-call link (conftest's PRACTICE).
NUMBER_TO_CALL = {
    Level.AMBULANCE: "tel:999",
    Level.EMERGENCY: "tel:999",
    Level.URGENT: "tel:+441614960707",
}


def screen_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the emergency screen alone."""
    return {k: v for k, v in answers.items() if k in RULES.contract.emergency_screen.question_ids}


def early_level(case: dict[str, Any]) -> Level:
    """The level the emergency screen's answers reach on their own."""
    return RULES.assess_partial(screen_answers(case["answers"])).level


EARLY_EXITS = [case for case in VIGNETTES if early_level(case) >= Level.EMERGENCY]
FULL_QUESTIONNAIRES = [case for case in VIGNETTES if early_level(case) < Level.EMERGENCY]
CALLS = [case for case in VIGNETTES if RULES.assess(case["answers"]).level in NUMBER_TO_CALL]


def rendered(text: Any) -> str:
    """A rule-set text in English as the app fills it in."""
    return str(text.render("en", PLACEHOLDERS))


@BY_ID
def test_the_pages_give_the_engine_level_and_the_expected_level(
    journey: Journey, case: dict[str, Any]
) -> None:
    trip = journey.walk(case["answers"])
    assert trip.level == RULES.assess(case["answers"]).level.value
    assert trip.level == case["expected_level"]


@BY_ID
def test_the_result_page_gives_action_reasons_safety_net_and_not_a_diagnosis(
    journey: Journey, case: dict[str, Any]
) -> None:
    outcome = RULES.assess(case["answers"])
    trip = journey.walk(case["answers"])
    assert trip.result is not None
    page = trip.result.main.text
    assert trip.result.one("p", cls="action").text == rendered(outcome.action)
    decisive = [reason for ul in trip.result.find_all("ul", cls="reasons") for reason in reasons_shown(ul)]
    assert decisive == [rendered(reason) for reason in outcome.decisive_reasons]
    also = trip.result.find_all("ul", cls="also-told__list")
    also_told = reasons_shown(also[0]) if also else []
    assert also_told == [rendered(reason) for reason in outcome.also_told_reasons]
    for rule in outcome.other_rules:  # spec §3a: a lower rule's guidance never beside this level
        if rule.guidance is not None and rule.guidance not in outcome.guidance:
            assert rendered(rule.guidance) not in page, (
                f"guidance of {rule.id} shown at {outcome.level.value}"
            )
    assert rendered(outcome.safety_net.intro) in page
    for sign in outcome.safety_net.warning_signs:
        assert rendered(sign) in page
    assert rendered(outcome.not_a_diagnosis) in page
    assert f"Rules version {outcome.rules_version.version}" in page


@pytest.mark.parametrize("case", CALLS, ids=[case["id"] for case in CALLS])
def test_urgent_and_red_results_link_the_number_to_call_in_the_action(
    journey: Journey, case: dict[str, Any]
) -> None:
    expected = NUMBER_TO_CALL[RULES.assess(case["answers"]).level]
    trip = journey.walk(case["answers"])
    assert trip.result is not None
    links = [a.get("href") for a in trip.result.one("p", cls="action").find_all("a")]
    assert expected in links


def test_the_vignettes_include_early_exits_and_full_questionnaires_at_every_call_level() -> None:
    assert EARLY_EXITS
    assert FULL_QUESTIONNAIRES
    assert {RULES.assess(case["answers"]).level for case in CALLS} == set(NUMBER_TO_CALL)


@pytest.mark.parametrize("case", EARLY_EXITS, ids=[case["id"] for case in EARLY_EXITS])
def test_an_emergency_screen_at_emergency_shows_urgent_advice_before_any_other_question(
    journey: Journey, case: dict[str, Any]
) -> None:
    early = RULES.assess_partial(screen_answers(case["answers"]))
    trip = journey.walk(case["answers"])
    assert trip.trail[:2] == [page_url(FLOW.pages[0]), "/urgent-advice"]
    assert trip.early_level == early.level.value
    assert Level(trip.level) >= early.level  # the other answers never lower it


@pytest.mark.parametrize("case", EARLY_EXITS, ids=[case["id"] for case in EARLY_EXITS])
def test_the_urgent_advice_page_gives_the_action_the_safety_net_and_a_way_on(
    journey: Journey, case: dict[str, Any]
) -> None:
    early = RULES.assess_partial(screen_answers(case["answers"]))
    trip = journey.walk(case["answers"])
    advice = trip.urgent_advice
    assert advice is not None
    assert level_shown(advice) == early.level.value
    assert advice.one("p", cls="action").text == rendered(early.action)
    assert "tel:999" in [a.get("href") for a in advice.one("p", cls="action").find_all("a")]
    for sign in early.safety_net.warning_signs:
        assert rendered(sign) in advice.main.text
    assert rendered(early.not_a_diagnosis) in advice.main.text
    following = FLOW.next_page(screen_answers(case["answers"]))
    assert following is not None
    assert advice.link("Go on with the questions").get("href") == page_url(following)


@pytest.mark.parametrize("case", FULL_QUESTIONNAIRES, ids=[case["id"] for case in FULL_QUESTIONNAIRES])
def test_without_an_emergency_on_the_screen_there_is_no_urgent_advice(
    journey: Journey, case: dict[str, Any]
) -> None:
    trip: Trip = journey.walk(case["answers"])
    assert not trip.saw_urgent_advice
    assert trip.early_level is None
    assert trip.trail[1] == page_url(FLOW.pages[1])
