"""The codes stored in the database, one vocabulary for every layer. Their words: triage/web/labels.py."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a member of staff may do: reception and clinicians alike; admins also audit and export."""

    RECEPTION = "reception"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Channel(StrEnum):
    """How an assessment reached the practice."""

    ONLINE = "online"
    PHONE = "phone"
    API = "api"


class Status(StrEnum):
    """Where a record is in the queue: new -> contacted -> closed."""

    NEW = "new"
    CONTACTED = "contacted"
    CLOSED = "closed"


class TimeWindow(StrEnum):
    """When a person asked to be called back."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    ANY = "any"
    TODAY = "today"  # an urgent result: the practice calls back today, never later


class AlertKind(StrEnum):
    """What an alert email tells the practice has arrived."""

    CALLBACK = "callback"  # a call-back request
    EARLY_EXIT = "early_exit"  # the emergency advice shown after the warning signs
    # About a staff account, to its admins whatever ALERT_MIN_LEVEL says:
    MFA_ENROLLED = "mfa_enrolled"  # an authenticator app was set up (or set up again after a reset)
    MFA_RESET = "mfa_reset"  # an account's authenticator app and recovery codes were forgotten
    CODES_LOCKED = "codes_locked"  # too many wrong second-factor codes: the account is locked
    LOGINS_HELD = "logins_held"  # too many wrong passwords: new browsers wait before trying again


class Action(StrEnum):
    """What an audit-trail entry records."""

    VIEW = "view"
    VIEW_QUEUE = "view_queue"
    LOOKUP = "lookup"
    STATUS = "status"
    OVERRIDE = "override"  # a clinician set another urgency level on a record
    VIEW_DASHBOARD = "view_dashboard"
    PHONE_CALL = "phone_call"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    DISABLE_USER = "disable_user"
    MFA_ENROL = "mfa_enrol"
    MFA_RESET = "mfa_reset"
    UNLOCK = "unlock"  # an admin lifted an account's lock or back-off
    CREATE_API_KEY = "create_api_key"
    REVOKE_API_KEY = "revoke_api_key"
    FHIR_EXPORT = "fhir_export"  # a record read as FHIR (the API, or `python -m triage fhir export`)
    # An audit action's code, not a password.
    SET_PASSWORD = "set_password"  # noqa: S105  # nosec B105
    LOOKUP_UNKNOWN = "lookup_unknown"  # a reference code looked up that finds no record
    READ_REFUSED = "read_refused"  # an API key asked for a record it did not save (and may not read)


class KeyScope(StrEnum):
    """What an API key may do: save assessments and read back its own, or also read every record."""

    SAVE = "save"  # save assessments; read back only the ones it saved
    READ = "read"  # save, and read every record (the practice's electronic record)
