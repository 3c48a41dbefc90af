"""What a reader meets on a phone: the warning signs on short pages, the sign that needs an ambulance
first, and the emergency advice right after the page a sign is answered on, before the others
(issue 30, Deliver 6); "How this tool decides" short, its exact rules folded away until opened.

Which pages there are and what they ask come from the questionnaire (rules/questions.yaml).
benchmarks/reading.py measures these pages against the other layouts considered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.support.drive import FLOW, QUESTIONS, URGENT_ADVICE, fill, path, shown_questions, start, submit
from triage.engine import Level
from triage.questionnaire import Page as QuestionPage

pytestmark = pytest.mark.browser

#: A common phone, in CSS pixels.
PHONE = {"width": 390, "height": 844}
#: The longest a warning-sign page may be, in phone screens (the single page of before was 3.4).
MOST_SCREENS = 2
#: The longest "How this tool decides" may be, in phone screens (every rule shown, it was 21).
RULES_SCREENS = 5
SIGNS = pytest.mark.parametrize("shown", FLOW.warning_signs, ids=[p.id for p in FLOW.warning_signs])


def calm(questions: QuestionPage) -> dict[str, object]:
    """This page answered with no warning sign."""
    return {q.id: False if q.kind.is_truth else q.values[0] for q in questions.questions}


@SIGNS
def test_each_warning_sign_page_is_at_most_two_phone_screens_long(
    open_page: Callable[..., Page], shown: QuestionPage
) -> None:
    page = open_page(viewport=PHONE)
    assert page.goto(f"{QUESTIONS}{shown.id}")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MOST_SCREENS * PHONE["height"], f"{shown.id} is {height} px long at phone width"


def test_a_person_who_cannot_stand_is_told_to_call_an_ambulance_after_the_first_page(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(viewport=PHONE)
    start(page)
    first = shown_questions(page)
    assert first == FLOW.pages[0] and "cannot_stand" in first.question_ids
    fill(page, first, {**calm(first), "cannot_stand": True})
    submit(page)
    assert path(page) == URGENT_ADVICE
    expect(page.locator(f".level--{Level.AMBULANCE.value}")).to_be_visible()


@SIGNS
def test_a_sign_leads_to_the_advice_right_after_its_own_page(
    open_page: Callable[..., Page], shown: QuestionPage
) -> None:
    page = open_page(viewport=PHONE)
    start(page)
    while shown_questions(page) != shown:  # the pages before it, answered with no sign
        fill(page, shown_questions(page), calm(shown_questions(page)))
        submit(page)
    sign = shown.questions[-1]
    alarming = True if sign.kind.is_truth else sign.values[-1]
    fill(page, shown, {**calm(shown), sign.id: alarming})
    submit(page)
    assert path(page) == URGENT_ADVICE, f"a sign on {shown.id} led to {page.url}"


def test_how_this_tool_decides_is_short_and_its_exact_rules_open_without_script(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(viewport=PHONE, java_script_enabled=False)
    assert page.goto("/rules")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= RULES_SCREENS * PHONE["height"], f"the rules page is {height} px long at phone width"
    rule = page.locator(".rule__title").first
    expect(rule).to_be_hidden()
    page.locator("details.rules-detail > summary").first.click()
    expect(rule).to_be_visible()
