"""Question pages as a person sees them: each question's text is at least as large as its answers,
and "I need more time" keeps what is typed on the page and returns to where the person was, with
and without JavaScript (spec §3b)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.support.drive import (
    CHECK_ANSWERS,
    FLOW,
    TOUR,
    URGENT_ADVICE,
    answer_questions,
    fill,
    input_ids,
    path,
    shown_questions,
    start,
    submit,
)

pytestmark = pytest.mark.browser

#: A common phone, in CSS pixels.
PHONE = {"width": 390, "height": 844}
#: For each question on the page: the computed font size of its text (legend or label) and of its
#: answers' labels (none for a text box).
SIZES = """() => [...document.querySelectorAll("main .form-group")].map((group) => {
  const question = group.querySelector("legend, label.label");
  const options = [...group.querySelectorAll(".choice__label")];
  return {
    question: question.textContent.trim(),
    size: parseFloat(getComputedStyle(question).fontSize),
    options: options.map((label) => parseFloat(getComputedStyle(label).fontSize)),
  };
})"""


def test_every_question_is_at_least_as_large_as_its_answers(page: Page) -> None:
    start(page)
    measured = 0
    for _ in range(len(FLOW.pages) + 2):
        if path(page) in (CHECK_ANSWERS, URGENT_ADVICE):
            break
        for question in page.evaluate(SIZES):
            assert all(question["size"] >= size for size in question["options"]), question
            measured += bool(question["options"])
        fill(page, shown_questions(page), TOUR["answers"])
        submit(page)
    assert measured, "no question with answers to choose was measured"


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_more_time_keeps_what_is_typed_and_returns_to_the_time_limit(
    open_page: Callable[..., Page], script: bool
) -> None:
    page = open_page(java_script_enabled=script, viewport=PHONE)
    start(page)
    answer_questions(page, TOUR["answers"], stop_at="about-you")
    questions = shown_questions(page)
    fill(page, questions, TOUR["answers"])  # typed, not sent
    with page.expect_navigation():
        page.get_by_role("button", name="I need more time").click()
    assert shown_questions(page).id == questions.id
    for question in questions.questions:
        if question.kind == "integer":
            expect(page.locator(f"#{question.id}")).to_have_value(str(TOUR["answers"][question.id]))
        elif question.id in TOUR["answers"]:
            for input_id in input_ids(question, TOUR["answers"][question.id]):
                expect(page.locator(f"#{input_id}")).to_be_checked()
    expect(page.locator(".error-summary")).to_have_count(0)  # kept, not sent: nothing is a problem yet
    expect(page.locator("#idle-title")).to_be_in_viewport()  # where the button was, not the top
    expect(page.get_by_role("button", name="I need more time")).to_have_count(0)  # given once


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_none_of_these_and_the_other_boxes_clear_each_other_as_they_are_ticked_by_keyboard(
    open_page: Callable[..., Page], script: bool
) -> None:
    """With script, ticking "None of these" clears the other boxes and ticking another clears it;
    without, both stay ticked and the server says to choose one or the other."""
    page = open_page(java_script_enabled=script)
    start(page)
    answer_questions(page, TOUR["answers"], stop_at="pain-details")
    shown = shown_questions(page)
    question = next(q for q in shown.questions if q.kind.is_list and q.min_items == 0)
    other = page.locator(f'input[name="{question.id}"]').first
    none = page.locator(f'input[name="{question.id}"][value="none"]')
    fill(page, shown, {k: v for k, v in TOUR["answers"].items() if k != question.id})
    other.focus()
    page.keyboard.press("Space")
    expect(other).to_be_checked()
    none.focus()
    page.keyboard.press("Space")
    expect(none).to_be_checked()
    if not script:
        expect(other).to_be_checked()
        submit(page)
        expect(page.locator(".error-summary")).to_contain_text("not both")
        return
    expect(other).not_to_be_checked()
    other.focus()
    page.keyboard.press("Space")
    expect(other).to_be_checked()
    expect(none).not_to_be_checked()
    submit(page)
    assert path(page) != f"/questions/{shown.id}", "sent without a problem"
    expect(page.locator(".error-summary")).to_have_count(0)
