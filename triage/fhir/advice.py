"""Spec v3 §5a in the Questionnaire: the urgent advice a form shows by itself, without a server, as
soon as a warning sign is answered.

The warning signs (the contract's first section, the emergency screen) come first. Last in their
group, before any other question, is the group `urgent-advice` of display items:

- the group is enabled by every single answer to a warning-sign question that on its own needs
  emergency care: its partial assessment (the app's early exit, triage/questionnaire/router.py)
  reaches the emergency level or above. Those are "yes" and "not sure" to each yes/no warning sign
  and a choice such as numbness in both legs (`enableWhen` entries, `enableBehavior: any`);
- in it, `urgent-advice-ambulance` is enabled by the answers that on their own reach the ambulance
  level, and `urgent-advice-emergency` while none of those is given: where they are answers to one
  question (being unable to stand), that question's other answers or no answer (`=` entries and
  `exists false`, joined by any, which every renderer reads alike); else `!=` entries joined by all.
  A form therefore shows one advice, the one the app's early exit shows, and a more urgent answer
  replaces the emergency advice by the ambulance advice.

Each display item is the level's label and action, with the practice's numbers filled in (the
Questionnaire is made per practice), in the Questionnaire's language with the others as
translations. This is exact while each red level of the warning signs is reached by single
answers, as the rules reach them; tests/fhir/test_questionnaire_content.py checks every answer set
of the warning signs against the app's router.
"""

from __future__ import annotations

from typing import Any

from triage.engine import Level, RuleSet, Text
from triage.engine.contract import Kind, Question

from .common import STYLE, Values, filled, translated
from .enable import answer_element

ADVICE = "urgent-advice"
#: The advice is the first thing a person should read once it appears.
EMPHASIS = {"url": STYLE, "valueString": "font-weight: bold"}


def warning_sign_answers(ruleset: RuleSet, at_least: Level) -> list[tuple[Question, Any]]:
    """The single answers to warning-sign questions that on their own reach `at_least` or above."""
    found = []
    for qid in ruleset.contract.emergency_screen.question_ids:
        question = ruleset.contract[qid]
        values = question.kind.fixed_values or (question.values if question.kind is Kind.CHOICE else ())
        found += [
            (question, value) for value in values if ruleset.assess_partial({qid: value}).level >= at_least
        ]
    return found


def advice_items(ruleset: RuleSet, lang: str, values: Values | None) -> list[dict[str, Any]]:
    """The `urgent-advice` group (none when no warning sign alone needs emergency care)."""
    urgent = warning_sign_answers(ruleset, Level.EMERGENCY)
    if not urgent:
        return []
    ambulance = warning_sign_answers(ruleset, Level.AMBULANCE)
    items = []
    if ambulance:
        items.append(
            {
                **advice_display(ruleset, Level.AMBULANCE, lang, values),
                **_when([_entry(q, v, "=") for q, v in ambulance], "any"),
            }
        )
    emergency = advice_display(ruleset, Level.EMERGENCY, lang, values)
    if ambulance:
        emergency.update(_none_of(ambulance))
    items.append(emergency)
    return [
        {
            "linkId": ADVICE,
            "type": "group",
            **_when([_entry(q, v, "=") for q, v in urgent], "any"),
            "item": items,
        }
    ]


def advice_display(
    ruleset: RuleSet, level: Level, lang: str, values: Values | None, link: str | None = None
) -> dict[str, Any]:
    """A display item in bold with a level's label and action, the practice's numbers filled in, in
    `lang` with the other languages as translations; its linkId `link`, else `urgent-advice-<level>`.
    The `urgent-advice` group and `$next-question`'s advice (triage/fhir/adaptive.py) both use it, so
    that a form and the server say the same thing for a level."""
    advice = ruleset.levels[level]
    texts = Text.of(
        {
            language: f"{advice.label.get(language)}. {filled(advice.action, language, values)}"
            for language in ruleset.languages
        }
    )
    item = {
        "linkId": link or f"{ADVICE}-{level.value}",
        "type": "display",
        **translated("text", texts, ruleset.languages, lang),
    }
    item.setdefault("_text", {}).setdefault("extension", []).append(EMPHASIS)
    return item


def _none_of(answers: list[tuple[Question, Any]]) -> dict[str, Any]:
    """Enabled while none of these answers is given."""
    questions = {question.id: question for question, _ in answers}
    if len(questions) > 1:
        return _when([_entry(q, v, "!=") for q, v in answers], "all")
    (question,) = questions.values()
    given = [value for _, value in answers]
    others = [v for v in question.kind.fixed_values or question.values if v not in given]
    unanswered = {"question": question.id, "operator": "exists", "answerBoolean": False}
    return _when([_entry(question, v, "=") for v in others] + [unanswered], "any")


def _entry(question: Question, value: Any, operator: str) -> dict[str, Any]:
    return {"question": question.id, "operator": operator, **answer_element(question, value)}


def _when(entries: list[dict[str, Any]], behaviour: str) -> dict[str, Any]:
    return {"enableWhen": entries, **({"enableBehavior": behaviour} if len(entries) > 1 else {})}
