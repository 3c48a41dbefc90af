"""Whole journeys from the start page to a result: by keyboard alone, and with JavaScript off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import PRACTICE
from tests.support.drive import (
    CHECK_ANSWERS,
    FLOW,
    RESULT,
    START_AGAIN,
    SUBMIT,
    TOUR,
    answer_questions,
    get_result,
    input_ids,
    path,
    shown_questions,
    start,
    submit,
)
from triage.questionnaire import Page as QuestionPage

pytestmark = pytest.mark.browser

#: Presses of Tab a page may need to reach the control wanted (the header's links, then the page's
#: own). The most is on "Check your answers", whose answers have one "Change" link per page asked,
#: not one per answer: for the tour's answers, 4 in the header and 11 pages, then "See your result".
MAX_TABS = 16
ACTIVE = "selector => document.activeElement !== null && document.activeElement.matches(selector)"
#: The focused element has a visible indicator: an outline or a box shadow (the focus styles).
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  return outline || style.boxShadow !== "none";
}"""


def focused(page: Page, selector: str) -> bool:
    """Whether the element with the keyboard focus matches `selector`."""
    return bool(page.evaluate(ACTIVE, selector))


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on an element matching `selector`, and check it shows."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page, selector):
            assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {selector} at {page.url}"
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector} on {page.url}")


def press_enter_on(page: Page, selector: str) -> None:
    """Tab to a link or button and press Enter on it; wait for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_by_keyboard(page: Page, questions: QuestionPage, answers: dict[str, object]) -> None:
    """Give a page's answers with the keyboard only: Tab between questions; in a group of radio
    buttons the arrow keys move the choice (the browser's one way to reach a radio other than the
    first); Space ticks; Enter on the button sends the page."""
    for question in questions.questions:
        if question.id not in answers:
            continue
        wanted = input_ids(question, answers[question.id])
        if question.kind == "integer":
            tab_to(page, f"#{question.id}")
            page.keyboard.type(str(answers[question.id]))
        elif question.kind == "multi_choice":
            for input_id in sorted(wanted, key=lambda i: int(i.rpartition("-")[2])):  # page order
                tab_to(page, f"#{input_id}")
                page.keyboard.press("Space")
        else:
            tab_to(page, f'input[name="{question.id}"]')
            for _ in range(page.locator(f'input[name="{question.id}"]').count()):
                if focused(page, f"#{wanted[0]}"):
                    break
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
    press_enter_on(page, SUBMIT)


def test_keyboard_alone_goes_from_start_to_result(page: Page) -> None:
    assert page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page, ".skip-link"), "the first Tab does not reach the skip link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0, "the focused skip link is off screen"
    press_enter_on(page, "main a.button--start")
    press_enter_on(page, SUBMIT)  # nothing answered: the problems are shown and focused
    expect(page.locator(".error-summary")).to_be_focused()
    for _ in FLOW.pages:
        if path(page) == CHECK_ANSWERS:
            break
        answer_by_keyboard(page, shown_questions(page), TOUR["answers"])
    assert path(page) == CHECK_ANSWERS, f"the questions did not end at check answers: {page.url}"
    press_enter_on(page, SUBMIT)
    assert path(page) == RESULT
    expect(page.locator(f".level--{TOUR['expected_level']}")).to_be_visible()


def test_without_javascript_the_pages_go_from_start_to_result(open_page: Callable[..., Page]) -> None:
    page = open_page(java_script_enabled=False)
    start(page)
    submit(page)  # nothing answered: the server shows the problems
    expect(page.locator(".error-summary")).to_be_visible()
    answer_questions(page, TOUR["answers"])
    submit(page)
    assert path(page) == RESULT
    expect(page.locator(f".level--{TOUR['expected_level']}")).to_be_visible()
    expect(page.locator(".js-print")).to_be_hidden()  # it needs script, so it is not offered
    expect(page.locator(START_AGAIN)).to_be_visible()  # a plain form: it works without script


def test_practice_details_come_from_the_server_environment(page: Page) -> None:
    get_result(page, TOUR["answers"])
    footer = page.locator("footer")
    expect(footer).to_contain_text(PRACTICE["PRACTICE_NAME"])
    expect(footer).to_contain_text(PRACTICE["PRACTICE_PHONE"])
    expect(page.locator("main")).to_contain_text(PRACTICE["PRACTICE_EMAIL"])
