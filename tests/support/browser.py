"""What the browser tests run on: Debian's Chromium, the app served by a real werkzeug process on
127.0.0.1 (with one staff account), and pages opened in fresh browser contexts (no cookies, so no
answers). The fixtures that hold them for a session are in tests/browser/conftest.py.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page

from tests.support.apps import PRACTICE, PRACTICE_IN_GREEK, UNTHROTTLED, settings_in
from triage import PROJECT_ROOT

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
#: The folder for screenshots (git-ignored), at the repository root.
ARTIFACTS = PROJECT_ROOT / "artifacts"

#: The staff account the server is made with: an admin, so every staff page is open to it.
STAFF_ACCOUNT = {
    "username": "ada",
    "display_name": "Ada Admin",
    "role": "admin",
    "password": "browser tests only, never a real one",
}

#: The API key the server knows, so the records the tests send through the API are saved.
API_KEY = "st_browser-tests-only-never-a-real-key"

#: The server process: the app from create_app(), its settings from the environment only, Flask's
#: instance folder (and so its SQLite database) moved out of the repository, as the test apps'
#: are (tests/support/apps.py), the database's tables made as `make run` makes them, and the staff
#: account (JSON in TRIAGE_TEST_ACCOUNT) made as `flask users create` makes one, and an API key
#: (TRIAGE_TEST_API_KEY) kept by its hash as `api-keys create` keeps one.
SERVE = """
import json, os, sys
from flask import Flask
Flask.auto_find_instance_path = lambda self: os.environ["TRIAGE_TEST_INSTANCE"]
from flask_migrate import upgrade
from werkzeug.serving import make_server
from triage import create_app
from triage.api import keys
from triage.staff import accounts
from triage.storage import repository
app = create_app()
with app.app_context():
    upgrade()
    accounts.create(**json.loads(os.environ["TRIAGE_TEST_ACCOUNT"]))
    repository.create_api_key("browser-tests", keys.key_hash(os.environ["TRIAGE_TEST_API_KEY"]))
make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True).serve_forever()
"""
STARTUP_SECONDS = 20


def chromium_or_skip() -> str:
    """The path of Debian's Chromium; skips the test without it (fails under CI=true)."""
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


@contextmanager
def served(folder: Path, **settings: str) -> Iterator[str]:
    """The app served by werkzeug in its own process, its files in `folder`, until the block ends;
    its address. Its settings: the shell's, less any the app reads, plus the test practice's, plus
    `settings` (as environment variables, such as IDLE_LIMIT_SECONDS)."""
    environment = {name: value for name, value in os.environ.items() if name not in settings_in(os.environ)}
    environment |= {
        **PRACTICE,
        **PRACTICE_IN_GREEK,
        **UNTHROTTLED,
        "SECRET_KEY": "browser-tests-secret",
        "TRIAGE_TEST_INSTANCE": str(folder / "instance"),
        "TRIAGE_TEST_ACCOUNT": json.dumps(STAFF_ACCOUNT),
        "TRIAGE_TEST_API_KEY": API_KEY,
        **settings,
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
