"""The patient's pages: start, question pages, urgent advice, check answers, result, how it decides.

Each view is thin: form -> answers -> engine -> redirect -> render. What is valid and what the
answers mean is decided by the engine; where to go next by the questionnaire's routing.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from triage.engine import Outcome
from triage.extensions import limiter, rules
from triage.ops import alerts
from triage.patient import bp, saved, state
from triage.patient.forms import CallbackForm, callback_form
from triage.questionnaire import Page, Route, Submission, Voice
from triage.questionnaire.fields import form_values, none_with_others, page_form, to_answers
from triage.storage import repository
from triage.storage.codes import AlertKind, Channel
from triage.storage.repository import StorageUnavailable
from triage.web import pdf
from triage.web.errors import csrf_expired_page
from triage.web.i18n import current_language
from triage.web.idle import Idle
from triage.web.limits import setting
from triage.web.redirects import same_site_path
from triage.web.templating import plain, practice_details

CHECK = "check"
#: The id of a question page's form, and of the time limit's section (where "more time" returns to).
QUESTION_FORM, IDLE_SECTION = "page-answers", "idle-title"
#: Confirming answers and asking for a call-back share one limit per address: each saves a record.
SAVING_FORMS = limiter.shared_limit(
    setting("RATELIMIT_PATIENT_FORMS"), scope="patient-forms", methods=["POST"]
)


#: Pages that work without the session's answers: a saved result by its address, and the call-back
#: form, which carries that address's secret.
WITHOUT_ANSWERS = frozenset({"patient.saved_result", "patient.saved_call_back_sent", "patient.call_back"})


@bp.before_request
def expire_idle_answers() -> ResponseReturnValue | None:
    """After 30 minutes without activity the answers are cleared, and the person told why; a saved
    result stays readable at its own address for a while (triage/patient/saved.py)."""
    secret = saved.address_secret()  # read before the answers may be cleared
    if state.expire_if_idle() and request.endpoint not in WITHOUT_ANSWERS:
        if secret and request.endpoint in ("patient.result", "patient.call_back_sent"):
            return redirect(url_for("patient.saved_result", secret=secret))
        flash("idle")
        return redirect(url_for("patient.start"))
    return None


@bp.after_request
def record_activity(response: Response) -> Response:
    """A page that changed the session also records its activity."""
    state.touch_if_changed()
    return response


@bp.errorhandler(CSRFError)
def keep_typed_answers(error: CSRFError) -> ResponseReturnValue:
    """A page sent after its security token expired: keep what was typed, offer the way back."""
    page = _typed_page()
    if page is not None:
        state.keep_draft(page.id, _typed(page), sent=request.endpoint == "patient.question_page")
    if request.endpoint == "patient.call_back" and request.form.get("result"):  # its result again, filled in
        return saved.late_call_back(expired_form=True)
    return csrf_expired_page(same_site_path(request.values.get("next")) or url_for("patient.start"))


@bp.context_processor
def idle_timer() -> dict[str, Any]:
    """When the answers will be cleared, for the warning before it happens (WCAG 2.2.1)."""
    idle = _idle()
    return {"idle": idle} if idle else {}


def _idle(typed_in: tuple[str, str] | None = None) -> Idle | None:
    """The time limit of the answers (None: nothing to clear); `typed_in`: the page's form that
    "more time" sends, and where, so that what is typed there is kept."""
    expires = state.expires_at()
    if expires is None or not state.answers():
        return None
    return Idle(expires, url_for("patient.keep_answers"), not state.has_more_time(), typed_in=typed_in)


@bp.post("/keep-answers")
def keep_answers() -> ResponseReturnValue:
    """ "I am still here" (the answers' idle time starts again), or "give me more time" (ten times it),
    keeping what was typed on the question page it was asked from; then back to where the person was."""
    if request.form.get("more"):
        state.give_more_time()
    page = _typed_page()
    if page is not None:  # sent with the page's form: what is typed there is kept, not yet checked
        state.keep_draft(page.id, _typed(page), sent=False)
    if request.accept_mimetypes.best == "application/json":  # the script's request: nothing to show
        return {"expires_in": int(state.idle_limit())}
    back = same_site_path(request.values.get("next"))
    return redirect(f"{back}#{IDLE_SECTION}" if back else url_for("patient.start"))


@bp.get("/")
def start() -> ResponseReturnValue:
    """What the tool is and is not, and the emergency number up front."""
    first = rules.questionnaire.emergency_screen
    return render_template("patient/start.html", first=first, resuming=bool(state.answers()))


@bp.route("/questions/<page_id>", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_PATIENT_PAGES"), methods=["POST"])  # answers sent, never a read
def question_page(page_id: str) -> ResponseReturnValue:
    """One page of questions; on a valid post, save the answers and go on."""
    flow = rules.questionnaire
    page = flow.page(page_id) or abort(404)
    given = state.answers()
    returning = request.args.get("returning")
    if page not in flow.asked(given):
        return redirect(_onward(flow.after((), given), returning))
    lang, contract = current_language(), rules.current.contract
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = page_form(page.questions, contract, lang, formdata=request.form)
        if form.validate():  # only the CSRF token: answers are checked by the engine
            sent, errors = _submit(page, form, given, lang)
            if sent.early_exit:  # a warning sign answered is enough: the advice never waits
                state.save_answers(page.id, sent.question_ids, sent.answers)
                _record_early_exit()
                return redirect(url_for("patient.urgent_advice"))
            if not errors:
                state.save_answers(page.id, sent.question_ids, sent.answers)
                return redirect(_onward(flow.after((page,), state.answers(), state.advised()), returning))
            state.keep_draft(page.id, _typed(page))
    else:
        typed = state.draft(page.id)
        form = page_form(
            page.questions,
            contract,
            lang,
            formdata=MultiDict(typed) if typed else None,
            data=form_values(page.questions, given),
        )
        if typed and state.draft_was_sent(page.id):
            errors = _submit(page, form, given, lang)[1]
    previous = flow.previous(page, given)
    return render_template(
        "patient/question.html",
        page=page,
        form=form,
        errors=errors,
        steps=flow.steps,
        back=url_for("patient.question_page", page_id=previous.id) if previous else url_for("patient.start"),
        returning=returning == CHECK,
        voice=Voice.PATIENT,
        form_id=QUESTION_FORM,
        idle=_idle((QUESTION_FORM, url_for("patient.keep_answers", page=page.id, next=_here()))),
    )


@bp.get("/urgent-advice")
def urgent_advice() -> ResponseReturnValue:
    """The emergency screen's advice, on its own page, before any further question."""
    flow, given = rules.questionnaire, state.answers()
    if not flow.needs_emergency_now(given):
        return redirect(_onward(flow.after((), given), None))
    return render_template(
        "patient/urgent_advice.html",
        outcome=rules.current.assess_partial(given),
        following=flow.next_page(given),
        reference=state.reference(),
        pages=[page for page in flow.asked(given) if set(page.question_ids) & set(given)],  # so far
        answers=given,
        today=date.today(),
    )


@bp.get("/urgent-advice/summary.pdf")
@limiter.limit(setting("RATELIMIT_PDF"))  # every request: a PDF takes CPU time to make
def urgent_advice_pdf() -> ResponseReturnValue:
    """The urgent advice and the answers so far as a PDF, to show at the hospital."""
    flow, given = rules.questionnaire, state.answers()
    if not flow.needs_emergency_now(given):
        return redirect(url_for("patient.urgent_advice"))
    asked_so_far = [page for page in flow.asked(given) if set(page.question_ids) & set(given)]
    return _summary_pdf(rules.current.assess_partial(given), given, asked_so_far, "spine-triage-advice.pdf")


@bp.get("/result/summary.pdf")
@limiter.limit(setting("RATELIMIT_PDF"))  # every request: a PDF takes CPU time to make
def result_pdf() -> ResponseReturnValue:
    """The result and the answers as a PDF, to keep or take along."""
    flow, given = rules.questionnaire, state.answers()
    if flow.next_page(given) is not None or not state.submitted():
        return redirect(url_for("patient.check_answers"))
    return _summary_pdf(rules.current.assess(given), given, flow.asked(given), "spine-triage-result.pdf")


def _summary_pdf(
    outcome: Outcome, answers: dict[str, Any], pages: list[Page], filename: str
) -> ResponseReturnValue:
    """The person's summary as a PDF: the outcome (early advice when partial) and the answers."""
    html = render_template(
        "patient/summary_pdf.html",
        outcome=outcome,
        early=outcome.partial,
        reference=state.reference(),
        pages=pages,
        answers=answers,
        today=date.today(),
    )
    return pdf.download(html, filename)


@bp.route("/check-answers", methods=["GET", "POST"])
@SAVING_FORMS
def check_answers() -> ResponseReturnValue:
    """Every answer with a link to change it; confirming it gives the result."""
    flow, given = rules.questionnaire, state.answers()
    missing = flow.next_page(given)
    if missing is not None:
        return redirect(url_for("patient.question_page", page_id=missing.id))
    if request.method == "POST":
        if state.submitted() and state.reference():  # confirmed twice: it is saved already
            return redirect(url_for("patient.result"))
        state.mark_submitted(_record(rules.current.assess(given)))
        return redirect(url_for("patient.result"))
    return render_template("patient/check_answers.html", pages=flow.asked(given), answers=given)


@bp.get("/result")
def result() -> ResponseReturnValue:
    """The level, what to do, why, the safety net and the not-a-diagnosis statement."""
    return _result_page(None)


@bp.post("/call-back")
@SAVING_FORMS
def call_back() -> ResponseReturnValue:
    """Save a consented call-back request for this result; on a problem, show the result again.

    After the answers timed out, the request is taken for the saved result whose address's secret
    the form carries; without one, the page says plainly that it was not sent."""
    given = state.answers()
    if rules.questionnaire.next_page(given) is not None or not state.submitted():
        return saved.late_call_back()
    reference = state.reference()
    if reference is not None and state.callback_sent() == reference:  # sent twice: saved already
        return redirect(url_for("patient.call_back_sent"))
    level = rules.current.assess(given).level
    form = callback_form(level, request.form)
    if reference is None or not form.validate():
        return _result_page(form)
    failed = saved.save_callback(reference, level, form)
    if failed is not None:
        return failed
    state.mark_callback_sent(reference)
    return redirect(url_for("patient.call_back_sent"))


@bp.get("/call-back/sent")
def call_back_sent() -> ResponseReturnValue:
    """Confirmation of a call-back request, with the reference code."""
    reference = state.reference()
    if reference is None or state.callback_sent() != reference:
        return redirect(url_for("patient.result"))
    advice = rules.current.assess(state.answers()).advice
    return render_template("patient/callback_sent.html", reference=reference, advice=advice)


def _result_page(form: CallbackForm | None) -> ResponseReturnValue:
    flow, given = rules.questionnaire, state.answers()
    if flow.next_page(given) is not None or not state.submitted():
        return redirect(url_for("patient.check_answers"))
    outcome = rules.current.assess(given)
    reference = state.reference()
    idle = _idle()
    if idle is not None and request.method == "POST":  # the call-back form shown again: "more time"
        idle = dataclasses.replace(
            idle, keep_url=url_for("patient.keep_answers", next=url_for("patient.result"))
        )
    return render_template(
        "patient/result.html",
        idle=idle,
        outcome=outcome,
        pages=flow.asked(given),
        answers=given,
        today=date.today(),
        reference=reference,
        callback_form=form or callback_form(outcome.level),
        callback_sent=reference is not None and state.callback_sent() == reference,
        saved_address=saved.address_secret(),
    )


@bp.post("/start-again")
def start_again() -> ResponseReturnValue:
    """Forget every answer and go back to the start."""
    state.clear()
    flash("cleared")
    return redirect(url_for("patient.start"))


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The site's icon, where a browser looks for it without being told."""
    return send_from_directory(current_app.static_folder or "static", "favicon.ico", mimetype="image/x-icon")


@bp.get("/rules")
def how_it_decides() -> ResponseReturnValue:
    """Every rule in plain language, with its level and source, and the rules version."""
    return render_template("patient/rules.html", ruleset=rules.current)


def _submit(
    page: Page, form: FlaskForm, given: dict[str, Any], lang: str
) -> tuple[Submission, dict[str, str]]:
    """The page's answers checked, and every message for it (a list's "none" ticked with others too)."""
    mixed = none_with_others(page.questions, form)
    posted = {k: v for k, v in to_answers(page.questions, form).items() if k not in mixed}
    sent = rules.questionnaire.submit(
        (page,), given, posted, lang, state.advised(), practice=practice_details(lang)
    )
    return sent, {**sent.errors, **mixed}


def _record_early_exit() -> None:
    """Save the early exit's partial assessment at once, so its advice has a reference code."""
    outcome = rules.current.assess_partial(state.answers())
    state.mark_early_exit(_record(outcome, alerts.wanted(AlertKind.EARLY_EXIT, outcome.level)), outcome.level)


def _record(outcome: Outcome, alert: AlertKind | None = None) -> str | None:
    """Save an outcome (into the early exit's record, if there is one), with the alert to queue about
    it; None when it cannot be saved."""
    try:
        told, language, earlier = plain(outcome.action), current_language(), state.reference()
        saved = repository.record_outcome(outcome, Channel.ONLINE, language, told, earlier, alert=alert)
    except StorageUnavailable:  # the advice never depends on the database; the page says so
        return None
    if alert:
        alerts.queued()
    return saved


def _typed(page: Page) -> dict[str, list[str]]:
    """What the person typed in this page's questions, as sent."""
    return {k: v for k, v in request.form.to_dict(flat=False).items() if k in page.question_ids}


def _typed_page() -> Page | None:
    """The question page whose form this request sent: the page itself, or "more time" asked on it."""
    if request.endpoint == "patient.question_page":
        page_id = (request.view_args or {}).get("page_id")
    else:
        page_id = request.args.get("page") if request.endpoint == "patient.keep_answers" else None
    return rules.questionnaire.page(page_id) if page_id else None


def _here() -> str:
    """This page's address, to come back to."""
    return request.full_path.rstrip("?")


def _onward(route: Route, returning: str | None) -> str:
    """The address of where the routing leads: the urgent advice, a page, or check your answers."""
    if route.early_exit:
        return url_for("patient.urgent_advice")
    if route.page is None:
        return url_for("patient.check_answers")
    if returning == CHECK:
        return url_for("patient.question_page", page_id=route.page.id, returning=CHECK)
    return url_for("patient.question_page", page_id=route.page.id)
