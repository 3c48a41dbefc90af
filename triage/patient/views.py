"""The patient's pages: start, question pages, urgent advice, check answers, result, how it decides.

Each view is thin: form -> answers -> engine -> redirect -> render. What is valid and what the
answers mean is decided by the engine; where to go next by the questionnaire's routing.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from triage.engine import AnswersInvalid, Level
from triage.extensions import rules
from triage.i18n import current_language
from triage.patient import bp, state
from triage.patient.flow import Page, Questionnaire
from triage.patient.forms import CallbackForm, page_form, to_answers, to_form_value
from triage.phones import international_number
from triage.storage import repository
from triage.storage.repository import StorageUnavailable

CHECK = "check"


def questionnaire() -> Questionnaire:
    """The questionnaire of this app's rule set (built once)."""
    key = "triage_questionnaire"
    if key not in current_app.extensions:
        current_app.extensions[key] = Questionnaire.of(rules.current)
    flow: Questionnaire = current_app.extensions[key]
    return flow


@bp.before_request
def expire_idle_answers() -> ResponseReturnValue | None:
    """After 30 minutes without activity the answers are cleared, and the person told why."""
    if state.expire_if_idle():
        flash("idle")
        return redirect(url_for("patient.start"))
    return None


@bp.get("/")
def start() -> ResponseReturnValue:
    """What the tool is and is not, and the emergency number up front."""
    first = questionnaire().pages[0]
    return render_template("patient/start.html", first=first, resuming=bool(state.answers()))


@bp.route("/questions/<page_id>", methods=["GET", "POST"])
def question_page(page_id: str) -> ResponseReturnValue:
    """One page of questions; on a valid post, save the answers and go on."""
    flow = questionnaire()
    page = flow.page(page_id) or abort(404)
    given = state.answers()
    if page not in flow.asked(given):
        return redirect(_onward(flow, given, request.args.get("returning")))
    lang = current_language()
    contract = rules.current.contract
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = page_form(page.questions, contract, lang, formdata=request.form)
        if form.validate():  # only the CSRF token: answers are checked by the engine below
            page_answers = to_answers(page.questions, form)
            errors = _problems(page, {**given, **page_answers}, lang)
            if not errors:
                state.save_answers(page.id, page.question_ids, page_answers)
                return redirect(_after(flow, page, request.args.get("returning")))
            valid = {k: v for k, v in page_answers.items() if k not in errors}
            urgent = _is_emergency_screen(page) and _reaches_emergency({**given, **valid})
            if urgent:  # a warning sign answered is enough: the advice never waits for the rest
                state.save_answers(page.id, page.question_ids, valid)
            state.keep_draft(page.id, request.form.to_dict(flat=False))
            if urgent:
                return redirect(url_for("patient.urgent_advice"))
    else:
        typed = state.draft(page.id)
        saved = {q.id: to_form_value(q, given[q.id]) for q in page.questions if q.id in given}
        form = page_form(
            page.questions, contract, lang, formdata=MultiDict(typed) if typed else None, data=saved
        )
        if typed:
            errors = _problems(page, {**given, **to_answers(page.questions, form)}, lang)
    previous = flow.previous(page, given)
    return render_template(
        "patient/question.html",
        page=page,
        form=form,
        errors=errors,
        steps=flow.steps,
        back=url_for("patient.question_page", page_id=previous.id) if previous else url_for("patient.start"),
        returning=request.args.get("returning") == CHECK,
    )


@bp.get("/urgent-advice")
def urgent_advice() -> ResponseReturnValue:
    """The emergency screen's advice, on its own page, before any further question."""
    given = state.answers()
    outcome = rules.current.assess_partial(given)
    if outcome.level < Level.EMERGENCY:
        return redirect(_onward(questionnaire(), given, None))
    following = questionnaire().next_page(given)
    return render_template("patient/urgent_advice.html", outcome=outcome, following=following)


@bp.route("/check-answers", methods=["GET", "POST"])
def check_answers() -> ResponseReturnValue:
    """Every answer with a link to change it; confirming it gives the result."""
    flow = questionnaire()
    given = state.answers()
    missing = flow.next_page(given)
    if missing is not None:
        return redirect(url_for("patient.question_page", page_id=missing.id))
    if request.method == "POST":
        if state.submitted() and state.reference():  # confirmed twice: it is saved already
            return redirect(url_for("patient.result"))
        outcome = rules.current.assess(given)
        try:
            reference = repository.save_assessment(outcome, channel="online", language=current_language())
        except StorageUnavailable:  # the result never depends on the database; the page says so
            reference = None
        state.mark_submitted(reference)
        return redirect(url_for("patient.result"))
    return render_template("patient/check_answers.html", pages=flow.asked(given), answers=given)


@bp.get("/result")
def result() -> ResponseReturnValue:
    """The level, what to do, why, the safety net and the not-a-diagnosis statement."""
    return _result_page(CallbackForm(formdata=None))


@bp.post("/call-back")
def call_back() -> ResponseReturnValue:
    """Save a consented call-back request for this result; on a problem, show the result again."""
    form = CallbackForm()
    reference = state.reference()
    if reference is not None and state.callback_sent() == reference:  # sent twice: saved already
        return redirect(url_for("patient.call_back_sent"))
    if reference is None or not form.validate():
        return _result_page(form)
    name, typed_phone, window = str(form.name.data).strip(), str(form.phone.data), str(form.time_window.data)
    try:
        repository.save_callback(reference, name, international_number(typed_phone) or typed_phone, window)
    except (StorageUnavailable, LookupError):
        return render_template("patient/callback_failed.html", reference=reference), 503
    state.mark_callback_sent(reference)
    return redirect(url_for("patient.call_back_sent"))


@bp.get("/call-back/sent")
def call_back_sent() -> ResponseReturnValue:
    """Confirmation of a call-back request, with the reference code."""
    return render_template("patient/callback_sent.html", reference=state.reference())


def _result_page(callback_form: CallbackForm) -> ResponseReturnValue:
    flow = questionnaire()
    given = state.answers()
    if flow.next_page(given) is not None or not state.submitted():
        return redirect(url_for("patient.check_answers"))
    outcome = rules.current.assess(given)
    return render_template(
        "patient/result.html",
        outcome=outcome,
        pages=flow.asked(given),
        answers=given,
        today=date.today(),
        reference=state.reference(),
        callback_form=callback_form,
    )


@bp.post("/start-again")
def start_again() -> ResponseReturnValue:
    """Forget every answer and go back to the start."""
    state.clear()
    flash("cleared")
    return redirect(url_for("patient.start"))


@bp.get("/rules")
def how_it_decides() -> ResponseReturnValue:
    """Every rule in plain language, with its level and source, and the rules version."""
    return render_template("patient/rules.html", ruleset=rules.current)


def _problems(page: Page, answers: dict[str, object], lang: str) -> dict[str, str]:
    """The engine's messages for this page's questions (other pages were checked when sent)."""
    try:
        rules.current.read(answers, partial=True, require=page.question_ids)
    except AnswersInvalid as exc:
        return {k: v for k, v in exc.messages(lang).items() if k in page.question_ids}
    return {}


def _after(flow: Questionnaire, page: Page, returning: str | None) -> str:
    """Where to go once a page is saved: emergency advice first, whatever else is left."""
    given = state.answers()
    if _is_emergency_screen(page) and _reaches_emergency(given):
        return url_for("patient.urgent_advice")
    return _onward(flow, given, returning)


def _is_emergency_screen(page: Page) -> bool:
    return page.section == rules.current.contract.emergency_screen


def _reaches_emergency(answers: dict[str, object]) -> bool:
    """Whether the answers so far already need emergency care, however the rest is answered."""
    return rules.current.assess_partial(answers).level >= Level.EMERGENCY


def _onward(flow: Questionnaire, given: dict[str, object], returning: str | None) -> str:
    following = flow.next_page(given)
    if following is None:
        return url_for("patient.check_answers")
    if returning == CHECK:
        return url_for("patient.question_page", page_id=following.id, returning=CHECK)
    return url_for("patient.question_page", page_id=following.id)
