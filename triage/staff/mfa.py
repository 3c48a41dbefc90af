"""Staff multi-factor authentication: TOTP (RFC 6238, with pyotp) and one-time recovery codes.

The TOTP secret is kept encrypted with a key derived from SECRET_KEY (a database copy alone does
not give the codes); recovery codes are kept only as SHA-256 hashes (80 random bits each, far
beyond guessing, so a fast hash is enough). A code's time step is remembered, so a code seen by
someone over a shoulder cannot be used again; codes are spent by compare-and-set in the database,
so one code logs in once even when sent many times at the same moment. Wrong codes in a row lock
the account for a while, whatever address they come from (the count is kept with the account).
The QR code is drawn on the server (segno) as SVG markup in the page: no image from elsewhere,
nothing inline for the CSP to refuse.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta

import pyotp
import segno
from cryptography.fernet import InvalidToken
from flask import current_app
from markupsafe import Markup

from triage.ops import alerts
from triage.storage import repository
from triage.storage.codes import AlertKind, Role
from triage.storage.models import StaffUser
from triage.storage.repository import CodeAttempt
from triage.web.sessions import sealer

ISSUER = "Spine Triage"
RECOVERY_CODES = 10
_PURPOSE = b"staff mfa secret"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Who must use MFA: "required" (everyone; a deployment's default) or "admins" (admins only).
EVERYONE, ADMINS_ONLY = "required", "admins"


def required_for(user: StaffUser) -> bool:
    """Whether this account must use MFA: always for admins; for everyone unless STAFF_MFA=admins."""
    return user.role == Role.ADMIN or current_app.config["STAFF_MFA"] != ADMINS_ONLY


def enrolled(user: StaffUser) -> bool:
    """Whether the account has an authenticator app set up."""
    return bool(user.mfa_secret)


def new_secret() -> str:
    """A new TOTP secret (160 random bits, base32, as authenticator apps take it)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """A secret in groups of four, to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(secret: str, username: str) -> Markup:
    """The QR code an authenticator app scans, as SVG markup for the page."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    code = segno.make(uri, error="m")
    svg = code.svg_inline(border=4, dark="#0b0c0c", light="#ffffff", omitsize=True)  # scaled by CSS
    # segno's own SVG of a URI made here: no markup from anyone else reaches the page.
    return Markup(svg)  # noqa: S704  # nosec B704


def code_matches(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step of a valid code (this one or the one either side), or None; a step at or before
    `last_step` was used already and does not count."""
    typed = "".join(code.split())
    if not (typed.isdigit() and len(typed) == 6):
        return None
    totp, now = pyotp.TOTP(secret), int(time.time())
    for offset in (0, -1, 1):
        step = now // totp.interval + offset
        fresh = last_step is None or step > last_step
        if fresh and secrets.compare_digest(totp.at(step * totp.interval), typed):
            return step
    return None


def seal(secret: str) -> str:
    """A TOTP secret encrypted for storage."""
    return sealer(current_app, _PURPOSE).encrypt(secret.encode("ascii")).decode("ascii")


def secret_of(user: StaffUser) -> str | None:
    """The account's TOTP secret, or None when not enrolled or sealed with a key no longer known."""
    if not user.mfa_secret:
        return None
    try:
        return sealer(current_app, _PURPOSE).decrypt(user.mfa_secret.encode("ascii")).decode("ascii")
    except InvalidToken:
        return None


def recovery_codes() -> list[str]:
    """New one-time recovery codes: 16 characters (80 bits) each, in groups of four."""
    codes = ["".join(secrets.choice(_CROCKFORD) for _ in range(16)) for _ in range(RECOVERY_CODES)]
    return ["-".join(code[i : i + 4] for i in range(0, 16, 4)) for code in codes]


def recovery_hash(code: str) -> str:
    """The hash a recovery code is kept as, however it was typed (case, spaces, dashes)."""
    normal = "".join(char for char in code.upper() if char.isalnum())
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def enrol(user: StaffUser, secret: str, step: int) -> list[str] | None:
    """Store the secret confirmed with the code of time step `step` (never accepted again), and new
    recovery codes: audited, and emailed to the admins where alerts are on. The codes, to show once;
    None when the account had a second factor set up meanwhile (nothing changed)."""
    codes = recovery_codes()
    hashes = [recovery_hash(c) for c in codes]
    done = repository.enrol_mfa(user, seal(secret), hashes, step, alert=alerts.enabled())
    if done:
        alerts.queued()
    return codes if done else None


def verify(user: StaffUser, code: str) -> str | None:
    """Check a code at login: "totp" or "recovery" (used up now) when it is right, else None.

    Each is spent by compare-and-set in the database: one code logs in once, however many
    requests bring it at the same moment, on one server or several."""
    secret = secret_of(user)
    step = code_matches(secret, code, user.mfa_last_step) if secret else None
    if step is not None and repository.spend_totp_step(user, step):
        return "totp"
    typed = recovery_hash(code)
    stored = next((known for known in user.mfa_recovery or [] if secrets.compare_digest(known, typed)), None)
    if stored is not None and repository.spend_recovery_code(user, stored) is not None:
        return "recovery"
    return None


def reset(user: StaffUser, by: str) -> None:
    """Forget the account's authenticator and recovery codes (it enrols again at its next login) and
    end its sessions: audited as done by `by`, and emailed to the admins where alerts are on."""
    repository.reset_mfa(user, by, alert=alerts.enabled())
    alerts.queued()


def code_attempt(user: StaffUser) -> CodeAttempt:
    """Whether a second-factor code may be checked for the account now (counted: see
    repository.take_code_attempt); MFA_FAILURES_PER_ACCOUNT in a row lock it for MFA_LOCK_MINUTES."""
    config = current_app.config
    until = datetime.now(UTC) + timedelta(minutes=int(config["MFA_LOCK_MINUTES"]))
    return repository.take_code_attempt(user, int(config["MFA_FAILURES_PER_ACCOUNT"]), until)


def code_checked(user: StaffUser, attempt: CodeAttempt, right: bool) -> None:
    """After a code was checked: a right one starts the count again; a wrong last try locked the
    account, which is emailed to the admins where alerts are on."""
    if right:
        repository.code_was_right(user)
    elif attempt is CodeAttempt.LAST and alerts.enabled():
        repository.queue_account_alert(AlertKind.CODES_LOCKED, user.username)
        alerts.queued()
