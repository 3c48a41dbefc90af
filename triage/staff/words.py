"""Short words the staff pages use for levels, statuses, channels and call-back times."""

from __future__ import annotations

from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from triage.patient.forms import TIME_WINDOWS
from triage.staff import bp

LEVELS = {
    "ambulance": _l("Ambulance now"),
    "emergency": _l("Emergency department now"),
    "urgent": _l("Urgent: today"),
    "soon": _l("Soon: 1 to 2 weeks"),
    "information": _l("Information"),
}
STATUSES = {"new": _l("New"), "contacted": _l("Contacted"), "closed": _l("Closed")}
CHANNELS = {"online": _l("Online"), "phone": _l("Phone"), "api": _l("API")}
#: What the audit trail's action codes mean.
ACTIONS = {
    "view": _l("Viewed a record"),
    "view_queue": _l("Viewed the queue"),
    "lookup": _l("Found a record by its reference"),
    "status": _l("Changed a status"),
    "phone_call": _l("Took a phone call"),
    "export": _l("Exported the queue"),
    "login": _l("Logged in"),
    "login_failed": _l("Failed to log in"),
    "logout": _l("Logged out"),
    "disable_user": _l("Disabled an account"),
    "set_password": _l("Set a new password"),
}


@bp.app_template_filter("datetimeformat")
def datetimeformat(moment: Any) -> str:
    """A date and time in the page's language and the server's time zone."""
    return str(format_datetime(moment, "short")) if moment else ""


@bp.context_processor
def staff_words() -> dict[str, Any]:
    """Helpers for the staff templates."""
    return {
        "level_word": lambda level: LEVELS.get(level, level),
        "status_word": lambda status: STATUSES.get(status, status),
        "channel_word": lambda channel: CHANNELS.get(channel, channel),
        "window_word": lambda window: TIME_WINDOWS.get(window, window),
        "action_word": lambda action: ACTIONS.get(action, action),
    }
