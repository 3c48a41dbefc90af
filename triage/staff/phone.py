"""Phone mode: the patient's questionnaire in the receptionist's voice, warning signs first.

The pages and routing are the questionnaire's own (triage/questionnaire); the phone voice words
them for reading aloud and shows every page after the warning signs on one screen. An early exit
is saved at once, with the caller's details; finishing the call completes the same record.
At urgent and soon the call is finished only with a number to call back, or the reason there is
none; an urgent call with none gets the script without the promise of a call back (spec §3a).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from triage.engine import Level, Outcome
from triage.extensions import rules
from triage.questionnaire import Page, Voice
from triage.questionnaire.fields import none_with_others, page_form, to_answers
from triage.questionnaire.variants import screen_questions
from triage.staff import bp, targets
from triage.staff.auth import CALL_KEYS, STAFF, STAFF_SAVES, requires
from triage.staff.forms import CallerForm
from triage.storage import repository
from triage.storage.codes import Action, Channel
from triage.storage.repository import StorageUnavailable
from triage.web.i18n import current_language
from triage.web.phones import callback_number
from triage.web.templating import plain, practice_details

CALL, ADVISED, REFERENCE, CALLER = CALL_KEYS
#: The levels whose call is finished only with a number to call back, or why there is none.
NEEDS_NUMBER = (Level.URGENT, Level.SOON)


@bp.route("/phone", methods=["GET", "POST"])
@STAFF_SAVES
@requires(*STAFF)
def phone_screen() -> ResponseReturnValue:
    """A new call: the warning-sign questions first; any red flag shows the emergency script at once."""
    if request.method == "GET":
        for key in CALL_KEYS:
            session.pop(key, None)
    return _screen(rules.questionnaire.emergency_screen, {})


@bp.route("/phone/questions", methods=["GET", "POST"])
@STAFF_SAVES
@requires(*STAFF)
def phone_questions() -> ResponseReturnValue:
    """Every other question on one screen; a valid screen is assessed, saved and read out."""
    if CALL not in session:
        return redirect(url_for("staff.phone_screen"))
    given: dict[str, Any] = session[CALL]
    start = rules.questionnaire.next_page(given) or rules.questionnaire.pages[-1]
    return _screen(start, given)


@bp.get("/phone/emergency")
@requires(*STAFF)
def phone_emergency() -> ResponseReturnValue:
    """The emergency script of the call in progress, again (after the caller's details are saved)."""
    if ADVISED not in session:
        return redirect(url_for("staff.phone_screen"))
    return _emergency_page(_saved_caller())


@bp.post("/phone/caller")
@STAFF_SAVES
@requires(*STAFF)
def phone_caller() -> ResponseReturnValue:
    """Save the caller's name and number with an early exit's record."""
    caller = CallerForm()
    reference = session.get(REFERENCE)
    if ADVISED not in session:
        return redirect(url_for("staff.phone_screen"))
    if not caller.validate() or reference is None:
        return _emergency_page(caller), 400 if reference else 503
    try:
        _record_caller(reference, caller)
    except (StorageUnavailable, LookupError):
        return _emergency_page(caller, caller_failed=True), 503
    return redirect(url_for("staff.phone_emergency", saved=1))


def _screen(start: Page, given: dict[str, Any]) -> ResponseReturnValue:
    flow, lang, contract = rules.questionnaire, current_language(), rules.current.contract
    advised = Level(session[ADVISED]) if ADVISED in session else None
    screen = Voice.PHONE.screen(flow, start, advised=advised is not None)
    questions = [q for q in screen_questions(screen) if q.id not in given]  # what the caller said stands
    posted = request.form if request.method == "POST" else None
    form = page_form(questions, contract, lang, Voice.PHONE, formdata=posted)
    last = screen[-1] == flow.pages[-1]
    caller = (CallerForm(formdata=posted) if posted is not None else _saved_caller()) if last else None
    errors: dict[str, str] = {}
    if posted is not None and form.validate() and (caller is None or caller.validate()):
        mixed = none_with_others(questions, form)
        typed = {k: v for k, v in to_answers(questions, form).items() if k not in mixed}
        sent = flow.submit(
            screen, given, {**given, **typed}, lang, advised, Voice.PHONE, practice_details(lang)
        )
        errors, answers = {**sent.errors, **mixed}, {**given, **sent.answers}
        if sent.early_exit:  # any red flag: the script at once, whatever is unanswered
            session[CALL] = answers
            _save_early_exit(rules.current.assess_partial(answers))
            return _emergency_page(_saved_caller())
        if not errors and (caller is None or flow.after(screen, answers, advised).page is not None):
            session[CALL] = answers
            return redirect(url_for("staff.phone_questions"))
        if (
            not errors and caller is not None
        ):  # the last screen: the result, unless a number to call back is missing
            outcome = rules.current.assess(answers)
            missing = outcome.level in NEEDS_NUMBER and not _has_number(caller) and caller.needs_number()
            if not missing:
                return _finish(outcome, caller)
    return render_template(
        "staff/phone_screen.html",
        form=form,
        caller=caller,
        screen=screen,
        questions=questions,
        errors=errors,
        voice=Voice.PHONE,
        ruleset=rules.current,
    )


def _save_early_exit(outcome: Outcome) -> None:
    """Save the call's record at once, so the emergency advice has a reference code."""
    session[ADVISED] = outcome.level.value
    try:
        told, earlier = plain(outcome.phone_script), session.get(REFERENCE)
        reference = repository.record_outcome(outcome, Channel.PHONE, current_language(), told, earlier)
        repository.record_call(reference, current_user.username, None, None)
        repository.audit(current_user.username, Action.PHONE_CALL, target=reference, detail="early exit")
    except StorageUnavailable:  # the script never depends on the database
        return
    session[REFERENCE] = reference


def _saved_caller() -> CallerForm:
    """The caller form with the details already saved with this call (none yet: empty)."""
    return CallerForm(formdata=None, data=session.get(CALLER, {}))


def _has_number(caller: CallerForm) -> bool:
    """A number to call back: typed now, or saved with the call's early exit."""
    return caller.has_number or bool(session.get(CALLER, {}).get("caller_phone"))


def _emergency_page(caller: CallerForm, caller_failed: bool = False) -> str:
    answers: dict[str, Any] = session[CALL]
    return render_template(
        "staff/phone_emergency.html",
        outcome=rules.current.assess_partial(answers),
        reference=session.get(REFERENCE),
        caller=caller,
        caller_saved=request.args.get("saved") == "1",
        caller_failed=caller_failed,
    )


@bp.get("/phone/result/<reference>")
@requires(*STAFF)
def phone_result(reference: str) -> ResponseReturnValue:
    """What to tell the caller, with the reference code: an early exit's early advice where the call
    ended at the warning signs. A record from other rules opens as the record (what was told)."""
    found = repository.find_assessment(reference)
    if found is None:
        return redirect(url_for("staff.phone_screen"))
    ruleset = rules.current
    if found.rules_hash != ruleset.version.content_hash:  # its answers may not be these rules' answers
        return redirect(url_for("staff.record", reference=found.reference))
    repository.audit(current_user.username, Action.VIEW, target=found.reference, detail="phone result")
    outcome = (ruleset.assess_partial if found.partial else ruleset.assess)(found.answers)
    number = bool(found.caller_phone or found.callbacks)
    return _result_page(outcome, found.reference, number, targets.due(found), found.no_number_reason)


def _result_page(
    outcome: Outcome, reference: str | None, number: bool, due: datetime | None, reason: str | None = None
) -> str:
    """What to tell the caller; at urgent, when the call back is due, or the script for a call with
    no number to call back."""
    urgent = outcome.level is Level.URGENT
    return render_template(
        "staff/phone_result.html",
        outcome=outcome,
        reference=reference,
        no_number=urgent and not number,
        no_number_reason=reason,
        due=due if urgent else None,
        open_now=targets.opening_times().is_open(datetime.now(UTC)),
    )


def _no_number_script() -> str:
    """The urgent script for a call with no number to call back, as plain text (to store)."""
    return " ".join(html.unescape(render_template("staff/_no_number_script.html")).split())


def _finish(outcome: Outcome, caller: CallerForm) -> ResponseReturnValue:
    early, number = session.get(REFERENCE), _has_number(caller)
    for key in CALL_KEYS:
        session.pop(key, None)
    no_number = outcome.level is Level.URGENT and not number
    try:
        told = _no_number_script() if no_number else plain(outcome.phone_script)
        reference = repository.record_outcome(outcome, Channel.PHONE, current_language(), told, early)
        _record_caller(reference, caller)
        repository.audit(current_user.username, Action.PHONE_CALL, target=reference)
    except StorageUnavailable:  # the script never depends on the database
        arrived = datetime.now(UTC)
        due = targets.due_at(rules.current.levels[outcome.level].target, arrived)
        return _result_page(outcome, None, number, due, (caller.no_number_reason.data or "").strip())
    return redirect(url_for("staff.phone_result", reference=reference))


def _record_caller(reference: str, caller: CallerForm) -> None:
    """Save the caller's details with the call's record, and keep them to show in the form again."""
    typed_phone = (caller.caller_phone.data or "").strip()
    name, number = (
        (caller.caller_name.data or "").strip(),
        callback_number(typed_phone) if typed_phone else "",
    )
    reason = None if number else (caller.no_number_reason.data or "").strip()
    repository.record_call(
        reference, current_user.username, name, number, reason
    )  # number: the form checked it
    saved = session.get(CALLER, {})
    session[CALLER] = {
        "caller_name": name or saved.get("caller_name"),
        "caller_phone": number or saved.get("caller_phone"),
    }
