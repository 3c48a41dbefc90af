"""The triage engine: pure Python, no web framework. Questions -> answers -> engine -> outcome.

Typical use::

    rules = load_rules()            # validates rules/ at start-up; raises RulesInvalid
    outcome = rules.assess(answers)  # raises AnswersInvalid with one message per question
"""

from __future__ import annotations

from .loader import DEFAULT_RULES_DIR, RuleFileError, RulesInvalid, load_rules
from .model import Answers, FiredRule, Level, Outcome, RulesVersion, Text
from .ruleset import RuleSet
from .validate import AnswersInvalid, Problem

__all__ = [
    "DEFAULT_RULES_DIR",
    "Answers",
    "AnswersInvalid",
    "FiredRule",
    "Level",
    "Outcome",
    "Problem",
    "RuleFileError",
    "RuleSet",
    "RulesInvalid",
    "RulesVersion",
    "Text",
    "load_rules",
]
