"""Greek and English throughout: catalogues complete, every page in the chosen language, and the switch."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.support.apps import PLACEHOLDERS
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.flow import FLOW, RULES
from tests.support.journeys import Journey, prime, show
from tests.support.markup import Document, parse, reasons_shown
from tests.support.wording import diagnostic_claims
from triage import PROJECT_ROOT

CATALOGUES = sorted((PROJECT_ROOT / "triage" / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)s")
GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
#: Latin words a Greek page may show: the other language's name in the switch, codes, and the
#: practice's configured details (which the test config sets in English). The product's name is
#: Greek on a Greek page.
LATIN_ALLOWED = {
    "English",
    "Northgate",
    "northgate",
    "desk",
    "test",
    "spine",
    "PDF",
}  # PDF: written so in Greek too
ONE_PER_LEVEL = {
    level: next(case for case in VIGNETTES if case["expected_level"] == level)["id"]
    for level in ("ambulance", "emergency", "urgent", "soon", "information")
}


def test_there_is_a_catalogue_for_every_language_of_the_rules() -> None:
    assert {path.parts[-3] for path in CATALOGUES} == set(RULES.languages)


@pytest.mark.parametrize("path", CATALOGUES, ids=[p.parts[-3] for p in CATALOGUES])
def test_every_message_is_translated_and_none_is_fuzzy(path: Path) -> None:
    with path.open("rb") as file:
        catalogue = read_po(file)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms):  # a plural message is translated only when every one of its forms is
            problems.append(f"untranslated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif set(PLACEHOLDER.findall(str(message.id))) != set(PLACEHOLDER.findall(str(message.string))):
            problems.append(f"placeholders differ: {message.id!r} -> {message.string!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogues_hold_every_text_the_code_and_templates_use(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(template), "--no-location", "."],
        cwd=PROJECT_ROOT, check=True,
    )  # fmt: skip
    with template.open("rb") as file:
        used = {m.id for m in read_po(file) if m.id}
    for path in CATALOGUES:
        with path.open("rb") as file:
            known = {m.id for m in read_po(file) if m.id}
        assert not used - known, f"{path}: missing {sorted(used - known)} (run make translations-update)"


def test_the_checker_catches_english_left_on_a_greek_page() -> None:
    assert english_words(
        parse('<html lang="el"><body><main><p>Καλέστε τώρα. Call now</p></main></body></html>')
    )
    assert not english_words(
        parse('<html lang="el"><body><main><p>Καλέστε το 112 τώρα.</p></main></body></html>')
    )
    assert not english_words(  # the rules version's hash is a code, in every language
        parse('<html lang="el"><body><main><p>Έκδοση κανόνων 2026.11.1 (d89514ba7c1f).</p></main>')
    )


def english_words(document: Document) -> set[str]:
    """Latin words on a page (outside the allowed names, the rules' source citations and the
    rules version's hash)."""
    text = re.sub(r"\b[0-9a-f]{12}\b", " ", document.text)
    for cited in document.find_all(cls="rule__source"):
        text = text.replace(cited.text, " ")
    text = re.sub(r"\b[0-9a-f]{12}\b", " ", text)  # the rules' content hash, as pages show it
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return {w for w in words if w not in LATIN_ALLOWED and not re.fullmatch(r"[A-Z0-9]{4}", w)}


def greek_pages(client: FlaskClient) -> dict[str, Document]:
    """Every kind of patient page, shown in Greek."""
    client.get("/?lang=el")
    pages = {"start": show(client, "/"), "rules": show(client, "/rules"), "404": show(client, "/nope", 404)}
    everything = VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"]
    for page in FLOW.pages:
        prime(client, everything)
        pages[page.id] = show(client, f"/questions/{page.id}")
    pages["error"] = parse(client.post("/questions/about-you", data={"age": "abc"}).text)
    for level, case in ONE_PER_LEVEL.items():
        prime(client, VIGNETTE[case]["answers"], submitted=True)
        pages[f"result-{level}"] = show(client, "/result")
    prime(client, VIGNETTE["saddle-numbness-only"]["answers"])
    pages["urgent-advice"] = show(client, "/urgent-advice")
    pages["check-answers"] = show(client, "/check-answers")
    return pages


def test_no_english_word_is_left_on_any_greek_page(client: FlaskClient) -> None:
    found = {name: english_words(page) for name, page in greek_pages(client).items()}
    assert not {name: words for name, words in found.items() if words}
    assert all(page.html.get("lang") == "el" for page in greek_pages(client).values())


def test_no_greek_is_left_on_any_english_page(client: FlaskClient) -> None:
    client.get("/?lang=el")
    pages = greek_pages(client)
    client.get("/?lang=en")
    prime(client, VIGNETTE["breast-cancer-thoracic-night-pain"]["answers"], submitted=True)
    for path in ["/", "/rules", "/result", "/check-answers", *(f"/questions/{p.id}" for p in FLOW.pages)]:
        document = show(client, path)
        assert document.html.get("lang") == "en"
        switch = document.one(cls="language-switch").text  # the way to Greek is written in Greek
        assert not GREEK.search(document.text.replace(switch, "")), path
    assert pages  # the Greek pages were there to switch from


@pytest.mark.parametrize("level", sorted(ONE_PER_LEVEL))
@pytest.mark.parametrize("lang", ["el", "en"])
def test_a_journey_in_each_language_reaches_the_engines_result(
    client: FlaskClient, lang: str, level: str
) -> None:
    client.get(f"/?lang={lang}")
    answers = VIGNETTE[ONE_PER_LEVEL[level]]["answers"]
    trip = Journey(client).walk(answers)
    assert trip.level == RULES.assess(answers).level.value == level
    assert trip.result is not None and trip.result.html.get("lang") == lang
    outcome = RULES.assess(answers)
    shown = [reasons_shown(ul) for ul in trip.result.find_all("ul", cls="reasons")]
    shown += [reasons_shown(ul) for ul in trip.result.find_all("ul", cls="also-told__list")]
    reasons = [
        reason.render(lang, PLACEHOLDERS)
        for reason in (*outcome.decisive_reasons, *outcome.also_told_reasons)
    ]
    assert [reason for listing in shown for reason in listing] == reasons


def test_every_page_offers_the_other_language(client: FlaskClient) -> None:
    english = show(client, "/questions/about-you?returning=check")
    switch = english.one(cls="language-switch").find_all("a")
    assert [(a.get("lang"), a.text) for a in switch] == [("el", "Ελληνικά")]
    assert "returning=check" in str(switch[0].get("href")) and "lang=el" in str(switch[0].get("href"))
    greek = show(client, str(switch[0].get("href")))
    assert [a.text for a in greek.one(cls="language-switch").find_all("a")] == ["English"]


def test_the_choice_is_remembered_and_otherwise_the_browser_language_is_used(app: Flask) -> None:
    browser = app.test_client()
    assert show(browser, "/").html.get("lang") == "en"
    greek_browser = app.test_client()
    greek_browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "el-GR,el;q=0.9,en;q=0.5"
    assert show(greek_browser, "/").html.get("lang") == "el"
    greek_browser.get("/?lang=en")
    assert show(greek_browser, "/rules").html.get("lang") == "en"


@pytest.mark.parametrize(
    ("header", "lang"), [("el", "el"), ("el-GR, en;q=0.5", "el"), ("en", "en"), ("fr", "en"), (None, "en")]
)
def test_the_api_answers_in_the_accept_language(client: FlaskClient, header: str | None, lang: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = client.post("/api/v1/assessments", json={"age": 10}, headers=headers)
    assert response.status_code == 422
    errors: dict[str, Any] = response.get_json()["errors"]
    assert errors["age"] == RULES.contract.message("age", "below_minimum").render(lang, PLACEHOLDERS)
    assert bool(GREEK.search(errors["age"])) == (lang == "el")
    outcome = client.post("/api/v1/assessments", json=VIGNETTE["fever-back-pain"]["answers"], headers=headers)
    assert outcome.get_json()["level"] == "urgent"  # ids and levels stay as in the contract
    assert bool(GREEK.search(outcome.get_json()["action"])) == (lang == "el")


@pytest.mark.parametrize("path", CATALOGUES, ids=[p.parts[-3] for p in CATALOGUES])
def test_no_page_text_makes_a_diagnostic_claim_in_any_language(path: Path) -> None:
    with path.open("rb") as file:
        claims = {str(m.string): diagnostic_claims(str(m.string)) for m in read_po(file) if m.id}
    assert not {text: found for text, found in claims.items() if found}


def test_the_timed_out_page_keeps_the_chosen_language(csrf_client: FlaskClient) -> None:
    csrf_client.get("/?lang=el")
    response = csrf_client.post("/questions/about-you", data={"age": "70", "csrf_token": "stale"})
    assert response.status_code == 400
    page = parse(response.text)
    assert page.html.get("lang") == "el" and GREEK.search(page.one("h1").text)


def test_the_locale_is_the_requests_language(app: Flask) -> None:
    from flask_babel import get_locale

    chosen = []
    for header in ("el-GR,el;q=0.9", "en", "el"):
        with app.test_request_context("/", headers={"Accept-Language": header}):
            app.preprocess_request()
            chosen.append(str(get_locale()))
    assert chosen == ["el", "en", "el"]


def test_a_text_in_another_language_inside_a_greek_request_then_greek_again(app: Flask) -> None:
    from flask_babel import force_locale, gettext

    with app.test_request_context("/?lang=el"):
        app.preprocess_request()
        greek = gettext("Start again")
        with force_locale("en"):
            english = gettext("Start again")
        assert gettext("Start again") == greek
    assert english == "Start again"
    assert GREEK.search(greek)
