"""The answers worth a clinician's first look (the positive ones), read from the answers contract.

No list of questions is written here: what counts follows from each question's type and its order
of concern in rules/questions.yaml.

- a yes/no answer of yes or "not sure" (every yes/no question is ordered no < yes/unsure);
- a choice above the least concerning value of its `concern_order` (a fall, past cancer);
- a multiple choice: the values above the least concerning one where it has an order, or every
  value ticked where none need be (`min_items: 0`: a list of findings, such as the pain's features);
- a detail asked only after positive answers (its `asked_when` names only questions answered
  positively): the type of a cancer.

Numbers and plain true/false answers (pain now) describe rather than alarm, and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .contract import UNSURE, Contract, Kind, Question


@dataclass(frozen=True)
class Notable:
    """One positive answer: its question and the values that make it so (one value but for lists)."""

    question: Question
    values: tuple[Any, ...]


def notable_answers(contract: Contract, answers: Mapping[str, Any]) -> list[Notable]:
    """The positive answers of a saved answer set, in the contract's order."""
    found: list[Notable] = []
    positive: set[str] = set()
    for question in contract.questions:
        if question.id not in answers or answers[question.id] is None:
            continue
        values = _positive_values(question, answers[question.id])
        if not values and _detail_of_positive(question, positive):
            answer = answers[question.id]
            values = tuple(answer) if isinstance(answer, list) else (answer,)
        if values:
            found.append(Notable(question, values))
            positive.add(question.id)
    return found


def _positive_values(question: Question, answer: Any) -> tuple[Any, ...]:
    order = question.concern_order if question.concern_order != ("ascending",) else None
    if question.kind is Kind.YES_NO:
        return (answer,) if answer is True or answer == UNSURE else ()
    if question.kind is Kind.CHOICE:
        return (answer,) if order and answer != order[0] else ()
    if question.kind is Kind.MULTI_CHOICE:
        if order:
            return tuple(value for value in answer if value != order[0])
        return tuple(answer) if question.min_items == 0 else ()
    return ()


def _detail_of_positive(question: Question, positive: set[str]) -> bool:
    """Whether a question is asked only after answers already found positive."""
    if question.asked_when is None or question.kind not in (Kind.CHOICE, Kind.MULTI_CHOICE):
        return False
    named = {atom.field for atom, _ in question.asked_when.atoms()}
    return bool(named) and named <= positive
