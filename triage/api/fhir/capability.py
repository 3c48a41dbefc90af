"""GET /api/v1/fhir/metadata: the CapabilityStatement of the FHIR interface (R4, 4.0.1, JSON only):
each resource type triage/fhir/catalog.py serves, with read, vread and search by `_id`, `url` and
`version`, and the SDC operations the server declares ($next-question on Questionnaire, $extract on
QuestionnaireResponse)."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from triage.api import bp
from triage.api.fhir.conformance import SEARCH_PARAMETERS
from triage.api.fhir.responses import public_response
from triage.engine import RuleSet
from triage.extensions import rules
from triage.fhir import FHIR_JSON
from triage.fhir.catalog import RESOURCE_TYPES, resources
from triage.web.headers import cross_origin
from triage.web.outcomes import FHIR_PATH

FHIR_VERSION = "4.0.1"
SDC = "http://hl7.org/fhir/uv/sdc/OperationDefinition"
#: The operations the server declares, by the resource type they act on: (name, definition).
OPERATIONS = {
    "Questionnaire": [("next-question", f"{SDC}/Questionnaire-next-question")],
    "QuestionnaireResponse": [("extract", f"{SDC}/QuestionnaireResponse-extract")],
}
#: A rules version starts with its year and month (2026.12.3): the statement changes with the rules.
_VERSION_DATE = re.compile(r"^(\d{4})\.(\d{2})\b")
#: The statement's date when the rules version does not start with one.
FALLBACK_DATE = "2026-12"


def capability_statement(ruleset: RuleSet, base: str) -> dict[str, Any]:
    """What the FHIR interface at `base` (ending in /) serves, for this rule set."""
    served = {resource["resourceType"] for resource in resources(ruleset)}  # the types only
    kinds = [kind for kind in RESOURCE_TYPES if kind in served]
    entries = [_resource(kind) for kind in kinds]
    entries += [_operations_only(kind) for kind in OPERATIONS if kind not in kinds]
    dated = _VERSION_DATE.match(ruleset.version.version)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": f"{dated[1]}-{dated[2]}" if dated else FALLBACK_DATE,
        "publisher": "Spine Triage",
        "kind": "instance",
        "software": {"name": "Spine Triage", "version": ruleset.version.version},
        "implementation": {
            "description": "Spine Triage: the questionnaire, its terminology and its assessment",
            "url": base.rstrip("/"),
        },
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Public conformance resources: read, vread and search (an unknown search "
                    "parameter gets 400 unless sent with Prefer: handling=lenient). JSON only."
                ),
                "security": {"cors": True},
                "resource": entries,
            }
        ],
    }


def _resource(kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": kind,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{kind}",
        "interaction": [{"code": "read"}, {"code": "vread"}, {"code": "search-type"}],
        "versioning": "versioned",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [
            {
                "name": name,
                "definition": _search_definition(kind, name),
                "type": kind_of,
            }
            for name, kind_of in SEARCH_PARAMETERS.items()
        ],
    }
    if kind in OPERATIONS:
        entry["operation"] = _operations(kind)
    return entry


def _search_definition(kind: str, name: str) -> str:
    return f"http://hl7.org/fhir/SearchParameter/{kind}-{name}"


def _operations_only(kind: str) -> dict[str, Any]:
    return {"type": kind, "operation": _operations(kind)}


def _operations(kind: str) -> list[dict[str, str]]:
    return [{"name": name, "definition": definition} for name, definition in OPERATIONS[kind]]


@bp.get("/fhir/metadata")
@cross_origin(cacheable=True)
def fhir_metadata() -> ResponseReturnValue:
    """The CapabilityStatement."""
    return public_response(capability_statement(rules.current, request.url_root.rstrip("/") + FHIR_PATH))
