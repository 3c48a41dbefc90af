"""Past one of the patient pages' rate limits (triage/patient/views.py): a page that keeps the
person's way on. It says when they can try again, links back to where they were (their result, the
advice, their answers, the question), and gives the practice's phone number and the emergency
number; after a call-back request, it says plainly that the request was not sent."""

from __future__ import annotations

import dataclasses
import math
import time
from datetime import UTC, datetime

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded

from triage.extensions import limiter, rules
from triage.patient import bp, saved, state
from triage.patient.views import idle_timer

#: Where a request past its limit came from, by view: what to go back to (the template words it).
BACK_TO = {
    "patient.call_back": "result",
    "patient.result_pdf": "result",
    "patient.urgent_advice_pdf": "advice",
    "patient.check_answers": "answers",
    "patient.question_page": "question",
}


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    """The page for a patient request past its limit (429), with the way back and when to try again."""
    back_to = BACK_TO.get(request.endpoint or "", "start")
    back = _way_back(back_to)
    if back is None:
        back_to, back = "start", url_for("patient.start")
    limit = limiter.current_limit
    reset = limit.reset_at if limit is not None else time.time() + 60
    wait = int(reset - time.time())  # whole seconds, as the Retry-After header gives them
    idle = idle_timer().get("idle")  # "more time" comes back to the way back, not to the form sent
    if idle is not None:
        idle = dataclasses.replace(idle, keep_url=url_for("patient.keep_answers", next=back))
    page = render_template(
        "patient/too_many.html",
        back_to=back_to,
        back=back,
        until=datetime.fromtimestamp(reset, UTC),
        minutes=max(1, math.ceil(wait / 60)),
        call_back=request.endpoint == "patient.call_back",
        idle=idle,
    )
    return page, 429


def _way_back(back_to: str) -> str | None:
    """The address of the page the person was on, or the page a PDF belongs to; None when it is
    not there to go back to (a result whose answers timed out, without its own address)."""
    if back_to == "result":
        if state.submitted() and rules.questionnaire.next_page(state.answers()) is None:
            return url_for("patient.result")
        secret = request.form.get("result")
        return url_for("patient.saved_result", secret=secret) if saved.saved_level(secret) else None
    if back_to == "advice":
        return url_for("patient.urgent_advice")
    if back_to == "answers":
        return url_for("patient.check_answers")
    if back_to == "question":
        return request.path
    return None
