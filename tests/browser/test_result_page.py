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


#: A phone 390 px wide zoomed to 200%: the narrowest page a reader is expected to use.
NARROW: ViewportSize = {"width": 195, "height": 422}
#: For each word of the heading (whitespace and hyphens end a word: "1-2" may break after its
#: hyphen), the distinct tops of the lines it is drawn on; more than one: the word is cut in two.
WORDS_ON_LINES = """heading => {
  const cut = [];
  const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/[^\\s\\-\\u00ad\\u2010]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      if (tops.size > 1) cut.push(match[0]);
    }
  }
  return {cut, overflows: heading.scrollWidth > heading.clientWidth};
}"""


@pytest.mark.parametrize("level", list(Level), ids=[level.value for level in Level])
def test_at_195_px_no_word_of_the_heading_is_cut_without_a_hyphen(
    open_page: Callable[..., Page], artifacts: Path, level: Level
) -> None:
    page = open_page(viewport=NARROW)
    get_result(page, AT_LEVEL[level]["answers"])
    for lang in ("en", "el"):
        go(page, f"/result?lang={lang}")
        heading = page.locator("main h1.level__title")
        found = heading.evaluate(WORDS_ON_LINES)
        page.screenshot(path=artifacts / f"{lang}-result-{level.value}-195.png")
        assert found == {"cut": [], "overflows": False}, f"{lang}: {heading.inner_text()!r}: {found}"
