"""Staff accounts: argon2 password hashes, roles, and back-off after repeated failed logins."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

from triage.extensions import limiter
from triage.ops import alerts
from triage.storage import repository
from triage.storage.codes import AlertKind, Role
from triage.storage.models import StaffUser

_hasher = PasswordHasher()
#: Checked against when the username does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class LoginResult:
    """A user when the password was right; otherwise why not ("wrong", or "wait": too many failures)."""

    user: StaffUser | None
    problem: str | None = None


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def create(username: str, display_name: str, role: str, password: str) -> StaffUser:
    """A new account; raises ValueError for an unknown role, a taken name or a short password."""
    if role not in tuple(Role):
        raise ValueError(f"the role must be one of {', '.join(Role)}")
    check_strength(password)
    return repository.create_user(username, display_name, role, hash_password(password))


def check_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing (length matters most)."""
    if len(password) < 12:
        raise ValueError("the password must be at least 12 characters long")


def authenticate(username: str, password: str, source: str, device: str | None = None) -> LoginResult:
    """Check a login from `source` (the address), or from a browser this account logged in on
    before (`device`: that browser's id); "wait" after too many failures, "wrong" otherwise.

    Back-off, never a lockout a stranger can cause: failures count per username and address (or
    per username and known browser), and per username from browsers it never logged in on; a known
    browser gets in whatever strangers try. When a real account's logins from new browsers are held
    back the admins are told, and `users unlock` lifts it. Real and unknown usernames are counted
    alike, and every attempt checks one password hash, so neither the answer nor its time tells them apart.
    """
    counted = username.casefold()
    here = ("device", device) if device else ("address", source)
    per_source, per_account = _limit("LOGIN_FAILURES_PER_SOURCE"), _limit("LOGIN_FAILURES_PER_ACCOUNT")
    counter = failure_counter()
    waiting = counter is not None and (
        not counter.test(per_source, "login", counted, *here)
        or (device is None and not counter.test(per_account, "login-account", counted))
    )
    user = repository.find_user(username)
    real = user is not None and user.active
    right = _verify(user.password_hash if user is not None and real else _DUMMY_HASH, password)
    if waiting:
        return LoginResult(None, "wait")
    if user is None or not (real and right):
        if counter is not None:
            counter.hit(per_source, "login", counted, *here)
            if device is None:
                counter.hit(per_account, "login-account", counted)
                if real and counter.get_window_stats(per_account, "login-account", counted).remaining == 0:
                    _held_back(username)
        return LoginResult(None, "wrong")
    if _hasher.check_needs_rehash(user.password_hash):
        repository.update_user(user, password_hash=hash_password(password))
    return LoginResult(user)


def _held_back(username: str) -> None:
    """This wrong password held the account's logins back (from browsers it never logged in on):
    the admins are told, where alerts are on."""
    if alerts.enabled():
        repository.queue_account_alert(AlertKind.LOGINS_HELD, username)
        alerts.queued()


def held_back_until(username: str) -> float | None:
    """When new browsers may try the account's password again, if they are held back now (read from
    the rate-limit store: a store in another process's memory is not seen)."""
    counter = failure_counter()
    if counter is None:
        return None
    stats = counter.get_window_stats(
        _limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", username.casefold()
    )
    return float(stats.reset_time) if stats.remaining == 0 else None


def lift_back_off(username: str) -> None:
    """Let new browsers try the account's password again at once."""
    counter = failure_counter()
    if counter is not None:
        counter.clear(_limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", username.casefold())


def failure_counter() -> RateLimiter | None:
    """Where wrong passwords and codes are counted: the rate limiter's store, shared by every server
    that shares it; none while rate limits are off (RATELIMIT_ENABLED=false, for development)."""
    return limiter.limiter if limiter.enabled else None


def _limit(setting: str) -> RateLimitItem:
    return parse(str(current_app.config[setting]))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
