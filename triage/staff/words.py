"""The staff templates' words for levels, statuses, channels, call-back times and audit actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import format_percent, format_timedelta
from flask_babel import gettext as _

from triage.engine.contract import UNSURE, Kind
from triage.engine.notable import Notable
from triage.staff import bp
from triage.web import labels
from triage.web.i18n import current_language
from triage.web.templating import AUTONYMS, answer_word


@bp.context_processor
def staff_words() -> dict[str, Any]:
    """Helpers for the staff templates: the word for each stored code (triage/web/labels.py)."""
    return {
        "level_word": lambda level: labels.word(labels.LEVELS, level),
        "status_word": lambda status: labels.word(labels.STATUSES, status),
        "channel_word": lambda channel: labels.word(labels.CHANNELS, channel),
        "window_word": lambda window: labels.word(labels.TIME_WINDOWS, window),
        "action_word": lambda action: labels.word(labels.ACTIONS, action),
        "detail_words": labels.audit_detail,
        "level_short": lambda level: labels.word(labels.LEVELS_SHORT, level),
        "language_word": lambda code: AUTONYMS.get(code, code),
        "percent": lambda share: str(format_percent(share)),
        "notable_words": notable_words,
        "time_left": time_left,
        "span": span,
    }


def notable_words(notable: Notable) -> str:
    """A positive answer in the page's language, as the contract words it ("Night pain", "Cancer:
    Current", "Fever (not sure)")."""
    question = notable.question
    label = question.label.get(current_language())
    if question.kind is Kind.YES_NO:
        return str(_("%(label)s (not sure)", label=label)) if notable.values[0] == UNSURE else label
    return f"{label}: {', '.join(answer_word(value, question) for value in notable.values)}"


def span(length: timedelta) -> str:
    """A length of time in words, to the minute ("3 hours", "2 days")."""
    return str(format_timedelta(length, granularity="minute", threshold=1.5))


def time_left(left: timedelta | None) -> str:
    """The time left against a record's target, or how long it is overdue ("" when it is not new)."""
    if left is None:
        return ""
    if left < timedelta(0):
        return str(_("Overdue by %(span)s", span=span(-left)))
    return str(_("%(span)s left", span=span(left)))
