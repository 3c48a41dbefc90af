"""The public conformance resources as FHIR R4's REST interface: read by id, vread, and search by
`url` and `version` answered with searchset Bundles, for every resource triage/fhir/catalog.py lists
(anyone may read them from any origin; an ETag, and 304 for a cache that holds them).

- The resources come in the language the app's own `?lang=` names (as the patient pages take it),
  else the best of Accept-Language, else English (each carries the others as translations). FHIR's
  underscored parameters (`_id`, `_format`, `_language`) are not read: the project reads no name
  spelled as a private one (tools/public_apis.py); read by id, Accept and `?lang=` say the same.
- The Questionnaire of an earlier rules version, one a saved response may cite, is read as
  `Questionnaire/spine-triage/_history/<version>` or found by `version` (`url=…&version=…`, or
  `url=…|<version>`): the app stores the Questionnaire of its rules when it saves the first
  record under them (triage/storage/questionnaires.py). A search without `version` finds current
  resources only, as FHIR's search does. `meta.versionId` is the rules version.
- An unknown search parameter is refused (400) unless the client asks for lenient handling
  (`Prefer: handling=lenient`): then it is ignored, and the Bundle's self link leaves it out.
- `GET Questionnaire` with no search parameter answers the Questionnaire itself, as it always has.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter

from triage.api import bp
from triage.api.fhir.responses import public_response
from triage.extensions import rules
from triage.fhir.catalog import RESOURCE_TYPES, resources
from triage.fhir.common import LANGUAGE_PARAMETER, PRIMARY_LANGUAGE, QUESTIONNAIRE_ID
from triage.storage import repository
from triage.storage.repository import StorageUnavailable
from triage.web.headers import cross_origin
from triage.web.outcomes import FHIR_PATH, operation_outcome
from triage.web.templating import practice_details

#: The search parameters of every resource type served, and their FHIR types.
SEARCH_PARAMETERS = {"url": "uri", "version": "token"}
#: What a rules version may look like (2026.12.3): anything else is no version the app has run.
RULES_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]{0,19}")
#: Parameters that say how to answer, not what to find.
CONTROL_PARAMETERS = frozenset({LANGUAGE_PARAMETER})


def language() -> str:
    """The language the public resources are asked for in (one of the rules' languages)."""
    languages = rules.current.languages
    asked = request.args.get(LANGUAGE_PARAMETER)
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or PRIMARY_LANGUAGE


def current(resource_type: str) -> list[dict[str, Any]]:
    """The current resources of a type, in the asked language."""
    served = resources(rules.current, language(), values=practice_values_of)
    return [resource for resource in served if resource["resourceType"] == resource_type]


def practice_values_of(lang: str) -> dict[str, Any]:
    """The practice's values for the {placeholders} of the resources' texts in `lang` (as the pages
    and the exported records word them)."""
    return practice_details(lang)


def earlier_questionnaire(version: str) -> dict[str, Any] | None:
    """The stored Questionnaire of an earlier rules version, in the asked language if kept in it."""
    if version == rules.current.version.version or not RULES_VERSION.fullmatch(version):
        return None  # the current one is made from the rules, never read back; no rules version
    found = repository.served_questionnaire(version, language())
    if found is None:
        found = repository.served_questionnaire(version, PRIMARY_LANGUAGE)
    return found


def not_served(resource_type: str) -> Response:
    return operation_outcome(
        404, "not-supported", _("This server has no resources of type %(type)s.", type=resource_type[:40])
    )


def not_found(resource_type: str, resource_id: str, version: str | None = None) -> Response:
    if version is None:
        message = _("There is no %(type)s with the id %(id)s.", type=resource_type, id=resource_id[:64])
    else:
        message = _(
            "There is no version %(version)s of %(type)s %(id)s.",
            version=version[:20],
            type=resource_type,
            id=resource_id[:64],
        )
    return operation_outcome(404, "not-found", message)


def unavailable() -> Response:
    return operation_outcome(503, "transient", _("The earlier versions cannot be read now."))


class FhirId(BaseConverter):
    """A FHIR id in an address (R4's id type: letters, digits, `-` and `.`, at most 64), so that the
    operations' addresses (`Questionnaire/$next-question`, `QuestionnaireResponse/$extract`) are no
    read of an id and answer another method with 405 and their own Allow. Registered as `fhir_id`
    before the API's routes (triage/__init__.py)."""

    regex = r"[A-Za-z0-9\-.]{1,64}"


@bp.get("/fhir/<resource_type>/<fhir_id:resource_id>")
@cross_origin(cacheable=True)
def fhir_read(resource_type: str, resource_id: str) -> ResponseReturnValue:
    """A public resource by id (the Questionnaire is spine-triage)."""
    if resource_type not in RESOURCE_TYPES:
        return not_served(resource_type)
    for resource in current(resource_type):
        if resource["id"] == resource_id:
            return public_response(resource)
    return not_found(resource_type, resource_id)


@bp.get("/fhir/<resource_type>/<fhir_id:resource_id>/_history/<fhir_id:version_id>")
@cross_origin(cacheable=True)
def fhir_vread(resource_type: str, resource_id: str, version_id: str) -> ResponseReturnValue:
    """A version of a public resource: the current one, or an earlier Questionnaire."""
    if resource_type not in RESOURCE_TYPES:
        return not_served(resource_type)
    for resource in current(resource_type):
        if resource["id"] == resource_id and resource["version"] == version_id:
            return public_response(resource)
    if resource_type == "Questionnaire" and resource_id == QUESTIONNAIRE_ID:
        try:
            earlier = earlier_questionnaire(version_id)
        except StorageUnavailable:
            return unavailable()
        if earlier is not None:
            return public_response(earlier)
    return not_found(resource_type, resource_id, version_id)


@bp.get("/fhir/<resource_type>")
@cross_origin(cacheable=True)
def fhir_search(resource_type: str) -> ResponseReturnValue:
    """Search a type of public resource: a searchset Bundle of the matches."""
    if resource_type not in RESOURCE_TYPES:
        return not_served(resource_type)
    names = set(request.args)
    unknown = sorted(names - set(SEARCH_PARAMETERS) - CONTROL_PARAMETERS)
    if unknown and not lenient():
        message = _("This search does not take: %(names)s.", names=", ".join(name[:40] for name in unknown))
        return operation_outcome(400, "not-supported", message)
    criteria = {name: values(name) for name in SEARCH_PARAMETERS if name in names}
    if resource_type == "Questionnaire" and names <= CONTROL_PARAMETERS:  # the address it always had
        (served,) = current(resource_type)
        return public_response(served)
    candidates = current(resource_type)
    if resource_type == "Questionnaire":
        try:
            candidates += [q for v in asked_versions(criteria) if (q := earlier_questionnaire(v)) is not None]
        except StorageUnavailable:
            return unavailable()
    found = [resource for resource in candidates if matches(resource, criteria)]
    return public_response(searchset(resource_type, found, criteria))


def lenient() -> bool:
    """Whether the client asked for unknown parameters to be ignored (Prefer: handling=lenient)."""
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().replace(" ", "") == "handling=lenient" for part in prefer.split(";"))


def values(name: str) -> list[list[str]]:
    """Each occurrence of a parameter (all must match) as its comma-separated values (any may)."""
    return [[value.strip() for value in given.split(",")] for given in request.args.getlist(name)]


def asked_versions(criteria: dict[str, list[list[str]]]) -> set[str]:
    """The versions a search names: by `version`, or as `url=…|version`."""
    named = {value for group in criteria.get("version", []) for value in group}
    named |= {value.split("|", 1)[1] for group in criteria.get("url", []) for value in group if "|" in value}
    return named


def matches(resource: dict[str, Any], criteria: dict[str, list[list[str]]]) -> bool:
    """Whether a resource matches every parameter (each occurrence: any of its values)."""
    return all(
        any(matches_one(resource, name, value) for value in group)
        for name, groups in criteria.items()
        for group in groups
    )


def matches_one(resource: dict[str, Any], name: str, value: str) -> bool:
    if name == "version":
        return bool(resource.get("version") == value)
    url, _bar, version = value.partition("|")  # url: the canonical, optionally with |version
    return resource.get("url") == url and (not version or resource.get("version") == version)


def searchset(resource_type: str, found: list[dict[str, Any]], criteria: dict[str, Any]) -> dict[str, Any]:
    """The matches as a searchset Bundle; its self link names the parameters used."""
    base = request.url_root.rstrip("/") + FHIR_PATH
    query = urlencode(
        [(name, ",".join(group)) for name, groups in criteria.items() for group in groups]
        + [(name, request.args[name]) for name in sorted(CONTROL_PARAMETERS) if name in request.args]
    )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": f"{base}{resource_type}" + (f"?{query}" if query else "")}],
    }
    if found:  # FHIR's JSON has no empty arrays
        bundle["entry"] = [
            {
                "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in found
        ]
    return bundle
