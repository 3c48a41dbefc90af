"""Every public conformance resource of the FHIR service, made from one rule set: the one list the
FHIR REST interface reads (triage/api/fhir/), so that `metadata`, read by id and search serve
whatever is added here. The Questionnaire (in one language, with the practice's values), the code
systems and value sets its answers and the records cite, and the ConceptMap of the levels. None
holds a person's data.

Each resource has a `resourceType`, an `id` unique within its type, a canonical `url` and a
`version`; `resources` adds `meta.versionId`, the same version, by which a version is read
(`Questionnaire/spine-triage/_history/2026.12.3`).
"""

from __future__ import annotations

from typing import Any

from triage.engine import RuleSet

from .answers import answer_code_systems, answer_value_sets
from .common import PRIMARY_LANGUAGE, Values
from .questionnaire import questionnaire
from .terminology import (
    levels_code_system,
    levels_to_infermedica,
    rules_code_system,
    time_windows_code_system,
)

#: The resource types the REST interface serves by read and search (those `resources` may return).
RESOURCE_TYPES = ("Questionnaire", "CodeSystem", "ValueSet", "ConceptMap")


def resources(
    ruleset: RuleSet, lang: str = PRIMARY_LANGUAGE, *, values: Values | None = None
) -> list[dict[str, Any]]:
    """The public resources; the Questionnaire's texts in `lang`, its urgent advice with `values`
    (the practice's emergency number ...; left as {placeholders} without them)."""
    made = [
        questionnaire(ruleset, lang, values),
        levels_code_system(ruleset),
        rules_code_system(ruleset),
        time_windows_code_system(ruleset),
        *answer_code_systems(ruleset),
        *answer_value_sets(ruleset),
        levels_to_infermedica(ruleset),
    ]
    return [versioned(resource) for resource in made]


def resource(
    ruleset: RuleSet,
    resource_type: str,
    resource_id: str,
    lang: str = PRIMARY_LANGUAGE,
    *,
    values: Values | None = None,
) -> dict[str, Any] | None:
    """The public resource of this type and id, if there is one."""
    return next(
        (
            r
            for r in resources(ruleset, lang, values=values)
            if (r["resourceType"], r["id"]) == (resource_type, resource_id)
        ),
        None,
    )


def questionnaire_of(
    ruleset: RuleSet, lang: str = PRIMARY_LANGUAGE, *, values: Values | None = None
) -> dict[str, Any]:
    """The Questionnaire among `resources`, as the server serves it."""
    (found,) = [r for r in resources(ruleset, lang, values=values) if r["resourceType"] == "Questionnaire"]
    return found


def versioned(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with `meta.versionId` (its version) after its id."""
    out: dict[str, Any] = {}
    for name, value in resource.items():
        if name != "meta":
            out[name] = value
        if name == "id":
            out["meta"] = {**resource.get("meta", {}), "versionId": resource["version"]}
    return out
