"""Every public conformance resource the server serves: the one list the FHIR REST interface reads
(triage/api/fhir/), so that `metadata`, read by id and search serve whatever is added here.

Today: the Questionnaire, the levels' CodeSystem and the ConceptMap to Infermedica's levels. Each
resource has a `resourceType`, an `id` unique within its type, a canonical `url` and a `version`;
`resources` adds `meta.versionId`, the same version, by which a version is read
(`Questionnaire/spine-triage/_history/2026.12.3`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from triage.engine import RuleSet

from .common import PRIMARY_LANGUAGE
from .questionnaire import questionnaire
from .terminology import levels_code_system, levels_to_infermedica

#: The practice's values for the {placeholders} of texts in a language (its emergency number, ...).
Values = Callable[[str], Mapping[str, object]]
#: The resource types the REST interface serves by read and search (those `resources` may return).
RESOURCE_TYPES = ("Questionnaire", "CodeSystem", "ValueSet", "ConceptMap")


def resources(
    ruleset: RuleSet, lang: str = PRIMARY_LANGUAGE, *, values: Values | None = None
) -> list[dict[str, Any]]:
    """The public, non-personal resources of this rule set, for a reader of `lang` (one of the rule
    set's languages; today every resource is in English with the others as translations), their
    texts' {placeholders} filled with `values` (the server passes the practice's)."""
    made = [questionnaire(ruleset), levels_code_system(ruleset), levels_to_infermedica(ruleset)]
    return [versioned(resource) for resource in made]


def questionnaire_of(
    ruleset: RuleSet, lang: str = PRIMARY_LANGUAGE, *, values: Values | None = None
) -> dict[str, Any]:
    """The Questionnaire among `resources`."""
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
