"""JSON forms of outcomes and of the contract, shared by the CLI, the API and storage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .contract import Contract, Question
from .model import Outcome, Text

#: Texts a FilledTexts keeps at most (a rule set has a few hundred).
_KEPT = 4096


class FilledTexts:
    """Texts in one language with their {placeholders} filled from one set of values (the practice's
    numbers and names), each filled once: texts are immutable, and an outcome says some twenty-five."""

    def __init__(self, lang: str, values: Mapping[str, object]) -> None:
        self.lang = lang
        self._values = dict(values)
        self._filled: dict[Text, str] = {}

    def __call__(self, text: Text) -> str:
        """`text` in this language, filled."""
        filled = self._filled.get(text)
        if filled is None:
            filled = text.render(self.lang, self._values)
            if len(self._filled) < _KEPT:
                self._filled[text] = filled
        return filled


def outcome_as_dict(outcome: Outcome, say: FilledTexts) -> dict[str, Any]:
    """An outcome in the language of `say`, its texts filled with the practice's values.

    `fired_rules` lists every rule that fired with its level, reason and own guidance (for staff);
    what the person is shown is `action`, `decisive_reasons`, `also_told_reasons` and `guidance`.
    """
    advice = outcome.advice
    result: dict[str, Any] = {
        "level": outcome.level.value,
        "label": say(advice.label),
        "action": say(outcome.action),
        "phone_script": say(outcome.phone_script),
        "fired_rules": [
            {
                "id": r.id,
                "level": r.level.value,
                "reason": say(r.reason),
                "guidance": None if r.guidance is None else say(r.guidance),
                "source": r.source,
            }
            for r in outcome.fired_rules
        ],
        "decisive_reasons": [say(text) for text in outcome.decisive_reasons],
        "also_told_reasons": [say(text) for text in outcome.also_told_reasons],
        "guidance": [say(text) for text in outcome.guidance],
        "safety_net": {
            "intro": say(outcome.safety_net.intro),
            "warning_signs": [say(text) for text in outcome.safety_net.warning_signs],
            "what_to_expect": say(outcome.safety_net.expect),
        },
        "not_a_diagnosis": say(outcome.not_a_diagnosis),
        "rules_version": outcome.rules_version.as_dict(),
        "partial": outcome.partial,
    }
    if outcome.partial:
        result["unanswered"] = list(outcome.unanswered)
    return result


def contract_as_dict(contract: Contract, lang: str) -> dict[str, Any]:
    """The answers contract in `lang`: sections, and each question's type, values and wording."""
    return {
        "sections": [
            {
                "id": section.id,
                "title": section.title.get(lang),
                "questions": [question_as_dict(contract[qid], lang) for qid in section.question_ids],
            }
            for section in contract.sections
        ]
    }


def question_as_dict(question: Question, lang: str) -> dict[str, Any]:
    """One question of the contract in `lang`."""
    data: dict[str, Any] = {
        "id": question.id,
        "type": str(question.kind),
        "required": question.required,
        "label": question.wording["label"].get(lang),
        "summary": question.label.get(lang),
    }
    if "hint" in question.wording:
        data["hint"] = question.wording["hint"].get(lang)
    if question.kind.is_number:
        data.update(min=question.minimum, max=question.maximum)
    else:
        data["values"] = list(question.values)
    if question.options:
        data["options"] = {str(value): text.get(lang) for value, text in question.options.items()}
    if question.kind.is_list:
        data["min_items"] = question.min_items
    if question.asked_when is not None:
        data["asked_when"] = question.asked_when.as_data()
    return data
