"""Phone mode: a receptionist reads the questions aloud, warning signs first, and reads out the result."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from triage.engine import AnswersInvalid, Level, Outcome
from triage.extensions import rules
from triage.i18n import current_language
from triage.patient.forms import page_form, to_answers
from triage.phones import international_number
from triage.staff import bp
from triage.staff.auth import requires
from triage.staff.forms import CallerForm
from triage.storage import repository
from triage.storage.repository import StorageUnavailable

STAFF = ("reception", "clinician", "admin")
_CALL = "phone_answers"


@bp.route("/phone", methods=["GET", "POST"])
@requires(*STAFF)
def phone_screen() -> ResponseReturnValue:
    """A new call: the warning-sign questions first; any red flag shows the emergency script at once."""
    contract = rules.current.contract
    screen = [contract[qid] for qid in contract.emergency_screen.question_ids]
    form = page_form(
        screen, contract, current_language(), formdata=request.form if request.method == "POST" else None
    )
    errors: dict[str, str] = {}
    if request.method == "GET":
        session.pop(_CALL, None)
    elif form.validate():
        answers = to_answers(screen, form)
        errors = _problems(answers, partial=True, require=[q.id for q in screen])
        valid = {k: v for k, v in answers.items() if k not in errors}
        early = rules.current.assess_partial(valid)
        if early.level >= Level.EMERGENCY:  # any red flag: the script at once, whatever is unanswered
            session[_CALL] = valid
            return render_template("staff/phone_emergency.html", outcome=early)
        if not errors:
            session[_CALL] = answers
            return redirect(url_for("staff.phone_questions"))
    return render_template("staff/phone_screen.html", form=form, questions=screen, errors=errors)


@bp.route("/phone/questions", methods=["GET", "POST"])
@requires(*STAFF)
def phone_questions() -> ResponseReturnValue:
    """Every other question on one page; a valid page is assessed, saved and read out."""
    if _CALL not in session:
        return redirect(url_for("staff.phone_screen"))
    contract = rules.current.contract
    answered = set(session[_CALL])  # the warning signs; any left unanswered are asked here first
    rest = [q for q in contract.questions if q.id not in answered]
    posted = request.form if request.method == "POST" else None
    form = page_form(rest, contract, current_language(), formdata=posted)
    caller = CallerForm(formdata=posted)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate() and caller.validate():
        answers = {**session[_CALL], **to_answers(rest, form)}
        errors = _problems(answers)
        if not errors:
            return _finish(rules.current.assess(answers), caller)
    sections = [(s, [q for q in rest if q.section == s.id]) for s in contract.sections]
    sections = [(section, questions) for section, questions in sections if questions]
    return render_template(
        "staff/phone_questions.html", form=form, caller=caller, sections=sections, errors=errors
    )


@bp.get("/phone/result/<reference>")
@requires(*STAFF)
def phone_result(reference: str) -> ResponseReturnValue:
    """What to tell the caller, with the reference code."""
    found = repository.find_assessment(reference)
    if found is None:
        return redirect(url_for("staff.phone_screen"))
    repository.audit(current_user.username, "view", target=found.reference, detail="phone result")
    return render_template(
        "staff/phone_result.html", outcome=rules.current.assess(found.answers), reference=found.reference
    )


def _finish(outcome: Outcome, caller: CallerForm) -> ResponseReturnValue:
    session.pop(_CALL, None)
    typed_phone = (caller.caller_phone.data or "").strip()
    try:
        reference = repository.save_assessment(outcome, channel="phone", language=current_language())
        repository.record_call(
            reference,
            current_user.username,
            (caller.caller_name.data or "").strip(),
            international_number(typed_phone) or typed_phone,
        )
        repository.audit(current_user.username, "phone_call", target=reference)
    except StorageUnavailable:  # the script never depends on the database
        return render_template("staff/phone_result.html", outcome=outcome, reference=None)
    return redirect(url_for("staff.phone_result", reference=reference))


def _problems(
    answers: dict[str, Any], partial: bool = False, require: list[str] | None = None
) -> dict[str, str]:
    try:
        rules.current.read(answers, partial=partial, require=require or ())
    except AnswersInvalid as exc:
        return exc.messages(current_language())
    return {}
