"""Question pages as a person sees them: each question's text is at least as large as its answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.drive import (
    CHECK_ANSWERS,
    FLOW,
    TOUR,
    URGENT_ADVICE,
    fill,
    path,
    shown_questions,
    start,
    submit,
)

pytestmark = pytest.mark.browser

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
