"""The project's rule set and its questionnaire (load_rules() and Questionnaire.of()), loaded once
for the tests that drive the pages and those of the questionnaire itself.

The pages and their questions always come from the questionnaire the rule set defines
(triage.questionnaire), never from a list written in a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.engine import Level, load_rules
from triage.questionnaire import Questionnaire

RULES = load_rules()
FLOW = Questionnaire.of(RULES)
#: The warning-sign questions, asked first (a phone call's first screen).
SCREEN = RULES.contract.emergency_screen.question_ids


def screen_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the emergency screen alone."""
    return {qid: value for qid, value in answers.items() if qid in SCREEN}


def early_level(answers: Mapping[str, Any]) -> Level:
    """The level the emergency screen's answers reach on their own."""
    return RULES.assess_partial(screen_answers(answers)).level


def asked_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the questions asked with these answers (what the pages would save): pain
    details only with pain, and so on."""
    asked = {qid for page in FLOW.asked(answers) for qid in page.question_ids}
    return {qid: value for qid, value in answers.items() if qid in asked}
