""" "You told us" on the result page says what the person said (issue 30 finding 9, spec §3a v3):
before, a "yes" to leg weakness read "… (or you are not sure)" and a "yes" to difficulty walking
beside it was never mentioned. Now both are named, as a short list, and "not sure" only where it
was the answer; in English and in Greek."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.drive import AT_LEVEL, get_result, go
from triage.engine import Level

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BASE: dict[str, Any] = AT_LEVEL[Level.INFORMATION]["answers"]
#: What the first reason names, by language: weakness and walking, each its own line.
NAMED = {
    "en": ["weakness in your legs or arms", "difficulty walking"],
    "el": ["αδυναμία στα πόδια ή στα χέρια", "δυσκολία στο περπάτημα"],
}
NOT_SURE = {"en": "not sure", "el": "σίγουροι"}


def test_both_answers_are_named_and_a_yes_is_not_called_not_sure(
    open_page: Callable[..., Page], artifacts: Path
) -> None:
    page = open_page(viewport=PHONE)
    get_result(page, {**BASE, "leg_weakness": True, "walking_difficulty": True})
    for lang, named in NAMED.items():
        go(page, f"/result?lang={lang}")
        first = page.locator("main ul.reasons > li").first
        facts = first.locator("ul.told > li")
        expect(facts).to_have_count(2)
        said = facts.all_inner_texts()
        assert all(any(words in fact for fact in said) for words in named), said
        assert NOT_SURE[lang] not in page.locator("main ul.reasons").inner_text()
        page.screenshot(path=artifacts / f"{lang}-told-weakness-walking-390.png", full_page=True)


def test_not_sure_is_quoted_where_it_was_the_answer(open_page: Callable[..., Page]) -> None:
    page = open_page()
    get_result(page, {**BASE, "leg_weakness": "unsure"})
    expect(page.locator("main ul.reasons > li").first).to_contain_text(
        "You told us you are not sure if you have new weakness in your legs or arms."
    )
