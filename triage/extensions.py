"""Every extension, created unbound here and attached to an app in create_app()."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import flask_limiter._limits as flask_limiter_limits
from flask import Flask, current_app, request
from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse_many

from triage import limiter_storage  # noqa: F401  # memory:// is the swept store (see there)
from triage.engine import RuleSet, load_rules
from triage.questionnaire import Questionnaire
from triage.storage.models import Base

V = TypeVar("V", bound=Callable[..., Any])


class Rules:
    """Loads and validates rules/ once per app, at start-up; a broken rule file stops the app."""

    key = "triage_rules"
    questionnaire_key = "triage_questionnaire"

    def init_app(self, app: Flask) -> None:
        """Load the rule set named by RULES_DIR (raises RulesInvalid naming file and rule)."""
        ruleset = load_rules(app.config["RULES_DIR"])
        app.extensions[self.key] = ruleset
        app.extensions[self.questionnaire_key] = Questionnaire.of(ruleset)

    @property
    def current(self) -> RuleSet:
        """The rule set of the app handling this request."""
        ruleset: RuleSet = current_app.extensions[self.key]
        return ruleset

    @property
    def questionnaire(self) -> Questionnaire:
        """The pages and routing of that rule set, built once with it."""
        flow: Questionnaire = current_app.extensions[self.questionnaire_key]
        return flow


rules = Rules()
babel = Babel()
csrf = CSRFProtect()
db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()  # SMTP settings MAIL_* (triage/config.py); only triage/ops/alerts.py sends
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.session_protection = "basic"
limiter = Limiter(key_func=get_remote_address, default_limits=[])  # storage: RATELIMIT_STORAGE_URI


@functools.lru_cache(maxsize=64)
def parse_limits(limit_string: str) -> list[RateLimitItem]:
    """A limit string ("60 per minute; 5000 per day") parsed once, not on every request.

    Flask-Limiter parses each view's limit strings again whenever a request comes (4.1.1, pinned:
    flask_limiter._limits.parse_many, which this replaces); the parsed limits are never changed."""
    return parse_many(limit_string)


flask_limiter_limits.parse_many = parse_limits  # type: ignore[attr-defined]  # its own import of limits


#: The views whose limits count reads too (a PDF to make, a record to export); see counts_reads.
_COUNTED_READS: set[Callable[..., Any]] = set()


def counts_reads(view: V) -> V:
    """Mark a view whose rate limits also count GET requests (put it above the limiter's decorators)."""
    _COUNTED_READS.add(view)
    return view


@limiter.request_filter
def _only_reading() -> bool:
    """Most limits are on requests that save something (a POST): a page that is only read is not
    checked at all, unless its view counts reads or a deployment sets limits for every request."""
    config = current_app.config
    every = config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION")
    if every or request.method not in ("GET", "HEAD", "OPTIONS"):
        return False
    return current_app.view_functions.get(request.endpoint or "") not in _COUNTED_READS


def unless_reading(limit: Callable[[V], V]) -> Callable[[V], V]:
    """One of the limiter's view decorators, not even entered for a read that `_only_reading` lets
    through: the limiter would resolve the view's limits, note them for the request and add their
    headers, only to find the read exempt (a question page is read on every step of the way)."""

    def decorate(view: V) -> V:
        limited = limit(view)

        @functools.wraps(view)
        def checked_unless_reading(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs) if _only_reading() else limited(*args, **kwargs)

        return checked_unless_reading  # type: ignore[return-value]

    return decorate


def init_limiter(app: Flask) -> None:
    """Attach the limiter. Without limits for every request (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION)
    each limit is on a view, whose decorator checks it: the check Flask-Limiter adds before every
    request would only resolve every view's limits again and find nothing to count, so it is not
    added."""
    limiter.init_app(app)
    if not (app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION")):
        hooks = app.before_request_funcs.setdefault(None, [])
        hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]
        # Its headers after a view, and the release of what it noted, only where a view's limit
        # was checked: the rest (every patient page read, the JSON API with its own limits) would
        # make its per-request notes only to find them empty.
        after = app.after_request_funcs.setdefault(None, [])
        after[:] = [_where_limited(hook) if _is_limiters_headers(hook) else hook for hook in after]
        teardown = app.teardown_request_funcs.setdefault(None, [])
        release = limiter._Limiter__release_context  # type: ignore[attr-defined]
        teardown[:] = [_where_limited(hook) if hook == release else hook for hook in teardown]


#: Where Flask-Limiter (4.1.1, pinned) keeps a request's notes, made when a view's limit is checked.
_LIMITER_NOTES = "_limiter_request_context"


def _is_limiters_headers(hook: Callable[..., Any]) -> bool:
    """Whether an after-request hook is the limiter's own header hook (partial(method, limiter))."""
    if not isinstance(hook, functools.partial):
        return False
    return hook.args == (limiter,) and hook.func.__name__ == "__inject_headers"


def _where_limited(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The limiter's hook, run only for a request whose view had a limit checked."""

    @functools.wraps(hook)
    def where_limited(value: Any) -> Any:
        if hasattr(request_ctx._get_current_object(), _LIMITER_NOTES):  # type: ignore[attr-defined]
            return hook(value)
        return value  # the response, unchanged (a teardown's return is not used)

    return where_limited


def setting(name: str) -> Callable[[], str]:
    """A limit read from the app's settings when a request comes (tests and deployments set their own)."""
    return lambda: str(current_app.config[name])
