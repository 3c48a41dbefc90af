"""The printed result is a summary to take along: answers, level, date and rules version, and no
navigation or buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, StorageState, expect

from tests.support.drive import FLOW, RULES, STATUS_FORM, TOUR, get_result, go, open_record

pytestmark = pytest.mark.browser

#: What a printed page leaves out: site header and footer, skip and back links, buttons and forms.
NAVIGATION = ["header", "footer", ".skip-link", ".back-link", "main button", "main form", "main .button"]


def test_printed_result_shows_the_summary_and_hides_navigation(page: Page) -> None:
    answers = TOUR["answers"]
    get_result(page, answers)
    page.emulate_media(media="print")
    expect(page.locator(f"main .level--{TOUR['expected_level']} h1")).to_be_visible()
    expect(page.locator("main p.action")).to_be_visible()
    summary = page.locator(".print-summary")
    expect(summary).to_be_visible()
    asked = [q for p in FLOW.asked(answers) for q in p.questions]
    rows = summary.locator(".summary__row")
    expect(rows).to_have_count(len(asked))
    for row, question in zip(rows.all(), asked, strict=True):
        expect(row.locator("dt")).to_have_text(question.label.get("en"))
        expect(row.locator("dd").first).to_be_visible()
        expect(row.locator("dd").first).not_to_be_empty()
    today = date.today()  # written as the page's language writes dates, so only its numbers are checked
    dated = summary.locator("p", has_text=RULES.version.version)
    expect(dated).to_be_visible()
    expect(dated).to_contain_text(RULES.version.content_hash[7:19])
    expect(dated).to_contain_text(
        re.compile(rf"\b{today.day}\b.*\b{today.year}\b|\b{today.year}\b.*\b{today.day}\b")
    )
    for selector in NAVIGATION:
        elements = page.locator(selector)
        for index in range(elements.count()):
            expect(elements.nth(index), f"{selector} shows in print").to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "el"])
def test_the_surgeons_printed_summary_is_the_one_page_summary_alone(
    open_page: Callable[..., Page], staff_session: StorageState, artifacts: Path, lang: str
) -> None:
    page = open_page(storage_state=staff_session)
    open_record(page)
    go(page, f"{page.url.split('?')[0]}?lang={lang}")
    page.emulate_media(media="print")
    expect(page.locator(".surgeon-summary")).to_be_visible()
    expect(page.locator(STATUS_FORM)).to_be_hidden()
    page.screenshot(path=artifacts / f"{lang}-surgeon-summary-print.png", full_page=True)


@pytest.mark.parametrize("lang", ["en", "el"])
def test_the_patients_printed_summary_is_saved_as_a_picture(page: Page, artifacts: Path, lang: str) -> None:
    get_result(page, TOUR["answers"])
    go(page, f"/result?lang={lang}")
    page.emulate_media(media="print")
    expect(page.locator(".print-summary")).to_be_visible()
    page.screenshot(path=artifacts / f"{lang}-patient-summary-print.png", full_page=True)
