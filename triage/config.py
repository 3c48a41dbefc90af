"""Settings: safe defaults here, real values from the environment; secrets only from the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from triage.engine import DEFAULT_RULES_DIR, Level
from triage.web.json_provider import json_text
from triage.web.opening import OpeningTimes, OpeningTimesInvalid

#: The practice's demo details (triage/practice_demo.yaml): by language, "en" holding every setting.
_DEMO: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).with_name("practice_demo.yaml")).read_text("utf-8")
)
#: The practice's details shown to patients, with their demo defaults; a deployment sets every one.
PRACTICE_DEFAULTS: dict[str, str] = _DEMO["en"]
_LOCAL_DEFAULTS = {lang: texts for lang, texts in _DEMO.items() if lang != "en"}
#: Practice settings that may also be given per language (NAME_EL …).
_LOCALISED_PRACTICE = ("PRACTICE_NAME_", "OPENING_HOURS_", "PRACTICE_PHONE_", "PRACTICE_EMAIL_")
#: The throttling settings read from the environment: the store, and each limit (limits' syntax:
#: "10 per minute; 100 per day").
RATE_LIMITS = (
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_PATIENT_PAGES",
    "RATELIMIT_PATIENT_FORMS",
    "RATELIMIT_API_ADDRESS",
    "RATELIMIT_API_KEY",
    "RATELIMIT_STAFF_SAVES",
    "RATELIMIT_STAFF_LOOKUPS",
    "RATELIMIT_PDF",
    "LOGIN_FAILURES_PER_SOURCE",
    "LOGIN_FAILURES_PER_ACCOUNT",
)


class Defaults:
    """Configuration every app starts from."""

    RULES_DIR = str(DEFAULT_RULES_DIR)
    MAX_CONTENT_LENGTH = 16 * 1024  # an answer set is well under 2 KB
    DEFAULT_LANGUAGE = "en"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: None: Secure (named __Host-session) unless the app runs in debug or testing (triage/web/headers.py).
    SESSION_COOKIE_SECURE: bool | None = None
    WTF_CSRF_TIME_LIMIT = 3600
    RETENTION_DAYS = 90
    #: After this long without activity a patient's answers are cleared and a staff session ends.
    IDLE_LIMIT_SECONDS = 30 * 60
    #: However active, a staff session ends this long after logging in (then log in again).
    STAFF_SESSION_LIMIT_SECONDS = 12 * 60 * 60
    RATELIMIT_HEADERS_ENABLED = True
    # hide_parameters: SQL logged at INFO must never carry answers, names or phone numbers.
    # json_serializer: JSON columns written compact, keys in their order (triage/web/json_provider.py).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "json_serializer": json_text,
    }
    # Flask-Limiter's settings. Set here, not left to its defaults: the one limiter keeps what an
    # app set (RATELIMIT_ENABLED=false) for the next app in the same process. Off (for development)
    # it also stops counting wrong passwords and codes; the database's per-account cap on codes stays.
    RATELIMIT_ENABLED = True
    # One process: memory. Several servers: a shared store, e.g. redis://host:6379 (RATELIMIT_STORAGE_URI).
    RATELIMIT_STORAGE_URI = "memory://"
    # If that store cannot be reached, limits are counted in each process's memory until it is back
    # (a patient's answers never get a server error from it).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Requests that save something, per address (the API also per key): a person answers a page or
    # two a minute and confirms once; a script flooding the reception's queue is stopped.
    RATELIMIT_PATIENT_PAGES = "60 per minute; 1000 per day"  # question pages (an early exit saves)
    RATELIMIT_PATIENT_FORMS = "10 per minute; 100 per day"  # confirming answers, call-back requests
    RATELIMIT_API_ADDRESS = "60 per minute; 5000 per day"
    RATELIMIT_API_KEY = "600 per minute"
    RATELIMIT_STAFF_SAVES = "60 per minute; 2000 per day"  # phone calls and status changes, per account
    RATELIMIT_STAFF_LOOKUPS = "10 per minute; 100 per day"  # reference codes that find no record, per account
    RATELIMIT_PDF = "10 per minute; 200 per day"  # a patient's PDFs, per address (each takes CPU time)
    # Failed logins (password or MFA code): per username and address (or known browser), and per
    # username from browsers it never logged in on. Back-off, not lockout: see triage/staff/accounts.py.
    LOGIN_FAILURES_PER_SOURCE = "5 per 15 minutes"
    LOGIN_FAILURES_PER_ACCOUNT = "20 per hour"
    # Second-factor codes: this many wrong in a row for one account, from any address and any
    # server, lock it for this many minutes (the count is kept with the account; `users unlock`).
    MFA_FAILURES_PER_ACCOUNT = 10
    MFA_LOCK_MINUTES = 15
    #: Who must use multi-factor authentication: "required" (every account) or "admins".
    STAFF_MFA = "required"
    #: Logs: one JSON object a line ("json") or plain text ("text"), from this level up.
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"
    # Behind a reverse proxy, how many proxies set X-Forwarded-For/-Proto (0: none; see README).
    PROXY_COUNT = 0
    #: Staff pages, PDFs and exports show times in this zone (an IANA name); stored times stay UTC.
    PRACTICE_TIMEZONE = "Europe/Athens"
    #: When the practice is open, in PRACTICE_TIMEZONE: an urgent ("today") record is due by closing
    #: time, or one hour after the next opening if it arrives while the practice is closed. Days
    #: Mon to Sun, one span a day, entries split by commas: "Mon-Fri 09:00-17:00, Sat 09:00-13:00".
    #: Keep OPENING_HOURS, the words patients read, saying the same.
    PRACTICE_OPENING_TIMES = "Mon-Fri 09:00-17:00"
    #: The practice's own address, for links in alert emails (never taken from a request's Host).
    PUBLIC_BASE_URL = ""
    #: Alerts: who is emailed when a call-back request or an early exit at ALERT_MIN_LEVEL or above
    #: arrives (unset: no alerts). Emails hold a reference and a link, never health data.
    ALERT_EMAIL_TO = ""
    ALERT_MIN_LEVEL = "urgent"
    #: "thread": each server process sends queued alerts from a background thread; "command": only
    #: `python -m triage alerts send` does (from cron or a systemd timer).
    ALERT_SENDER = "thread"
    #: A failed email is tried again after 1, 2, 4 … minutes, at most an hour apart, 24 times in all.
    ALERT_RETRY_SECONDS = 60
    ALERT_RETRY_MAX_SECONDS = 3600
    ALERT_MAX_ATTEMPTS = 24
    #: How long a sender may hold an alert it claimed before another sender may take it over.
    ALERT_CLAIM_SECONDS = 120
    # SMTP (Flask-Mailman): MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME,
    # MAIL_PASSWORD (secret: environment only), MAIL_DEFAULT_SENDER, MAIL_TIMEOUT (seconds).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "spine-triage@localhost"
    MAIL_TIMEOUT = 10


class SettingInvalid(ValueError):
    """A setting that cannot work; start-up stops with a message naming it."""


#: Settings read from the environment as they are (text).
TEXT_SETTINGS = (
    "PRACTICE_TIMEZONE",
    "PRACTICE_OPENING_TIMES",
    "PUBLIC_BASE_URL",
    "ALERT_EMAIL_TO",
    "ALERT_MIN_LEVEL",
    "ALERT_SENDER",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
)
NUMBER_SETTINGS = (
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "ALERT_RETRY_SECONDS",
    "ALERT_MAX_ATTEMPTS",
    "MFA_FAILURES_PER_ACCOUNT",
    "MFA_LOCK_MINUTES",
)
SWITCH_SETTINGS = ("MAIL_USE_TLS", "MAIL_USE_SSL")


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The settings given in the environment (secret key, rules folder, practice details)."""
    names = [
        "SECRET_KEY",
        "RULES_DIR",
        "DEFAULT_LANGUAGE",
        "STAFF_MFA",
        "LOG_FORMAT",
        "LOG_LEVEL",
        "PRACTICE_TIMEZONE",
        *PRACTICE_DEFAULTS,
    ]
    settings: dict[str, Any] = {name: environ[name] for name in names if environ.get(name)}
    settings |= {
        name: value for name, value in environ.items() if value and name.startswith(_LOCALISED_PRACTICE)
    }
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    for number in ("RETENTION_DAYS", "IDLE_LIMIT_SECONDS", "STAFF_SESSION_LIMIT_SECONDS"):
        if environ.get(number):
            settings[number] = int(environ[number])
    if environ.get("PROXY_COUNT"):
        settings["PROXY_COUNT"] = int(environ["PROXY_COUNT"])
    settings |= {name: environ[name] for name in TEXT_SETTINGS if environ.get(name)}
    settings |= {name: int(environ[name]) for name in NUMBER_SETTINGS if environ.get(name)}
    settings |= {
        name: environ[name].lower() in ("1", "true", "yes") for name in SWITCH_SETTINGS if environ.get(name)
    }
    for limit in RATE_LIMITS:
        if environ.get(limit):
            settings[limit] = environ[limit]
    secure = environ.get("SESSION_COOKIE_SECURE", "").lower()
    if secure in ("1", "true", "yes"):
        settings["SESSION_COOKIE_SECURE"] = True
    elif secure in ("0", "false", "no"):  # plain http on purpose, e.g. `make run` on 127.0.0.1
        settings["SESSION_COOKIE_SECURE"] = False
    return settings


def practice_zone(settings: Mapping[str, Any]) -> ZoneInfo:
    """The practice's time zone (PRACTICE_TIMEZONE); SettingInvalid naming the setting for an unknown one."""
    name = str(settings.get("PRACTICE_TIMEZONE", Defaults.PRACTICE_TIMEZONE))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingInvalid(f"PRACTICE_TIMEZONE: {name!r} is not a time zone (e.g. Europe/Athens)") from exc


def opening_times(settings: Mapping[str, Any]) -> OpeningTimes:
    """The practice's opening times (PRACTICE_OPENING_TIMES); SettingInvalid saying what is wrong."""
    text = str(settings.get("PRACTICE_OPENING_TIMES", Defaults.PRACTICE_OPENING_TIMES))
    try:
        return OpeningTimes.parse(text, practice_zone(settings))
    except OpeningTimesInvalid as exc:
        raise SettingInvalid(f"PRACTICE_OPENING_TIMES: {exc}") from exc


def check(settings: Mapping[str, Any]) -> None:
    """Stop start-up on a setting that cannot work, saying which and why (SettingInvalid)."""
    practice_zone(settings)
    opening_times(settings)
    if settings.get("ALERT_EMAIL_TO"):
        base = str(settings.get("PUBLIC_BASE_URL") or "")
        if not base.startswith(("https://", "http://")):
            raise SettingInvalid(
                "ALERT_EMAIL_TO is set but PUBLIC_BASE_URL is not the practice's address "
                "(e.g. https://triage.example.org): alert emails link to the queue there"
            )
        if settings.get("ALERT_MIN_LEVEL") not in {level.value for level in Level}:
            raise SettingInvalid(
                f"ALERT_MIN_LEVEL={settings.get('ALERT_MIN_LEVEL')!r} is not a level: "
                + ", ".join(level.value for level in Level)
            )
        if settings.get("ALERT_SENDER") not in ("thread", "command"):
            raise SettingInvalid("ALERT_SENDER must be 'thread' or 'command'")


def practice_values(settings: Mapping[str, Any], lang: str | None = None) -> dict[str, str]:
    """The {placeholders} patient texts use, from settings (defaults where unset).

    A setting may be given per language, e.g. PRACTICE_NAME_EL or OPENING_HOURS_EL for Greek pages.
    """
    values = {}
    for name, default in PRACTICE_DEFAULTS.items():
        local = settings.get(f"{name}_{lang.upper()}") if lang else None
        local_default = _LOCAL_DEFAULTS.get(lang or "", {}).get(name) if name not in settings else None
        values[name.lower()] = str(local or settings.get(name) or local_default or default)
    return values


def instance_secret_key(instance_path: str | Path) -> str:
    """The secret key kept in the instance folder, made at random on first use (mode 0600)."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or just now by another process
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()


def default_database_uri(instance_path: str | Path) -> str:
    """The embedded SQLite database in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'triage.sqlite3'}"
