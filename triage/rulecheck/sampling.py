"""Seeded answer sets over the whole answer space, favouring boundary values (for `rules check`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from triage.engine.conditions import AtLeast, AtMost, Atom, Equals, In
from triage.engine.contract import Question
from triage.engine.ruleset import RuleSet


class AnswerSampler:
    """Seeded random answer sets over the whole domain, favouring boundary values."""

    def __init__(self, rules: RuleSet, seed: int) -> None:
        self.rules = rules
        # A seeded search must be reproducible, and nothing it draws is secret.
        self.random = random.Random(seed)  # nosec B311
        self.boundaries = integer_boundaries(rules)
        self.orders = rules.contract.ordered_fields()

    def sample(self) -> dict[str, Any]:
        """A draw for every question; the reading drops those that do not apply."""
        chance_of_yes = self.random.choice((0.02, 0.08, 0.2, 0.5))
        return {
            q.id: self._value(q, chance_of_yes)
            for q in self.rules.contract.questions
            if q.required or self.random.random() < 0.7
        }

    def _value(self, question: Question, chance_of_yes: float) -> Any:
        draw: Callable[[Question, float], Any] = question.kind.pick(
            integer=self._number,
            choice=self._choice,
            multi_choice=self._items,
            boolean=self._boolean,
            yes_no=self._yes_no,
        )
        return draw(question, chance_of_yes)

    def _yes_no(self, _question: Question, chance_of_yes: float) -> Any:
        roll = self.random.random()
        return False if roll >= chance_of_yes else (True if roll < chance_of_yes / 2 else "unsure")

    def _boolean(self, _question: Question, _chance_of_yes: float) -> bool:
        return self.random.random() < 0.7

    def _number(self, question: Question, _chance_of_yes: float) -> int:
        if self.random.random() < 0.9:
            return self.random.choice(self.boundaries[question.id])
        return self.random.randint(question.minimum, question.maximum)

    def _choice(self, question: Question, _chance_of_yes: float) -> Any:
        return self.random.choice(question.values)

    def _items(self, question: Question, _chance_of_yes: float) -> list[Any]:
        chosen = [v for v in question.values if self.random.random() < 0.3]
        return chosen or list(question.values[: question.min_items])

    def moved_up(self, raw: Mapping[str, Any], name: str) -> dict[str, Any] | None:
        """The answer set with one ordered answer moved to a random value of more concern."""
        question = self.rules.contract[name]
        order = self.orders[name]
        rank = order.index(question.fact(raw[name]))
        domain = order if question.kind.is_number else question.values
        higher = [v for v in domain if order.index(question.fact(v)) > rank]
        if not higher:
            return None
        return {**raw, name: self.random.choice(higher)}


def integer_boundaries(rules: RuleSet) -> dict[str, list[int]]:
    """For each number question: its limits and both sides of every value a condition compares it with."""
    conditions = [r.condition for r in rules.rules] + [
        q.asked_when for q in rules.contract.questions if q.asked_when is not None
    ]
    found: dict[str, set[int]] = {
        q.id: {q.minimum, q.maximum} for q in rules.contract.questions if q.kind.is_number
    }
    for condition in conditions:
        for atom, _ in condition.atoms():
            if atom.field in found:
                found[atom.field] |= _sides(atom)
    return {
        name: sorted(v for v in values if rules.contract[name].minimum <= v <= rules.contract[name].maximum)
        for name, values in found.items()
    }


def _sides(atom: Atom) -> set[int]:
    if isinstance(atom, AtLeast):
        return {atom.bound - 1, atom.bound}
    if isinstance(atom, AtMost):
        return {atom.bound, atom.bound + 1}
    if isinstance(atom, Equals):
        return {atom.value - 1, atom.value, atom.value + 1}
    if isinstance(atom, In):
        return {v + d for v in atom.values for d in (-1, 0, 1)}
    return set()
