"""Issue 30's numbered findings, each walked in Chromium as the person who met it: findings 1, 5, 7,
8, 10 and 12 (2 and 6: test_nothing_lost.py; 3 and 4: test_question_pages.py; 11:
test_result_page.py). Each test fails on the code before its fix. A picture of each finding is kept
in artifacts/ (finding-N-….png)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from playwright.sync_api import Page, StorageState, expect

from tests.support.api import bearer
from tests.support.apps import PRACTICE, PRACTICE_IN_GREEK
from tests.support.browser import API_KEY
from tests.support.cases import VIGNETTE, VIGNETTES
from tests.support.drive import (
    AT_LEVEL,
    CALL_BACK,
    CALL_BACK_SENT,
    EARLY_EXIT,
    OVERRIDE_FORM,
    PHONE_QUESTIONS,
    PHONE_REST,
    PHONE_RESULT,
    PHONE_SCREEN,
    RECORD,
    RESULT,
    SCREEN,
    STAFF_QUEUE,
    URGENT_ADVICE,
    answer_questions,
    fill,
    fill_in,
    get_result,
    go,
    input_ids,
    path,
    shown_questions,
    start,
    submit,
)
from tests.support.flow import RULES
from tests.support.pdfs import read
from tests.support.sentences import MAX_WORDS, sentences, words
from triage import PROJECT_ROOT, config
from triage.config import practice_values
from triage.engine import Level
from triage.engine.contract import UNSURE

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "el")
#: The practice's details as the served app fills them in, by language.
FILLED = {lang: practice_values({**PRACTICE, **PRACTICE_IN_GREEK}, lang) for lang in LANGUAGES}
CATALOGUES = PROJECT_ROOT / "triage" / "translations"


def one_line(text: str) -> str:
    """Text with its whitespace made single spaces, as a reader takes it in."""
    return " ".join(text.split())


def translated(lang: str, message: str) -> str:
    """A page text (a catalogue msgid) in a language, as the pages say it."""
    return str(Translations.load(CATALOGUES, [lang]).gettext(message))


def send_urgent(page: Page) -> str:
    """Send an urgent vignette's answers through the JSON API, as a practice's own form would; the
    reference of the record saved."""
    sent = page.request.post(
        "/api/v1/assessments", data=AT_LEVEL[Level.URGENT]["answers"], headers=bearer(API_KEY)
    )
    assert sent.ok and sent.json()["saved"], sent.text()
    return str(sent.json()["reference"])


# Finding 1: someone who cannot stand read "Go to an emergency department now" above "Call 112 now".


def is_told_to_call_an_ambulance(page: Page, lang: str, where: str) -> None:
    """The page's heading is the ambulance level's and its action says to call the emergency number;
    the emergency department level's heading is nowhere on it."""
    ambulance, emergency = RULES.levels[Level.AMBULANCE], RULES.levels[Level.EMERGENCY]
    heading = one_line(page.locator("main .level__title").inner_text())
    assert ambulance.label.get(lang) in heading, f"{lang} {where}: the heading reads {heading!r}"
    action = one_line(page.locator("main p.action").inner_text())
    wanted = ambulance.action.render(lang, FILLED[lang])
    assert action == wanted, f"{lang} {where}: the action reads {action!r}"
    assert emergency.label.get(lang) not in one_line(page.locator("main").inner_text()), f"{lang} {where}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("answer", [True, UNSURE], ids=["yes", "not-sure"])
def test_finding_1_who_cannot_stand_reads_call_an_ambulance_on_the_advice_and_the_result(
    open_page: Callable[..., Page], artifacts: Path, answer: Any, lang: str
) -> None:
    """Finding 1: a person who cannot stand (yes, or not sure) reads the ambulance level's heading
    and its "Call 999 now" action, on the early-exit advice and on the result, never "Go to an
    emergency department now"."""
    answers = {**VIGNETTE["slip-cannot-stand"]["answers"], "cannot_stand": answer}
    page = open_page()
    go(page, f"/?lang={lang}")
    start(page)
    fill(page, shown_questions(page), answers)
    submit(page)
    assert path(page) == URGENT_ADVICE, f"expected the early-exit advice, the browser shows {page.url}"
    is_told_to_call_an_ambulance(page, lang, "early-exit advice")
    if lang == "en" and answer == UNSURE:
        page.screenshot(path=artifacts / "finding-1-cannot-stand-not-sure-advice.png", full_page=True)
    answer_questions(page, answers)
    submit(page)
    assert path(page) == RESULT, f"expected the result, the browser shows {page.url}"
    is_told_to_call_an_ambulance(page, lang, "result")


# Finding 5: the surgeon's PDF and the CSV still showed the tool's level after a clinician's change.


def download(page: Page, link: str) -> bytes:
    """What clicking a link downloads."""
    with page.expect_download() as started:
        page.locator(link).click()
    saved = started.value.path()
    return saved.read_bytes()


@pytest.fixture
def lowered(open_page: Callable[..., Page], staff_session: StorageState, artifacts: Path) -> tuple[Page, str]:
    """A staff page on a new urgent record a clinician lowered to soon, with a reason; its reference."""
    page = open_page(storage_state=staff_session)
    reference = send_urgent(page)
    go(page, f"{RECORD}{reference}")
    page.locator(f'{OVERRIDE_FORM} [name=level][value="soon"]').check()
    page.locator("#reason").fill("Seen in clinic yesterday: scan booked, safe to wait.")
    submit(page, f"{OVERRIDE_FORM} [type=submit]")
    page.screenshot(path=artifacts / "finding-5-record-level-changed.png", full_page=True)
    return page, reference


def test_finding_5_the_surgeons_pdf_gives_the_clinicians_level_first(lowered: tuple[Page, str]) -> None:
    """Finding 5: after a clinician lowers an urgent record to soon, the surgeon's one-page PDF says
    "Level: Soon", and says it before the tool's "Urgent"."""
    page, _ = lowered
    pdf = read(download(page, 'main a[download][href$="/summary.pdf"]'))
    assert "Level: Soon: 1 to 2 weeks" in pdf.text, f"the PDF's level is the tool's: {pdf.text[:300]}"
    assert pdf.text.index("Soon: 1 to 2 weeks") < pdf.text.index("Urgent: today"), "the tool's level first"


def test_finding_5_the_csv_gives_the_level_acted_on_then_the_tools(lowered: tuple[Page, str]) -> None:
    """Finding 5: in the CSV export, the lowered record's `level` is the clinician's (soon) and its
    `tool_level` the tool's (urgent)."""
    page, reference = lowered
    go(page, f"{STAFF_QUEUE}?show=all")
    rows = csv.DictReader(io.StringIO(download(page, 'main a[href*="export.csv"]').decode("utf-8-sig")))
    [row] = [row for row in rows if row["reference"] == reference]
    assert (row["level"], row.get("tool_level")) == ("soon", "urgent"), f"the CSV's row: {row}"


# Finding 7: an urgent phone call could be finished with no number; the script still promised a call back.

NEEDS_NUMBER = "Enter the caller's phone number, or why there is none"


def kept_every_answer(page: Page, answers: dict[str, Any]) -> None:
    """Every answer given on the call's last screen is still ticked or typed."""
    for question in PHONE_REST:
        if question.id not in answers or not page.locator(f"[name={question.id}]").count():
            continue  # not asked with these answers
        if question.kind == "integer":
            expect(page.locator(f"#{question.id}")).to_have_value(str(answers[question.id]))
        else:
            for input_id in input_ids(question, answers[question.id]):
                expect(page.locator(f"#{input_id}")).to_be_checked()


@pytest.mark.parametrize("level", [Level.URGENT, Level.SOON], ids=["urgent", "soon"])
def test_finding_7_an_urgent_or_soon_call_needs_a_number_or_why_there_is_none(
    open_page: Callable[..., Page], staff_session: StorageState, artifacts: Path, level: Level
) -> None:
    """Finding 7: an urgent or soon call sent with no number and no reason is not finished: the phone
    field says what is missing, and everything typed stays; with a reason it finishes, and an urgent
    call's script does not promise to call back."""
    answers = AT_LEVEL[level]["answers"]
    page = open_page(storage_state=staff_session)
    go(page, PHONE_SCREEN)
    fill_in(page, SCREEN, answers)
    submit(page)
    assert path(page) == PHONE_QUESTIONS, f"expected the other questions, the browser shows {page.url}"
    fill_in(page, PHONE_REST, answers)
    page.locator("#caller_name").fill("Eleni Markou")
    submit(page)

    assert path(page) == PHONE_QUESTIONS, f"finished with no number: the browser shows {page.url}"
    expect(page.locator("#caller_phone-error")).to_contain_text(NEEDS_NUMBER)
    expect(page.locator('.error-summary a[href="#caller_phone"]')).to_have_text(NEEDS_NUMBER)
    expect(page.locator("#caller_name")).to_have_value("Eleni Markou")
    kept_every_answer(page, answers)
    if level is Level.URGENT:
        page.screenshot(path=artifacts / "finding-7-phone-call-needs-a-number.png", full_page=True)

    page.locator("#no_number_reason").fill("Refused to give a number.")
    submit(page)
    assert path(page).startswith(PHONE_RESULT), f"expected the phone result, the browser shows {page.url}"
    script = one_line(page.locator("main p.action").inner_text())
    promise = RULES.levels[Level.URGENT].phone_script.render("en", FILLED["en"]).split(". ")[0]
    assert promise not in script, f"the script promises a call back with no number: {script}"


# Finding 8: "today" ran to midnight: an urgent call-back at 14:55 was "due 00:00".


def test_finding_8_an_urgent_record_is_due_by_closing_time_not_midnight(
    open_page: Callable[..., Page], staff_session: StorageState, artifacts: Path
) -> None:
    """Finding 8: a new urgent record is due by the practice's closing time (or an hour after it next
    opens), as PRACTICE_OPENING_TIMES says (the served app's default), never at midnight."""
    page = open_page(storage_state=staff_session)
    hours = config.opening_times({})  # the served app sets no opening times: the default
    before = datetime.now(UTC)
    reference = send_urgent(page)
    after = datetime.now(UTC)
    go(page, f"{STAFF_QUEUE}?show=all")
    row = page.locator(f'main table.queue tr:has(a[href="{RECORD}{reference}"])')
    page.screenshot(path=artifacts / "finding-8-queue-due-by-closing-time.png", full_page=True)
    due = one_line(row.locator('td[data-label="Time left"] .small').inner_text())

    shown = re.search(r"\b(\d{1,2}) \w+ \d{4}, (\d{2}:\d{2})\b", due)
    assert shown is not None, f"no day and time in {due!r}"
    expected = {(str(when.day), when.strftime("%H:%M")) for when in map(hours.due_today, (before, after))}
    assert shown.groups() in expected, f"an urgent record arriving now is {due!r}; expected {expected}"


# Finding 10: a completed emergency result said "give it to the practice when you call" of its code.

#: What the reference code is for, by level (a page text, so in each language from the catalogue).
REFERENCE_USE = {
    Level.AMBULANCE: "Show it at the hospital.",
    Level.EMERGENCY: "Show it at the hospital.",
    Level.URGENT: "Quote it when you speak to the practice.",
    Level.SOON: "Quote it when you speak to the practice.",
}
WHEN_YOU_CALL = "when you call"


def reference_line(page: Page) -> str:
    return one_line(page.locator("main .reference-line").inner_text())


@pytest.mark.parametrize("level", list(REFERENCE_USE), ids=[level.value for level in REFERENCE_USE])
def test_finding_10_the_reference_code_says_what_it_is_for_at_each_level(
    open_page: Callable[..., Page], artifacts: Path, level: Level
) -> None:
    """Finding 10: the reference code's sentence says what it is for: at the ambulance and emergency
    levels "show it at the hospital"; at urgent and soon "quote it when you speak to the practice";
    in English and Greek, on the result page and the early-exit advice."""
    page = open_page()
    get_result(page, AT_LEVEL[level]["answers"])
    for lang in LANGUAGES:
        go(page, f"{RESULT}?lang={lang}")
        line = reference_line(page)
        assert line.endswith(translated(lang, REFERENCE_USE[level])), f"{lang} {level.value} result: {line!r}"
        assert WHEN_YOU_CALL not in line, f"{lang} {level.value} result: {line!r}"
    if level is Level.EMERGENCY:
        go(page, f"{RESULT}?lang=en")
        page.screenshot(path=artifacts / "finding-10-emergency-reference.png", full_page=True)


def test_finding_10_the_early_exit_advice_says_show_the_code_at_the_hospital(page: Page) -> None:
    """Finding 10: on the early-exit advice (the emergency levels) the code is for the hospital alone."""
    start(page)
    fill(page, shown_questions(page), EARLY_EXIT["answers"])
    submit(page)
    assert path(page) == URGENT_ADVICE, f"expected the early-exit advice, the browser shows {page.url}"
    assert reference_line(page).endswith(REFERENCE_USE[Level.EMERGENCY]), reference_line(page)


def test_finding_10_no_when_you_call_once_the_practice_will_call(page: Page) -> None:
    """Finding 10: after a call-back request, where the page says the practice will call the person,
    nothing asks them to give the code "when you call"."""
    get_result(page, AT_LEVEL[Level.URGENT]["answers"])
    page.locator("#name").fill("Eleni Markou")
    page.locator("#phone").fill("694 123 4567")
    page.locator("#consent").check()
    submit(page, f"{CALL_BACK} [type=submit]")
    assert path(page) == CALL_BACK_SENT, f"expected the call-back confirmation, the browser shows {page.url}"
    for where in (CALL_BACK_SENT, RESULT):
        go(page, where)
        main = one_line(page.locator("main").inner_text())
        assert "will call you" in main, f"{where}: the page does not say the practice will call"
        said = [sentence for sentence in sentences(main, "en") if WHEN_YOU_CALL in sentence]
        assert not said, f"{where} says {WHEN_YOU_CALL!r}: {said}"


# Finding 12: 107 English and 110 Greek sentences over 25 words, the longest 54 and 59.


@pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
def test_finding_12_every_sentence_on_each_vignettes_result_is_25_words_or_fewer(
    open_page: Callable[..., Page], artifacts: Path, case: dict[str, Any]
) -> None:
    """Finding 12: on each public vignette's result page, in English and Greek, every sentence of the
    main content as the browser shows it has 25 words or fewer."""
    page = open_page()
    get_result(page, case["answers"])
    long = []
    for lang in LANGUAGES:
        go(page, f"{RESULT}?lang={lang}")
        shown = page.locator("main").inner_text()
        long += [
            f"{lang}: {len(words(sentence))} words: {sentence}"
            for line in shown.splitlines()
            for sentence in sentences(line, lang)
            if len(words(sentence)) > MAX_WORDS
        ]
        if case is VIGNETTES[0] and lang == "el":
            page.screenshot(path=artifacts / "finding-12-greek-result.png", full_page=True)
    assert not long, f"{case['id']}: {len(long)} sentences over {MAX_WORDS} words:\n" + "\n".join(long)
