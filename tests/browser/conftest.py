"""Fixtures for the browser tests: Debian's Chromium (one per session), the app served by a real
werkzeug process on 127.0.0.1 (with one staff account), fresh browser contexts (no cookies, so no
answers) per test, and a staff member's logged-in session, with records in the queue.

Without /usr/bin/chromium every test here is skipped, except under CI=true, where that is a failure.
The helpers behind them are tests/support/browser.py and tests/support/drive.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, StorageState, sync_playwright

from tests.support.api import bearer
from tests.support.apps import DATABASE_FILE
from tests.support.browser import (
    API_KEY,
    ARTIFACTS,
    CHROMIUM_ARGS,
    STAFF_ACCOUNT,
    Pages,
    chromium_or_skip,
    served,
)
from tests.support.drive import AT_LEVEL, TOUR, log_in, take_call


def make_older(database: Path, age: timedelta) -> None:
    """Move every record's arrival back in the server's SQLite database (it keeps times in UTC,
    as text)."""
    with closing(sqlite3.connect(database)) as connection, connection:
        for row_id, created in list(connection.execute("SELECT id, created_at FROM assessments")):
            older = datetime.fromisoformat(created) - age
            connection.execute("UPDATE assessments SET created_at = ? WHERE id = ?", (str(older), row_id))


@pytest.fixture(scope="session", autouse=True)
def chromium() -> str:
    """The path of Debian's Chromium; skips every browser test without it (fails under CI=true)."""
    return chromium_or_skip()


@pytest.fixture(scope="session")
def server_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app server's files: its instance folder, and so its SQLite database."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def base_url(server_folder: Path) -> Iterator[str]:
    """The address of the app, served by werkzeug in its own process for the whole session."""
    with served(server_folder) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    """One Chromium for the whole session; each test opens its own contexts in it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context (options as for Browser.new_context)."""
    pages = Pages(browser, base_url)
    yield pages.open
    pages.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A page in a fresh desktop-sized browser context (1280×720)."""
    return open_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots (git-ignored), at the repository root."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def staff_session(browser: Browser, base_url: str, server_folder: Path) -> StorageState:
    """The cookies of a staff member logged in through the login form, for contexts to start from.

    Before that, the queue is given records: one at each level through the JSON API, and a phone
    call, with the caller's name and number, taken through the pages; then every record is made
    four days older, so those at the urgent levels are past their targets (overdue) whatever the day:
    "today" ends at closing time, or an hour after the next opening, at most 2 days 17 hours later.
    """
    pages = Pages(browser, base_url)
    page = pages.open()
    for case in AT_LEVEL.values():
        sent = page.request.post("/api/v1/assessments", data=case["answers"], headers=bearer(API_KEY))
        assert sent.ok and sent.json()["saved"]
    log_in(page, STAFF_ACCOUNT["username"], STAFF_ACCOUNT["password"])
    take_call(page, TOUR["answers"], ("Maria Georgiou", "210 555 0199"))
    make_older(server_folder / "instance" / DATABASE_FILE, timedelta(days=4))
    state = page.context.storage_state()
    pages.close()
    return state
