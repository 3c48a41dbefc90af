"""The words for every stored code and level, in the page's language: the one place they are written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from triage.engine import Level
from triage.storage.codes import Action, Channel, Status, TimeWindow

LEVELS = {
    Level.AMBULANCE.value: _l("Ambulance now"),
    Level.EMERGENCY.value: _l("Go to the emergency department now"),
    Level.URGENT.value: _l("Urgent: today"),
    Level.SOON.value: _l("Soon: 1 to 2 weeks"),
    Level.INFORMATION.value: _l("Information"),
}
#: The levels in a word, where space is short (the dashboard's charts).
LEVELS_SHORT = {
    Level.AMBULANCE.value: _l("Ambulance"),
    Level.EMERGENCY.value: _l("Emergency"),
    Level.URGENT.value: _l("Urgent"),
    Level.SOON.value: _l("Soon"),
    Level.INFORMATION.value: _l("Information"),
}
STATUSES = {Status.NEW: _l("New"), Status.CONTACTED: _l("Contacted"), Status.CLOSED: _l("Closed")}
CHANNELS = {Channel.ONLINE: _l("Online"), Channel.PHONE: _l("Phone"), Channel.API: _l("API")}
TIME_WINDOWS = {
    TimeWindow.MORNING: _l("In the morning (9:00 to 12:00)"),
    TimeWindow.AFTERNOON: _l("In the afternoon (12:00 to 17:00)"),
    TimeWindow.ANY: _l("Any time the practice is open"),
    TimeWindow.TODAY: _l("Today (urgent)"),
}
ACTIONS = {
    Action.VIEW: _l("Viewed a record"),
    Action.VIEW_QUEUE: _l("Viewed the queue"),
    Action.LOOKUP: _l("Found a record by its reference"),
    Action.STATUS: _l("Changed a status"),
    Action.OVERRIDE: _l("Changed a record's urgency level"),
    Action.VIEW_DASHBOARD: _l("Viewed the dashboard"),
    Action.PHONE_CALL: _l("Took a phone call"),
    Action.EXPORT: _l("Exported the queue"),
    Action.LOGIN: _l("Logged in"),
    Action.LOGIN_FAILED: _l("Failed to log in"),
    Action.LOGOUT: _l("Logged out"),
    Action.DISABLE_USER: _l("Disabled an account"),
    Action.SET_PASSWORD: _l("Set a new password"),
    Action.MFA_ENROL: _l("Set up an authenticator app"),
    Action.MFA_RESET: _l("Reset an account's code app"),
    Action.UNLOCK: _l("Unlocked an account"),
    Action.CREATE_API_KEY: _l("Made an API key"),
    Action.REVOKE_API_KEY: _l("Revoked an API key"),
    Action.FHIR_EXPORT: _l("Read a record as FHIR"),
    Action.LOOKUP_UNKNOWN: _l("Looked up a reference code that finds no record"),
    Action.READ_REFUSED: _l("Refused a record to an API key that did not save it"),
}

#: The audit trail's details that are codes, not free text: what they mean in words.
AUDIT_DETAILS = {
    "mfa totp": _l("with a code from the app"),
    "mfa recovery": _l("with a recovery code"),
    "mfa set up": _l("after setting up the code app"),
    "wrong code": _l("wrong code from the app"),
    "wrong": _l("wrong username or password"),
    "wait": _l("too many failed logins: asked to wait"),
    "early exit": _l("early exit"),
    "phone result": _l("the result read out on the phone"),
    "summary PDF": _l("the surgeon's summary as PDF"),
    "idle for 30 minutes": _l("idle for 30 minutes"),
    "12 hours since logging in": _l("12 hours since logging in"),
    "recorded when the database was back": _l("recorded when the database was back"),
}
#: How an override's detail is stored: the tool's level, then the clinician's ("urgent -> soon").
_OVERRIDE_ARROW = " -> "


def audit_detail(action: str, detail: str | None) -> str:
    """An audit entry's detail in words: a status or a change of level in the page's language, a
    known code as words, anything else as it was stored."""
    if not detail:
        return ""
    if action == Action.STATUS:
        return word(STATUSES, detail)
    if action == Action.OVERRIDE and _OVERRIDE_ARROW in detail:
        tool, changed = detail.split(_OVERRIDE_ARROW, 1)
        return f"{word(LEVELS, tool)} → {word(LEVELS, changed)}"
    return word(AUDIT_DETAILS, detail)


def word(words: Mapping[Any, object], code: str) -> str:
    """The word for a stored code, or the code itself where it has none (a record from an older version)."""
    return str(words.get(code, code))
