"""Conditions: a closed set of operators, compiled from rule data and evaluated in three-valued logic.

A condition is data such as ``{all: [{yes: cannot_stand}, {term: cancer_hx}]}``. Nothing is ever
evaluated as code: each operator below is a small class, and anything else is an error.

Evaluation is over *facts* (see ``validate.py``): answers with "unsure" already counted as yes.
A fact may be missing (the question does not apply, or an optional question was skipped), which
makes every test of it false, or UNKNOWN (not answered yet, in a partial assessment), which makes
a test of it unknown (None). ``all``/``any``/``not`` follow Kleene's logic, so a condition that is
true with some answers unknown is true however they are answered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

Truth = bool | None
Facts = Mapping[str, Any]
Evaluator = Callable[[Facts], Truth]


class _Unknown:
    """The fact of a question that has not been answered yet."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_MISSING: Any = object()


class ConditionError(ValueError):
    """A condition is not well formed; `path` says where inside the condition."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class Condition:
    """Base of every operator."""

    def evaluate(self, facts: Facts) -> Truth:
        """True, False, or None when it depends on unanswered questions."""
        return self.evaluator(facts)

    @functools.cached_property
    def evaluator(self) -> Evaluator:
        """`evaluate` as one function, made once: each operator's closure calls its parts' closures
        directly, a term's is its condition's. Conditions never change, so it is built once per
        condition and used for every assessment."""
        return self._evaluator()

    def _evaluator(self) -> Evaluator:
        raise NotImplementedError

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        """Every test of a single answer, with whether it sits under an even number of `not`s."""
        raise NotImplementedError

    def describe(self) -> str:
        """The condition in words, for clinicians."""
        raise NotImplementedError

    def as_data(self) -> dict[str, Any]:
        """The condition as the data it was compiled from."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class _Junction(Condition):
    """All or any of several parts, in Kleene's three-valued logic: unknown unless decided."""

    parts: tuple[Condition, ...]
    #: The part value that decides the whole (False for all, True for any), its word and its data key.
    decides: ClassVar[bool]
    joined_by: ClassVar[str]
    key: ClassVar[str]

    def _evaluator(self) -> Evaluator:
        parts = tuple(part.evaluator for part in self.parts)
        decides = self.decides
        if len(parts) == 1:  # the part decides, or gives its own value: the same truth
            return parts[0]
        undecided = not decides

        def evaluate(facts: Facts) -> Truth:
            result: Truth = undecided
            for part in parts:
                truth = part(facts)
                if truth is decides:
                    return decides
                if truth is None:
                    result = None
            return result

        return evaluate

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        for part in self.parts:
            yield from part.atoms(positive)

    def describe(self) -> str:
        return f" {self.joined_by} ".join(_grouped(part) for part in self.parts)

    def as_data(self) -> dict[str, Any]:
        return {self.key: [part.as_data() for part in self.parts]}


@dataclass(frozen=True, eq=False)
class All(_Junction):
    decides: ClassVar[bool] = False
    joined_by: ClassVar[str] = "and"
    key: ClassVar[str] = "all"


@dataclass(frozen=True, eq=False)
class AnyOf(_Junction):
    decides: ClassVar[bool] = True
    joined_by: ClassVar[str] = "or"
    key: ClassVar[str] = "any"


@dataclass(frozen=True, eq=False)
class Not(Condition):
    part: Condition

    def _evaluator(self) -> Evaluator:
        part = self.part.evaluator

        def evaluate(facts: Facts) -> Truth:
            truth = part(facts)
            return None if truth is None else not truth

        return evaluate

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        yield from self.part.atoms(not positive)

    def describe(self) -> str:
        return f"not {_grouped(self.part)}"

    def as_data(self) -> dict[str, Any]:
        return {"not": self.part.as_data()}


@dataclass(frozen=True, eq=False)
class Term(Condition):
    """A named condition from definitions.yaml."""

    name: str
    condition: Condition

    def _evaluator(self) -> Evaluator:
        return self.condition.evaluator

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        yield from self.condition.atoms(positive)

    def describe(self) -> str:
        return f"*{self.name}*"

    def as_data(self) -> dict[str, Any]:
        return {"term": self.name}


@dataclass(frozen=True)
class Given:
    """The key of an answer as the person gave it ("unsure" kept), beside the facts: what a reason's
    wording may look at to quote the answer (see Reading.said), never what a rule decides on."""

    question: str


@dataclass(frozen=True, eq=False)
class Atom(Condition):
    """A test of one answer. A missing answer fails the test; an unknown one leaves it open."""

    field: str

    @property
    def key(self) -> Any:
        """Where in the facts the answer tested is: the question's fact."""
        return self.field

    def _evaluator(self) -> Evaluator:
        name, test = self.key, self.test

        def evaluate(facts: Facts) -> Truth:
            value = facts.get(name, _MISSING)
            if value is _MISSING:
                return False
            if value is UNKNOWN:
                return None
            return test(value)

        return evaluate

    def test(self, value: Any) -> bool:
        """Whether a known fact passes."""
        raise NotImplementedError

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        yield self, positive


@dataclass(frozen=True, eq=False)
class Yes(Atom):
    def test(self, value: Any) -> bool:
        return value is True

    def _evaluator(self) -> Evaluator:
        name = self.field  # the commonest test, without a call of `test`: missing and no are false

        def evaluate(facts: Facts) -> Truth:
            value = facts.get(name)
            if value is True:
                return True
            return None if value is UNKNOWN else False

        return evaluate

    def describe(self) -> str:
        return f"`{self.field}` is yes or not sure"

    def as_data(self) -> dict[str, Any]:
        return {"yes_or_unsure": self.field}


@dataclass(frozen=True, eq=False)
class Equals(Atom):
    value: Any

    def test(self, value: Any) -> bool:
        return bool(value == self.value)

    def describe(self) -> str:
        return f"`{self.field}` = {_word(self.value)}"

    def as_data(self) -> dict[str, Any]:
        return {"equals": {self.field: self.value}}


@dataclass(frozen=True, eq=False)
class Answered(Atom):
    """The answer as given, "not sure" apart from yes: for wording only (a rule counts "not sure" as
    yes, and the compiler refuses this operator in rules, terms and routing)."""

    value: Any

    @property
    def key(self) -> Any:
        return Given(self.field)

    def _evaluator(self) -> Evaluator:
        key, fact, value = self.key, self.field, self.value

        def evaluate(facts: Facts) -> Truth:
            given = facts.get(key, _MISSING)
            if given is _MISSING:  # not answered: unknown while the question may still be answered
                return None if facts.get(fact) is UNKNOWN else False
            return bool(given == value)

        return evaluate

    def test(self, value: Any) -> bool:
        return bool(value == self.value)

    def describe(self) -> str:
        return f"`{self.field}` was answered {_word(self.value)}"

    def as_data(self) -> dict[str, Any]:
        return {"answered": {self.field: self.value}}


@dataclass(frozen=True, eq=False)
class In(Atom):
    values: frozenset[Any]
    order: tuple[Any, ...]  # the values as written, for describe()

    def test(self, value: Any) -> bool:
        return value in self.values

    def describe(self) -> str:
        return f"`{self.field}` is one of {', '.join(_word(v) for v in self.order)}"

    def as_data(self) -> dict[str, Any]:
        return {"in": {self.field: list(self.order)}}


@dataclass(frozen=True, eq=False)
class Contains(Atom):
    value: Any

    def test(self, value: Any) -> bool:
        return self.value in value

    def describe(self) -> str:
        return f"`{self.field}` includes {_word(self.value)}"

    def as_data(self) -> dict[str, Any]:
        return {"contains": {self.field: self.value}}


@dataclass(frozen=True, eq=False)
class AtLeast(Atom):
    bound: int

    def test(self, value: Any) -> bool:
        return bool(value >= self.bound)

    def describe(self) -> str:
        return f"`{self.field}` ≥ {self.bound}"

    def as_data(self) -> dict[str, Any]:
        return {"at_least": {self.field: self.bound}}


@dataclass(frozen=True, eq=False)
class AtMost(Atom):
    bound: int

    def test(self, value: Any) -> bool:
        return bool(value <= self.bound)

    def describe(self) -> str:
        return f"`{self.field}` ≤ {self.bound}"

    def as_data(self) -> dict[str, Any]:
        return {"at_most": {self.field: self.bound}}


def _grouped(condition: Condition) -> str:
    text = condition.describe()
    return f"({text})" if isinstance(condition, All | AnyOf) and len(condition.parts) > 1 else text


def _word(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "not sure" if value == "unsure" else str(value)


def fields_of(condition: Condition) -> frozenset[str]:
    """The questions a condition reads."""
    return frozenset(atom.field for atom, _ in condition.atoms())


def term_names(condition: Condition) -> Iterator[str]:
    """The names of the terms a condition uses, directly or through other terms."""
    if isinstance(condition, Term):
        yield condition.name
        yield from term_names(condition.condition)
    elif isinstance(condition, All | AnyOf):
        for part in condition.parts:
            yield from term_names(part)
    elif isinstance(condition, Not):
        yield from term_names(condition.part)
