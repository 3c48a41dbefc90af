"""The FHIR SDC operations: `$extract` assesses a completed QuestionnaireResponse (and, with an API key,
saves it like POST /api/v1/assessments); `$next-question` runs the questionnaire for a portal, page by
page, with the urgent advice as soon as a warning sign needs it. Both take the response as the resource
or in Parameters, in application/fhir+json; both are limited like the JSON API.

CORS: `$next-question` may be called from a page on any origin (triage.web.headers.cross_origin): it
stores nothing and answers only from what it is sent, like the public resources. `$extract` may not:
it makes a record of a person's answers and, with an API key, saves it, and an API key belongs on the
portal's server, not in a web page; a page gets the level without a server of its own from
`$next-question`, whose last answer holds the outcome and the RiskAssessment.

Errors are OperationOutcomes: 401 for an API key that is not valid (before anything about the body,
as the JSON API does), 415 for a body that is not JSON, 400 for one that is not a QuestionnaireResponse
(FHIR's own structure broken, such as an item without the linkId R4 requires: `expression` says where),
and 422 with one issue per item the answers contract refuses (triage/fhir/response.py), its
`expression` the item (or, for an item left out, its section's group) and its message the contract's,
in the language asked for (Accept-Language)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from triage.api import bp
from triage.api.fhir import fhir_response, operation_outcome
from triage.api.keys import KeyRefused
from triage.api.views import key_caller, key_of_request, with_key
from triage.extensions import limiter, rules
from triage.fhir.adaptive import next_question
from triage.fhir.common import QUESTIONNAIRE_ID
from triage.fhir.extract import extract_bundle
from triage.fhir.response import NotAResponse, ResponseInvalid, answers_from_response
from triage.storage import repository
from triage.storage.codes import Channel
from triage.storage.repository import StorageUnavailable
from triage.web.headers import cross_origin
from triage.web.i18n import current_language
from triage.web.limits import setting
from triage.web.templating import filled_texts, practice_details

#: The Parameters names a QuestionnaireResponse may come under: SDC's for $extract, and for
#: $next-question its input parameter `in`.
RESPONSE_PARAMETERS = ("questionnaire-response", "in")
#: The largest body these operations read: a QuestionnaireResponse carries every item's text and its
#: answers' wording (in two languages, as a form filler may send it), several times an answers object.
MAX_BODY = 64 * 1024
#: Each problem code of the contract as a FHIR issue type; any other is a value the item does not take.
ISSUE_TYPE = {"required": "required", "unknown_field": "structure", "not_an_object": "structure"}


class BodyRefused(Exception):
    """A body that cannot be read as a QuestionnaireResponse: the answer to give instead."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _api_limits(view: Any) -> Any:
    """The JSON API's limits: per address, and per key for a request that sends one."""
    view = limiter.limit(
        setting("RATELIMIT_API_KEY"), key_func=key_of_request, exempt_when=lambda: not with_key()
    )(view)
    return limiter.limit(setting("RATELIMIT_API_ADDRESS"))(view)


@bp.post("/fhir/QuestionnaireResponse/$extract")  # no CORS: it makes a record, with a key saves it
@_api_limits
def fhir_extract() -> ResponseReturnValue:
    """A completed QuestionnaireResponse assessed: the Bundle of the assessment, saved with an API key."""
    try:
        sender = key_caller()
    except KeyRefused:
        return _key_refused()
    lang, ruleset = current_language(), rules.current
    try:
        answers = _read(lang, partial=False)[1]
    except BodyRefused as refused:
        return refused.response
    outcome = ruleset.assess(answers)  # the answers the reader gives are valid by the contract
    reference = None
    if sender is not None and sender.key_name is not None:
        told = filled_texts(lang)(outcome.action)
        try:
            reference = repository.save_assessment(
                outcome, Channel.API, lang, told=told, api_key=sender.key_name
            )
        except StorageUnavailable:  # the outcome never depends on the database
            sender = None
    bundle = extract_bundle(outcome, ruleset, practice_details, reference)
    if sender is None:
        notice = _("The answers could not be saved. The outcome above is complete; call the practice.")
        issue = {"severity": "warning", "code": "transient", "details": {"text": notice}}
        bundle["entry"].append({"resource": {"resourceType": "OperationOutcome", "issue": [issue]}})
    return fhir_response(bundle)


@bp.post("/fhir/Questionnaire/$next-question")
@bp.post(f"/fhir/Questionnaire/{QUESTIONNAIRE_ID}/$next-question")
@cross_origin()  # a portal's page may ask: nothing is stored, nothing is read but what it sends
@_api_limits
def fhir_next_question() -> ResponseReturnValue:
    """The answers so far with the next page's items, the urgent advice, or the completed outcome."""
    try:
        sent, answers = _read(current_language(), partial=True)
    except BodyRefused as refused:
        return refused.response
    ruleset = rules.current
    return fhir_response(next_question(ruleset, rules.questionnaire, sent, answers, practice_details))


def _read(lang: str, *, partial: bool) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """The QuestionnaireResponse sent and its answers, read by the contract (partial: the answers so
    far); raises BodyRefused with the OperationOutcome to answer instead."""
    sent = _sent_response()
    try:
        return sent, answers_from_response(rules.current, sent, partial=partial, values=practice_details)
    except NotAResponse as exc:
        raise BodyRefused(_not_a_response(exc.expression)) from None
    except ResponseInvalid as exc:
        raise BodyRefused(_items_refused(exc, lang)) from None


def _sent_response() -> Mapping[str, Any]:
    """The QuestionnaireResponse sent: the body, or the body's Parameters' (raises BodyRefused)."""
    request.max_content_length = MAX_BODY
    if not request.is_json:  # application/json, application/fhir+json
        message = _("Send the QuestionnaireResponse as FHIR JSON, and say so in the Content-Type header.")
        raise BodyRefused(operation_outcome(415, "not-supported", message))
    try:
        body = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested far deeper than any response
        raise BodyRefused(operation_outcome(400, "structure", _("The body is not valid JSON."))) from None
    if isinstance(body, Mapping) and body.get("resourceType") == "Parameters":
        parameters = body.get("parameter")
        found = [
            parameter.get("resource")
            for parameter in (parameters if isinstance(parameters, list) else [])
            if isinstance(parameter, Mapping) and parameter.get("name") in RESPONSE_PARAMETERS
        ]
        body = found[0] if len(found) == 1 else None
    if not isinstance(body, Mapping) or body.get("resourceType") != "QuestionnaireResponse":
        raise BodyRefused(_not_a_response())
    return body


def _not_a_response(expression: str | None = None) -> Response:
    message = _("Send one QuestionnaireResponse. Send it alone or in Parameters.")
    issue: dict[str, Any] = {"severity": "error", "code": "structure", "diagnostics": message}
    if expression is not None:  # where in the body FHIR's structure is broken
        issue["expression"] = [expression]
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, 400)


def _items_refused(exc: ResponseInvalid, lang: str) -> Response:
    """422: one issue per item the answers contract refuses, at the item, with the contract's message."""
    issues = [
        {
            "severity": "error",
            "code": ISSUE_TYPE.get(problem.code, "value"),
            "details": {"text": problem.message(lang)},
            "diagnostics": problem.message(lang),
            "expression": [problem.expression],
        }
        for problem in exc.problems
    ]
    return fhir_response({"resourceType": "OperationOutcome", "issue": issues}, 422)


def _key_refused() -> Response:
    message = _("This API key is not valid: it is unknown or was revoked. Send it as: Bearer KEY.")
    return operation_outcome(401, "login", message, {"WWW-Authenticate": 'Bearer realm="api"'})
