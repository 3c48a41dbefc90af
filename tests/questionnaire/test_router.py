"""The questionnaire's pages and routing (triage/questionnaire/router.py), without Flask: the pages
come from the contract's sections; a posted screen is checked page by page, only where a page
applies; the warning signs are the first pages, and a red flag ends the questionnaire early right after
the page it was answered on, once per level of advice.

Everything expected comes from the data: the contract (rules/questions.yaml), the rule set's floor
(rules/ruleset.yaml) and the vignettes' answers and expected levels (tests/cases/vignettes.yaml).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.support.cases import VIGNETTES
from tests.support.flow import FLOW, RULES, SCREEN, screen_answers
from triage.engine import Level
from triage.engine.contract import Question
from triage.questionnaire import Page, Route

CONTRACT = RULES.contract
PAGES = pytest.mark.parametrize("page", FLOW.pages, ids=[p.id for p in FLOW.pages])
BY_ID = pytest.mark.parametrize("case", VIGNETTES, ids=[case["id"] for case in VIGNETTES])
#: The floors of the rule set: any of their questions answered yes or "not sure" is a red flag, which
#: alone gives at least its floor's level.
FLOOR_LEVEL = {question: floor.level for floor in RULES.floors for question in floor.questions}
FLOOR_QUESTIONS = list(FLOOR_LEVEL)
RED_FLAGS = [(qid, answer) for qid in FLOOR_QUESTIONS for answer in (True, "unsure")]
BY_RED_FLAG = pytest.mark.parametrize(("flag", "answer"), RED_FLAGS, ids=[f"{q}={a}" for q, a in RED_FLAGS])
#: Pages asked only under a condition, each with the page before it (which holds what it depends on).
CONDITIONAL = [(FLOW.pages[i - 1], page) for i, page in enumerate(FLOW.pages) if page.asked_when is not None]
#: Vignettes whose result is an emergency or more, and the rest.
EMERGENCIES = [case for case in VIGNETTES if Level(case["expected_level"]) >= Level.EMERGENCY]
NOT_EMERGENCIES = [case for case in VIGNETTES if Level(case["expected_level"]) < Level.EMERGENCY]


def least_concerning(question: Question) -> Any:
    """The answer to a question that is the least concerning one (no, none of these …)."""
    if question.kind.is_truth:
        return False
    if question.kind.is_list:
        return []
    if question.kind.is_number:
        return question.minimum
    return (question.concern_order or question.values)[0]


#: The emergency screen answered, with no warning sign at all.
NO_WARNING_SIGN = {qid: least_concerning(CONTRACT[qid]) for qid in SCREEN}
#: The first page after the warning signs.
AFTER_THE_SIGNS = FLOW.pages[len(FLOW.warning_signs)]


def page_of(flag: str) -> Page:
    """The warning-sign page that asks this question."""
    return next(page for page in FLOW.warning_signs if flag in page.question_ids)


def before(page: Page) -> dict[str, Any]:
    """The warning-sign pages before this one, answered with no warning sign."""
    return answers_on(FLOW.warning_signs[: FLOW.warning_signs.index(page)], NO_WARNING_SIGN)


def answers_on(pages: list[Page] | tuple[Page, ...], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the questions of these pages."""
    ids = {qid for page in pages for qid in page.question_ids}
    return {qid: value for qid, value in answers.items() if qid in ids}


def case_where(wanted: Any, what: str) -> dict[str, Any]:
    """The first vignette that fits; collecting fails when none does."""
    found = next((case for case in VIGNETTES if wanted(case)), None)
    if found is None:
        raise LookupError(f"no vignette in tests/cases/vignettes.yaml {what}")
    return found


# --- the pages come from the contract -----------------------------------------------------------------


def test_every_question_of_the_contract_is_on_exactly_one_page() -> None:
    on_pages = Counter(qid for page in FLOW.pages for qid in page.question_ids)
    assert on_pages == Counter(q.id for q in CONTRACT.questions)


@PAGES
def test_a_page_holds_questions_of_one_section_in_the_sections_order_and_is_its_step(page: Page) -> None:
    section = next(s for s in CONTRACT.sections if s.id == page.section.id)
    assert {CONTRACT[qid].section for qid in page.question_ids} == {section.id}
    in_section = [qid for qid in section.question_ids if qid in page.question_ids]
    assert list(page.question_ids) == in_section
    assert page.step == CONTRACT.sections.index(section) + 1


def condition(asked: Question | Page) -> str | None:
    """A question's or a page's condition, as data (None: always asked)."""
    return repr(asked.asked_when.as_data()) if asked.asked_when is not None else None


@PAGES
def test_a_page_holds_the_questions_asked_under_one_condition_and_carries_it(page: Page) -> None:
    assert {condition(q) for q in page.questions} == {condition(page)}
    split = [p for p in FLOW.pages if p.section == page.section and condition(p) == condition(page)]
    others = [q for p in split for q in p.questions if p != page]
    starts = [p.questions[0] for p in split[1:]]
    assert all(q.new_page for q in starts), f"{[q.id for q in others]} are on another page without new_page"


def test_the_pages_follow_the_sections_and_their_steps_count_the_sections() -> None:
    assert [page.step for page in FLOW.pages] == sorted(page.step for page in FLOW.pages)
    assert [s.id for s in CONTRACT.sections] == list(dict.fromkeys(page.section.id for page in FLOW.pages))
    assert FLOW.steps == len(CONTRACT.sections)


@pytest.mark.parametrize("section", CONTRACT.sections, ids=[s.id for s in CONTRACT.sections])
def test_a_sections_questions_asked_always_are_the_page_named_after_it(section: Any) -> None:
    always = tuple(qid for qid in section.question_ids if CONTRACT[qid].asked_when is None)
    if always:  # up to the first question that starts a page of its own
        always = always[: next((n for n, qid in enumerate(always) if n and CONTRACT[qid].new_page), None)]
    page = FLOW.page(section.id.replace("_", "-"))
    if not always:
        assert page is None
    else:
        assert page is not None and page.question_ids == always and page.asked_when is None


def test_the_warning_signs_are_the_first_pages_and_hold_the_contracts_warning_signs_in_order() -> None:
    signs = FLOW.warning_signs
    assert signs == FLOW.pages[: len(signs)]
    assert tuple(qid for page in signs for qid in page.question_ids) == CONTRACT.emergency_screen.question_ids
    assert all(page.asked_when is None for page in signs)


def test_a_question_marked_new_page_starts_a_page_and_the_pages_of_a_section_count_themselves() -> None:
    for page in FLOW.pages:
        marked = [q.id for q in page.questions[1:] if q.new_page]
        assert marked == [], f"{page.id} holds {marked}, which should start pages of their own"
    split = [page for page in FLOW.pages if page.parts > 1]
    assert split, "no section of rules/questions.yaml is split into pages"
    for section_id in {page.section.id for page in split}:
        parts = [page for page in split if page.section.id == section_id]
        assert [page.part for page in parts] == list(range(1, len(parts) + 1))
        assert {page.parts for page in parts} == {len(parts)}
        assert all(page.questions[0].new_page for page in parts[1:])


def test_the_sign_that_needs_an_ambulance_is_asked_on_the_first_page() -> None:
    ambulance = [q for q, level in FLOOR_LEVEL.items() if level is Level.AMBULANCE]
    assert ambulance, "the rule set has no ambulance floor"
    assert all(qid in FLOW.pages[0].question_ids for qid in ambulance)


@PAGES
def test_a_page_is_found_by_its_id(page: Page) -> None:
    assert FLOW.page(page.id) == page


def test_no_page_has_an_id_that_is_not_one_of_the_pages() -> None:
    assert FLOW.page("no-such-page") is None
    assert len({page.id for page in FLOW.pages}) == len(FLOW.pages)


@PAGES
def test_following_gives_the_page_and_every_page_after_it_in_order(page: Page) -> None:
    following = FLOW.following(page)
    assert following[0] == page
    assert following[-1] == FLOW.pages[-1]
    assert following == FLOW.pages[len(FLOW.pages) - len(following) :]


# --- submit: each page that applies is checked, the rest dropped ------------------------------------


def conditional_cases(asked: bool) -> list[tuple[Page, Page, dict[str, Any]]]:
    """(page before, conditional page, vignette) where the vignette is asked that page, or not."""
    return [
        (before, page, case)
        for before, page in CONDITIONAL
        for case in VIGNETTES
        if (page in FLOW.asked(case["answers"])) is asked
    ]


NOT_ASKED = conditional_cases(asked=False)
ASKED = conditional_cases(asked=True)


def ids(cases: list[tuple[Page, Page, dict[str, Any]]]) -> list[str]:
    return [f"{page.id}-{case['id']}" for _, page, case in cases]


def test_the_vignettes_ask_each_conditional_page_and_leave_it_out() -> None:
    assert CONDITIONAL, "the contract has no question asked under a condition"
    assert {page.id for _, page, _ in NOT_ASKED} == {page.id for _, page in CONDITIONAL}
    assert {page.id for _, page, _ in ASKED} == {page.id for _, page in CONDITIONAL}


@pytest.mark.parametrize(("before", "page", "case"), NOT_ASKED, ids=ids(NOT_ASKED))
def test_a_conditional_page_posted_with_an_answer_that_rules_it_out_is_dropped_without_errors(
    before: Page, page: Page, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    elsewhere = case_where(lambda c: page in FLOW.asked(c["answers"]), f"asked {page.id}")
    typed_there = answers_on([page], elsewhere["answers"])
    posted = {**answers_on([before], answers), **typed_there}
    sent = FLOW.submit((before, page), answers, posted, "en")
    assert sent.errors == {}
    assert sent.answers == answers_on([before], answers)
    assert sent.question_ids == before.question_ids + page.question_ids


@pytest.mark.parametrize(("before", "page", "case"), ASKED, ids=ids(ASKED))
def test_a_conditional_page_posted_with_an_answer_that_asks_it_has_its_missing_answers_as_errors(
    before: Page, page: Page, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    given = {k: v for k, v in answers.items() if k not in page.question_ids}
    sent = FLOW.submit((before, page), given, answers_on([before], answers), "en")
    assert set(sent.errors) == {q.id for q in page.questions if q.required}
    assert sent.answers == answers_on([before], answers)


@pytest.mark.parametrize(("before", "page", "case"), ASKED, ids=ids(ASKED))
def test_a_conditional_page_posted_with_an_answer_that_asks_it_keeps_its_answers(
    before: Page, page: Page, case: dict[str, Any]
) -> None:
    answers = case["answers"]
    sent = FLOW.submit((before, page), answers, answers_on([before, page], answers), "en")
    assert sent.errors == {}
    assert sent.answers == answers_on([before, page], answers)


@PAGES
def test_a_page_posted_empty_names_each_of_its_required_questions(page: Page) -> None:
    case = case_where(lambda c: page in FLOW.asked(c["answers"]), f"asked {page.id}")
    given = {k: v for k, v in case["answers"].items() if k not in page.question_ids}
    sent = FLOW.submit((page,), given, {}, "en")
    assert set(sent.errors) == {q.id for q in page.questions if q.required}
    assert all(message.strip() for message in sent.errors.values())
    assert sent.answers == {}


@pytest.mark.parametrize("lang", RULES.languages)
def test_the_messages_of_a_posted_screen_are_the_engines_in_the_language_asked(lang: str) -> None:
    sent = FLOW.submit((FLOW.pages[0],), {}, {}, lang)
    for qid, message in sent.errors.items():
        assert message == CONTRACT.message(qid, "required").get(lang)


# --- needs_emergency_now: the red flags ---------------------------------------------------------------


@BY_RED_FLAG
def test_a_red_flag_alone_needs_emergency_care_now(flag: str, answer: Any) -> None:
    assert FLOW.needs_emergency_now({flag: answer})
    assert FLOW.needs_emergency_now({**NO_WARNING_SIGN, flag: answer})


def test_no_answer_or_no_warning_sign_does_not_need_emergency_care_now() -> None:
    assert FLOOR_QUESTIONS, "the rule set names no red flag"
    assert not FLOW.needs_emergency_now({})
    assert not FLOW.needs_emergency_now(NO_WARNING_SIGN)


@pytest.mark.parametrize("case", NOT_EMERGENCIES, ids=[case["id"] for case in NOT_EMERGENCIES])
def test_a_vignette_short_of_an_emergency_never_needs_emergency_care_now(case: dict[str, Any]) -> None:
    assert not FLOW.needs_emergency_now(screen_answers(case["answers"]))
    assert not FLOW.needs_emergency_now(case["answers"])


@pytest.mark.parametrize("case", EMERGENCIES, ids=[case["id"] for case in EMERGENCIES])
def test_a_vignette_at_an_emergency_or_more_needs_emergency_care_once_answered(case: dict[str, Any]) -> None:
    assert FLOW.needs_emergency_now(case["answers"])


# --- advised: no repeat of the same advice, but a more urgent one is news -----------------------------


@BY_RED_FLAG
def test_a_red_flag_already_advised_at_its_level_is_not_an_early_exit_again(flag: str, answer: Any) -> None:
    level = RULES.assess_partial({flag: answer}).level
    assert level >= FLOOR_LEVEL[flag]
    assert not FLOW.needs_emergency_now({flag: answer}, advised=level)
    assert FLOW.needs_emergency_now({flag: answer}, advised=None)


ADVISED = [(case, level) for case in EMERGENCIES for level in Level if level >= Level.EMERGENCY]


@pytest.mark.parametrize(
    ("case", "advised"), ADVISED, ids=[f"{case['id']}-advised-{level.value}" for case, level in ADVISED]
)
def test_advice_already_given_suppresses_the_same_level_but_not_a_more_urgent_one(
    case: dict[str, Any], advised: Level
) -> None:
    more_urgent = Level(case["expected_level"]) > advised
    assert FLOW.needs_emergency_now(case["answers"], advised=advised) is more_urgent


def test_the_vignettes_include_advice_that_becomes_more_urgent() -> None:
    assert any(Level(case["expected_level"]) > Level.EMERGENCY for case in EMERGENCIES)
    assert any(Level(case["expected_level"]) == Level.EMERGENCY for case in EMERGENCIES)


@BY_RED_FLAG
def test_a_submitted_emergency_screen_exits_early_unless_that_advice_was_given(
    flag: str, answer: Any
) -> None:
    page = page_of(flag)
    posted = {**answers_on([page], NO_WARNING_SIGN), flag: answer}
    level = RULES.assess_partial(posted).level
    assert FLOW.submit((page,), before(page), posted, "en").early_exit
    assert not FLOW.submit((page,), before(page), posted, "en", advised=level).early_exit


@BY_RED_FLAG
def test_an_unfinished_emergency_screen_with_a_red_flag_still_exits_early(flag: str, answer: Any) -> None:
    page = page_of(flag)
    sent = FLOW.submit((page,), before(page), {flag: answer}, "en")
    assert sent.early_exit
    assert set(sent.errors) == set(page.question_ids) - {flag}
    assert sent.answers == {flag: answer}


@BY_RED_FLAG
def test_a_later_page_submitted_after_a_red_flag_is_no_early_exit(flag: str, answer: Any) -> None:
    given = {**NO_WARNING_SIGN, flag: answer}
    case = case_where(lambda c: AFTER_THE_SIGNS in FLOW.asked(c["answers"]), f"asked {AFTER_THE_SIGNS.id}")
    sent = FLOW.submit((AFTER_THE_SIGNS,), given, answers_on([AFTER_THE_SIGNS], case["answers"]), "en")
    assert sent.errors == {}
    assert not sent.early_exit


# --- after: the early exit, the next page, or the end ----------------------------------------------------


@BY_RED_FLAG
def test_after_a_red_flag_on_the_emergency_screen_comes_the_early_exit(flag: str, answer: Any) -> None:
    answers = {**NO_WARNING_SIGN, flag: answer}
    assert FLOW.after((page_of(flag),), answers) == Route(early_exit=True)
    level = RULES.assess_partial(answers).level
    assert FLOW.after((page_of(flag),), answers, advised=level) == Route(page=AFTER_THE_SIGNS)


@BY_RED_FLAG
def test_a_red_flag_leads_to_the_advice_at_once_before_the_warning_signs_still_unasked(
    flag: str, answer: Any
) -> None:
    page = page_of(flag)
    so_far = {**before(page), **answers_on([page], NO_WARNING_SIGN), flag: answer}
    assert FLOW.after((page,), so_far) == Route(early_exit=True)
    later = FLOW.warning_signs[FLOW.warning_signs.index(page) + 1 :]
    level = RULES.assess_partial(so_far).level
    assert FLOW.after((page,), so_far, advised=level) == Route(page=later[0] if later else AFTER_THE_SIGNS)


@BY_RED_FLAG
def test_a_red_flag_is_an_early_exit_only_from_the_emergency_screen(flag: str, answer: Any) -> None:
    answers = {**NO_WARNING_SIGN, flag: answer}
    assert FLOW.after((AFTER_THE_SIGNS,), answers) == Route(page=AFTER_THE_SIGNS)


@BY_ID
def test_after_each_page_comes_the_next_page_asked_and_after_the_last_the_end(case: dict[str, Any]) -> None:
    answers = case["answers"]
    asked = FLOW.asked(answers)
    advised: Level | None = None  # the advice given so far: a sign leads to it after its own page
    for number, page in enumerate(asked):
        so_far = answers_on(asked[: number + 1], answers)
        following = asked[number + 1] if number + 1 < len(asked) else None
        if page in FLOW.warning_signs and FLOW.needs_emergency_now(so_far, advised):
            assert FLOW.after((page,), so_far, advised) == Route(early_exit=True), page.id
            advised = RULES.assess_partial(so_far).level
        assert FLOW.after((page,), so_far, advised) == Route(page=following), page.id
    assert FLOW.after((), answers) == Route(page=None)
