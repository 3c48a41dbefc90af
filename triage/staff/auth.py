"""Who is logged in, roles, sessions that end (logout, idle, 12 hours, a newer session version),
and the staff area with its records unavailable. Logging in is triage/staff/signin.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from triage.extensions import limiter, login_manager
from triage.staff import bp, drafts, logouts
from triage.storage import repository
from triage.storage.codes import Action, Role
from triage.storage.models import StaffUser
from triage.storage.repository import StorageUnavailable
from triage.web import idle
from triage.web.errors import csrf_expired_page
from triage.web.idle import Idle
from triage.web.limits import setting
from triage.web.redirects import same_site_path

log = logging.getLogger(__name__)

_SEEN = "staff_seen"
#: Who is logged in, kept in the session at login: with the database down, phone mode still knows
#: who takes the call (records stay closed until the account can be checked again).
_WHO = "staff_who"
#: The account's session version at login (a later one ends this session), and when it began.
_VERSION, _SINCE = "staff_version", "staff_since"
#: Flask-WTF's key for the CSRF token: a new one at login, so a token from before it is useless.
CSRF_KEY = "csrf_token"
#: A login between its password and its code (or MFA set-up): who, the session version, when, and
#: where to go next; the new TOTP secret being set up; new recovery codes, shown once.
PENDING, ENROLLING, NEW_CODES = "staff_pending", "staff_enrolling", "staff_new_codes"
#: Everything a staff session keeps, forgotten when it ends.
SESSION_KEYS = (_SEEN, _SINCE, _VERSION, _WHO, PENDING, ENROLLING, NEW_CODES)
#: Session keys of a phone call in progress: its answers, the emergency advice already read out, the
#: reference of its record (saved at an early exit, completed at the end), and the caller's details
#: saved with it (shown again in the form).
CALL_KEYS = ("phone_answers", "phone_advised", "phone_reference", "phone_caller")
F = TypeVar("F", bound=Callable[..., Any])
#: Requests a page's script makes by itself, not the person: they never keep an idle session going.
PASSIVE = frozenset({"staff.queue_news"})
#: Every role: reception and clinicians see the same; admins also the audit trail and the export.
STAFF = tuple(Role)


@dataclass(frozen=True)
class OfflineStaff:
    """The logged-in member of staff as the session remembers them, while the database is down.

    Only phone mode works for them (it needs no record); every other staff page says the records
    are unavailable, with 503.
    """

    id: int
    username: str
    role: str
    display_name: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """The account's id, as Flask-Login keeps it."""
        return str(self.id)


#: Endpoints outside the staff area that a staff session may use: a record read as FHIR.
STAFF_SESSION_ELSEWHERE = frozenset({"api.fhir_assessment"})


def load_user(user_id: str) -> StaffUser | OfflineStaff | None:
    """The logged-in account, if it still exists and is active; never an error.

    Outside the staff area nobody is logged in (patient pages and the API never read the staff
    accounts), but for STAFF_SESSION_ELSEWHERE. With the database down, the account the session
    remembers (OfflineStaff).
    """
    if (
        request.blueprint != bp.name and request.endpoint not in STAFF_SESSION_ELSEWHERE
    ) or not user_id.isdigit():
        return None
    try:
        user = repository.get_user(int(user_id))
    except StorageUnavailable:
        who = session.get(_WHO)
        if not isinstance(who, dict) or who.get("id") != int(user_id):
            return None
        if logouts.is_pending(int(user_id), session.get(_VERSION)):
            return None  # a copy of a session logged out while the database was down
        return OfflineStaff(int(user_id), str(who["username"]), str(who["role"]), str(who["name"]))
    if user is None or not user.active or session.get(_VERSION) != user.session_version:
        return None  # logged out since, a new password, disabled, or its MFA reset: every copy ends
    return user


#: The staff pages that work while the records are unavailable: phone mode gives its script
#: (saving what it can), and the session can be kept going or ended.
WORKS_OFFLINE = frozenset(
    {"staff.phone_screen", "staff.phone_questions", "staff.phone_emergency", "staff.phone_caller"}
    | {"staff.still_here", "staff.logout", "staff.login"}
)


@bp.errorhandler(StorageUnavailable)
def records_unavailable(error: StorageUnavailable) -> ResponseReturnValue:
    """A staff page whose records cannot be read or saved: say so plainly, with 503."""
    return render_template("staff/unavailable.html"), 503


def audit_if_possible(username: str, action: Action, detail: str | None = None) -> None:
    """Record a log-in or log-out in the audit trail, unless the database is down (it goes on)."""
    try:
        repository.audit(username, action, detail=detail)
    except StorageUnavailable:
        log.warning("Audit entry not saved, the database is unavailable: %s", action)


def must_log_in() -> ResponseReturnValue:
    """Anonymous visitors go to the login page, then back to the page they were on; a form sent by
    a session that ended meanwhile (logged out elsewhere) keeps what was typed (triage/staff/drafts.py)."""
    if drafts.keep(_who_was_logged_in()):
        flash(_("What you typed is kept. Log in again to find it on its page, not yet saved."))
    return _to_login()


def _to_login() -> ResponseReturnValue:
    """The login page, then back to this page (or the page of the form sent)."""
    return redirect(url_for("staff.login", next=drafts.return_address()))


def _who_was_logged_in() -> object:
    """The account id this browser's staff session was for, logged in or not any more (None: none)."""
    who = session.get(_WHO)
    return who.get("id") if isinstance(who, dict) else None


def staff_member() -> str:
    """Whom a staff save counts against: the logged-in account, else the address."""
    if current_user.is_authenticated:
        return f"staff:{current_user.username}"
    return f"address:{request.remote_addr}"


#: Saving a call or a status counts per member of staff: a reception desk takes a call a minute
#: at most, a script with a stolen session is stopped.
STAFF_SAVES = limiter.shared_limit(
    setting("RATELIMIT_STAFF_SAVES"), scope="staff-saves", key_func=staff_member, methods=["POST"]
)
login_manager.user_loader(load_user)
login_manager.unauthorized_handler(must_log_in)


def requires(*roles: Role) -> Callable[[F], F]:
    """Only logged-in staff with one of these roles (any role when none is named) may pass."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            offline = isinstance(current_user._get_current_object(), OfflineStaff)
            if offline and request.endpoint not in WORKS_OFFLINE:
                return render_template("staff/unavailable.html"), 503
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


@bp.before_request
def record_late_logouts() -> None:
    """Logouts kept while the database was down are recorded first (triage/staff/logouts.py)."""
    logouts.record_pending()


@bp.before_request
def end_idle_sessions() -> ResponseReturnValue | None:
    """A staff session left idle for 30 minutes ends, and any session 12 hours after its login;
    the next page asks to log in again."""
    if current_user.is_authenticated:
        now = time.time()
        lapsed = _lapsed(now)
        if lapsed is not None:
            detail = "idle for 30 minutes" if lapsed == _IDLE else "12 hours since logging in"
            audit_if_possible(current_user.username, Action.LOGOUT, detail=detail)
            kept = drafts.keep(current_user.id)
            end_staff_session()
            if lapsed == _IDLE:
                flash(_("You were logged out after 30 minutes without activity."))
            else:
                flash(_("You were logged out 12 hours after logging in. Log in again to carry on."))
            if kept:
                flash(_("What you typed is kept. Log in again to find it on its page, not yet saved."))
            return _to_login()
        if request.endpoint not in PASSIVE:
            idle.touch(_SEEN, now)
    return None


@bp.after_request
def record_activity(response: Response) -> Response:
    """A staff request that changed the session also records its activity."""
    idle.touch_if_changed(_SEEN)
    return response


_IDLE, _TOO_LONG = "idle", "too long"


def _lapsed(now: float) -> str | None:
    """Why the staff session has ended by the clock (idle too long, or logged in too long), if it has."""
    if now - session.get(_SEEN, now) > current_app.config["IDLE_LIMIT_SECONDS"]:
        return _IDLE
    if now - session.get(_SINCE, 0) > current_app.config["STAFF_SESSION_LIMIT_SECONDS"]:
        return _TOO_LONG
    return None


def staff_reader(*roles: Role) -> str | None:
    """Outside the staff area (STAFF_SESSION_ELSEWHERE): the username of the logged-in member of
    staff with one of these roles, while their session lasts and the accounts can be checked; else None.

    Reading counts as activity, as a staff page does; a lapsed session is not ended here (the next
    staff page ends it, and audits that).
    """
    if not current_user.is_authenticated or isinstance(current_user._get_current_object(), OfflineStaff):
        return None
    if (roles and current_user.role not in roles) or _lapsed(time.time()) is not None:
        return None
    idle.touch(_SEEN)
    return str(current_user.username)


@bp.context_processor
def idle_timer() -> dict[str, Any]:
    """When this staff session ends without activity, for the warning before it does (WCAG 2.2.1)."""
    if not current_user.is_authenticated or _SEEN not in session:
        return {}
    ends = float(session[_SEEN]) + current_app.config["IDLE_LIMIT_SECONDS"]
    return {"idle": Idle(ends, url_for("staff.still_here"), for_staff=True)}


@bp.post("/still-here")
@requires(*STAFF)
def still_here() -> ResponseReturnValue:
    """Keep a staff session going (its idle time starts again with this request)."""
    if request.accept_mimetypes.best == "application/json":
        return {"expires_in": int(current_app.config["IDLE_LIMIT_SECONDS"])}
    return redirect(safe_next(request.form.get("next")))


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A staff form sent after its security token expired: what was typed is kept (for whoever was
    logged in), and the way back leads to its page, or to the queue."""
    user_id = current_user.id if current_user.is_authenticated else _who_was_logged_in()
    drafts.keep(user_id)
    return csrf_expired_page(drafts.return_address() or url_for("staff.queue"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out and forget the staff session (and any login half done in this browser)."""
    recorded = True
    if current_user.is_authenticated:
        recorded = _end_every_copy(current_user._get_current_object(), session.get(_VERSION))
    end_staff_session()
    drafts.forget_unless_for(None)  # logging out on purpose: nothing typed is kept
    session.pop(CSRF_KEY, None)
    if not recorded:
        flash(
            _(
                "You are logged out on this computer. The records could not be reached, so your logout "
                "will be recorded when they are back. Until then, lock this computer if others use it."
            )
        )
    return redirect(url_for("staff.login"))


def start_staff_session(user: StaffUser) -> None:
    """Log in: a fresh session (nothing carries over from whoever used this browser before)."""
    end_staff_session()
    drafts.forget_unless_for(user.id)  # what another member of staff typed here is never shown
    session.pop(CSRF_KEY, None)  # a new CSRF token from now on
    login_user(user)
    session[_SEEN] = session[_SINCE] = time.time()
    session[_VERSION] = user.session_version
    session[_WHO] = {"id": user.id, "username": user.username, "role": user.role, "name": user.display_name}


def end_staff_session() -> None:
    """Log out, and forget everything of the staff session, a call in progress included."""
    logout_user()
    forget_login_steps()
    for key in (*SESSION_KEYS, *CALL_KEYS):
        session.pop(key, None)


def forget_login_steps() -> None:
    """Forget a login half done in this browser: who gave a password, the key being set up, the
    recovery codes still to show."""
    for key in (PENDING, ENROLLING, NEW_CODES):
        session.pop(key, None)


def _end_every_copy(user: StaffUser | OfflineStaff, version: object) -> bool:
    """End every copy of this session (its account's session version moves on) and audit the logout;
    with the database down, keep both to record when it is back. Whether they were recorded now."""
    try:
        if isinstance(user, OfflineStaff):
            raise StorageUnavailable("the account was not read")
        repository.end_sessions(user)
        repository.audit(user.username, Action.LOGOUT)
    except StorageUnavailable:
        if isinstance(version, int):
            logouts.remember(user.id, version, user.username)
        return False
    return True


def safe_next(target: str | None) -> str:
    """Only a path inside the staff area (triage/web/redirects.py), else the queue; never another site."""
    return same_site_path(target, within="/staff/") or url_for("staff.queue")
