"""The JSON Schema of one answers object, made from the answers contract: what the engine accepts,
no more and no less (tests/security/test_openapi.py compares the two).

- A question always asked takes its values; a required one must be there, an optional one may also
  be null (not answered, as the engine reads it).
- A question asked only when another answer holds (`asked_when`) is checked only then, by JSON
  Schema's if/then: where its condition holds it takes its values (and a required one must be
  there); elsewhere it may hold anything, which the engine ignores.
- A condition is written in JSON Schema over the answers as sent: each operator of
  triage/engine/conditions.py, "unsure" counting as yes, and an answer to a question that is itself
  asked only sometimes counting only where that question is asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from triage.engine import RuleSet
from triage.engine.conditions import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Atom,
    Condition,
    Contains,
    Equals,
    In,
    Not,
    Yes,
)
from triage.engine.contract import Contract, Kind, Question


def answers_schema(ruleset: RuleSet) -> dict[str, Any]:
    """One answers object: every question of the contract with the values it takes, and when."""
    contract = ruleset.contract
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {question.id: _property(question) for question in contract.questions},
        "required": [q.id for q in contract.questions if q.required and q.asked_when is None],
        "additionalProperties": False,
    }
    asked_when: dict[str, tuple[Condition, list[Question]]] = {}
    for question in contract.questions:
        if question.asked_when is not None:
            key = json.dumps(question.asked_when.as_data(), sort_keys=True)
            asked_when.setdefault(key, (question.asked_when, []))[1].append(question)
    if asked_when:
        schema["allOf"] = [
            _asked(contract, condition, questions) for condition, questions in asked_when.values()
        ]
    return schema


def _property(question: Question) -> dict[str, Any]:
    if question.asked_when is None:
        return _answer(question)
    return {"description": f"Asked only when {question.asked_when.describe()}; otherwise ignored."}


def _asked(contract: Contract, condition: Condition, questions: Iterable[Question]) -> dict[str, Any]:
    """Where `condition` holds, these questions take their values (the required ones must be there)."""
    then: dict[str, Any] = {"properties": {question.id: _answer(question) for question in questions}}
    required = [question.id for question in questions if question.required]
    if required:
        then["required"] = required
    return {"if": _holds(contract, condition), "then": then}


def _answer(question: Question) -> dict[str, Any]:
    """The values a question takes; null too where it is optional."""
    kind = question.kind
    schema: dict[str, Any]
    if kind is Kind.INTEGER:
        schema = {"type": "integer", "minimum": question.minimum, "maximum": question.maximum}
    elif kind is Kind.MULTI_CHOICE:
        schema = {
            "type": "array",
            "items": {"enum": list(question.values)},
            "minItems": question.min_items,
            "uniqueItems": True,
        }
    else:
        schema = {"enum": list(kind.fixed_values or question.values)}
    if question.required:
        return schema
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


def _holds(contract: Contract, condition: Condition) -> dict[str, Any]:
    """A schema that answers satisfy where `condition` holds for them (answers otherwise valid)."""
    if isinstance(condition, All):
        return {"allOf": [_holds(contract, part) for part in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"anyOf": [_holds(contract, part) for part in condition.parts]}
    if isinstance(condition, Not):
        return {"not": _holds(contract, condition.part)}
    if not isinstance(condition, Atom):
        raise TypeError(f"no JSON Schema for the condition {condition.as_data()}")
    question = contract[condition.field]
    answered: dict[str, Any] = {
        "required": [question.id],
        "properties": {question.id: _passing(question, condition)},
    }
    if question.asked_when is None:
        return answered
    return {"allOf": [_holds(contract, question.asked_when), answered]}


def _passing(question: Question, condition: Condition) -> dict[str, Any]:
    """The answers to `question` that pass one test of a single answer."""
    if isinstance(condition, AtLeast):
        return {"type": "integer", "minimum": condition.bound}
    if isinstance(condition, AtMost):
        return {"type": "integer", "maximum": condition.bound}
    if isinstance(condition, Contains):
        return {"type": "array", "contains": {"const": condition.value}}
    if isinstance(condition, Yes):
        facts: tuple[Any, ...] = (True,)
    elif isinstance(condition, Equals):
        facts = (condition.value,)
    elif isinstance(condition, In):
        facts = condition.order
    else:
        raise TypeError(f"no JSON Schema for the condition {condition.as_data()}")
    if question.kind.is_truth:  # the answers whose fact is one of these ("unsure" counts as yes)
        return {"enum": [value for value in question.kind.fixed_values if question.fact(value) in facts]}
    if question.kind.is_list:
        raise TypeError(f"no JSON Schema for the condition {condition.as_data()} on a list")
    return {"enum": list(facts)}
