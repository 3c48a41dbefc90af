"""A QuestionnaireResponse read back as the answers contract's answers: the inverse of
triage/fhir/questionnaire.py `response_items`.

Items are found by linkId at any depth (the section groups are only grouping); each question's
answers become its contract value:

- integer and boolean: the value as given;
- yes/no: the codes yes, no and unsure as true, false and "unsure";
- choice: the code;
- a list (multi_choice): the codes, in order; the item present with no answer is the empty list
  ("none of these"), the item left out is not answered.

A value of the wrong type or an unknown code is passed on as it is, so the engine's own check of the
contract words the message (the same one the JSON API gives); an answered item whose linkId is not
a question is passed on too, and the engine names it as an unknown field. Only what is not a
QuestionnaireResponse at all raises NotAResponse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from triage.engine import RuleSet
from triage.engine.contract import Kind, Question

from .common import YES_NO_CODES

#: The contract's value of each yes/no code.
YES_NO_VALUES = {code: value for value, code in YES_NO_CODES.items()}


class NotAResponse(ValueError):
    """The body is not a QuestionnaireResponse that items can be read from."""


def answers_from_response(
    ruleset: RuleSet, response: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """The answers a QuestionnaireResponse gives, by question id; see the module's docstring.

    `partial`: the answers so far (an `in-progress` response, as `$next-question` reads it). This
    reading checks nothing the engine checks, so both read alike here; the caller reads the answers
    with the engine, partially or not.
    """
    del partial  # the same reading either way (see above)
    if response.get("resourceType") != "QuestionnaireResponse":
        raise NotAResponse("resourceType is not QuestionnaireResponse")
    contract = ruleset.contract
    answers: dict[str, Any] = {}
    for link, given in _answered_items(response.get("item", [])):
        if link in contract:
            value = _value(contract[link], given)
            if value is not None:
                answers[link] = value
        elif given:
            answers[link] = [_raw(answer) for answer in given]
    return answers


def _answered_items(items: object) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
    """(linkId, answers) of every item at any depth, in order; items inside answers count too."""
    if not isinstance(items, list):
        raise NotAResponse("item is not a list")
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise NotAResponse("an item has no linkId")
        given = item.get("answer", [])
        if not isinstance(given, list) or not all(isinstance(answer, Mapping) for answer in given):
            raise NotAResponse(f"the answers of {item['linkId']} are not a list of answers")
        yield item["linkId"], given
        yield from _answered_items(item.get("item", []))
        for answer in given:
            yield from _answered_items(answer.get("item", []))


def _raw(answer: Mapping[str, Any]) -> Any:
    """The value[x] of one answer: a Coding's code, else the value itself (None: no value)."""
    values = [value for name, value in answer.items() if name.startswith("value")]
    if len(values) != 1:
        return None
    (value,) = values
    if isinstance(value, Mapping):
        return value.get("code")
    return value


def _value(question: Question, given: list[Mapping[str, Any]]) -> Any:
    """The contract value of a question's answers (None: not answered)."""
    raw = [_raw(answer) for answer in given]
    if question.kind.is_list:
        return [_coded(question, value) for value in raw]
    if not raw:
        return None
    if len(raw) > 1:  # more than one answer to a single question: the engine refuses the list
        return [_coded(question, value) for value in raw]
    return _coded(question, raw[0])


def _coded(question: Question, value: Any) -> Any:
    if question.kind is Kind.YES_NO and isinstance(value, str):
        return YES_NO_VALUES.get(value, value)
    return value
