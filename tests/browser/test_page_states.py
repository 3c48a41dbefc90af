"""Every state of every page a patient or a member of staff can see, in English and in Greek,
reached once through the real pages, then checked: the page says its language in <html lang>,
axe-core finds no WCAG 2.2 A or AA violation, and the page reflows without horizontal scrolling
at 320 CSS pixels wide (WCAG 1.4.10) and at 200% zoom, where the buttons to go on stay in view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, ViewportSize

from tests.support.browser import Pages
from tests.support.drive import LANG, STATES, PageState

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()
DESKTOP: ViewportSize = {"width": 1280, "height": 720}
#: A small phone, in CSS pixels.
PHONE: ViewportSize = {"width": 320, "height": 640}
#: A common phone, for the pictures of the staff pages.
COMMON_PHONE: ViewportSize = {"width": 375, "height": 740}
#: A 1280×800 window at 200% zoom: half as many CSS pixels, each drawn twice as large.
ZOOMED: ViewportSize = {"width": 640, "height": 400}

GREEK = re.compile("[\u0370-\u03ff]")
#: States whose page comes out in the wrong language, from a known bug in the app (not the tests).
#: The page's width against the viewport's, and the first elements sticking out past its right edge.
MEASURE = """() => {
  const root = document.documentElement;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].map((c) => "." + c).join("");
  const wide = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5)
    .slice(0, 5).map(name);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


@pytest.fixture(scope="module", params=STATES, ids=str)
def state(request: pytest.FixtureRequest) -> PageState:
    """One page state; the tests below run for each in turn."""
    reached: PageState = request.param
    return reached


@pytest.fixture(scope="module")
def shown(
    request: pytest.FixtureRequest, browser: Browser, base_url: str, state: PageState
) -> Iterator[Page]:
    """A fresh browser brought to the page state once, for all the checks of that state; for a
    staff page, one that starts logged in (the cookies of a login through the form).

    Drawn at twice the pixel density, as phones and zoomed windows are; layout is in CSS pixels.
    """
    pages = Pages(browser, base_url)
    logged_in = {"storage_state": request.getfixturevalue("staff_session")} if state.staff else {}
    page = pages.open(viewport=DESKTOP, device_scale_factor=2, **logged_in)
    state.reach(page)
    yield page
    pages.close()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG A and AA rules on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found: list[dict[str, Any]] = AXE.run(page, options=options).response["violations"]
    return found


def report(state: PageState, found: list[dict[str, Any]]) -> str:
    """Each violated rule with what it requires and the elements that break it."""
    lines = [f"{state}: {len(found)} axe rule(s) violated"]
    for rule in found:
        targets = "; ".join(" ".join(node["target"]) for node in rule["nodes"])
        lines.append(f"  {rule['id']} ({rule['impact']}): {rule['help']} -> {targets}")
    return "\n".join(lines)


def horizontal_scrolling(page: Page) -> str | None:
    """What sticks out, when the page is wider than the viewport (so it scrolls sideways)."""
    size: dict[str, Any] = page.evaluate(MEASURE)
    if size["scrollWidth"] <= size["clientWidth"]:
        return None
    return (
        f"{size['scrollWidth']} px wide in a {size['clientWidth']} px viewport; "
        f"too wide: {', '.join(size['wide'])}"
    )


def buttons_out_of_view(page: Page) -> list[str]:
    """The page's buttons (start, continue, ...) that do not show, whole, in the viewport."""
    problems = []
    width = page.viewport_size["width"] if page.viewport_size else 0
    buttons = page.locator("main .button:not([hidden])")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        label = (button.text_content() or "").strip()
        if not button.is_visible() or box is None:
            problems.append(f"the button “{label}” is not visible")
        elif box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"the button “{label}” does not fit the {width} px viewport ({box})")
    return problems


def save_screenshot(page: Page, state: PageState, folder: Path, suffix: str = "") -> None:
    """A whole-page picture of each result level and of the states named for one (one pixel per
    CSS pixel), for people to look at."""
    named = f"result-{state.level.value}" if state.level is not None else state.screenshot
    if named is not None:
        language = "" if state.lang == LANG else f"{state.lang}-"
        page.screenshot(path=folder / f"{language}{named}{suffix}.png", full_page=True, scale="css")


def test_page_says_its_language(shown: Page, state: PageState) -> None:
    assert shown.locator("html").get_attribute("lang") == state.lang, f"{state}: wrong <html lang>"
    if state.lang == "el":  # and really is in Greek, not English left untranslated
        heading = shown.locator("main h1").first.inner_text()
        assert GREEK.search(heading), f"{state}: the main heading is not in Greek: {heading!r}"


def test_no_wcag_violations(shown: Page, state: PageState, artifacts: Path) -> None:
    shown.set_viewport_size(DESKTOP)
    save_screenshot(shown, state, artifacts)
    found = violations(shown)
    assert not found, report(state, found)
    if state.screenshot:  # and as a common phone shows it
        shown.set_viewport_size(COMMON_PHONE)
        save_screenshot(shown, state, artifacts, "-375px")


def test_no_horizontal_scrolling_at_320_css_pixels(shown: Page, state: PageState, artifacts: Path) -> None:
    shown.set_viewport_size(PHONE)
    save_screenshot(shown, state, artifacts, "-320px")
    problem = horizontal_scrolling(shown)
    assert problem is None, f"{state} at 320 px scrolls sideways: {problem}"


def test_at_200_percent_zoom_no_horizontal_scrolling_and_buttons_in_view(
    shown: Page, state: PageState, artifacts: Path
) -> None:
    shown.set_viewport_size(ZOOMED)
    save_screenshot(shown, state, artifacts, "-200pct")
    problem = horizontal_scrolling(shown)
    assert problem is None, f"{state} at 200% zoom scrolls sideways: {problem}"
    assert shown.locator("main h1").is_visible(), f"{state} at 200% zoom: no visible main heading"
    hidden = buttons_out_of_view(shown)
    assert not hidden, f"{state} at 200% zoom: " + "; ".join(hidden)
