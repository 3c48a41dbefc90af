"""A QuestionnaireResponse to the Questionnaire (triage/fhir/questionnaire.py) back to the contract's
answers, checked by the contract as the JSON API checks them, with one problem per item.

- An item whose linkId is a question id gives that question's answer, wherever it is: under its
  section's group, as the Questionnaire has it, or nested in another item or answer. The section
  groups, the hints and the urgent advice carry no answers; any other linkId is a problem.
- integer: `valueInteger`; boolean: `valueBoolean`; yes/no: a Coding yes (true), no (false) or
  unsure ("unsure"); choice: a Coding whose code is the value; a list: the code of every answer,
  and "None of these" (`none`) on its own is the empty list. A Coding has the question's answers'
  system, or none (as in responses to Questionnaire versions before the systems); another system is
  not an answer option.
- An item with no answer, or no item, is a question not answered: "skipped" is not "none".
- An answer that is none of these (another type, code or system, several answers to a question
  that takes one, "None of these" with others) is passed on as it is, so that the contract refuses
  it with its own message for that question.

Each problem names the item by linkId and by a FHIRPath expression into the response (where the
item is missing, its section's group, else the response), for an OperationOutcome's `expression`;
its message is the contract's, in every language, and its code the contract's problem code.

What breaks FHIR's own structure of a QuestionnaireResponse (another resourceType; `item` or
`answer` not a list; an item or an answer not an object; an item without a linkId, which R4
requires of every item) is not a response at all: NotAResponse, at the element.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from triage.engine import AnswersInvalid, RuleSet, Text
from triage.engine.contract import Kind, Question

from .common import NONE, YES_NO_CODES, Values, answer_code, answer_system, has_none, is_coded
from .questionnaire import SECTION_PREFIX, questionnaire

RESOURCE = "QuestionnaireResponse"
_TRUTH = {code: value for value, code in YES_NO_CODES.items()}


@dataclass(frozen=True)
class ItemProblem:
    """What is wrong with one item of a response: its linkId, where it is, the contract's message and
    its problem code (`required`, `unknown_field`, `not_one_of`, ...)."""

    link_id: str
    expression: str
    text: Text
    code: str

    def message(self, lang: str = "en") -> str:
        """The message in `lang` (English where it has none)."""
        return self.text.get(lang)


class NotAResponse(ValueError):
    """The body is not a QuestionnaireResponse that items can be read from; `expression`: where."""

    def __init__(self, message: str, expression: str = RESOURCE) -> None:
        super().__init__(message)
        self.expression = expression


class ResponseInvalid(ValueError):
    """A response whose answers the contract refuses; `problems` holds one problem per item."""

    def __init__(self, problems: list[ItemProblem]) -> None:
        super().__init__("; ".join(f"{p.link_id}: {p.message()}" for p in problems))
        self.problems = problems


def answers_from_response(
    ruleset: RuleSet, response: Mapping[str, Any], *, partial: bool = False, values: Values | None = None
) -> dict[str, Any]:
    """The contract's answers given in a QuestionnaireResponse (see the module's docstring).

    Raises ResponseInvalid with every problem found. `partial`: the answers so far (an
    `in-progress` response), whose unanswered questions are not yet missing. `values`: the
    practice's details for the messages' {placeholders} (such as the emergency number a message
    to a child gives; left as they are without them).
    """
    if response.get("resourceType") != RESOURCE:
        raise NotAResponse("resourceType is not QuestionnaireResponse")
    contract = ruleset.contract
    without_answers = _other_link_ids(ruleset)
    paths: dict[str, str] = {}
    given: dict[str, list[Any]] = {}
    problems: list[ItemProblem] = []
    for item, path in _items(response.get("item", []), RESOURCE):
        link = item["linkId"]
        paths.setdefault(link, path)
        if link in contract:
            given.setdefault(link, []).extend(_value(contract[link], a) for a in item.get("answer", []))
        elif link not in without_answers or item.get("answer"):
            problems.append(ItemProblem(link, path, contract.messages["unknown_field"], "unknown_field"))
    answers = {qid: _answer(contract[qid], values) for qid, values in given.items() if values}
    try:
        ruleset.read(answers, partial=partial)
    except AnswersInvalid as exc:
        for qid, problem in exc.problems.items():
            section = SECTION_PREFIX + contract[qid].section if qid in contract else ""
            where = paths.get(qid) or paths.get(section) or RESOURCE
            text = Text.of(
                {
                    lang: problem.message(lang, practice=_details(ruleset, lang, values))
                    for lang in ruleset.languages
                }
            )
            problems.append(ItemProblem(qid, where, text, problem.code))
    if problems:
        raise ResponseInvalid(problems)
    return answers


def _details(ruleset: RuleSet, lang: str, values: Values | None) -> dict[str, object]:
    """The practice's details in `lang`; a placeholder without one is left as it is."""
    return {name: "{" + name + "}" for name in ruleset.placeholders} | dict(values(lang) if values else {})


def _other_link_ids(ruleset: RuleSet) -> set[str]:
    """The Questionnaire's linkIds that are not questions: groups, hints, the urgent advice."""
    found: set[str] = set()
    stack = list(questionnaire(ruleset)["item"])
    while stack:
        item = stack.pop()
        if item["linkId"] not in ruleset.contract:
            found.add(item["linkId"])
        stack.extend(item.get("item", []))
    return found


def _items(items: Any, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every item, nested in items or in answers, with its FHIRPath (raises NotAResponse where FHIR's
    structure is broken)."""
    if not isinstance(items, list):
        raise NotAResponse("item is not a list", f"{path}.item")
    for n, item in enumerate(items):
        here = f"{path}.item[{n}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise NotAResponse("an item has no linkId", here)
        yield item, here
        yield from _items(item.get("item", []), here)
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            raise NotAResponse("answer is not a list", f"{here}.answer")
        for m, answer in enumerate(answers):
            if not isinstance(answer, Mapping):
                raise NotAResponse("an answer is not an object", f"{here}.answer[{m}]")
            yield from _items(answer.get("item", []), f"{here}.answer[{m}]")


def _value(question: Question, answer: Any) -> Any:
    """One answer's value in the contract's terms, or as it was sent where it is none of them."""
    if not isinstance(answer, Mapping):
        return answer
    values = [(name, value) for name, value in answer.items() if name.startswith("value")]
    expected = question.kind.pick(
        integer="valueInteger",
        choice="valueCoding",
        multi_choice="valueCoding",
        boolean="valueBoolean",
        yes_no="valueCoding",
    )
    if len(values) != 1 or values[0][0] != expected:  # another type: the answer as sent, refused
        return dict(answer)
    value = values[0][1]
    if not is_coded(question) or not isinstance(value, Mapping):
        return value
    system, code = answer_system(question), value.get("code")
    if not isinstance(code, str):
        return dict(value)
    if value.get("system", system) != system:  # another system's code is not one of the options
        return f"{value.get('system')}|{code}"
    if question.kind is Kind.YES_NO:
        return _TRUTH.get(code, code)
    if has_none(question) and code == NONE:
        return NONE
    by_code = {answer_code(question, v): v for v in question.values}
    return by_code.get(code, code)


def _answer(question: Question, values: list[Any]) -> Any:
    """The answer to a question from the values of its answers."""
    if question.kind.is_list:
        return [] if values == [NONE] else values
    return values[0] if len(values) == 1 else values
