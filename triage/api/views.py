"""POST /api/v1/assessments, GET /api/v1/questions and GET /api/v1/openapi.json."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from triage.api import bp
from triage.api.keys import Caller, KeyRefused, caller, key_hash
from triage.api.openapi import openapi_document
from triage.engine import AnswersInvalid
from triage.engine.export import contract_as_dict, outcome_as_dict
from triage.extensions import limiter, rules
from triage.storage import repository
from triage.storage.codes import Channel
from triage.storage.repository import StorageUnavailable
from triage.web.i18n import current_language
from triage.web.limits import setting
from triage.web.templating import filled_texts, practice_details

#: Half of a surrogate pair: JSON reads a whole pair as one character, never leaves one half alone.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def key_of_request() -> str:
    """The rate-limit key of a request with an API key: the key's hash, never the key itself."""
    return "key:" + key_hash(request.headers.get("Authorization", ""))


def with_key() -> bool:
    """Whether the request sends an API key (then it also counts against that key's limit)."""
    return "Authorization" in request.headers


def key_caller() -> Caller | None:
    """Who this request's Authorization header says is calling; None when the keys cannot be read
    (the outcome is given all the same, not saved). Raises KeyRefused for a key that is not valid."""
    try:
        return caller(request.headers.get("Authorization"))
    except StorageUnavailable:
        return None


@bp.post("/assessments")
@limiter.limit(setting("RATELIMIT_API_ADDRESS"))
@limiter.limit(setting("RATELIMIT_API_KEY"), key_func=key_of_request, exempt_when=lambda: not with_key())
def create_assessment() -> ResponseReturnValue:
    """Assess one answers object: 200 and the outcome, or 422 and one message per question.

    Saved (with its reference) only when sent with an API key; without one it is assessed only. The
    key is checked first: a malformed, unknown or revoked key gets 401 before the answers are read.
    If the keys cannot be read, the answers are assessed and the outcome given, unsaved.
    """
    try:
        sender = key_caller()
    except KeyRefused:
        return _key_refused()
    if not request.is_json:
        abort(415, _("Send the answers as JSON, and say so in the Content-Type header."))
    try:
        answers = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested far deeper than any answers
        abort(400, _("The body is not valid JSON."))
    lang = current_language()
    try:
        outcome = rules.current.assess(_whole_numbers(answers))
    except AnswersInvalid as exc:
        messages = exc.messages(lang, practice=practice_details(lang))
        if not all(_is_unicode(key) for key in messages):  # an unknown key an answer cannot name
            abort(400, _("The body is not valid JSON."))
        return {"errors": messages}, 422
    result = outcome_as_dict(outcome, filled_texts(lang))
    result["saved"], result["reference"] = False, None
    if sender is None:
        return _not_saved(result)
    if sender.key_name is None:  # no key: assessed, not saved
        return result
    try:
        reference = repository.save_assessment(
            outcome, Channel.API, lang, told=result["action"], api_key=sender.key_name
        )
    except StorageUnavailable:  # the outcome never depends on the database
        return _not_saved(result)
    result["saved"], result["reference"] = True, reference
    return result


def _not_saved(result: dict[str, Any]) -> dict[str, Any]:
    """The outcome, with a notice that it could not be saved."""
    result["notice"] = _("The answers could not be saved. The outcome above is complete; call the practice.")
    return result


def _whole_numbers(answers: object) -> object:
    """The answers with each number that has no fractional part as an integer (70.0 as 70): JSON has
    one kind of number, and JSON Schema, which the API's document is written in, counts such a number
    as an integer."""
    if not isinstance(answers, dict):
        return answers
    return {
        key: int(value) if type(value) is float and value.is_integer() else value
        for key, value in answers.items()
    }


def _is_unicode(text: str) -> bool:
    """Whether text is Unicode: JSON may escape half of a surrogate pair alone ("\\ud800"), which
    reads as a string no UTF-8 answer can hold (RFC 8259 §8.2)."""
    return text.isascii() or _LONE_SURROGATE.search(text) is None


def _key_refused() -> ResponseReturnValue:
    message = _("This API key is not valid: it is unknown or was revoked. Send it as: Bearer KEY.")
    return {"errors": {"authorization": message}}, 401, {"WWW-Authenticate": 'Bearer realm="api"'}


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
