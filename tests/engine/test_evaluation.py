"""How conditions and outcomes are evaluated: three-valued logic, and work done once, not per request."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import pytest

from triage.engine import AnswersInvalid, RuleSet
from triage.engine.conditions import UNKNOWN, All, AnyOf, Not, Term, Truth, Yes

from .test_invariants import BASELINE, pain

#: What a yes/no fact may be: yes, no, not answered yet (UNKNOWN), or missing (does not apply).
_MISSING = object()
FACT_STATES = (True, False, UNKNOWN, _MISSING)
#: Kleene's truth values in order, for the reference below: false < unknown < true.
_ORDER = {False: 0, None: 1, True: 2}


def _kleene_all(truths: list[Truth]) -> Truth:
    return min(truths, key=_ORDER.__getitem__, default=True)


def _kleene_any(truths: list[Truth]) -> Truth:
    return max(truths, key=_ORDER.__getitem__, default=False)


def _atom(value: object) -> Truth:
    """A "yes or not sure" test of one fact, worked out by hand."""
    return None if value is UNKNOWN else value is True


def _facts(values: tuple[object, ...]) -> dict[str, Any]:
    return {f"q{i}": value for i, value in enumerate(values) if value is not _MISSING}


def _states(count: int) -> Iterator[tuple[object, ...]]:
    return itertools.product(FACT_STATES, repeat=count)


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_all_and_any_follow_kleene_logic_with_any_number_of_parts(count: int) -> None:
    atoms = tuple(Yes(f"q{i}") for i in range(count))
    every, some = All(atoms), AnyOf(atoms)
    for values in _states(count):
        facts = _facts(values)
        truths = [_atom(value) for value in values]
        assert every.evaluate(facts) is _kleene_all(truths), values
        assert some.evaluate(facts) is _kleene_any(truths), values
        assert every.evaluator(facts) is every.evaluate(facts)


def test_not_and_nested_conditions_follow_kleene_logic() -> None:
    condition = AnyOf((Not(Yes("q0")), All((Yes("q1"), Term("t", AnyOf((Yes("q2"),)))))))
    for values in _states(3):
        a, b, c = (_atom(value) for value in values)
        negated = None if a is None else not a
        assert condition.evaluate(_facts(values)) is _kleene_any([negated, _kleene_all([b, c])]), values


def test_a_condition_is_turned_into_one_function_once() -> None:
    inner = All((Yes("q0"), Yes("q1")))
    term = Term("both", inner)
    assert inner.evaluator is inner.evaluator  # made once, then kept
    assert term.evaluator is inner.evaluator  # a term adds no step of its own
    assert All((inner,)).evaluator is inner.evaluator  # nor does a junction of one part


def test_the_rule_set_evaluates_every_rule_by_its_conditions_function(rules: RuleSet) -> None:
    tests = dict((rule.id, holds) for holds, rule in rules._tests)
    assert list(tests) == [rule.id for rule in rules.rules]
    assert all(tests[rule.id] is rule.condition.evaluator for rule in rules.rules)


def _cancer_answers() -> dict[str, Any]:
    night_pain = pain(features=("night_pain",))
    return {**BASELINE, "age": 60, "cancer": "past", "bone_metastases": False, **night_pain}


def test_what_an_outcome_shows_is_worked_out_once_and_as_defined(rules: RuleSet) -> None:
    outcome = rules.assess(_cancer_answers())
    assert outcome.decisive_rules, "the example must fire a rule"
    for name in ("decisive_rules", "other_rules", "decisive_reasons", "also_told_reasons", "guidance"):
        assert getattr(outcome, name) is getattr(outcome, name), name
    assert outcome.decisive_rules == tuple(r for r in outcome.fired_rules if r.level == outcome.level)
    assert outcome.other_rules == tuple(r for r in outcome.fired_rules if r.level < outcome.level)


def test_a_rule_fired_again_with_the_same_reason_is_the_same_fired_rule(rules: RuleSet) -> None:
    first, again = rules.assess(_cancer_answers()), rules.assess(_cancer_answers())
    assert first.fired_rules
    assert all(a is b for a, b in zip(first.fired_rules, again.fired_rules, strict=True))
    fired = first.fired_rules[0]
    rule = rules.rule(fired.id)
    assert (fired.id, fired.level, fired.guidance, fired.source) == (
        rule.id,
        rule.level,
        rule.guidance,
        rule.source,
    )
    assert fired.repeats == rule.repeats


def test_a_rule_fired_with_another_reason_says_that_reason(rules: RuleSet) -> None:
    recent = {**_cancer_answers(), **pain(location=("upper_back",), duration="1_to_4_weeks")}
    lasting = {**_cancer_answers(), **pain(location=("upper_back",), duration="over_12_weeks")}
    reasons: dict[str, set[object]] = {}
    for answers in (recent, lasting):
        outcome = rules.assess(answers)
        for fired in outcome.fired_rules:
            assert fired.reason == rules.rule(fired.id).reason_for(rules.read(answers).said)
            reasons.setdefault(fired.id, set()).add(fired.reason)
    assert any(len(texts) > 1 for texts in reasons.values()), "no rule was worded two ways"


class _Answers(Mapping[str, Any]):
    """Answers in a mapping that is not a dict (as any reader of the contract may be given)."""

    def __init__(self, given: dict[str, Any]) -> None:
        self._given = given

    def __getitem__(self, key: str) -> Any:
        return self._given[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


@pytest.mark.parametrize("wrap", [dict, MappingProxyType, _Answers], ids=["dict", "read-only", "mapping"])
def test_unknown_fields_are_found_in_any_kind_of_mapping(rules: RuleSet, wrap: Any) -> None:
    answers = _cancer_answers()
    assert rules.assess(wrap(answers)).level == rules.assess(answers).level
    with pytest.raises(AnswersInvalid) as raised:
        rules.assess(wrap({"colour": "blue", **answers, "Age": 60}))
    assert [(k, p.code) for k, p in raised.value.problems.items()] == [
        ("colour", "unknown_field"),
        ("Age", "unknown_field"),
    ]


def test_each_question_reads_its_answers_as_its_kind_says(rules: RuleSet) -> None:
    by_kind: dict[str, list[tuple[Any, Any]]] = {
        "yes_no": [(True, True), ("unsure", True), (False, False)],
        "multi_choice": [(["a", "b"], frozenset({"a", "b"}))],
        "integer": [(7, 7)],
        "boolean": [(False, False)],
        "choice": [("past", "past")],
    }
    seen = set()
    for question in rules.contract.questions:
        for given, fact in by_kind[str(question.kind)]:
            assert question.fact(given) == fact, question.id
            seen.add(str(question.kind))
        assert question.problem(object()) is not None, question.id  # nothing else is an answer
    assert seen == set(by_kind)
