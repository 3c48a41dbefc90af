"""Staff accounts: argon2 password hashes, roles, temporary lockout after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from triage.storage import repository
from triage.storage.codes import Role
from triage.storage.models import StaffUser

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHasher()
#: Checked against when the username does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class LoginResult:
    """A user when the login succeeded; otherwise why not ("wrong" or "locked")."""

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


def authenticate(username: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a login; counts failures and locks the account for 15 minutes after 5 in a row."""
    now = now or datetime.now(UTC)
    user = repository.find_user(username)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None, "wrong")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginResult(None, "locked")
    if not _verify(user.password_hash, password):
        failures = user.failed_logins + 1
        locked = now + LOCKOUT if failures >= MAX_FAILURES else None
        repository.update_user(user, failed_logins=0 if locked else failures, locked_until=locked)
        return LoginResult(None, "locked" if locked else "wrong")
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(user.password_hash):
        changes["password_hash"] = hash_password(password)
    repository.update_user(user, **changes)
    return LoginResult(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
