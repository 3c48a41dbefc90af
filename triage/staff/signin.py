"""Logging in: the password, then (where MFA applies) the authenticator's code, or setting the
authenticator up at the first login, with recovery codes shown once.

Between the password and the code nobody is logged in: the session only remembers who is on the
way (PENDING), for ten minutes, and the key being set up (ENROLLING) for that account alone; both
are forgotten at every login and logout. A browser that completed a login is remembered for that username
(a signed cookie), so back-off caused by strangers never keeps it out (triage/staff/accounts.py).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import (
    Response,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse

from triage.extensions import limiter
from triage.staff import bp, mfa
from triage.staff.accounts import LoginResult, authenticate, failure_counter
from triage.staff.auth import (
    ENROLLING,
    NEW_CODES,
    PENDING,
    STAFF,
    forget_login_steps,
    requires,
    safe_next,
    start_staff_session,
)
from triage.staff.forms import CodeForm, LoginForm
from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.models import StaffUser
from triage.storage.repository import CodeAttempt, StorageUnavailable

#: How long the code may follow the password.
PENDING_SECONDS = 10 * 60
#: A browser that logged in is known for this long, for at most this many usernames.
DEVICE_DAYS, DEVICE_NAMES = 180, 8
_DEVICE_SALT = "staff-device"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    """Log in with a username and password (then a code, where MFA applies)."""
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        forget_login_steps()  # nothing of an earlier, unfinished login carries over to this one
        username, password = str(form.username.data).strip(), str(form.password.data)
        try:
            result = authenticate(username, password, _address(), _known_device(username))
            if result.user is not None:
                return _after_password(result.user, request.args.get("next"))
            problem = result.problem
            _audit_failure(username, result)
        except StorageUnavailable:  # the accounts cannot be checked now: say so, never a 500
            return render_template("staff/login.html", form=form, problem="unavailable"), 503
    return render_template("staff/login.html", form=form, problem=problem)


def _after_password(user: StaffUser, next_page: str | None) -> ResponseReturnValue:
    """The password was right: the code, the MFA set-up, or (no MFA for this account) logged in."""
    if not (mfa.enrolled(user) or mfa.required_for(user)):
        return _logged_in(user, next_page)
    onward = safe_next(next_page)  # checked now: the session keeps a short path, never what was sent
    session[PENDING] = {"id": user.id, "version": user.session_version, "at": time.time(), "next": onward}
    if mfa.enrolled(user):
        return redirect(url_for("staff.login_code"))
    session[ENROLLING] = {"id": user.id, "secret": mfa.new_secret()}
    return redirect(url_for("staff.mfa_setup"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_code() -> ResponseReturnValue:
    """The code from the authenticator app, or a recovery code, after the password."""
    user = _pending_user()
    if user is None or not mfa.enrolled(user):
        return redirect(url_for("staff.login"))
    form, problem = CodeForm(), None
    if form.validate_on_submit():
        attempt = mfa.code_attempt(user) if not _too_many_codes(user) else None
        if attempt is None or attempt is CodeAttempt.LOCKED:
            forget_login_steps()
            flash(_("Too many wrong codes. Wait 15 minutes, then log in again."))
            return redirect(url_for("staff.login"))
        used = mfa.verify(user, str(form.code.data))
        mfa.code_checked(user, attempt, right=used is not None)
        if used is not None:
            if used == "recovery":
                left = len(user.mfa_recovery or [])
                flash(
                    _(
                        "You used a recovery code: %(left)d left. Before they run out, ask an admin to "
                        "reset your authenticator app.",
                        left=left,
                    )
                )
            return _logged_in(user, session[PENDING].get("next"), detail=f"mfa {used}")
        _count_wrong_code(user)
        repository.audit(user.username, Action.LOGIN_FAILED, detail="wrong code")
        problem = "code"
    return render_template("staff/login_code.html", form=form, problem=problem)


@bp.route("/mfa/setup", methods=["GET", "POST"])
def mfa_setup() -> ResponseReturnValue:
    """At the first login: scan the QR code (or type the key), then give a code to confirm.

    Only for the account whose password was just right, while it has no second factor: an account
    that has one gives its code instead (replacing it takes an admin's `users reset-mfa`), and the
    key belongs to the login it was made for (every login and logout forgets it)."""
    user, enrolling = _pending_user(), session.get(ENROLLING)
    if user is None:
        return redirect(url_for("staff.login"))
    if mfa.enrolled(user):
        session.pop(ENROLLING, None)
        return redirect(url_for("staff.login_code"))
    if not isinstance(enrolling, dict) or enrolling.get("id") != user.id:
        forget_login_steps()
        return redirect(url_for("staff.login"))
    secret = str(enrolling["secret"])
    form, problem = CodeForm(), None
    if form.validate_on_submit():
        step = mfa.code_matches(secret, str(form.code.data), None)
        if step is not None:
            codes = mfa.enrol(user, secret, step)
            if codes is None:  # set up by another login meanwhile: its code, then
                session.pop(ENROLLING, None)
                return redirect(url_for("staff.login_code"))
            next_page = session[PENDING].get("next")
            _log_in(user, detail="mfa set up")
            session[NEW_CODES] = {"codes": codes, "next": safe_next(next_page)}
            return redirect(url_for("staff.recovery_codes"))
        problem = "code"
    return render_template(
        "staff/mfa_setup.html",
        form=form,
        problem=problem,
        qr_code=mfa.qr_code(secret, user.username),
        key=mfa.grouped(secret),
        issuer=mfa.ISSUER,
    )


@bp.get("/mfa/recovery-codes")
@requires(*STAFF)
def recovery_codes() -> ResponseReturnValue:
    """The new recovery codes, shown this once."""
    new = session.pop(NEW_CODES, None)
    if not isinstance(new, dict):
        return redirect(url_for("staff.queue"))
    return render_template("staff/recovery_codes.html", codes=new["codes"], onward=new["next"])


def _logged_in(user: StaffUser, next_page: str | None, detail: str | None = None) -> ResponseReturnValue:
    """Log in and go on to where the login was asked for."""
    _log_in(user, detail)
    return redirect(safe_next(next_page))


def _log_in(user: StaffUser, detail: str | None = None) -> None:
    """Start the session, audit it, and remember this browser for the username."""
    start_staff_session(user)
    repository.audit(user.username, Action.LOGIN, detail=detail)
    _remember_device(user.username)


def _pending_user() -> StaffUser | None:
    """The account whose password was just right, while its code may still follow."""
    pending: Any = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = repository.get_user(int(pending["id"]))
    if user is None or not user.active or user.session_version != pending.get("version"):
        session.pop(PENDING, None)
        return None
    return user


def _too_many_codes(user: StaffUser) -> bool:
    counter = failure_counter()
    return counter is not None and not counter.test(_code_limit(), "login-code", str(user.id), _address())


def _count_wrong_code(user: StaffUser) -> None:
    counter = failure_counter()
    if counter is not None:
        counter.hit(_code_limit(), "login-code", str(user.id), _address())


def _code_limit() -> RateLimitItem:
    """Wrong codes allowed per account and address: as many as wrong passwords."""
    return parse(str(current_app.config["LOGIN_FAILURES_PER_SOURCE"]))


def _audit_failure(username: str, result: LoginResult) -> None:
    """Only a real account's name: a password typed into the wrong box must not be kept."""
    known = repository.find_user(username) is not None
    repository.audit(username if known else "(unknown)", Action.LOGIN_FAILED, detail=result.problem)


def _address() -> str:
    return request.remote_addr or "unknown"


# --- the browsers an account logged in on --------------------------------------------------------


def device_cookie_name() -> str:
    """`__Host-` prefixed where the session cookie is Secure."""
    return "__Host-staff-device" if current_app.config["SESSION_COOKIE_SECURE"] else "staff_device"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_DEVICE_SALT)


def _device_cookie() -> dict[str, Any] | None:
    value = request.cookies.get(device_cookie_name())
    if not value:
        return None
    try:
        known: Any = _devices().loads(value, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return None
    return known if isinstance(known, dict) and isinstance(known.get("names"), list) else None


def _known_device(username: str) -> str | None:
    """This browser's id, when it completed a login for this username before."""
    known = _device_cookie()
    return str(known["id"]) if known and username.casefold() in known["names"] else None


def _remember_device(username: str) -> None:
    known = _device_cookie() or {"id": secrets.token_urlsafe(16), "names": []}
    names = [username.casefold(), *(n for n in known["names"] if n != username.casefold())][:DEVICE_NAMES]
    value = _devices().dumps({"id": known["id"], "names": names})

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            device_cookie_name(),
            value,
            max_age=DEVICE_DAYS * 24 * 3600,
            path="/",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
        return response
