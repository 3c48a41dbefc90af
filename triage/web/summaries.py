"""What a summary shows first: the answers that say something (yes, not sure, a concerning choice),
then the neutral details, then the answers that say no, from the contract's own order of concern."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.engine.contract import UNSURE, Contract, Question


@dataclass(frozen=True)
class AnsweredGroups:
    """A record's answers in the contract's order, split three ways."""

    positive: list[tuple[Question, Any]] = field(default_factory=list)  # yes, not sure, a concern
    details: list[tuple[Question, Any]] = field(default_factory=list)  # facts with no order of concern
    negative: list[tuple[Question, Any]] = field(default_factory=list)  # no, none, the least concern


def grouped(contract: Contract, answers: Mapping[str, Any]) -> AnsweredGroups:
    """The answers given, positive first (unanswered questions are left out)."""
    groups = AnsweredGroups()
    for question in contract.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        {"positive": groups.positive, "details": groups.details, "negative": groups.negative}[
            weight(question, value)
        ].append((question, value))
    return groups


def weight(question: Question, value: Any) -> str:
    """How one answer counts: "positive", "details" or "negative"."""
    if value is True or value == UNSURE:
        return "positive"
    if value is False:
        return "negative"
    if isinstance(value, list):
        return "positive" if value else "negative"
    order = question.concern_order
    if not order:
        return "details"
    if order == ("ascending",):
        return "positive" if value > question.minimum else "negative"
    return "negative" if value == order[0] else "positive"
