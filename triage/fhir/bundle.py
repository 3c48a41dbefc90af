"""An assessment as a FHIR R4 Bundle (type collection): what was answered, who answered it (not
identified), what the engine made of it and, where one was asked for, the call-back. One builder for
a saved record (`assessment_bundle`: the export) and for a response just assessed (`$extract`,
triage/fhir/extract.py).

- **Patient**: the person assessed, not identified: `gender` from the answer to sex, and the age
  given as the age-at-assessment extension (an Age in years: the tool never asks a date of birth,
  and a year of birth made from an age would be wrong for part of every year). Where a call-back
  request records the person's consent, their name and phone number as they gave them for it.
- **QuestionnaireResponse**: the answers as given, against the Questionnaire of the rules version
  they were given under (`in-progress` for an early exit whose questions were not all answered);
  its `subject` is the Patient.
- **RiskAssessment** (triage/fhir/risk.py): the level, the fired rules, the reasons and the action.
- **ServiceRequest**, one per call-back request: `priority` from the level (PRIORITY below), when to
  call (`occurrenceTiming`), its `subject` the Patient.

Each resource has its own identifier: a saved assessment's reference code (ABCD-1234, as the
practice reads it out) identifies the Bundle and the RiskAssessment, the assessment it names; the
other resources are identified by their UUID (system urn:ietf:rfc:3986). Resource addresses are
UUIDs derived from the reference, so the same record gives the same Bundle; an assessment that is
not saved has no reference, and its addresses are random.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from triage.engine import Level, RuleSet
from triage.storage.codes import Status, TimeWindow

from .common import CANONICAL, QUESTIONNAIRE_URL, REFERENCE_SYSTEM, TIME_WINDOW_SYSTEM, Values
from .questionnaire import response_items
from .risk import Assessed, instant, risk_assessment

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


#: A UUID as an identifier (FHIR: system urn:ietf:rfc:3986, the value the URN itself).
URI_SYSTEM = "urn:ietf:rfc:3986"
#: The age the person gave, on the Patient: an Age in years.
AGE_EXTENSION = f"{CANONICAL}/StructureDefinition/age-at-assessment"
#: The answer to sex as R4 administrative gender (the contract's values are R4's codes).
GENDER = {"female": "female", "male": "male", "other": "other"}


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


class StoredAssessment(Assessed, Protocol):
    """A saved assessment as storage keeps it (triage.storage.models.Assessment)."""

    @property
    def reference(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def callbacks(self) -> Sequence[StoredCallback]: ...


@dataclass(frozen=True)
class Addresses:
    """The fullUrl of each resource of one Bundle: UUIDs made from the reference, or random ones."""

    reference: str | None
    seed: str = ""

    @classmethod
    def of(cls, reference: str | None) -> Addresses:
        return cls(reference, "" if reference else uuid.uuid4().hex)

    def __call__(self, name: str) -> str:
        base = f"{REFERENCE_SYSTEM}/{self.reference}" if self.reference else f"urn:uuid:{self.seed}"
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{name}").urn

    def identifier(self, name: str) -> dict[str, str]:
        """The resource's own identifier: its UUID."""
        return {"system": URI_SYSTEM, "value": self(name)}

    def reference_code(self) -> list[dict[str, str]]:
        """The saved assessment's reference code as an identifier (none before it is saved)."""
        return [{"system": REFERENCE_SYSTEM, "value": self.reference}] if self.reference else []


def assessment_bundle(
    record: StoredAssessment, ruleset: RuleSet, values: Values | None = None
) -> dict[str, Any]:
    """The Bundle (type collection) of one assessment; see the module's docstring."""
    address = Addresses.of(record.reference)
    patient = address("Patient")
    subject = {"reference": patient}
    entries = [
        (address("QuestionnaireResponse"), _response(record, ruleset, address, subject)),
        (
            address("RiskAssessment"),
            risk_assessment(
                record,
                ruleset,
                values,
                identifier=address.reference_code() or [address.identifier("RiskAssessment")],
                subject=subject,
                response=address("QuestionnaireResponse"),
            ),
        ),
        (patient, _patient(record, address)),
    ]
    entries += [
        (address(f"ServiceRequest/{n}"), _call_back(record, callback, address, n))
        for n, callback in enumerate(record.callbacks, start=1)
    ]
    bundle: dict[str, Any] = {"resourceType": "Bundle"}
    if record.reference:
        bundle["identifier"] = address.reference_code()[0]
    bundle["type"] = "collection"
    bundle["entry"] = [{"fullUrl": url, "resource": resource} for url, resource in entries]
    return bundle


def _patient(record: StoredAssessment, address: Addresses) -> dict[str, Any]:
    """The person assessed: age and sex as answered, name and phone only as consented for a call-back."""
    patient: dict[str, Any] = {"resourceType": "Patient", "identifier": [address.identifier("Patient")]}
    age = record.answers.get("age")
    if isinstance(age, int) and not isinstance(age, bool):
        patient["extension"] = [
            {
                "url": AGE_EXTENSION,
                "valueAge": {
                    "value": age,
                    "unit": "years",
                    "system": "http://unitsofmeasure.org",
                    "code": "a",
                },
            }
        ]
    consented = [callback for callback in record.callbacks if callback.consent_at is not None]
    names = list(dict.fromkeys(callback.name for callback in consented if callback.name))
    phones = list(dict.fromkeys(callback.phone for callback in consented if callback.phone))
    if names:
        patient["name"] = [{"text": name} for name in names]
    if phones:
        patient["telecom"] = [{"system": "phone", "value": phone} for phone in phones]
    gender = GENDER.get(str(record.answers.get("sex")))
    if gender:
        patient["gender"] = gender
    return patient


def _response(
    record: StoredAssessment, ruleset: RuleSet, address: Addresses, subject: dict[str, str]
) -> dict[str, Any]:
    contract = ruleset.contract
    valid = {  # a record made under other rules may hold answers the loaded contract no longer takes
        qid: value
        for qid, value in record.answers.items()
        if qid in contract and value is not None and contract[qid].problem(value) is None
    }
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": address.identifier("QuestionnaireResponse"),
        "questionnaire": f"{QUESTIONNAIRE_URL}|{record.rules_version}",
        "status": "in-progress" if record.partial else "completed",
        "subject": subject,
        "authored": instant(record.updated_at or record.created_at),
        "item": response_items(ruleset, valid),
    }


def _call_back(
    record: StoredAssessment, callback: StoredCallback, address: Addresses, number: int
) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "identifier": [address.identifier(f"ServiceRequest/{number}")],
        "status": REQUEST_STATUS.get(record.status, "active"),
        "intent": "order",
        "priority": PRIORITY[Level(record.override_level or record.level)],
        "code": {"text": "Call back about a Spine Triage assessment"},
        "subject": {"reference": address("Patient")},
        "occurrenceTiming": _timing(callback.time_window),
        "authoredOn": instant(callback.created_at),
        "reasonReference": [{"reference": address("RiskAssessment")}],
        "supportingInfo": [{"reference": address("QuestionnaireResponse")}],
    }


def _timing(window: str) -> dict[str, Any]:
    timing: dict[str, Any] = {"code": {"coding": [{"system": TIME_WINDOW_SYSTEM, "code": window}]}}
    if window in WHEN:
        timing["repeat"] = {"when": WHEN[window]}
    elif window == TimeWindow.TODAY:
        timing["repeat"] = {"boundsDuration": ONE_DAY}
    return timing
