"""Driving the real pages in a browser with a set of answers, and every page state the tests visit:
a patient's pages and the staff area's, in English and in Greek.

Which pages there are, what is on them and which input gives an answer all come from the rule
set (triage.questionnaire and its fields), never from a list written here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import pyotp
from playwright.sync_api import Page, Response, expect

from tests.support.cases import vignettes
from tests.support.flow import FLOW, RULES
from triage.engine import Level
from triage.engine.contract import Question
from triage.questionnaire import Page as QuestionPage
from triage.questionnaire.fields import choices, to_form_value

CASES: list[dict[str, Any]] = vignettes()
LANG = "en"
QUESTIONS, URGENT_ADVICE, CHECK_ANSWERS, RESULT = "/questions/", "/urgent-advice", "/check-answers", "/result"
CALL_BACK_SENT = "/call-back/sent"
#: The submit button of a page's own form (the question form, or "check answers"); the
#: "start again" form on the result page has an action and is never sent here.
SUBMIT = "main form:not([action]) [type=submit]"
#: The "start again" button (on the start page when resuming, and on the result page).
START_AGAIN = 'main form[action$="/start-again"] [type=submit]'
#: The call-back request on a result page (offered once the assessment is saved).
CALL_BACK = 'main form[action^="/call-back"]'
#: The languages the pages are checked in besides English, which is what a browser gets unasked.
OTHER_LANGUAGES = [lang for lang in RULES.languages if lang != LANG]
STAFF_LOGIN, STAFF_QUEUE, STAFF_AUDIT = "/staff/login", "/staff/", "/staff/audit"
STAFF_DASHBOARD = "/staff/dashboard"
MFA_SETUP, RECOVERY_CODES = "/staff/mfa/setup", "/staff/mfa/recovery-codes"
PHONE_SCREEN, PHONE_QUESTIONS, PHONE_RESULT = "/staff/phone", "/staff/phone/questions", "/staff/phone/result/"
RECORD = "/staff/assessments/"
#: A record's status form (its own action, unlike the page forms SUBMIT finds).
STATUS_FORM = 'main form[action$="/status"]'
#: A record's form for a clinician's own urgency level.
OVERRIDE_FORM = 'main form[action$="/override"]'
#: The warning-sign questions a phone call starts with, and every other question (one page).
SCREEN = [RULES.contract[qid] for qid in RULES.contract.emergency_screen.question_ids]
PHONE_REST = [q for q in RULES.contract.questions if q not in SCREEN]


def exits_early(answers: Mapping[str, Any]) -> bool:
    """Whether the emergency screen's answers alone lead to the urgent-advice page."""
    screen = RULES.contract.emergency_screen.question_ids
    return RULES.assess_partial({k: v for k, v in answers.items() if k in screen}).level >= Level.EMERGENCY


def first_case(wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    """The first vignette that fits, so every state is reached with a clinician's answers."""
    found = next((case for case in CASES if wanted(case)), None)
    assert found is not None, f"no vignette in tests/cases/vignettes.yaml {what}"
    return found


#: A vignette that is asked every page and goes straight through: it reaches each question page.
TOUR = first_case(
    lambda case: FLOW.asked(case["answers"]) == list(FLOW.pages) and not exits_early(case["answers"]),
    "is asked every page without leaving early",
)
EARLY_EXIT = first_case(lambda case: exits_early(case["answers"]), "leaves at the emergency screen")


def expects(level: Level, case: dict[str, Any]) -> bool:
    """Whether a vignette's expected result is at this level."""
    return bool(case["expected_level"] == level.value)


#: For each level, the first vignette expected at it.
AT_LEVEL = {level: first_case(partial(expects, level), f"expected at {level.value}") for level in Level}


def input_ids(question: Question, answer: Any) -> list[str]:
    """The ids of the inputs that give this answer: the text box, or each choice to tick."""
    if question.kind == "integer":
        return [question.id]
    shown = to_form_value(question, answer)
    values = [choice.value for choice in choices(question, RULES.contract, LANG)]
    return [
        f"{question.id}-{values.index(value)}" for value in (shown if isinstance(shown, list) else [shown])
    ]


def path(page: Page) -> str:
    """The path of the page the browser shows."""
    return urlsplit(page.url).path


def shown_questions(page: Page) -> QuestionPage:
    """The question page the browser shows (fails on any other page)."""
    shown = FLOW.page(path(page).removeprefix(QUESTIONS)) if path(page).startswith(QUESTIONS) else None
    assert shown is not None, f"expected a question page, the browser shows {page.url}"
    return shown


def go(page: Page, url: str) -> Response:
    """Open a URL of the app and return its response."""
    response = page.goto(url)
    assert response is not None
    return response


def submit(page: Page, form: str = SUBMIT) -> Response:
    """Send a form by clicking its button (the page's own form unless told); the response it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(form).click()
    response = navigation.value
    assert response is not None
    return response


def follow(page: Page, selector: str) -> None:
    """Click a link and wait for the page it opens."""
    with page.expect_navigation():
        page.locator(selector).click()


def fill(page: Page, questions: QuestionPage, answers: Mapping[str, Any]) -> None:
    """Give this page's answers (a question without an answer is left blank)."""
    fill_in(page, questions.questions, answers)


def fill_in(page: Page, questions: Iterable[Question], answers: Mapping[str, Any]) -> None:
    """Give the answers to these questions, wherever they are asked (one left blank if unanswered)."""
    for question in questions:
        if question.id not in answers:
            continue
        if question.kind == "integer":
            page.locator(f"#{question.id}").fill(to_form_value(question, answers[question.id]))
        else:
            for input_id in input_ids(question, answers[question.id]):
                page.locator(f"#{input_id}").check()


def start(page: Page) -> None:
    """Open the start page and follow its start button to the first questions."""
    assert go(page, "/").ok
    follow(page, "main a.button--start")


def answer_questions(page: Page, answers: Mapping[str, Any], stop_at: str | None = None) -> None:
    """Answer each page the app shows, from this one to "check your answers" (or to page `stop_at`)."""
    for _ in range(len(FLOW.pages) + 2):
        if path(page) == CHECK_ANSWERS:
            return
        if path(page) == URGENT_ADVICE:
            follow(page, "main a.button:not([download])")  # the way on, not "Save as PDF"
            continue
        questions = shown_questions(page)
        if questions.id == stop_at:
            return
        fill(page, questions, answers)
        submit(page)
    raise AssertionError(f"the questionnaire did not end; the browser shows {page.url}")


def get_result(page: Page, answers: Mapping[str, Any]) -> None:
    """From the start page, answer every page, confirm the answers, and land on the result."""
    start(page)
    answer_questions(page, answers)
    submit(page)
    assert path(page) == RESULT, f"expected the result, the browser shows {page.url}"


@dataclass(frozen=True)
class PageState:
    """A page in one of its states, and how a fresh browser gets there through the real pages."""

    name: str
    reach: Callable[[Page], None]
    level: Level | None = None  # for a result page
    screenshot: str | None = None  # a picture of this state is kept under this name (artifacts/)
    lang: str = LANG  # the language the pages are in (and the <html lang>)
    staff: bool = False  # reached by a member of staff who is logged in (see log_in)

    def __str__(self) -> str:
        return self.name


def _start_page(page: Page) -> None:
    assert go(page, "/").ok
    expect(page.locator("main a.button--start")).to_be_visible()


def _start_page_resuming(page: Page) -> None:
    start(page)
    fill(page, shown_questions(page), TOUR["answers"])
    submit(page)
    assert go(page, "/").ok
    expect(page.locator(START_AGAIN)).to_be_visible()


def _start_page_after_starting_again(page: Page) -> None:
    _start_page_resuming(page)
    submit(page, START_AGAIN)
    assert path(page) == "/"
    expect(page.locator("main [role=status]")).to_be_visible()


def _question_page(page_id: str, page: Page) -> None:
    start(page)
    answer_questions(page, TOUR["answers"], stop_at=page_id)
    assert shown_questions(page).id == page_id


def _question_page_with_errors(page_id: str, page: Page) -> None:
    _question_page(page_id, page)
    submit(page)
    assert shown_questions(page).id == page_id
    expect(page.locator(".error-summary")).to_be_visible()


def _check_answers(page: Page) -> None:
    start(page)
    answer_questions(page, TOUR["answers"])
    assert path(page) == CHECK_ANSWERS


def _result(level: Level, page: Page) -> None:
    get_result(page, AT_LEVEL[level]["answers"])
    expect(page.locator(f".level--{level.value}")).to_be_visible()


def _call_back_form(page: Page) -> None:
    _result(Level.URGENT, page)
    expect(page.locator(CALL_BACK), "no call-back form on the urgent result").to_be_visible()


def _call_back_with_errors(page: Page) -> None:
    _call_back_form(page)
    submit(page, f"{CALL_BACK} [type=submit]")
    expect(page.locator(f"{CALL_BACK} .error-summary")).to_be_visible()


def _call_back_sent(page: Page) -> None:
    _call_back_form(page)
    page.locator("#name").fill("Eleni Markou")
    page.locator("#phone").fill("694 123 4567")
    windows = page.locator("#time_window-0")
    if windows.count():  # an urgent call back is today: no time of day to choose
        windows.check()
    page.locator("#consent").check()
    submit(page, f"{CALL_BACK} [type=submit]")
    assert path(page) == CALL_BACK_SENT, f"expected the call-back confirmation, the browser shows {page.url}"


def _result_after_call_back(page: Page) -> None:
    _call_back_sent(page)
    assert go(page, RESULT).ok
    expect(page.locator(CALL_BACK)).to_have_count(0)


def _urgent_advice(page: Page) -> None:
    start(page)
    fill(page, shown_questions(page), EARLY_EXIT["answers"])
    submit(page)
    assert path(page) == URGENT_ADVICE


def _time_limit_warning(page: Page) -> None:
    """Two minutes before the answers are cleared, the script shows its warning (WCAG 2.2.1)."""
    page.clock.install()
    _check_answers(page)
    warn_in = int(page.locator(".idle").get_attribute("data-warn-in") or "0")
    page.clock.run_for((warn_in + 1) * 1000)
    expect(page.locator(".idle__warning")).to_be_visible()
    expect(page.locator(".idle__keep")).to_be_focused()


def _rules(page: Page) -> None:
    assert go(page, "/rules").ok


def _not_found(page: Page) -> None:
    assert go(page, "/no-such-page").status == 404


def _csrf_expired(page: Page) -> None:
    start(page)
    first = shown_questions(page)
    fill(page, first, TOUR["answers"])
    page.locator("input[name=csrf_token]").evaluate("token => { token.value = 'not-the-token'; }")
    assert submit(page).status == 400
    expect(page.locator(f'main a[href="{QUESTIONS}{first.id}"]')).to_be_visible()


def page_states() -> list[PageState]:
    """Every state of every page a patient can see."""
    with_errors = [page for page in FLOW.pages if any(q.required for q in page.questions)]
    return [
        PageState("start", _start_page),
        PageState("start, resuming", _start_page_resuming),
        PageState("start, after starting again", _start_page_after_starting_again),
        *(PageState(f"question {p.id}", partial(_question_page, p.id)) for p in FLOW.pages),
        *(
            PageState(f"question {p.id} with errors", partial(_question_page_with_errors, p.id))
            for p in with_errors
        ),
        PageState("check answers", _check_answers),
        *(
            PageState(f"result {level.value}", partial(_result, level), level)
            for level in sorted(Level, reverse=True)
        ),
        PageState("call-back request with errors", _call_back_with_errors),
        PageState("call-back request sent", _call_back_sent),
        PageState("result after a call-back", _result_after_call_back, screenshot="result-called-back"),
        PageState("urgent advice", _urgent_advice),
        PageState("time-limit warning", _time_limit_warning),
        PageState("rules", _rules),
        PageState("not found", _not_found),
        PageState("csrf expired", _csrf_expired),
    ]


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the staff login form, setting up the authenticator app at the first login
    (the code computed from the key the page shows, as the app would); the browser lands on the queue."""
    assert go(page, STAFF_LOGIN).ok
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    submit(page)
    if path(page) == MFA_SETUP:
        key = page.locator("code.mfa-key").inner_text().replace(" ", "")
        page.locator("#code").fill(pyotp.TOTP(key).now())
        submit(page)
        assert path(page) == RECOVERY_CODES, f"the set-up did not confirm; the browser shows {page.url}"
        follow(page, "main a.button")
    assert path(page) == STAFF_QUEUE, f"the login did not reach the queue; the browser shows {page.url}"


def take_call(page: Page, answers: Mapping[str, Any], caller: tuple[str, str] = ("", "")) -> None:
    """As a member of staff, take a phone call with these answers, to the result read out to the caller."""
    _phone_questions(page, answers)
    fill_in(page, PHONE_REST, answers)
    page.locator("#caller_name").fill(caller[0])
    page.locator("#caller_phone").fill(caller[1])
    if not caller[1]:  # at urgent and soon the call needs a number, or why there is none
        page.locator("#no_number_reason").fill("The caller will ring back.")
    submit(page)
    assert path(page).startswith(PHONE_RESULT), f"expected the phone result, the browser shows {page.url}"


def _staff_login(page: Page) -> None:
    assert go(page, STAFF_LOGIN).ok
    expect(page.locator("main #username")).to_be_visible()


def _staff_login_with_error(page: Page) -> None:
    _staff_login(page)
    page.locator("#username").fill("nobody")  # no such account, so no real one counts a failure
    page.locator("#password").fill("not the password")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


def _queue(page: Page) -> None:
    assert go(page, STAFF_QUEUE).ok
    expect(page.locator("main table.queue tbody tr").first).to_be_visible()


def open_record(page: Page) -> None:
    """From the queue, open a record with a call-back request (a staff session is logged in)."""
    _record(page)


def _record(page: Page) -> None:
    _queue(page)
    follow(page, f'main table.queue tr:has(a.tel) a[href^="{RECORD}"] >> nth=0')  # one to call back
    assert path(page).startswith(RECORD), f"expected a record, the browser shows {page.url}"
    expect(page.locator(STATUS_FORM)).to_be_visible()


def _record_status_saved(page: Page) -> None:
    _record(page)
    page.locator(f'{STATUS_FORM} [name=status][value="contacted"]').check()
    page.locator("#note").fill("Called back; booked in with the surgeon for Tuesday.")
    submit(page, f"{STATUS_FORM} [type=submit]")
    assert path(page).startswith(RECORD), f"expected the record, the browser shows {page.url}"
    expect(page.locator("main .notice[role=status]")).to_be_visible()


def _record_level_changed(page: Page) -> None:
    """A clinician (the browser tests' admin) sets another level on the record, with a reason."""
    _record(page)
    page.locator(f"{OVERRIDE_FORM} [name=level]:not(:checked)").first.check()
    page.locator("#reason").fill("On the phone the pain wakes her every night and is getting worse.")
    submit(page, f"{OVERRIDE_FORM} [type=submit]")
    assert path(page).startswith(RECORD), f"expected the record, the browser shows {page.url}"
    expect(page.locator("main .notice[role=note]").first).to_be_visible()


def _record_level_change_with_errors(page: Page) -> None:
    _record(page)
    submit(page, f"{OVERRIDE_FORM} [type=submit]")
    expect(page.locator(f"{OVERRIDE_FORM} .error-summary")).to_be_visible()


def _queue_overdue_and_changed(page: Page) -> None:
    """Every record (some past their level's target: conftest.py's staff_session made them older),
    one with a level a clinician changed, and new again (an earlier state marked it contacted), so
    the header counts it overdue."""
    _record_level_changed(page)
    page.locator(f'{STATUS_FORM} [name=status][value="new"]').check()
    submit(page, f"{STATUS_FORM} [type=submit]")
    assert go(page, f"{STAFF_QUEUE}?show=all").ok
    expect(page.locator("main table.queue tr.queue__row--overdue").first).to_be_visible()
    expect(page.locator("main .overdue-count, nav .overdue-count").first).to_be_visible()


def _dashboard(page: Page) -> None:
    assert go(page, STAFF_DASHBOARD).ok
    expect(page.locator("main svg.chart").first).to_be_visible()


def _phone_screen(page: Page) -> None:
    assert go(page, PHONE_SCREEN).ok
    expect(page.locator(f"main [name={SCREEN[0].id}]").first).to_be_visible()


def _phone_screen_with_errors(page: Page) -> None:
    _phone_screen(page)
    submit(page)
    assert path(page) == PHONE_SCREEN
    expect(page.locator(".error-summary")).to_be_visible()


def _phone_emergency(page: Page) -> None:
    _phone_screen(page)
    fill_in(page, SCREEN, EARLY_EXIT["answers"])
    submit(page)
    assert path(page) == PHONE_SCREEN
    expect(page.locator(f'main a[href="{PHONE_QUESTIONS}"]')).to_be_visible()


def _phone_emergency_caller_saved(page: Page) -> None:
    _phone_emergency(page)
    page.locator("#caller_name").fill("Nikos Papadakis")
    page.locator("#caller_phone").fill("694 765 4321")
    submit(page, 'main form[action$="/phone/caller"] [type=submit]')
    assert path(page) == "/staff/phone/emergency", f"expected the script again, the browser shows {page.url}"
    expect(page.locator("main .reference")).to_be_visible()


def _phone_questions(page: Page, answers: Mapping[str, Any] = TOUR["answers"]) -> None:
    _phone_screen(page)
    fill_in(page, SCREEN, answers)
    submit(page)
    assert path(page) == PHONE_QUESTIONS, f"expected the other questions, the browser shows {page.url}"


def _phone_questions_with_errors(page: Page) -> None:
    _phone_questions(page)
    submit(page)
    assert path(page) == PHONE_QUESTIONS
    expect(page.locator(".error-summary")).to_be_visible()


def _phone_result(page: Page) -> None:
    take_call(page, AT_LEVEL[Level.URGENT]["answers"], ("Nikos Papadakis", "694 765 4321"))
    expect(page.locator("main .reference")).to_be_visible()


def _audit(page: Page) -> None:
    assert go(page, STAFF_AUDIT).ok
    expect(page.locator("main table tbody tr").first).to_be_visible()


def staff_page_states() -> list[PageState]:
    """Every state of every page of the staff area (the audit trail as an admin sees it)."""
    logged_in = partial(PageState, staff=True)
    return [
        PageState("staff login", _staff_login),
        PageState("staff login with error", _staff_login_with_error),
        logged_in("staff queue", _queue),
        logged_in("staff record", _record),
        logged_in("staff record, status saved", _record_status_saved),
        logged_in("staff record, level changed", _record_level_changed),
        logged_in("staff record, level change with errors", _record_level_change_with_errors),
        logged_in(
            "staff queue, overdue and a changed level", _queue_overdue_and_changed, screenshot="staff-queue"
        ),
        logged_in("staff dashboard", _dashboard, screenshot="staff-dashboard"),
        logged_in("staff phone screen", _phone_screen),
        logged_in("staff phone screen with errors", _phone_screen_with_errors),
        logged_in("staff phone emergency script", _phone_emergency),
        logged_in("staff phone emergency, caller saved", _phone_emergency_caller_saved),
        logged_in("staff phone questions", _phone_questions),
        logged_in("staff phone questions with errors", _phone_questions_with_errors),
        logged_in("staff phone result", _phone_result),
        logged_in("staff audit trail", _audit),
    ]


def _in_language(lang: str, reach: Callable[[Page], None], page: Page) -> None:
    assert go(page, f"/?lang={lang}").ok  # the choice is remembered for the session
    reach(page)


def in_language(lang: str, state: PageState) -> PageState:
    """The same state reached by a browser that first chose another language ("el:result urgent")."""
    return replace(
        state, name=f"{lang}:{state.name}", reach=partial(_in_language, lang, state.reach), lang=lang
    )


ENGLISH = [*page_states(), *staff_page_states()]
STATES = [*ENGLISH, *(in_language(lang, state) for lang in OTHER_LANGUAGES for state in ENGLISH)]
