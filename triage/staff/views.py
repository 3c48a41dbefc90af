"""The queue, look-up by reference, a record's detail and status, the audit trail and the export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from triage.engine import Level
from triage.extensions import rules
from triage.staff import bp, drafts, targets
from triage.staff import dashboard as figures
from triage.staff.auth import STAFF, STAFF_SAVES, requires
from triage.staff.forms import (
    EVERY_RECORD,
    DashboardForm,
    LookupForm,
    OverrideForm,
    QueueFilterForm,
    StatusForm,
)
from triage.staff.lookups import STAFF_LOOKUPS, missed
from triage.storage import repository
from triage.storage.codes import Action, Channel, Role, Status
from triage.storage.models import Assessment
from triage.storage.repository import QueueFilter
from triage.web import pdf
from triage.web.formatting import local_iso, practice_zone
from triage.web.summaries import grouped

#: `level` is the level the practice acts on: a clinician's where they changed it (who, when and why
#: follow), else the tool's; `tool_level` is always the tool's.
EXPORT_COLUMNS = (
    "reference",
    "created_at",
    "channel",
    "level",
    "tool_level",
    "level_changed_by",
    "level_changed_at",
    "level_change_reason",
    "status",
    "status_by",
    "status_at",
    "fired_rules",
    "rules_version",
    "callback_requested",
)

E = TypeVar("E", bound=Enum)
#: Who may set another urgency level on a record, and see the dashboard: not reception.
CLINICIANS = (Role.CLINICIAN, Role.ADMIN)
#: A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/")
@requires(*STAFF)
def queue() -> ResponseReturnValue:
    """Who needs a call back: most urgent first, overdue first within a level, then oldest; filter by
    status, level, channel, date."""
    form, filters = _filters()
    now = datetime.now(UTC)
    items = repository.queue(filters, overdue_before=targets.overdue_before(now))
    repository.audit(current_user.username, Action.VIEW_QUEUE, detail=f"{len(items)} records shown")
    newest = repository.newest_arrival(filters)
    return render_template(
        "staff/queue.html",
        rows=targets.queue_rows(items, now),
        filters=form,
        lookup=LookupForm(formdata=None),
        shown_until=_utc(newest) if newest else now.isoformat(),
    )


@bp.get("/queue/news")
@requires(*STAFF)
def queue_news() -> ResponseReturnValue:
    """For the queue's script: how many records these filters show arrived after `after`, and when
    the newest did. A count and a time only; asking does not keep an idle session going."""
    after = _moment(request.args.get("after", ""))
    if after is None:
        return {"error": "after: not an ISO 8601 time"}, 400
    news = repository.queue_news(_filters()[1], after)
    return {"count": news.count, "newest": _utc(news.newest) or None}


@bp.get("/lookup")
@STAFF_LOOKUPS
@requires(*STAFF)
def lookup() -> ResponseReturnValue:
    """Find a record by the reference code a caller reads out (a miss is audited and counted)."""
    typed = request.args.get("reference", "")
    if not typed:
        flash(_("Enter a reference code."))
        return redirect(url_for("staff.queue"))
    found = repository.find_assessment(typed)
    if found is None:
        missed(current_user.username, typed)
        flash(_("No record has the reference code %(code)s.", code=typed.strip()[:20]))
        return redirect(url_for("staff.queue"))
    repository.audit(current_user.username, Action.LOOKUP, target=found.reference)
    return redirect(url_for("staff.record", reference=found.reference))


@bp.get("/assessments/<reference>")
@STAFF_LOOKUPS
@requires(*STAFF)
def record(reference: str) -> ResponseReturnValue:
    """One record: answers, result, fired rules, rules version, call-back requests, status."""
    assessment = _assessment(reference)
    repository.audit(current_user.username, Action.VIEW, target=assessment.reference)
    draft = drafts.take(current_user.id)  # typed here before a logout: filled in again, not saved
    typed = {draft.form: draft.typed} if draft else {}
    status = StatusForm(formdata=typed.get("staff.change_status"), status=assessment.status)
    override = OverrideForm(formdata=typed.get("staff.override"), level=assessment.urgency)
    return _record_page(assessment, status, override, kept=draft.form if draft else None)


@bp.get("/assessments/<reference>/summary.pdf")
@STAFF_LOOKUPS
@requires(*STAFF)
def summary_pdf(reference: str) -> ResponseReturnValue:
    """The surgeon's one-page summary of a record, as a PDF to save or send on."""
    assessment = _assessment(reference)
    repository.audit(current_user.username, Action.VIEW, target=assessment.reference, detail="summary PDF")
    html = render_template("staff/summary_pdf.html", **_record_context(assessment))
    return pdf.download(html, f"spine-triage-{assessment.reference}.pdf")


@bp.post("/assessments/<reference>/status")
@STAFF_SAVES
@STAFF_LOOKUPS
@requires(*STAFF)
def change_status(reference: str) -> ResponseReturnValue:
    """Mark a record contacted or closed, with a note; who and when are recorded."""
    assessment = _assessment(reference)
    form = StatusForm()
    if not form.validate():
        return _record_page(assessment, form), 400
    repository.set_status(
        assessment.reference, form.status.data, (form.note.data or "").strip(), current_user.username
    )
    repository.audit(
        current_user.username, Action.STATUS, target=assessment.reference, detail=form.status.data
    )
    flash(_("Status saved."))
    return redirect(url_for("staff.record", reference=assessment.reference))


@bp.post("/assessments/<reference>/override")
@STAFF_SAVES
@STAFF_LOOKUPS
@requires(*CLINICIANS)
def override(reference: str) -> ResponseReturnValue:
    """A clinician sets the urgency level the practice acts on, with a reason; who and when are kept."""
    assessment = _assessment(reference)
    form = OverrideForm()
    if not form.validate():
        return _record_page(assessment, StatusForm(formdata=None, status=assessment.status), form), 400
    level = Level(form.level.data)
    repository.set_override(
        assessment.reference, level, (form.reason.data or "").strip(), current_user.username
    )
    repository.audit(
        current_user.username,
        Action.OVERRIDE,
        target=assessment.reference,
        detail=f"{assessment.level} -> {level.value}",
    )
    flash(_("The level is saved."))
    return redirect(url_for("staff.record", reference=assessment.reference))


@bp.get("/dashboard")
@requires(*CLINICIANS)
def dashboard() -> ResponseReturnValue:
    """How the practice is doing, week by week: levels, early exits, call-back times, overrides."""
    form = DashboardForm(formdata=request.args)
    now = datetime.now(UTC)
    weeks = figures.iso_weeks(now, practice_zone(), form.period)
    rows = repository.dashboard_rows(weeks[0].start, weeks[-1].end)
    overdue = repository.overdue_count(targets.overdue_before(now))
    repository.audit(current_user.username, Action.VIEW_DASHBOARD, detail=f"{form.period} weeks")
    return render_template(
        "staff/dashboard.html",
        form=form,
        figures=figures.dashboard(rows, weeks, overdue),
        levels=figures.LEVELS,
    )


@bp.get("/audit")
@requires(Role.ADMIN)
def audit_trail() -> ResponseReturnValue:
    """Every view and change, newest first (admins only)."""
    return render_template("staff/audit.html", entries=repository.audit_trail())


@bp.get("/export.csv")
@requires(Role.ADMIN)
def export() -> ResponseReturnValue:
    """The queue as CSV, with the current filters (admins only). No names or phone numbers."""
    items = repository.queue(_filters()[1], limit=10_000)
    repository.audit(current_user.username, Action.EXPORT, detail=f"{len(items)} records")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for item in items:
        writer.writerow(
            _safe_cell(cell)
            for cell in [
                item.reference,
                local_iso(item.created_at),
                item.channel,
                item.urgency,
                item.level,
                *_override_cells(item),
                item.status,
                item.status_by or "",
                local_iso(item.status_at),
                " ".join(item.fired_rules),
                item.rules_version,
                "yes" if item.callbacks else "no",
            ]
        )
    filename = f"spine-triage-queue-{date.today().isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def _override_cells(item: Assessment) -> list[str]:
    """Who changed the level, when and why; blank where the tool's level stands."""
    if not item.override_level:
        return ["", "", ""]
    return [item.override_by or "", local_iso(item.override_at), item.override_reason or ""]


def _safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading quote before anything it would compute."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _assessment(reference: str) -> Assessment:
    found = repository.find_assessment(reference)
    if found is None:
        missed(current_user.username, reference)
        abort(404)
    return found


def _record_page(
    assessment: Assessment, form: StatusForm, override: OverrideForm | None = None, kept: str | None = None
) -> str:
    """The record page; `kept`: the form (its endpoint) filled in with a draft kept at a logout."""
    return render_template(
        "staff/record.html",
        form=form,
        override=override or OverrideForm(formdata=None, level=assessment.urgency),
        may_override=current_user.role in CLINICIANS,
        kept=kept,
        countdown=targets.queue_row(assessment, datetime.now(UTC)),
        **_record_context(assessment),
    )


def _record_context(assessment: Assessment) -> dict[str, Any]:
    """What the record page and its summary show: the record, its outcome again, its answers grouped."""
    ruleset = rules.current
    same_rules = assessment.rules_hash == ruleset.version.content_hash
    outcome = None
    if same_rules:  # the outcome again, exactly as it was given: every fired rule, its level and guidance
        assess = ruleset.assess_partial if assessment.partial else ruleset.assess
        outcome = assess(assessment.answers)
    return {
        "item": assessment,
        "outcome": outcome,
        "contract": ruleset.contract,
        "level_advice": ruleset.levels[Level(assessment.level)],
        "answered": grouped(ruleset.contract, assessment.answers),
    }


def _filters() -> tuple[QueueFilterForm, QueueFilter]:
    """The queue's filters from the query string; anything not understood is ignored."""
    form = QueueFilterForm(formdata=request.args)
    form.validate()  # a date that is not one is left out (its data is None)
    chosen = QueueFilter(
        status=_code(Status, form.status.data),
        level=_code(Level, form.level.data),
        channel=_code(Channel, form.channel.data),
        since=form.since.data,
        until=form.until.data,
        actionable_only=form.show.data != EVERY_RECORD,
    )
    return form, chosen


def _code(codes: type[E], text: str | None) -> E | None:
    """The code named in the query string, or None for anything that is not one."""
    try:
        return codes(text) if text else None
    except ValueError:
        return None


def _moment(text: str) -> datetime | None:
    """An ISO 8601 time as a time in UTC (one without an offset is taken as UTC); None for text
    that is not one, or a time whose UTC falls outside the calendar (0001-01-01T00:00+01:00)."""
    try:
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _utc(moment: datetime | None) -> str:
    """An ISO 8601 time in UTC with its offset, whichever database gave it back (SQLite drops it)."""
    if moment is None:
        return ""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
