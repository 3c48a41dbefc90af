"""Issue 15: `asked_when` as enableWhen means what the engine means. For each kind of condition, over every
combination of answers (each question also left unanswered), the item is enabled by FHIR's rules
(tests/support/fhir.py) exactly when the engine's condition holds; a condition no single enableWhen list
can say is kept as an SDC FHIRPath expression instead."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.fhir import is_enabled
from triage.engine import Text
from triage.engine.conditions import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Condition,
    Contains,
    Equals,
    In,
    Not,
    Term,
    Yes,
)
from triage.engine.contract import UNSURE, Contract, Kind, Question, Section
from triage.fhir.common import answer_system
from triage.fhir.enable import ENABLE_WHEN_EXPRESSION, enable_elements

WORD = Text.of({"en": "x"})
QUESTIONS = (
    Question("y", "s", Kind.YES_NO, (True, False, UNSURE), wording={"label": WORD, "summary": WORD}),
    Question("b", "s", Kind.BOOLEAN, (True, False), wording={"label": WORD, "summary": WORD}),
    Question("c", "s", Kind.CHOICE, ("p", "q", "r"), wording={"label": WORD, "summary": WORD}),
    Question("m", "s", Kind.MULTI_CHOICE, ("p", "q"), wording={"label": WORD, "summary": WORD}),
    Question("n", "s", Kind.INTEGER, minimum=0, maximum=3, wording={"label": WORD, "summary": WORD}),
)
CONTRACT = Contract(QUESTIONS, (Section("s", WORD, tuple(q.id for q in QUESTIONS)),), {})
RULES: Any = SimpleNamespace(contract=CONTRACT)
#: Every answer each question can have; None: not answered.
CHOICES: dict[str, list[Any]] = {
    "y": [None, True, False, UNSURE],
    "b": [None, True, False],
    "c": [None, "p", "q", "r"],
    "m": [None, [], ["p"], ["q"], ["p", "q"]],
    "n": [None, 0, 1, 2, 3],
}
#: The answers as a QuestionnaireResponse gives them: yes/no as the codes yes, no and unsure; a list
#: answered with none of its options as "None of these".
CODE = {True: "yes", False: "no", UNSURE: "unsure"}
NONE = "none"


def in_(field: str, *values: str) -> In:
    return In(field, frozenset(values), values)


EXPRESSIBLE: dict[str, Condition] = {
    "equals-true": Equals("b", True),
    "equals-yes-no-true": Equals("y", True),
    "equals-yes-no-false": Equals("y", False),
    "yes-or-unsure": Yes("y"),
    "yes-of-a-boolean": Yes("b"),
    "in": in_("c", "p", "q"),
    "contains": Contains("m", "p"),
    "at-least": AtLeast("n", 2),
    "at-most": AtMost("n", 1),
    "not-equals": Not(Equals("c", "p")),
    "not-in": Not(in_("c", "p", "q")),
    "not-yes-or-unsure": Not(Yes("y")),
    "not-contains": Not(Contains("m", "p")),
    "not-at-least": Not(AtLeast("n", 2)),
    "all-of-single-tests": All((Equals("b", True), AtLeast("n", 2), Contains("m", "q"))),
    "any-with-a-many-valued-test": AnyOf((Yes("y"), Equals("c", "p"), AtMost("n", 0))),
    "not-all-is-any-of-negations": Not(All((Equals("b", True), Equals("c", "p")))),
    "term": Term("named", AnyOf((Equals("c", "r"), Not(AtLeast("n", 1))))),
    "double-negation": Not(Not(in_("c", "q", "r"))),
}
INEXPRESSIBLE: dict[str, Condition] = {
    "all-with-a-many-valued-test": All((Yes("y"), Equals("b", True))),
    "any-of-all": AnyOf((All((Equals("b", True), Equals("c", "p"))), AtLeast("n", 3))),
    "all-with-a-negated-bound": All((Not(AtLeast("n", 2)), Equals("b", False))),
    "not-all-with-an-in": Not(All((Equals("b", True), in_("c", "p", "r")))),
}


def facts(answers: dict[str, Any]) -> dict[str, Any]:
    """What the engine's conditions see: "unsure" counts as yes, lists are sets; unanswered is missing."""
    return {qid: CONTRACT[qid].fact(value) for qid, value in answers.items() if value is not None}


def response(answers: dict[str, Any]) -> dict[str, Any]:
    items = []
    for qid, value in answers.items():
        if value is None:
            continue
        given = (value or [NONE]) if isinstance(value, list) else [value]
        kind, system = CONTRACT[qid].kind, answer_system(CONTRACT[qid])
        if kind is Kind.YES_NO:
            encoded = [{"valueCoding": {"system": system, "code": CODE[v]}} for v in given]
        elif kind.is_number:
            encoded = [{"valueInteger": v} for v in given]
        elif kind is Kind.BOOLEAN:
            encoded = [{"valueBoolean": v} for v in given]
        else:
            encoded = [{"valueCoding": {"system": system, "code": v}} for v in given]
        items.append({"linkId": qid, "answer": encoded})
    return {"item": items}


def every_answer_set() -> list[dict[str, Any]]:
    return [dict(zip(CHOICES, combo, strict=True)) for combo in itertools.product(*CHOICES.values())]


@pytest.mark.parametrize("name", EXPRESSIBLE)
def test_enable_when_holds_exactly_when_the_engine_s_condition_does(name: str) -> None:
    condition = EXPRESSIBLE[name]
    elements = enable_elements(RULES, condition)
    assert "extension" not in elements
    questionnaire = {"item": [{"linkId": q.id, "type": "choice"} for q in QUESTIONS]}
    questionnaire["item"].append({"linkId": "asked", "type": "boolean", **elements})
    disagree = [
        answers
        for answers in every_answer_set()
        if is_enabled(questionnaire, response(answers), "asked")
        != (condition.evaluate(facts(answers)) is True)
    ]
    assert disagree == [], f"{len(disagree)} answer sets disagree, e.g. {disagree[:3]}"
    if len(elements["enableWhen"]) > 1:
        assert elements["enableBehavior"] in ("all", "any")
    else:
        assert "enableBehavior" not in elements


@pytest.mark.parametrize("name", INEXPRESSIBLE)
def test_a_condition_no_enable_when_list_can_say_becomes_a_fhirpath_expression(name: str) -> None:
    condition = INEXPRESSIBLE[name]
    elements = enable_elements(RULES, condition)
    assert "enableWhen" not in elements
    (extension,) = elements["extension"]
    assert extension["url"] == ENABLE_WHEN_EXPRESSION
    expression = extension["valueExpression"]
    assert expression["language"] == "text/fhirpath"
    for atom, _ in condition.atoms():
        assert f"linkId = '{atom.field}'" in expression["expression"]
