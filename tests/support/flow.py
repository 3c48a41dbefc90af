"""The project's rule set and its questionnaire (load_rules() and Questionnaire.of()), loaded once
for the tests that drive the pages and those of the questionnaire itself.

The pages and their questions always come from the questionnaire the rule set defines
(triage.questionnaire), never from a list written in a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.engine import Level, load_rules
from triage.questionnaire import Page, Questionnaire

RULES = load_rules()
FLOW = Questionnaire.of(RULES)
#: The warning-sign questions, asked first (a phone call's first screen).
SCREEN = RULES.contract.emergency_screen.question_ids


def screen_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the emergency screen alone."""
    return {qid: value for qid, value in answers.items() if qid in SCREEN}


def sign_page(question_id: str) -> Page:
    """The warning-sign page that asks this question."""
    return next(page for page in FLOW.warning_signs if question_id in page.question_ids)


def answers_through(page: Page, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the warning-sign pages up to and including this one."""
    asked = FLOW.warning_signs[: FLOW.warning_signs.index(page) + 1]
    return {qid: value for qid, value in answers.items() if any(qid in p.question_ids for p in asked)}


def exit_page(answers: Mapping[str, Any]) -> Page | None:
    """The warning-sign page after which these answers first lead to the emergency advice (None: no
    early exit)."""
    exits = (p for p in FLOW.warning_signs if FLOW.needs_emergency_now(answers_through(p, answers)))
    return next(exits, None)


def early_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given when the emergency advice is first shown (all the warning signs, without
    an early exit)."""
    page = exit_page(answers)
    return answers_through(page, answers) if page else screen_answers(answers)


def early_level(answers: Mapping[str, Any]) -> Level:
    """The level of the emergency advice shown first (below emergency: no early exit)."""
    return RULES.assess_partial(early_answers(answers)).level


def asked_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the questions asked with these answers (what the pages would save): pain
    details only with pain, and so on."""
    asked = {qid for page in FLOW.asked(answers) for qid in page.question_ids}
    return {qid: value for qid, value in answers.items() if qid in asked}
