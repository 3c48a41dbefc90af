"""A real client of the FHIR service (issue 31): LHC-Forms, the National Library of Medicine's FHIR form
renderer (npm `lforms`, the version tests/lhcforms/package.json pins), renders the Questionnaire the app
serves, in Debian's Chromium, from files served on 127.0.0.1.

For each public vignette (tests/cases/vignettes.yaml), one page of LHC-Forms is filled with the answers
a person gives on the app's pages (tests/support/lhcforms.py), and:

1. the items LHC-Forms enables (its own enableWhen and FHIRPath show/hide) are the questions the app's
   router asks for those answers;
2. the urgent advice (spec v3 §5a, the display items under `urgent-advice`) is shown when a warning
   sign on its own needs emergency care, at that level, and not otherwise;
3. the QuestionnaireResponse LHC-Forms exports, sent to `$extract`, is assessed at the vignette's level
   (the Bundle parsed strictly by fhirclient's R4 models).

And in LHC-Forms' own UI, "not sure" to a warning sign brings the urgent advice at once.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Error, expect

from tests.support.cases import VIGNETTE
from tests.support.fhir import parse_r4
from tests.support.flow import FLOW, RULES, screen_answers
from tests.support.lhcforms import (
    Filled,
    answers_given,
    asked_questions,
    choose,
    fill,
    lforms_or_skip,
    pinned_version,
    response_for,
    static_server,
    texts,
)
from triage.engine import Level
from triage.engine.contract import UNSURE
from triage.fhir.common import FHIR_JSON, LEVELS_URL

pytestmark = pytest.mark.browser

ADVICE = "urgent-advice"
EXTRACT = "/api/v1/fhir/QuestionnaireResponse/$extract"
#: The vignettes, and the form with nothing answered yet.
STATES = ["nothing-answered", *VIGNETTE]


@pytest.fixture(scope="module")
def lforms_url() -> Iterator[str]:
    """LHC-Forms' files on 127.0.0.1 (skips without them, fails under CI=true)."""
    lforms_or_skip()
    with static_server() as url:
        yield url


@pytest.fixture(scope="module")
def served(base_url: str) -> dict[str, Any]:
    """The Questionnaire the app serves (GET /api/v1/fhir/Questionnaire)."""
    with urllib.request.urlopen(f"{base_url}/api/v1/fhir/Questionnaire", timeout=10) as answer:  # noqa: S310
        assert answer.status == 200
        loaded: dict[str, Any] = json.loads(answer.read())
        return loaded


def post_fhir(url: str, resource: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST a resource as FHIR JSON (no API key: assessed, not saved); the status and the body."""
    sent = urllib.request.Request(  # noqa: S310  (our own http://127.0.0.1 URL)
        url, json.dumps(resource).encode(), {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON}
    )
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def given(state: str) -> dict[str, Any]:
    """The answers a person gives on the app's pages in this state."""
    return {} if state == "nothing-answered" else answers_given(FLOW, VIGNETTE[state]["answers"])


@pytest.fixture(scope="module")
def filled(browser: Browser, lforms_url: str, served: dict[str, Any]) -> Iterator[Callable[[str], Filled]]:
    """LHC-Forms filled in each state: one page per state (in one browser context, so LHC-Forms' files
    are fetched once), filled once and read by every test of that state; no script errors on them."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    errors: list[Error] = []
    done: dict[str, Filled] = {}

    def filled_in(state: str) -> Filled:
        if state not in done:
            answers = given(state)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(error))
            done[state] = fill(page, lforms_url, served, response_for(served, answers) if answers else None)
            page.close()
        assert not errors, f"JavaScript errors in LHC-Forms: {errors}"
        return done[state]

    yield filled_in
    context.close()


def test_the_pinned_lhc_forms_is_installed() -> None:
    assert pinned_version() == "40.1.3"
    assert lforms_or_skip() == pinned_version()


@pytest.mark.parametrize("state", STATES)
def test_lhc_forms_asks_what_the_router_asks(filled: Callable[[str], Filled], state: str) -> None:
    form = filled(state)
    asked = asked_questions(FLOW, given(state))
    assert form.questions == asked, (
        f"LHC-Forms also shows {sorted(form.questions - asked)}, and hides {sorted(asked - form.questions)}"
    )


@pytest.mark.parametrize("state", STATES)
def test_the_urgent_advice_shows_on_a_warning_sign(filled: Callable[[str], Filled], state: str) -> None:
    form = filled(state)
    early = RULES.assess_partial(screen_answers(given(state))).level
    advice = {link for link in form.enabled if link.startswith(ADVICE)}
    if early.rank >= Level.EMERGENCY.rank:
        wanted = f"{ADVICE}-{early.value}"
        assert advice == {ADVICE, wanted}, f"a warning sign needs {early.value}; LHC-Forms enabled {advice}"
        assert wanted in form.shown, f"{wanted} is enabled but its text is not visible"
    else:
        assert advice == set(), f"no warning sign is yes or not sure, yet LHC-Forms enabled {advice}"


@pytest.mark.parametrize("state", VIGNETTE)
def test_the_response_lhc_forms_exports_is_assessed_at_the_expected_level_by_extract(
    filled: Callable[[str], Filled], base_url: str, state: str
) -> None:
    exported = filled(state).response
    assert exported["resourceType"] == "QuestionnaireResponse"
    assert exported["status"] == "completed"
    status, bundle = post_fhir(f"{base_url}{EXTRACT}", exported)
    assert status == 200, bundle
    assert bundle["resourceType"] == "Bundle"
    parse_r4(bundle)
    (risk,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"]
    (prediction, *_) = risk["prediction"]
    levels = [c["code"] for c in prediction["qualitativeRisk"]["coding"] if c.get("system") == LEVELS_URL]
    assert levels == [VIGNETTE[state]["expected_level"]]


def test_a_warning_sign_brings_the_urgent_advice_in_lhc_forms(filled: Callable[[str], Filled]) -> None:
    """The check above can fail: some vignette has a warning sign that shows the advice."""
    assert any(ADVICE in filled(state).enabled for state in VIGNETTE)


def test_not_sure_about_leg_weakness_in_lhc_forms_own_ui_brings_the_urgent_advice(
    browser: Browser, lforms_url: str, served: dict[str, Any]
) -> None:
    """Issue 31's man with cancer and new leg weakness: answering in the form itself, as a person
    does, shows the advice at once, and taking the answer back hides it."""
    level = RULES.assess_partial({"leg_weakness": UNSURE}).level
    assert level.rank >= Level.EMERGENCY.rank
    advice = texts(served)[f"{ADVICE}-{level.value}"]
    context = browser.new_context()
    try:
        page = context.new_page()
        fill(page, lforms_url, served, None)
        shown = page.get_by_text(advice, exact=True)
        expect(shown).to_be_hidden()
        choose(page, served, "leg_weakness", "unsure")
        expect(shown).to_be_visible()
        choose(page, served, "leg_weakness", "no")
        expect(shown).to_be_hidden()
    finally:
        context.close()
