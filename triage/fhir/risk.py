"""An assessment as a FHIR R4 RiskAssessment, for the Bundle of a saved record (triage/fhir/bundle.py)
and of a response sent to `$extract`.

- `prediction[].qualitativeRisk`: the level, coded in the project's CodeSystem of levels (R4's
  `prediction.outcome` is the condition predicted, which the tool never names: it is not a
  diagnosis). Where a clinician changed the level (spec §3a) their level is the first prediction,
  its `rationale` who changed it, when and why, and the tool's level the second; the status is
  `amended` and the first note says the same, with its author and time.
- `method`: the rule set by version and content hash (SHA-256), as the record keeps them.
- `basis`: the QuestionnaireResponse.
- `reasonCode`: one per fired rule, most urgent first, coded in the rules' code system (its id),
  with the reason the person was given as its text, in every language.
- `note`: one per fired rule, for the clinician: the rule, its level and the answers that made it
  fire, by the questions' short labels ("New weakness in legs or arms: Not sure"; an option chosen
  in quotation marks, as it is worded for the person), in every language.
- `mitigation`: the action the person was told to take, in every language.

A record made under other rules than the loaded ones keeps only its rules' ids (as the staff record
shows them): its reasons and action are not worded again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from triage.engine import AnswersInvalid, Level, Outcome, RuleSet, Text
from triage.engine.contract import Kind, Question

from .common import CANONICAL, PRIMARY_LANGUAGE, RULES_SYSTEM, Values, answer_text, filled, translated
from .terminology import level_coding, rule_coding


class Assessed(Protocol):
    """What a RiskAssessment is made from: a saved record (triage.storage.models.Assessment), or an
    assessment just made (triage/fhir/extract.py)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def level(self) -> str: ...
    @property
    def fired_rules(self) -> Sequence[str]: ...
    @property
    def rules_version(self) -> str: ...
    @property
    def rules_hash(self) -> str: ...
    @property
    def answers(self) -> Mapping[str, Any]: ...
    @property
    def partial(self) -> bool: ...
    @property
    def override_level(self) -> str | None: ...
    @property
    def override_reason(self) -> str | None: ...
    @property
    def override_by(self) -> str | None: ...
    @property
    def override_at(self) -> datetime | None: ...


def instant(moment: datetime) -> str:
    """An ISO 8601 time with its offset (SQLite gives back times without one: they are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def risk_assessment(
    record: Assessed,
    ruleset: RuleSet,
    values: Values | None,
    *,
    identifier: list[dict[str, str]],
    subject: dict[str, str],
    response: str,
) -> dict[str, Any]:
    """The RiskAssessment of an assessment; `response` is the reference of its QuestionnaireResponse."""
    outcome = assessed_again(record, ruleset)
    notes = _override_notes(record) + _rule_notes(record, ruleset, outcome)
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        **({"identifier": identifier} if identifier else {}),
        "status": "preliminary" if record.partial else "amended" if record.override_level else "final",
        "subject": subject,
        "occurrenceDateTime": instant(record.updated_at or record.created_at),
        "method": {
            "coding": [
                {"system": f"{CANONICAL}/rules", "version": record.rules_version, "code": record.rules_hash}
            ],
            "text": f"{ruleset.name} {record.rules_version} ({record.rules_hash})",
        },
        "basis": [{"reference": response}],
        "prediction": _predictions(record, ruleset),
    }
    reasons = _reason_codes(record, ruleset, outcome, values)
    if reasons:
        risk["reasonCode"] = reasons
    if notes:
        risk["note"] = notes
    if outcome is not None:
        risk.update(_said("mitigation", outcome.action, ruleset, values))
    return risk


def assessed_again(record: Assessed, ruleset: RuleSet) -> Outcome | None:
    """The record's outcome, worded for its answers, when the loaded rules are the record's own."""
    if record.rules_hash != ruleset.version.content_hash:
        return None
    assess = ruleset.assess_partial if record.partial else ruleset.assess
    try:
        return assess(dict(record.answers))
    except AnswersInvalid:  # never for a record these rules made; if so, the ids alone
        return None


def _predictions(record: Assessed, ruleset: RuleSet) -> list[dict[str, Any]]:
    """The level acted on first: a clinician's, with who, when and why, then the tool's; else the tool's."""
    tool = _prediction(ruleset, Level(record.level))
    if not record.override_level:
        return [tool]
    changed = _prediction(ruleset, Level(record.override_level))
    changed["rationale"] = _override_text(record)
    tool["rationale"] = f"The level the tool gave (rules {record.rules_version})"
    return [changed, tool]


def _prediction(ruleset: RuleSet, level: Level) -> dict[str, Any]:
    label = ruleset.levels[level].label.get(PRIMARY_LANGUAGE)
    return {"qualitativeRisk": {"coding": [level_coding(ruleset, level)], "text": label}}


def _override_text(record: Assessed) -> str:
    return (
        f"Level changed by a clinician ({record.override_by}) from {record.level} to {record.override_level}:"
        f" {record.override_reason}"
    )


def _override_notes(record: Assessed) -> list[dict[str, Any]]:
    """Where a clinician changed the level: one note saying so, with who and when."""
    if not record.override_level:
        return []
    note: dict[str, Any] = {"authorString": record.override_by or "", "text": _override_text(record)}
    if record.override_at is not None:
        note["time"] = instant(record.override_at)
    return [note]


def _reason_codes(
    record: Assessed, ruleset: RuleSet, outcome: Outcome | None, values: Values | None
) -> list[dict[str, Any]]:
    """Each fired rule coded by its id; its text the reason the person was given, where worded."""
    if outcome is None:
        return [
            {"coding": [{"system": RULES_SYSTEM, "version": record.rules_version, "code": rule_id}]}
            for rule_id in record.fired_rules
        ]
    return [
        {
            "coding": [rule_coding(ruleset, rule.id)],
            **_said("text", rule.reason, ruleset, values),
        }
        for rule in outcome.fired_rules
    ]


def _rule_notes(record: Assessed, ruleset: RuleSet, outcome: Outcome | None) -> list[dict[str, Any]]:
    """One note per fired rule for the clinician: its id, level and the answers that made it fire."""
    if outcome is None:
        return [
            {"text": f"Rule {rule_id} (rules {record.rules_version}: its reason is not kept with the record)"}
            for rule_id in record.fired_rules
        ]
    facts = ruleset.read(dict(record.answers), partial=record.partial).facts
    return [
        translated("text", clinician_text(ruleset, rule.id, facts, record.answers), ruleset.languages)
        for rule in outcome.fired_rules
    ]


def clinician_text(
    ruleset: RuleSet, rule_id: str, facts: Mapping[str, Any], answers: Mapping[str, Any]
) -> Text:
    """A fired rule for a clinician: "A1 (ambulance): Question: answer; Question: answer.", each
    answer one that holds a test of the rule's condition (the rule's condition in words where none does).
    """
    rule = ruleset.rule(rule_id)
    contract = ruleset.contract
    fields: list[str] = []
    for atom, positive in rule.condition.atoms():
        if positive and atom.field in answers and atom.field not in fields and atom.evaluate(facts) is True:
            fields.append(atom.field)
    texts = {}
    for lang in ruleset.languages:
        found = "; ".join(
            f"{contract[qid].label.get(lang)}: {_answer_words(ruleset, contract[qid], answers[qid], lang)}"
            for qid in fields
        )
        texts[lang] = f"{rule.id} ({rule.level.value}): {found or rule.condition.describe()}."
    return Text.of(texts)


#: Quotation marks around an option as the person chose it (its wording is theirs: "It wakes me at
#: night"), by language; English's elsewhere.
QUOTES = {"el": ("«", "»")}
ENGLISH_QUOTES = ("\u201c", "\u201d")


def _answer_words(ruleset: RuleSet, question: Question, value: Any, lang: str) -> str:
    if question.kind is Kind.INTEGER:
        return str(value)
    if question.kind is Kind.BOOLEAN:
        return ruleset.contract.answer_words["yes" if value else "no"].get(lang)
    if question.kind is Kind.YES_NO:
        return answer_text(ruleset, question, value).get(lang)
    opening, closing = QUOTES.get(lang, ENGLISH_QUOTES)
    chosen = value if question.kind.is_list else [value]
    return ", ".join(f"{opening}{answer_text(ruleset, question, one).get(lang)}{closing}" for one in chosen)


def _said(name: str, text: Text, ruleset: RuleSet, values: Values | None) -> dict[str, Any]:
    """`text` as the person was given it (placeholders filled) in every language, as element `name`."""
    given = {lang: filled(text, lang, values) for lang in ruleset.languages if lang in text.languages}
    return translated(name, Text.of(given), ruleset.languages)
