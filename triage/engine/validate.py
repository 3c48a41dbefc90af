"""Reading answers against the contract: every problem at once, one message per question."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import UNKNOWN, Given
from .contract import Contract, Question
from .model import Answers, Text

#: The key under which a problem with the answers as a whole is reported (never a question id).
WHOLE = "answers"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one answer, and the message that tells the person how to put it right."""

    field: str
    code: str
    template: Text = dataclasses.field(repr=False)
    params: Mapping[str, Text | int | str] = dataclasses.field(default_factory=dict, repr=False)
    #: The message as another voice words it (e.g. "phone", read by a receptionist), where it does.
    voiced: Mapping[str, Text] = dataclasses.field(default_factory=dict, repr=False)

    def message(
        self, lang: str = "en", voice: str | None = None, practice: Mapping[str, object] | None = None
    ) -> str:
        """The message in `lang` and `voice` (the person answering's by default), with the question's
        label and limits filled in, and the practice's details (`practice`: the values of the rule
        set's placeholders, such as the emergency number)."""
        template = self.voiced.get(voice or "", self.template)
        values = {k: v.get(lang) if isinstance(v, Text) else v for k, v in self.params.items()}
        return template.render(lang, {**(practice or {}), **values})


class AnswersInvalid(ValueError):
    """The answers break the contract; `problems` holds one problem per question id."""

    def __init__(self, problems: Mapping[str, Problem]) -> None:
        super().__init__("; ".join(f"{k}: {p.code}" for k, p in problems.items()))
        self.problems = dict(problems)

    def messages(
        self, lang: str = "en", voice: str | None = None, practice: Mapping[str, object] | None = None
    ) -> dict[str, str]:
        """One message per question id, in `lang` and `voice`, filled with the practice's details."""
        return {key: problem.message(lang, voice, practice) for key, problem in self.problems.items()}


@dataclass(frozen=True)
class Reading:
    """Valid answers, the facts the rules see, and (in a partial reading) what is still unanswered."""

    answers: Answers
    facts: Mapping[str, Any] = dataclasses.field(repr=False)
    unanswered: tuple[str, ...] = ()

    @functools.cached_property
    def said(self) -> Mapping[Any, Any]:
        """The facts, and beside them each answer as given under its Given key: what a reason's
        wording reads to quote the person ("not sure" only where they said so)."""
        said: dict[Any, Any] = dict(self.facts)
        said.update((Given(question), value) for question, value in self.answers.given.items())
        return said


def read_answers(
    contract: Contract, raw: object, *, partial: bool = False, require: Collection[str] = ()
) -> Reading:
    """Check raw answers (a JSON object) and derive the facts; raises AnswersInvalid.

    Questions that do not apply are ignored, whatever was sent for them. In a partial reading a
    question not answered yet is UNKNOWN rather than missing, so no rule can fire on its absence;
    only the required questions named in `require` (those of the page just sent) must be there.
    """
    if not isinstance(raw, Mapping):
        problem = Problem(WHOLE, "not_an_object", contract.messages["not_an_object"])
        raise AnswersInvalid({WHOLE: problem})
    known = contract.by_id
    problems = (
        {}
        if known.keys() >= raw.keys()  # one test of every key at once, not a call per answer
        else {
            key: Problem(str(key), "unknown_field", contract.messages["unknown_field"])
            for key in raw
            if key not in known
        }
    )
    given: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    unanswered: list[str] = []
    for question in contract.questions:
        when = question.asked_when
        applies = True if when is None else when.evaluator(facts)
        if applies is False:
            continue
        value = raw.get(question.id)
        if value is None:
            if applies and question.required and (not partial or question.id in require):
                problems[question.id] = _problem(contract, question, "required")
                facts[question.id] = UNKNOWN  # so what depends on it is still checked, once
            elif partial:
                facts[question.id] = UNKNOWN
                unanswered.append(question.id)
            continue
        code = question.problem_of(value)
        if code is not None:
            problems[question.id] = _problem(contract, question, code)
            facts[question.id] = UNKNOWN
        elif applies is None:  # sent before the question it depends on was answered
            facts[question.id] = UNKNOWN
        else:
            given[question.id] = value
            facts[question.id] = question.fact_of(value)
    if problems:
        raise AnswersInvalid(problems)
    return Reading(Answers.of(given), facts, tuple(unanswered))


def _problem(contract: Contract, question: Question, code: str) -> Problem:
    params: dict[str, Text | int | str] = {"label": question.label}
    if question.kind.is_number:
        params.update(min=question.minimum, max=question.maximum)
    voiced = {voice: contract.message(question.id, code, voice) for voice in question.voice_errors}
    return Problem(question.id, code, contract.message(question.id, code), params, voiced)
