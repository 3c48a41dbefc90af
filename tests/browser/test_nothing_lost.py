"""Spec §3b in Chromium, on a server whose time limit is a few seconds: a clinician logged out
while typing a note comes back, after logging in, to the record with the note filled in (issue 30,
finding 6: a 405 error page, the note gone); a call-back sent from an urgent result after the
answers timed out is taken, with the reference code (finding 2: the start page, nothing sent)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.api import bearer
from tests.support.browser import API_KEY, STAFF_ACCOUNT, Pages, served
from tests.support.drive import AT_LEVEL, CALL_BACK, get_result, go, path, submit
from triage.engine import Level

pytestmark = pytest.mark.browser

#: The server's time limit for idle answers and staff sessions, in seconds: short enough to wait out.
LIMIT = 5
NOTE = "Rang at 10:40, no answer. Try the daughter's number after 3 pm."


@pytest.fixture(scope="module")
def quick_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served with a time limit of LIMIT seconds."""
    with served(tmp_path_factory.mktemp("quick"), IDLE_LIMIT_SECONDS=str(LIMIT)) as url:
        yield url


@pytest.fixture
def quick_page(browser: Browser, quick_url: str) -> Iterator[Page]:
    pages = Pages(browser, quick_url)
    yield pages.open()
    pages.close()


def first_login(page: Page) -> list[str]:
    """Log in for the first time (setting up the authenticator); the recovery codes shown."""
    go(page, "/staff/login")
    page.locator("#username").fill(STAFF_ACCOUNT["username"])
    page.locator("#password").fill(STAFF_ACCOUNT["password"])
    submit(page)
    key = page.locator("code.mfa-key").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(key).now())
    submit(page)
    return page.locator("ul.recovery-codes code").all_inner_texts()


def test_a_note_typed_when_the_session_ends_is_back_on_its_record_after_logging_in(quick_page: Page) -> None:
    sent = quick_page.request.post(
        "/api/v1/assessments", data=AT_LEVEL[Level.URGENT]["answers"], headers=bearer(API_KEY)
    )
    reference = sent.json()["reference"]
    codes = first_login(quick_page)
    record = f"/staff/assessments/{reference}"
    go(quick_page, record)
    quick_page.locator("#status-1").check()
    quick_page.locator("#note").fill(NOTE)
    time.sleep(LIMIT + 1)  # the clinician stops to think: the session ends meanwhile
    submit(quick_page, 'main form[action$="/status"] [type=submit]')
    assert path(quick_page) == "/staff/login"
    expect(quick_page.locator("main")).to_contain_text("What you typed is kept.")
    quick_page.locator("#username").fill(STAFF_ACCOUNT["username"])
    quick_page.locator("#password").fill(STAFF_ACCOUNT["password"])
    submit(quick_page)
    quick_page.locator("#code").fill(codes[0])
    response = submit(quick_page)
    assert response.status == 200 and path(quick_page) == record, f"the browser shows {quick_page.url}"
    expect(quick_page.locator("#note")).to_have_value(NOTE)
    expect(quick_page.locator("#kept-draft")).to_contain_text("It is not saved yet")
    expect(quick_page.locator("#status-1")).to_be_checked()


def test_a_call_back_sent_after_the_answers_timed_out_is_taken(quick_page: Page) -> None:
    get_result(quick_page, AT_LEVEL[Level.URGENT]["answers"])
    reference = quick_page.locator(".reference").first.inner_text()
    quick_page.locator("#name").fill("Eleni Markou")
    quick_page.locator("#phone").fill("694 123 4567")
    quick_page.locator("#consent").check()
    time.sleep(LIMIT + 1)  # the person reads the page, then sends the form: the answers timed out
    submit(quick_page, f"{CALL_BACK} [type=submit]")
    assert path(quick_page).endswith("/call-back-sent"), f"the browser shows {quick_page.url}"
    expect(quick_page.locator("main h1")).to_have_text("We will call you back")
    expect(quick_page.locator("main .reference")).to_have_text(reference)
