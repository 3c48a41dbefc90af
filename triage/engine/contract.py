"""The answers contract (clinical spec §2): the questions, their types, values and when they are asked."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from .conditions import Condition
from .model import Text

UNSURE = "unsure"
T = TypeVar("T")

#: Problem codes a question may word for itself, and the code used where it does not.
FALLBACK_CODES = {"below_minimum": "out_of_range"}


class Kind(StrEnum):
    """The kinds of answer a question takes: the one table every layer dispatches on.

    Each kind says what its answers are (`is_number`, `is_list`, `is_truth`, `fixed_values`);
    `pick` chooses one of several things per kind and refuses to forget a kind.
    """

    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    BOOLEAN = "boolean"  # true / false
    YES_NO = "yes_no"  # true / false / "unsure", which counts as yes

    @property
    def is_number(self) -> bool:
        """Answers are whole numbers within a range."""
        return self is Kind.INTEGER

    @property
    def is_list(self) -> bool:
        """Answers are lists of the question's values."""
        return self is Kind.MULTI_CHOICE

    @property
    def is_truth(self) -> bool:
        """Answers are true or false (and for yes/no also "unsure")."""
        return self in (Kind.BOOLEAN, Kind.YES_NO)

    @property
    def offers_unsure(self) -> bool:
        """ "Not sure" is one of the answers (it counts as yes)."""
        return UNSURE in self.fixed_values

    @property
    def fixed_values(self) -> tuple[Any, ...]:
        """The values this kind takes where the kind itself fixes them (none for the others)."""
        return {Kind.BOOLEAN: (True, False), Kind.YES_NO: (True, False, UNSURE)}.get(self, ())

    def pick(self, *, integer: T, choice: T, multi_choice: T, boolean: T, yes_no: T) -> T:
        """The one of these that belongs to this kind (every kind must be given)."""
        return {
            Kind.INTEGER: integer,
            Kind.CHOICE: choice,
            Kind.MULTI_CHOICE: multi_choice,
            Kind.BOOLEAN: boolean,
            Kind.YES_NO: yes_no,
        }[self]


@dataclass(frozen=True)
class Question:
    """One question of the contract."""

    id: str
    section: str
    kind: Kind
    values: tuple[Any, ...] = ()
    minimum: int = 0  # integer questions only
    maximum: int = 0
    min_items: int = 0
    required: bool = True
    asked_when: Condition | None = field(default=None, compare=False)
    concern_order: tuple[Any, ...] | None = None
    wording: Mapping[str, Text] = field(default_factory=dict, compare=False)
    options: Mapping[Any, Text] = field(default_factory=dict, compare=False)
    errors: Mapping[str, Text] = field(default_factory=dict, compare=False)
    #: Wording for other voices, e.g. {"phone": {"label": …, "hint": …}} for a receptionist.
    variants: Mapping[str, Mapping[str, Text]] = field(default_factory=dict, compare=False)
    #: Messages another voice words its own way, e.g. {"phone": {"required": …}}: the others are
    #: the question's `errors`, as they say nothing only the person answering can read.
    voice_errors: Mapping[str, Mapping[str, Text]] = field(default_factory=dict, compare=False)
    #: `problem` and `fact` made once for the question's kind, as reading answers calls them for
    #: every answer of every assessment.
    problem_of: Callable[[Any], str | None] = field(init=False, repr=False, compare=False)
    fact_of: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "problem_of", functools.partial(_CHECKS[self.kind], self))
        object.__setattr__(self, "fact_of", _FACTS[self.kind])

    def problem(self, value: Any) -> str | None:
        """The code of what is wrong with a given (non-null) answer, or None when it is valid."""
        return self.problem_of(value)

    def _number_problem(self, value: Any) -> str | None:
        if type(value) is not int:
            return "not_integer"
        if value < self.minimum and "below_minimum" in self.errors:
            return "below_minimum"
        return None if self.minimum <= value <= self.maximum else "out_of_range"

    def _boolean_problem(self, value: Any) -> str | None:
        return None if value is True or value is False else "not_boolean"

    def _yes_no_problem(self, value: Any) -> str | None:
        return None if value is True or value is False or value == UNSURE else "not_yes_no"

    def _choice_problem(self, value: Any) -> str | None:
        return None if isinstance(value, str) and value in self.values else "not_a_choice"

    def _list_problem(self, value: Any) -> str | None:
        if not isinstance(value, list | tuple):
            return "not_a_list"
        if any(not isinstance(item, str) or item not in self.values for item in value):
            return "unknown_option"
        if len(set(value)) != len(value):
            return "duplicate_option"
        return "empty" if len(value) < self.min_items else None

    def fact(self, value: Any) -> Any:
        """The value rules see: "unsure" counts as yes, lists become sets."""
        return self.fact_of(value)

    @property
    def label(self) -> Text:
        """The short label used in messages, summaries and tables."""
        return self.wording["summary"]


#: How each kind of answer is checked (made once: checking runs for every answer of every assessment).
_CHECKS: dict[Kind, Callable[[Question, Any], str | None]] = {
    kind: kind.pick(
        integer=Question._number_problem,
        choice=Question._choice_problem,
        multi_choice=Question._list_problem,
        boolean=Question._boolean_problem,
        yes_no=Question._yes_no_problem,
    )
    for kind in Kind
}


def _yes_or_unsure(value: Any) -> bool:
    return value is True or value == UNSURE


def _as_given(value: Any) -> Any:
    return value


_as_set: Callable[[Any], Any] = frozenset

#: The fact each kind of answer gives the rules: "unsure" counts as yes, a list becomes a set.
_FACTS: dict[Kind, Callable[[Any], Any]] = {
    kind: kind.pick(
        integer=_as_given,
        choice=_as_given,
        multi_choice=_as_set,
        boolean=_as_given,
        yes_no=_yes_or_unsure,
    )
    for kind in Kind
}


@dataclass(frozen=True)
class Section:
    """A group of questions asked together; the emergency screen is the first.

    `details_title` names the page of its questions asked only under a condition (pain details
    after "pain now?"), so that no two pages share a title."""

    id: str
    title: Text
    question_ids: tuple[str, ...]
    details_title: Text | None = None


@dataclass(frozen=True)
class Contract:
    """All questions, in the order they are asked, and the messages for invalid answers."""

    questions: tuple[Question, ...]
    sections: tuple[Section, ...]
    messages: Mapping[str, Text]
    answer_words: Mapping[str, Text] = field(default_factory=dict)  # yes, no, unsure, none

    by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    def __contains__(self, question_id: object) -> bool:
        return question_id in self.by_id

    def __getitem__(self, question_id: str) -> Question:
        return self.by_id[question_id]

    def message(self, question_id: str, code: str, voice: str | None = None) -> Text:
        """The message for a problem: the question's own where it has one (in `voice`'s words where
        that voice words it), else the general one.

        A code only a question can word (`below_minimum`) falls back to its general code.
        """
        question = self.by_id.get(question_id)
        if question is not None:
            voiced = question.voice_errors.get(voice or "", {}).get(code)
            own = voiced or question.errors.get(code)
            if own is not None:
                return own
        if code in FALLBACK_CODES:
            return self.message(question_id, FALLBACK_CODES[code], voice)
        return self.messages[code]

    @property
    def emergency_screen(self) -> Section:
        """The questions asked first, whose answers alone can reach an emergency level."""
        return self.sections[0]

    def ordered_fields(self) -> dict[str, tuple[Any, ...]]:
        """Each question whose answers have an order of concern, with its facts in that order."""
        orders: dict[str, tuple[Any, ...]] = {}
        for question in self.questions:
            if question.kind is Kind.YES_NO:
                orders[question.id] = (False, True)
            elif question.concern_order == ("ascending",):
                orders[question.id] = tuple(range(question.minimum, question.maximum + 1))
            elif question.concern_order:
                orders[question.id] = question.concern_order
        return orders
