"""Fixtures for the browser tests: Debian's Chromium (one per session), the app served by a real
werkzeug process on 127.0.0.1 (with one staff account), fresh browser contexts (no cookies, so no
answers) per test, and a staff member's logged-in session, with records in the queue.

Without /usr/bin/chromium every test here is skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, StorageState, sync_playwright

from tests.browser.drive import AT_LEVEL, TOUR, log_in, take_call
from triage import PROJECT_ROOT
from triage.config import PRACTICE_DEFAULTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_MISSING = "Debian's chromium is not installed: apt-get install chromium"
ARTIFACTS = PROJECT_ROOT / "artifacts"

#: Practice details unlike the demo defaults, given to the server in its environment.
PRACTICE = {
    "PRACTICE_NAME": "Riverside Spine Practice",
    "PRACTICE_PHONE": "+44 117 496 0123",
    "PRACTICE_EMAIL": "help@riverside-spine.test",
    "OPENING_HOURS": "Monday to Friday, 8:30 to 17:30",
    "EMERGENCY_NUMBER": "999",
    "AMBULANCE_NUMBER": "999",
}
SETTINGS = [
    "SECRET_KEY",
    "RULES_DIR",
    "DEFAULT_LANGUAGE",
    "SESSION_COOKIE_SECURE",
    "DATABASE_URL",
    "RETENTION_DAYS",
    *PRACTICE_DEFAULTS,
]

#: The staff account the server is made with: an admin, so every staff page is open to it.
STAFF_ACCOUNT = {
    "username": "ada",
    "display_name": "Ada Admin",
    "role": "admin",
    "password": "browser tests only, never a real one",
}

#: The server process: the app from create_app(), its settings from the environment only, Flask's
#: instance folder (and so its SQLite database) moved out of the repository, as tests/conftest.py
#: does in-process, the database's tables made as `make run` makes them, and the staff account
#: (JSON in TRIAGE_TEST_ACCOUNT) made as `flask users create` makes one.
SERVE = """
import json, os, sys
from flask import Flask
Flask.auto_find_instance_path = lambda self: os.environ["TRIAGE_TEST_INSTANCE"]
from flask_migrate import upgrade
from werkzeug.serving import make_server
from triage import create_app
from triage.staff import accounts
app = create_app()
with app.app_context():
    upgrade()
    accounts.create(**json.loads(os.environ["TRIAGE_TEST_ACCOUNT"]))
make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True).serve_forever()
"""
STARTUP_SECONDS = 20


@pytest.fixture(scope="session", autouse=True)
def chromium() -> str:
    """The path of Debian's Chromium; skips every browser test without it (fails under CI=true)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM_MISSING} (CI=true, so the browser tests must run)", pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    return str(CHROMIUM)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_answering(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server answers `url`; fail with its log if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The app server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (our own http://127.0.0.1 URL)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"The app server did not answer {url} within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of the app, served by werkzeug in its own process for the whole session."""
    folder = tmp_path_factory.mktemp("server")
    environment = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    environment |= {
        **PRACTICE,
        "SECRET_KEY": "browser-tests-secret",
        "TRIAGE_TEST_INSTANCE": str(folder / "instance"),
        "TRIAGE_TEST_ACCOUNT": json.dumps(STAFF_ACCOUNT),
    }
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/", server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    """One Chromium for the whole session; each test opens its own contexts in it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Pages:
    """Opens pages, each in a fresh browser context (no cookies, so no answers), and closes them."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list[BrowserContext] = []
        self.script_errors: list[Error] = []

    def open(self, **options: Any) -> Page:
        """A page in a new context (options as for Browser.new_context)."""
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.script_errors.append(error))
        return page

    def close(self) -> None:
        """Close every context; fail if a page had a JavaScript error."""
        for context in self.contexts:
            context.close()
        assert not self.script_errors, f"JavaScript errors on the pages: {self.script_errors}"


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
def staff_session(browser: Browser, base_url: str) -> StorageState:
    """The cookies of a staff member logged in through the login form, for contexts to start from.

    Before that, the queue is given records: one at each level through the JSON API, and a phone
    call, with the caller's name and number, taken through the pages.
    """
    pages = Pages(browser, base_url)
    page = pages.open()
    for case in AT_LEVEL.values():
        assert page.request.post("/api/v1/assessments", data=case["answers"]).ok
    log_in(page, STAFF_ACCOUNT["username"], STAFF_ACCOUNT["password"])
    take_call(page, TOUR["answers"], ("Maria Georgiou", "210 555 0199"))
    state = page.context.storage_state()
    pages.close()
    return state
