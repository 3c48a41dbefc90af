"""Compiling condition data into Condition objects, checked against the answers contract.

Anything but the closed set of operators is an error naming where in the condition it is; nothing
is ever evaluated as code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .conditions import (
    All,
    Answered,
    AnyOf,
    AtLeast,
    AtMost,
    Condition,
    ConditionError,
    Contains,
    Equals,
    In,
    Not,
    Term,
    Yes,
)
from .contract import UNSURE, Kind


class FieldSpec(Protocol):
    """What the compiler needs to know of a question to check a test of it."""

    @property
    def kind(self) -> Kind: ...

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
        *,
        wording: bool = False,
    ) -> None:
        self.fields = fields
        self.terms = terms or {}
        self.wording = wording  # a reason's or phrase's `when`: may quote an answer as given
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
            "answered": self._answered,
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
        if not spec.kind.is_truth:
            raise ConditionError(
                path, f"`yes_or_unsure` needs a yes/no question; {argument!r} is {spec.kind}"
            )
        return Yes(argument)

    def _equals(self, argument: Any, path: str) -> Condition:
        name, value = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind.is_list:
            raise ConditionError(path, f"{name!r} is a list; test it with `contains`")
        self._check_value(spec, name, value, path)
        return Equals(name, value)

    def _in(self, argument: Any, path: str) -> Condition:
        name, values = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind.is_list:
            raise ConditionError(path, f"{name!r} is a list; test it with `contains`")
        if not isinstance(values, list) or not values:
            raise ConditionError(path, "needs a non-empty list of values")
        for value in values:
            self._check_value(spec, name, value, path)
        return In(name, frozenset(values), tuple(values))

    def _contains(self, argument: Any, path: str) -> Condition:
        name, value = self._pair(argument, path)
        spec = self._field(name, path)
        if not spec.kind.is_list:
            raise ConditionError(path, f"`contains` needs a list question; {name!r} is {spec.kind}")
        self._check_value(spec, name, value, path)
        return Contains(name, value)

    def _answered(self, argument: Any, path: str) -> Condition:
        if not self.wording:
            raise ConditionError(
                path,
                "`answered` is for the wording of reasons and phrases only: a rule, a term or a "
                "question's `asked_when` counts 'not sure' as yes (use yes_or_unsure)",
            )
        name, value = self._pair(argument, path)
        spec = self._field(name, path)
        if spec.kind.is_list or spec.kind.is_number:
            raise ConditionError(
                path, f"`answered` quotes a yes/no or choice answer; {name!r} is {spec.kind}"
            )
        if spec.kind.is_truth:
            if value not in spec.kind.fixed_values or (value == UNSURE) is isinstance(value, bool):
                words = " or ".join(repr(v) for v in spec.kind.fixed_values)
                raise ConditionError(path, f"{name!r} was answered {words}, not {value!r}")
        else:
            self._check_value(spec, name, value, path)
        return Answered(name, value)

    def _at_least(self, argument: Any, path: str) -> Condition:
        name, bound = self._bound(argument, path)
        return AtLeast(name, bound)

    def _at_most(self, argument: Any, path: str) -> Condition:
        name, bound = self._bound(argument, path)
        return AtMost(name, bound)

    def _bound(self, argument: Any, path: str) -> tuple[str, int]:
        name, bound = self._pair(argument, path)
        spec = self._field(name, path)
        if not spec.kind.is_number:
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
        if spec.kind.is_number:
            if type(value) is not int or not spec.minimum <= value <= spec.maximum:
                raise ConditionError(
                    path, f"{name!r} takes whole numbers {spec.minimum}–{spec.maximum}, not {value!r}"
                )
        elif spec.kind.is_truth:
            if value is not True and value is not False:
                raise ConditionError(
                    path, f"{name!r} is compared with true or false ('unsure' already counts as true)"
                )
        elif value not in spec.values or isinstance(value, bool):
            allowed = ", ".join(map(str, spec.values))
            raise ConditionError(path, f"{value!r} is not a value of {name!r} ({allowed})")
