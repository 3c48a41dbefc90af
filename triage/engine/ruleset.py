"""The loaded rule set and the assessment it gives: highest level wins, every reason listed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import Condition, Evaluator
from .contract import Contract
from .model import (
    Level,
    LevelAdvice,
    Outcome,
    Rule,
    RulesVersion,
    SafetyNet,
    Text,
)
from .validate import Reading, read_answers
from .wording import Cases


@dataclass(frozen=True)
class TermDefinition:
    """A named condition of definitions.yaml."""

    name: str
    description: Text
    condition: Condition = field(repr=False)
    phrases: Cases | None = field(default=None, repr=False)  # which part of it holds, in the person's words


@dataclass(frozen=True)
class Floor:
    """Clinical spec §4, invariant 3: any of these questions answered yes or "not sure" gives at least
    this level, whatever else is answered (ruleset.yaml `floor`; proved by `rules check`)."""

    level: Level
    questions: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """Everything in rules/, validated: the contract, the rules, the levels and the safety net."""

    name: str
    version: RulesVersion
    languages: tuple[str, ...]
    contract: Contract = field(repr=False)
    terms: tuple[TermDefinition, ...] = field(repr=False)
    rules: tuple[Rule, ...] = field(repr=False)
    levels: Mapping[Level, LevelAdvice] = field(repr=False)
    safety_net: tuple[Text, tuple[Text, ...]] = field(repr=False)
    not_a_diagnosis: Text = field(repr=False)
    placeholders: frozenset[str] = field(default=frozenset(), repr=False)
    floors: tuple[Floor, ...] = ()  # the levels that answers alone force, whatever else is answered
    #: Each rule with its condition's evaluator, made as the rule set is loaded (not on a first request).
    _tests: tuple[tuple[Evaluator, Rule], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tests", tuple((rule.condition.evaluator, rule) for rule in self.rules))

    def read(self, answers: object, *, partial: bool = False, require: Collection[str] = ()) -> Reading:
        """Validate answers against the contract (raises AnswersInvalid); see read_answers."""
        return read_answers(self.contract, answers, partial=partial, require=require)

    def assess(self, answers: object) -> Outcome:
        """Validate a complete answer set and give its outcome (raises AnswersInvalid)."""
        return self.outcome(self.read(answers))

    def assess_partial(self, answers: object) -> Outcome:
        """The outcome of the answers given so far: a level no completion of them can lower.

        Rules that depend on an unanswered question do not fire unless they hold however it is
        answered. Used for the emergency screen, the questionnaire's early exit.
        """
        return self.outcome(self.read(answers, partial=True), partial=True)

    def outcome(self, reading: Reading, *, partial: bool = False) -> Outcome:
        """The outcome of answers already read."""
        fired = self.fired(reading.facts)
        level = fired[0].level if fired else Level.INFORMATION
        advice = self.levels[level]
        intro, warning_signs = self.safety_net
        return Outcome(
            level=level,
            fired_rules=tuple(rule.fired_for(reading.said) for rule in fired),
            advice=advice,
            safety_net=SafetyNet(intro, warning_signs, advice.expect),
            not_a_diagnosis=self.not_a_diagnosis,
            rules_version=self.version,
            answers=reading.answers,
            partial=partial,
            unanswered=reading.unanswered,
        )

    def fired(self, facts: Mapping[str, Any]) -> list[Rule]:
        """The rules whose conditions certainly hold, most urgent first (rules are kept so sorted)."""
        return [rule for holds, rule in self._tests if holds(facts) is True]

    def level_of(self, facts: Mapping[str, Any]) -> Level:
        """The level for facts: that of the first (most urgent) rule that fires."""
        for holds, rule in self._tests:
            if holds(facts) is True:
                return rule.level
        return Level.INFORMATION

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
