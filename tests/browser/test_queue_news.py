"""The open queue says when new records arrive (static/js/queue.js): a polite live region and a
button to show them, after the script's next question to the server; the page never reloads itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, StorageState, expect

from tests.support.api import bearer
from tests.support.browser import API_KEY
from tests.support.drive import AT_LEVEL, STAFF_QUEUE, go, path

pytestmark = pytest.mark.browser

ASKS_EVERY_MS = 60_000


def test_new_records_are_announced_with_a_button_to_show_them(
    open_page: Callable[..., Page], staff_session: StorageState
) -> None:
    page = open_page(storage_state=staff_session)
    page.clock.install()
    assert go(page, f"{STAFF_QUEUE}?show=all").ok
    shown = page.locator("main table.queue tbody tr").count()
    region = page.locator(".queue-news__text")
    load = page.locator(".queue-news__load")
    assert region.get_attribute("role") == "status"  # polite: announced without interrupting
    expect(load).to_be_hidden()

    page.clock.run_for(ASKS_EVERY_MS + 1000)  # asked once: nothing new yet
    page.wait_for_timeout(300)
    expect(load).to_be_hidden()

    case = AT_LEVEL[next(iter(AT_LEVEL))]
    for _ in range(2):
        sent = page.request.post("/api/v1/assessments", data=case["answers"], headers=bearer(API_KEY))
        assert sent.ok
    page.clock.run_for(ASKS_EVERY_MS + 1000)
    expect(region).to_have_text("2 new records have arrived.")
    expect(load).to_be_visible()
    assert page.locator("main table.queue tbody tr").count() == shown, "the page did not reload itself"

    with page.expect_navigation():
        load.click()
    assert path(page) == STAFF_QUEUE and "show=all" in page.url
    assert page.locator("main table.queue tbody tr").count() == shown + 2
