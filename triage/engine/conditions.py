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

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Truth = bool | None
Facts = Mapping[str, Any]


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
class All(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Truth:
        result: Truth = True
        for part in self.parts:
            truth = part.evaluate(facts)
            if truth is False:
                return False
            if truth is None:
                result = None
        return result

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        for part in self.parts:
            yield from part.atoms(positive)

    def describe(self) -> str:
        return " and ".join(_grouped(part) for part in self.parts)

    def as_data(self) -> dict[str, Any]:
        return {"all": [part.as_data() for part in self.parts]}


@dataclass(frozen=True, eq=False)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Truth:
        result: Truth = False
        for part in self.parts:
            truth = part.evaluate(facts)
            if truth is True:
                return True
            if truth is None:
                result = None
        return result

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        for part in self.parts:
            yield from part.atoms(positive)

    def describe(self) -> str:
        return " or ".join(_grouped(part) for part in self.parts)

    def as_data(self) -> dict[str, Any]:
        return {"any": [part.as_data() for part in self.parts]}


@dataclass(frozen=True, eq=False)
class Not(Condition):
    part: Condition

    def evaluate(self, facts: Facts) -> Truth:
        truth = self.part.evaluate(facts)
        return None if truth is None else not truth

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

    def evaluate(self, facts: Facts) -> Truth:
        return self.condition.evaluate(facts)

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        yield from self.condition.atoms(positive)

    def describe(self) -> str:
        return f"*{self.name}*"

    def as_data(self) -> dict[str, Any]:
        return {"term": self.name}


@dataclass(frozen=True, eq=False)
class Atom(Condition):
    """A test of one answer. A missing answer fails the test; an unknown one leaves it open."""

    field: str

    def evaluate(self, facts: Facts) -> Truth:
        value = facts.get(self.field, _MISSING)
        if value is _MISSING:
            return False
        if value is UNKNOWN:
            return None
        return self.test(value)

    def test(self, value: Any) -> bool:
        """Whether a known fact passes."""
        raise NotImplementedError

    def atoms(self, positive: bool = True) -> Iterator[tuple[Atom, bool]]:
        yield self, positive


@dataclass(frozen=True, eq=False)
class Yes(Atom):
    def test(self, value: Any) -> bool:
        return value is True

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
    return str(value)


# --- Compiling ----------------------------------------------------------------------------------


class FieldSpec(Protocol):
    """What the compiler needs to know of a question to check a test of it."""

    @property
    def kind(self) -> str: ...  # integer, choice, multi_choice, boolean, yes_no

    @property
    def values(self) -> tuple[Any, ...]: ...

    @property
    def minimum(self) -> int: ...

    @property
    def maximum(self) -> int: ...


class Compiler:
    """Turns condition data into Condition objects, checking them against the answers contract."""

    def __init__(
        self,
        fields: Mapping[str, FieldSpec],
        terms: Mapping[str, Condition] | None = None,
    ) -> None:
        self.fields = fields
        self.terms = terms or {}
        self._operators: dict[str, Callable[[Any, str], Condition]] = {
            "all": self._all,
            "any": self._any,
            "not": self._not,
            "term": self._term,
            "yes_or_unsure": self._yes,
            "equals": self._equals,
            "in": self._in,
            "contains": self._contains,
            "at_least": self._at_least,
            "at_most": self._at_most,
        }

    @property
    def operators(self) -> tuple[str, ...]:
        """The closed set of operator names."""
        return tuple(self._operators)

    def compile(self, data: Any, path: str = "when") -> Condition:
        """Compile one condition; raises ConditionError naming where it is wrong."""
        if not isinstance(data, dict) or len(data) != 1:
            raise ConditionError(
                path, f"a condition is a mapping with exactly one operator ({', '.join(self.operators)})"
            )
        ((operator, argument),) = data.items()
        build = self._operators.get(operator) if isinstance(operator, str) else None
        if build is None:
            raise ConditionError(
                path,
                f"unknown operator {operator!r}; use one of {', '.join(self.operators)}"
                + (" (YAML reads a bare yes/no/on/off as true/false)" if isinstance(operator, bool) else ""),
            )
        return build(argument, f"{path}.{operator}")

    def _parts(self, argument: Any, path: str) -> tuple[Condition, ...]:
        if not isinstance(argument, list) or not argument:
            raise ConditionError(path, "needs a non-empty list of conditions")
        return tuple(self.compile(part, f"{path}[{i}]") for i, part in enumerate(argument))

    def _all(self, argument: Any, path: str) -> Condition:
        return All(self._parts(argument, path))

    def _any(self, argument: Any, path: str) -> Condition:
        return AnyOf(self._parts(argument, path))

    def _not(self, argument: Any, path: str) -> Condition:
        return Not(self.compile(argument, path))

    def _term(self, argument: Any, path: str) -> Condition:
        if argument not in self.terms:
            known = ", ".join(sorted(self.terms)) or "none defined"
            raise ConditionError(path, f"unknown term {argument!r} (known: {known})")
        return Term(argument, self.terms[argument])

    def _yes(self, argument: Any, path: str) -> Condition:
        spec = self._field(argument, path)
        if spec.kind not in ("yes_no", "boolean"):
            raise ConditionError(
                path, f"`yes_or_unsure` needs a yes/no question; {argument!r} is {spec.kind}"
            )
        return Yes(argument)

    def _equals(self, argument: Any, path: str) -> Condition:
        name, value = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind == "multi_choice":
            raise ConditionError(path, f"{name!r} is a list; test it with `contains`")
        self._check_value(spec, name, value, path)
        return Equals(name, value)

    def _in(self, argument: Any, path: str) -> Condition:
        name, values = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind == "multi_choice":
            raise ConditionError(path, f"{name!r} is a list; test it with `contains`")
        if not isinstance(values, list) or not values:
            raise ConditionError(path, "needs a non-empty list of values")
        for value in values:
            self._check_value(spec, name, value, path)
        return In(name, frozenset(values), tuple(values))

    def _contains(self, argument: Any, path: str) -> Condition:
        name, value = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind != "multi_choice":
            raise ConditionError(path, f"`contains` needs a list question; {name!r} is {spec.kind}")
        self._check_value(spec, name, value, path)
        return Contains(name, value)

    def _at_least(self, argument: Any, path: str) -> Condition:
        name, bound = self._bound(argument, path)
        return AtLeast(name, bound)

    def _at_most(self, argument: Any, path: str) -> Condition:
        name, bound = self._bound(argument, path)
        return AtMost(name, bound)

    def _bound(self, argument: Any, path: str) -> tuple[str, int]:
        name, bound = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind != "integer":
            raise ConditionError(path, f"needs a number question; {name!r} is {spec.kind}")
        self._check_value(spec, name, bound, path)
        return name, bound

    def _pair(self, argument: Any, path: str) -> tuple[str, Any]:
        if not isinstance(argument, dict) or len(argument) != 1:
            raise ConditionError(path, "needs exactly one `question: value` pair")
        ((name, value),) = argument.items()
        return name, value

    def _field(self, name: Any, path: str) -> FieldSpec:
        spec = self.fields.get(name) if isinstance(name, str) else None
        if spec is None:
            raise ConditionError(path, f"unknown question {name!r}")
        return spec

    @staticmethod
    def _check_value(spec: FieldSpec, name: str, value: Any, path: str) -> None:
        if spec.kind == "integer":
            if type(value) is not int or not spec.minimum <= value <= spec.maximum:
                raise ConditionError(
                    path, f"{name!r} takes whole numbers {spec.minimum}–{spec.maximum}, not {value!r}"
                )
        elif spec.kind in ("boolean", "yes_no"):
            if value is not True and value is not False:
                raise ConditionError(
                    path, f"{name!r} is compared with true or false ('unsure' already counts as true)"
                )
        elif value not in spec.values or isinstance(value, bool):
            allowed = ", ".join(map(str, spec.values))
            raise ConditionError(path, f"{value!r} is not a value of {name!r} ({allowed})")


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


def satisfied_along(atom: Atom, order: Sequence[Any]) -> list[bool]:
    """Whether each value of an ordered question passes the atom, in that order."""
    return [atom.test(value) for value in order]
