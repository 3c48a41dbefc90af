"""The result page on a phone (390 × 844 CSS pixels), in English and in Greek: what to do, the
reference code, the call-back form and Print / Save as PDF are on the first two screens, and the
answers come after them. A picture of each is kept in artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.support.drive import AT_LEVEL, CALL_BACK, get_result, go
from triage.engine import Level

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENS = 2
#: What must be on the first two screens, by what it is; the call-back form only where offered.
FIRST = {
    "what to do": "main p.action",
    "reference code": "main .reference-line",
    "print": "main .js-print",
    "save as PDF": 'main a[download][href$=".pdf"]',
}
#: Where the call-back form comes before the page's other sections.
CALL_BACK_FIRST = (Level.URGENT, Level.SOON)


def top(page: Page, selector: str) -> float:
    """The top edge of the first element matching `selector`, from the top of the page."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"]) + float(page.evaluate("window.scrollY"))


@pytest.mark.parametrize("level", list(Level), ids=[level.value for level in Level])
def test_what_to_do_reference_call_back_and_pdf_are_on_the_first_two_phone_screens(
    open_page: Callable[..., Page], artifacts: Path, level: Level
) -> None:
    page = open_page(viewport=PHONE)
    get_result(page, AT_LEVEL[level]["answers"])
    for lang in ("en", "el"):
        go(page, f"/result?lang={lang}")
        expect(page.locator(f".level--{level.value}")).to_be_visible()
        wanted = {**FIRST, **({"call-back form": CALL_BACK} if level in CALL_BACK_FIRST else {})}
        edges = {what: top(page, selector) for what, selector in wanted.items()}
        late = {what: round(edge) for what, edge in edges.items() if edge > SCREENS * PHONE["height"]}
        assert not late, f"{lang}: below the first {SCREENS} screens of {PHONE['height']} px: {late}"
        assert top(page, ".print-summary") > max(edges.values()), f"{lang}: the answers come first"
        page.screenshot(path=artifacts / f"{lang}-result-{level.value}-390.png", full_page=True)
