"""A saved assessment as a FHIR R4 Bundle (type collection): what was answered, what the engine made of
it and, where one was asked for, the call-back.

- **QuestionnaireResponse**: the answers as stored, against the Questionnaire of the rules version
  they were given under (`in-progress` for an early exit whose questions were not all answered).
- **RiskAssessment**: the level as `prediction.qualitativeRisk`, coded in the project's CodeSystem
  of levels. Where a clinician changed the level (spec §3a) their level is the first prediction,
  its `rationale` who changed it, when and why, and the tool's level the second; the status is
  `amended` and the first note says the same, with its author and time. `method` names the rule
  set by version and content hash (SHA-256), as the record keeps them; `basis` is the
  QuestionnaireResponse; one `note` per fired rule, most urgent first, with its id, level and
  reason in every language. A record made under other rules than the loaded ones
  keeps only its rules' ids (as the staff record shows them): its reasons are not worded again.
- **ServiceRequest**, one per call-back request: `priority` from the level (PRIORITY below), when to
  call (`occurrenceTiming`), and the name and phone number in a contained Patient only where the
  request records the person's consent (every stored request does: it is stored only with consent).

The person is never identified otherwise: the subject of the assessment is a display text, and the
assessment's reference code is the identifier of each resource. Resource addresses in the Bundle
are UUIDs derived from the reference, so the same record gives the same Bundle.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from triage.engine import AnswersInvalid, FiredRule, Level, RuleSet, Text
from triage.storage.codes import Status, TimeWindow

from .common import (
    CANONICAL,
    PRIMARY_LANGUAGE,
    QUESTIONNAIRE_URL,
    REFERENCE_SYSTEM,
    TIME_WINDOW_SYSTEM,
    translated,
)
from .questionnaire import response_items
from .terminology import level_coding

#: A call-back's priority by the level (R4 request-priority: routine < urgent < asap < stat). The
#: red levels send the person to emergency care now: stat. Urgent (speak to a doctor within 24
#: hours; the practice calls back today) is `urgent`, "to be actioned promptly": `asap` ranks above
#: it and would put a same-day call-back level with the emergencies. The others are routine.
PRIORITY = {
    Level.AMBULANCE: "stat",
    Level.EMERGENCY: "stat",
    Level.URGENT: "urgent",
    Level.SOON: "routine",
    Level.INFORMATION: "routine",
}
#: When to call: the EventTiming codes of the morning and the afternoon; "today" within a day.
WHEN: dict[str, list[str]] = {TimeWindow.MORNING: ["MORN"], TimeWindow.AFTERNOON: ["AFT"]}
ONE_DAY = {"value": 1, "unit": "day", "system": "http://unitsofmeasure.org", "code": "d"}
#: The record's queue status as the call-back request's status.
REQUEST_STATUS: dict[str, str] = {
    Status.NEW: "active",
    Status.CONTACTED: "completed",
    Status.CLOSED: "completed",
}
ANONYMOUS = {"display": "The person assessed (not identified)"}
CALLER = "caller"


class StoredCallback(Protocol):
    """A call-back request as storage keeps it (triage.storage.models.CallbackRequest)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def time_window(self) -> str: ...
    @property
    def consent_at(self) -> datetime | None: ...


class StoredAssessment(Protocol):
    """A saved assessment as storage keeps it (triage.storage.models.Assessment)."""

    @property
    def reference(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def level(self) -> str: ...
    @property
    def status(self) -> str: ...
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
    def callbacks(self) -> Sequence[StoredCallback]: ...
    @property
    def override_level(self) -> str | None: ...
    @property
    def override_reason(self) -> str | None: ...
    @property
    def override_by(self) -> str | None: ...
    @property
    def override_at(self) -> datetime | None: ...


#: The practice's values for the {placeholders} of texts, by language (none by default).
Values = Callable[[str], Mapping[str, object]]


def assessment_bundle(
    record: StoredAssessment, ruleset: RuleSet, values: Values | None = None
) -> dict[str, Any]:
    """The Bundle (type collection) of one saved assessment; see the module's docstring."""
    address = _addresses(record.reference)
    entries = [
        (address("QuestionnaireResponse"), _response(record, ruleset)),
        (address("RiskAssessment"), _risk(record, ruleset, address("QuestionnaireResponse"), values)),
    ]
    entries += [
        (address(f"ServiceRequest/{n}"), _call_back(record, callback, address))
        for n, callback in enumerate(record.callbacks, start=1)
    ]
    return {
        "resourceType": "Bundle",
        "identifier": _identifier(record),
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


def _addresses(reference: str) -> Callable[[str], str]:
    def address(name: str) -> str:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{REFERENCE_SYSTEM}/{reference}/{name}").urn

    return address


def _identifier(record: StoredAssessment) -> dict[str, str]:
    return {"system": REFERENCE_SYSTEM, "value": record.reference}


def _instant(moment: datetime) -> str:
    """An ISO 8601 time with its offset (SQLite gives back times without one: they are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _response(record: StoredAssessment, ruleset: RuleSet) -> dict[str, Any]:
    contract = ruleset.contract
    valid = {  # a record made under other rules may hold answers the loaded contract no longer takes
        qid: value
        for qid, value in record.answers.items()
        if qid in contract and value is not None and contract[qid].problem(value) is None
    }
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": _identifier(record),
        "questionnaire": f"{QUESTIONNAIRE_URL}|{record.rules_version}",
        "status": "in-progress" if record.partial else "completed",
        "authored": _instant(record.updated_at or record.created_at),
        "item": response_items(ruleset, valid),
    }


def _risk(record: StoredAssessment, ruleset: RuleSet, response: str, values: Values | None) -> dict[str, Any]:
    notes = _override_notes(record) + _rule_notes(record, ruleset, values)
    return {
        "resourceType": "RiskAssessment",
        "identifier": [_identifier(record)],
        "status": "preliminary" if record.partial else "amended" if record.override_level else "final",
        "subject": ANONYMOUS,
        "occurrenceDateTime": _instant(record.updated_at or record.created_at),
        "method": {
            "coding": [
                {"system": f"{CANONICAL}/rules", "version": record.rules_version, "code": record.rules_hash}
            ],
            "text": f"{ruleset.name} {record.rules_version} ({record.rules_hash})",
        },
        "basis": [{"reference": response}],
        "prediction": _predictions(record, ruleset),
        **({"note": notes} if notes else {}),
    }


def _predictions(record: StoredAssessment, ruleset: RuleSet) -> list[dict[str, Any]]:
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


def _override_text(record: StoredAssessment) -> str:
    return (
        f"Level changed by a clinician ({record.override_by}) from {record.level} to {record.override_level}:"
        f" {record.override_reason}"
    )


def _override_notes(record: StoredAssessment) -> list[dict[str, Any]]:
    """Where a clinician changed the level: one note saying so, with who and when."""
    if not record.override_level:
        return []
    note: dict[str, Any] = {"authorString": record.override_by or "", "text": _override_text(record)}
    if record.override_at is not None:
        note["time"] = _instant(record.override_at)
    return [note]


def _rule_notes(record: StoredAssessment, ruleset: RuleSet, values: Values | None) -> list[dict[str, Any]]:
    """One note per fired rule: its id, level and reason where the loaded rules are the record's."""
    fired = _fired_again(record, ruleset)
    if fired is None:
        return [
            {"text": f"Rule {rule_id} (rules {record.rules_version}: its reason is not kept with the record)"}
            for rule_id in record.fired_rules
        ]
    notes = []
    for rule in fired:
        texts = {
            lang: f"{rule.id} ({rule.level.value}): {_say(rule.reason, lang, values)}"
            for lang in ruleset.languages
            if lang in rule.reason.languages
        }
        notes.append(translated("text", Text.of(texts), ruleset.languages))
    return notes


def _fired_again(record: StoredAssessment, ruleset: RuleSet) -> tuple[FiredRule, ...] | None:
    """The fired rules, worded for these answers, when the loaded rules are the record's own."""
    if record.rules_hash != ruleset.version.content_hash:
        return None
    assess = ruleset.assess_partial if record.partial else ruleset.assess
    try:
        return assess(dict(record.answers)).fired_rules
    except AnswersInvalid:  # never for a record these rules made; if so, the ids alone
        return None


class _KeepUnknown(dict[str, object]):
    """Placeholder values that leave a {name} nobody gave as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _say(text: Text, lang: str, values: Values | None) -> str:
    return text.get(lang).format_map(_KeepUnknown(values(lang) if values else {}))


def _call_back(
    record: StoredAssessment, callback: StoredCallback, address: Callable[[str], str]
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": [_identifier(record)],
        "status": REQUEST_STATUS.get(record.status, "active"),
        "intent": "order",
        "priority": PRIORITY[Level(record.override_level or record.level)],
        "code": {"text": "Call back about a Spine Triage assessment"},
        "subject": ANONYMOUS,
        "occurrenceTiming": _timing(callback.time_window),
        "authoredOn": _instant(callback.created_at),
        "reasonReference": [{"reference": address("RiskAssessment")}],
        "supportingInfo": [{"reference": address("QuestionnaireResponse")}],
    }
    if callback.consent_at is not None:
        request["contained"] = [
            {
                "resourceType": "Patient",
                "id": CALLER,
                "name": [{"text": callback.name}],
                "telecom": [{"system": "phone", "value": callback.phone}],
            }
        ]
        request["subject"] = {"reference": f"#{CALLER}"}
    return request


def _timing(window: str) -> dict[str, Any]:
    timing: dict[str, Any] = {"code": {"coding": [{"system": TIME_WINDOW_SYSTEM, "code": window}]}}
    if window in WHEN:
        timing["repeat"] = {"when": WHEN[window]}
    elif window == TimeWindow.TODAY:
        timing["repeat"] = {"boundsDuration": ONE_DAY}
    return timing
