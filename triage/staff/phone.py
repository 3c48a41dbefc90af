"""Phone mode: the patient's questionnaire in the receptionist's voice, warning signs first.

The pages and routing are the questionnaire's own (triage/questionnaire); the phone voice words
them for reading aloud and shows every page after the warning signs on one screen. An early exit
is saved at once, with the caller's details; finishing the call completes the same record.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from triage.engine import Level, Outcome
from triage.extensions import rules
from triage.questionnaire import Page, Voice
from triage.questionnaire.fields import none_with_others, page_form, to_answers
from triage.questionnaire.variants import screen_questions
from triage.staff import bp
from triage.staff.auth import CALL_KEYS, STAFF, STAFF_SAVES, requires
from triage.staff.forms import CallerForm
from triage.storage import repository
from triage.storage.codes import Action, Channel
from triage.storage.repository import StorageUnavailable
from triage.web.i18n import current_language
from triage.web.phones import callback_number
from triage.web.templating import plain

CALL, ADVISED, REFERENCE = CALL_KEYS


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
    return _emergency_page(CallerForm(formdata=None))


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
    caller = CallerForm(formdata=posted) if last else None
    errors: dict[str, str] = {}
    if posted is not None and form.validate() and (caller is None or caller.validate()):
        mixed = none_with_others(questions, form)
        typed = {k: v for k, v in to_answers(questions, form).items() if k not in mixed}
        sent = flow.submit(screen, given, {**given, **typed}, lang, advised)
        errors, answers = {**sent.errors, **mixed}, {**given, **sent.answers}
        if sent.early_exit:  # any red flag: the script at once, whatever is unanswered
            session[CALL] = answers
            _save_early_exit(rules.current.assess_partial(answers))
            return _emergency_page(CallerForm(formdata=None))
        if not errors:
            session[CALL] = answers
            route = flow.after(screen, answers, advised)
            if route.page is None and caller is not None:
                return _finish(rules.current.assess(answers), caller)
            return redirect(url_for("staff.phone_questions"))
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
    return render_template("staff/phone_result.html", outcome=outcome, reference=found.reference)


def _finish(outcome: Outcome, caller: CallerForm) -> ResponseReturnValue:
    early = session.get(REFERENCE)
    for key in CALL_KEYS:
        session.pop(key, None)
    try:
        told = plain(outcome.phone_script)
        reference = repository.record_outcome(outcome, Channel.PHONE, current_language(), told, early)
        _record_caller(reference, caller)
        repository.audit(current_user.username, Action.PHONE_CALL, target=reference)
    except StorageUnavailable:  # the script never depends on the database
        return render_template("staff/phone_result.html", outcome=outcome, reference=None)
    return redirect(url_for("staff.phone_result", reference=reference))


def _record_caller(reference: str, caller: CallerForm) -> None:
    typed_phone = (caller.caller_phone.data or "").strip()
    repository.record_call(
        reference,
        current_user.username,
        (caller.caller_name.data or "").strip(),
        callback_number(typed_phone) if typed_phone else "",  # valid: the form checked it
    )
