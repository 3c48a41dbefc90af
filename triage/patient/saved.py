"""A saved result's own address (spec §3b): /result/<secret>, readable without the session's answers
for a while after they time out, so a result is not lost with them and a call-back sent late is
still taken.

The secret is the reference and a time limit signed with the app's SECRET_KEY (an HMAC, through
itsdangerous, as Flask signs its own cookies): nothing to store, so no migration, and nobody can
make one for another reference, or move its time limit, without the key. The reference is the only
thing it carries: no answers, no name. It is valid until one more of the answers' time limits has
passed after the session's copy of the answers times out (30 minutes, or ten times that after
"more time"): long enough to come back to the page, or send the call-back form, after the answers
timed out; short enough that a shared computer does not keep the result for the next person.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeSerializer

from triage.engine import Level
from triage.extensions import rules
from triage.ops import alerts
from triage.patient import bp, state
from triage.patient.forms import CallbackForm, callback_form, time_window
from triage.storage import repository
from triage.storage.codes import AlertKind
from triage.storage.models import Assessment
from triage.storage.repository import StorageUnavailable
from triage.web.phones import callback_number

_SALT = "saved-result"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=_SALT)


def address_secret() -> str | None:
    """The secret of the result the session holds, while it may be read by its address; None when
    the answers were not confirmed, not saved, or timed out longer ago than the address lasts."""
    reference, expires = state.reference(), state.expires_at()
    if not state.submitted() or reference is None or expires is None:
        return None
    until = math.ceil(expires + state.idle_limit())
    return _signer().dumps({"reference": reference, "until": until}) if until > time.time() else None


def reference_in(secret: str | None) -> str | None:
    """The reference a result's secret was made for, while it is valid; else None."""
    if not secret:
        return None
    try:
        signed: Any = _signer().loads(secret)
    except BadSignature:
        return None
    if not isinstance(signed, dict) or not isinstance(signed.get("until"), int):
        return None
    return str(signed["reference"]) if signed["until"] >= time.time() else None


# --- the pages at the saved result's address ------------------------------------------------------


@bp.get("/result/<secret>")
def saved_result(secret: str) -> ResponseReturnValue:
    """A saved result by its own address: the same page as /result, read from its record."""
    return result_page(secret)


@bp.get("/result/<secret>/call-back-sent")
def saved_call_back_sent(secret: str) -> ResponseReturnValue:
    """Confirmation of a call-back request sent from a saved result's address."""
    assessment = _assessment(reference_in(secret))
    if assessment is None or not assessment.callbacks:
        return redirect(url_for("patient.saved_result", secret=secret))
    return render_template(
        "patient/callback_sent.html",
        reference=assessment.reference,
        advice=rules.current.levels[Level(assessment.level)],
        back=url_for("patient.saved_result", secret=secret),
    )


def result_page(
    secret: str, form: CallbackForm | None = None, expired_form: bool = False
) -> ResponseReturnValue:
    """The saved result whose secret this is, its call-back form as given; when the address is no
    longer valid (or the record cannot be read), a page that says so, with the practice's number.
    `expired_form`: the call-back form came back because its security token expired."""
    assessment = _assessment(reference_in(secret))
    if assessment is None:
        return render_template("patient/not_available.html", typed=None), 410
    given, level = dict(assessment.answers), Level(assessment.level)
    return render_template(
        "patient/result.html",
        outcome=rules.current.assess(given),
        pages=rules.questionnaire.asked(given),
        answers=given,
        today=date.today(),
        reference=assessment.reference,
        callback_form=form or callback_form(level),
        callback_sent=bool(assessment.callbacks),
        saved_address=secret,
        expired_form=expired_form,
    ), (400 if expired_form else 200)


def saved_level(secret: str | None) -> tuple[str, Level] | None:
    """The reference and level of the saved result whose secret was sent with a form, while valid."""
    assessment = _assessment(reference_in(secret))
    return None if assessment is None else (assessment.reference, Level(assessment.level))


def not_sent(form: CallbackForm) -> ResponseReturnValue:
    """A call-back that could not be taken (its result is no longer known): said plainly, with the
    practice's number and what was typed."""
    return render_template("patient/not_available.html", typed=form), 410


def _assessment(reference: str | None) -> Assessment | None:
    """The saved, complete result with this reference, made by the rules in use; else None."""
    if reference is None:
        return None
    try:
        found = repository.find_assessment(reference)
    except StorageUnavailable:
        return None
    same_rules = found is not None and found.rules_hash == rules.current.version.content_hash
    return found if same_rules and found is not None and not found.partial else None


# --- a call-back sent without the session's result ---------------------------------------------


def late_call_back(expired_form: bool = False) -> ResponseReturnValue:
    """A call-back sent without the session's result (it timed out), or with an expired security
    token: taken for the saved result whose secret it carries, else said plainly not to be sent."""
    secret = request.form.get("result", "")
    found = saved_level(secret)
    if found is None:
        if not secret:  # not sent from a result page: the answers come first
            return redirect(url_for("patient.check_answers"))
        return not_sent(CallbackForm(formdata=request.form))
    reference, level = found
    form = callback_form(level, request.form)
    if expired_form or not form.validate():
        return result_page(secret, form, expired_form=expired_form)
    failed = save_callback(reference, level, form)
    return failed or redirect(url_for("patient.saved_call_back_sent", secret=secret))


def save_callback(reference: str, level: Level, form: CallbackForm) -> ResponseReturnValue | None:
    """Save a valid call-back request, with its alert; the page that says it failed, if it did."""
    name, typed_phone, window = str(form.name.data).strip(), str(form.phone.data), time_window(form)
    alert = alerts.wanted(AlertKind.CALLBACK, level)
    try:
        phone = callback_number(typed_phone)  # valid: the form checked it
        repository.save_callback(reference, name, phone, window, alert=alert)
    except (StorageUnavailable, LookupError):
        return render_template("patient/callback_failed.html", reference=reference), 503
    if alert:
        alerts.queued()
    return None
