"""Logging in and out, roles, idle expiry and login throttling for the staff area."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from triage.errors import csrf_expired_page
from triage.extensions import limiter, login_manager
from triage.idle import Idle
from triage.staff import bp
from triage.staff.accounts import authenticate
from triage.staff.forms import LoginForm
from triage.storage import repository
from triage.storage.codes import Action, Role
from triage.storage.models import StaffUser

_SEEN = "staff_seen"
#: Session keys of a phone call in progress: its answers, the emergency advice already read out, and
#: the reference of its record (saved at an early exit, completed at the end).
CALL_KEYS = ("phone_answers", "phone_advised", "phone_reference")
F = TypeVar("F", bound=Callable[..., Any])
#: Every role: reception and clinicians see the same; admins also the audit trail and the export.
STAFF = tuple(Role)


def load_user(user_id: str) -> StaffUser | None:
    """The logged-in account, if it still exists and is active."""
    return repository.get_user(int(user_id)) if user_id.isdigit() else None


def must_log_in() -> ResponseReturnValue:
    """Anonymous visitors go to the login page, then back where they were going."""
    return redirect(url_for("staff.login", next=request.path))


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
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


@bp.before_request
def end_idle_sessions() -> ResponseReturnValue | None:
    """A staff session left idle for 30 minutes ends; the next page asks to log in again."""
    if current_user.is_authenticated:
        now = time.time()
        if now - session.get(_SEEN, now) > current_app.config["IDLE_LIMIT_SECONDS"]:
            repository.audit(current_user.username, Action.LOGOUT, detail="idle for 30 minutes")
            _end_staff_session()
            flash(_("You were logged out after 30 minutes without activity."))
            return redirect(url_for("staff.login", next=request.path))
        session[_SEEN] = now
    return None


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
    return redirect(_safe_next(request.form.get("next")))


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A staff form sent after its security token expired: back to it, or to the queue."""
    return csrf_expired_page(url_for("staff.queue"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    """Log in with a username and password."""
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        username, password = str(form.username.data).strip(), str(form.password.data)
        result = authenticate(username, password)
        if result.user is not None:
            _end_staff_session()  # nothing carries over from whoever used this browser before
            login_user(result.user)
            session[_SEEN] = time.time()
            repository.audit(result.user.username, Action.LOGIN)
            return redirect(_safe_next(request.args.get("next")))
        problem = result.problem
        # Only a real account's name: a password typed into the wrong box must not be kept.
        known = repository.find_user(username) is not None
        repository.audit(username if known else "(unknown)", Action.LOGIN_FAILED, detail=problem)
    return render_template("staff/login.html", form=form, problem=problem)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out and forget the staff session."""
    if current_user.is_authenticated:
        repository.audit(current_user.username, Action.LOGOUT)
    _end_staff_session()
    return redirect(url_for("staff.login"))


def _end_staff_session() -> None:
    """Log out, and forget everything of the staff session, a call in progress included."""
    logout_user()
    for key in (_SEEN, *CALL_KEYS):
        session.pop(key, None)


def _safe_next(target: str | None) -> str:
    """Only a path inside the staff area, never another site."""
    if target and target.startswith("/staff/") and not target.startswith("//"):
        return target
    return url_for("staff.queue")
