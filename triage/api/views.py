"""POST /api/v1/assessments, GET /api/v1/questions and GET /api/v1/openapi.json."""

from __future__ import annotations

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from triage.api import bp
from triage.api.openapi import openapi_document
from triage.config import practice_values
from triage.engine import AnswersInvalid
from triage.engine.export import contract_as_dict, outcome_as_dict
from triage.extensions import rules
from triage.i18n import current_language
from triage.storage import repository
from triage.storage.codes import Channel
from triage.storage.repository import StorageUnavailable


@bp.post("/assessments")
def create_assessment() -> ResponseReturnValue:
    """Assess one answers object: 200 and the outcome, or 422 and one message per question."""
    if not request.is_json:
        abort(415, _("Send the answers as JSON, with Content-Type: application/json."))
    try:
        answers = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested far deeper than any answers
        abort(400, _("The body is not valid JSON."))
    lang = current_language()
    try:
        outcome = rules.current.assess(answers)
    except AnswersInvalid as exc:
        return {"errors": exc.messages(lang)}, 422
    result = outcome_as_dict(outcome, lang, practice_values(current_app.config, lang))
    try:
        result["reference"] = repository.save_assessment(outcome, channel=Channel.API, language=lang)
        result["saved"] = True
    except StorageUnavailable:  # the outcome never depends on the database
        result["reference"] = None
        result["saved"] = False
        result["notice"] = _(
            "The answers could not be saved. The outcome above is complete; call the practice."
        )
    return result


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API."""
    return openapi_document(rules.current)


@bp.get("/questions")
def questions() -> ResponseReturnValue:
    """The answers contract: every question, its type, values and when it is asked."""
    ruleset = rules.current
    return {
        "rules_version": ruleset.version.as_dict(),
        **contract_as_dict(ruleset.contract, current_language()),
    }
