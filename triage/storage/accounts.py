"""Staff accounts: who may log in, their sessions, and their second factor (TOTP, recovery codes,
the lock after wrong codes)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import case, or_, select, update

from triage.extensions import db
from triage.storage.audit import add_audit
from triage.storage.codes import Action, AlertKind
from triage.storage.database import add_unique, read, transaction
from triage.storage.models import StaffUser
from triage.storage.outbox import account_alert


def find_user(username: str) -> StaffUser | None:
    """The account with this username, if any."""
    return read(lambda: db.session.scalars(select(StaffUser).where(StaffUser.username == username)).first())


def users() -> list[StaffUser]:
    """Every account, by username."""
    return read(lambda: list(db.session.scalars(select(StaffUser).order_by(StaffUser.username))))


def get_user(user_id: int) -> StaffUser | None:
    """The account with this id, if any."""
    return read(lambda: db.session.get(StaffUser, user_id))


def create_user(username: str, display_name: str, role: str, password_hash: str) -> StaffUser:
    """Add an account; raises ValueError when the username is taken."""
    user = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        active=True,
        failed_logins=0,
        created_at=datetime.now(UTC),
    )
    add_unique(user, f"the username {username!r} is taken")
    return user


def end_sessions(user: StaffUser) -> None:
    """End every session of this account, wherever its cookie is (its session version moves on)."""
    with transaction():
        user.session_version = StaffUser.session_version + 1  # counted in SQL: two log-outs both count


def update_user(user: StaffUser, **changes: object) -> None:
    """Change an account's fields (active, password_hash, failed_logins, locked_until)."""
    with transaction():
        for name, value in changes.items():
            setattr(user, name, value)


def end_session_version(user_id: int, version: int) -> bool:
    """End the sessions of an account that began with `version` (a logout recorded late); False
    when they have ended already (its version moved on since, or the account is gone)."""
    with transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id, StaffUser.session_version == version)
            .values(session_version=StaffUser.session_version + 1)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# The second factor changes by compare-and-set: each UPDATE says what it expects to find, and the
# database applies it to one request only, whichever server each is on.


def enrol_mfa(user: StaffUser, sealed_secret: str, recovery: list[str], step: int, alert: bool) -> bool:
    """Set up the account's second factor, unless one was set up meanwhile: audited, and queued
    for the admins (`alert`), in the same transaction. Whether it was set up."""
    with transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id, StaffUser.mfa_secret.is_(None))
            .values(
                mfa_secret=sealed_secret,
                mfa_recovery=recovery,
                mfa_last_step=step,
                mfa_changes=StaffUser.mfa_changes + 1,
                failed_logins=0,
                locked_until=None,
            )
        )
        done = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if done:
            add_audit(user.username, Action.MFA_ENROL)
            if alert:
                db.session.add(account_alert(AlertKind.MFA_ENROLLED, user.username))
    db.session.refresh(user)
    return done


def reset_mfa(user: StaffUser, by: str, alert: bool) -> None:
    """Forget the account's second factor and end its sessions: audited (as done by `by`), and
    queued for the admins (`alert`), in the same transaction."""
    with transaction():
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(
                mfa_secret=None,
                mfa_recovery=None,
                mfa_last_step=None,
                mfa_changes=StaffUser.mfa_changes + 1,
                session_version=StaffUser.session_version + 1,
            )
        )
        add_audit(by, Action.MFA_RESET, target=user.username)
        if alert:
            db.session.add(account_alert(AlertKind.MFA_RESET, user.username))
    db.session.refresh(user)


def spend_totp_step(user: StaffUser, step: int) -> bool:
    """Take the code of time step `step` for the account's current secret, unless that step (or a
    later one) was taken already: whether this request took it."""
    with transaction():
        result = db.session.execute(
            update(StaffUser)
            .where(
                StaffUser.id == user.id,
                StaffUser.mfa_secret == user.mfa_secret,
                or_(StaffUser.mfa_last_step.is_(None), StaffUser.mfa_last_step < step),
            )
            .values(mfa_last_step=step)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def spend_recovery_code(user: StaffUser, stored: str) -> int | None:
    """Use up the recovery code kept as `stored`: how many are left, or None when it is not (or no
    longer) one of the account's. Another code used at the same moment is waited out and tried again."""
    for _ in range(_SPEND_ATTEMPTS):
        db.session.refresh(user)
        codes = list(user.mfa_recovery or [])
        if stored not in codes:
            return None
        left = [code for code in codes if code != stored]
        with transaction():
            result = db.session.execute(
                update(StaffUser)
                .where(StaffUser.id == user.id, StaffUser.mfa_changes == user.mfa_changes)
                .values(mfa_recovery=left, mfa_changes=StaffUser.mfa_changes + 1)
            )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return len(left)
    return None


_SPEND_ATTEMPTS = 5


class CodeAttempt(StrEnum):
    """Whether a second-factor code may be checked: yes; yes, the last before the account locks
    (a wrong one locks it); no, the account is locked."""

    ALLOWED = "allowed"
    LAST = "last"
    LOCKED = "locked"


def take_code_attempt(user: StaffUser, most: int, lock_until: datetime) -> CodeAttempt:
    """Count a second-factor code about to be checked among the account's codes since its last right
    one: the `most`-th locks the account until `lock_until` (lifted if that code is right); none is
    checked while it is locked. A lock that has run out starts the count again."""
    unlocked = or_(StaffUser.locked_until.is_(None), StaffUser.locked_until <= datetime.now(UTC))
    lapsed = StaffUser.locked_until.is_not(None)
    count = case((lapsed, 1), else_=StaffUser.failed_logins + 1)
    with transaction():
        taken = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id, unlocked)
            .values(failed_logins=count, locked_until=case((count >= most, lock_until), else_=None))
            .returning(StaffUser.locked_until)
            .execution_options(synchronize_session=False)  # compared in SQL: SQLite's times are naive
        ).first()
    if taken is None:
        return CodeAttempt.LOCKED
    return CodeAttempt.ALLOWED if taken.locked_until is None else CodeAttempt.LAST


def code_was_right(user: StaffUser) -> None:
    """The code checked was right: the count starts again, and the last try's lock is lifted."""
    with transaction():
        db.session.execute(
            update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=0, locked_until=None)
        )


def locked_users(now: datetime | None = None) -> list[StaffUser]:
    """The accounts whose second factor is locked now, by username."""
    moment = now or datetime.now(UTC)
    query = select(StaffUser).where(StaffUser.locked_until > moment).order_by(StaffUser.username)
    return read(lambda: list(db.session.scalars(query)))


def unlock(user: StaffUser, by: str) -> None:
    """Lift the account's lock and forget its wrong codes: audited as done by `by`."""
    with transaction():
        db.session.execute(
            update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=0, locked_until=None)
        )
        add_audit(by, Action.UNLOCK, target=user.username)
    db.session.refresh(user)
