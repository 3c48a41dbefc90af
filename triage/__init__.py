"""Spine Triage: urgency-graded guidance for back and neck pain. Never a diagnosis.

The web framework is imported inside the factory, so that `triage.engine` and the command line
load no web code at all.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the application: configuration, extensions, blueprints and error pages."""
    from triage import config
    from triage.ops.logs import TriageFlask  # Flask, its exceptions logged without the path
    from triage.web.json_provider import JSONProvider

    app = TriageFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.json = JSONProvider(app)  # keys in the contract's order, UTF-8
    app.config.from_object(config.Defaults)
    app.config.from_pyfile("config.py", silent=True)  # instance/config.py, for a deployment
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", config.default_database_uri(app.instance_path))
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):  # a local file: nothing to ping
        options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
        if not (uri in ("sqlite://", "sqlite:///") or ":memory:" in uri):  # a file: a pool of connections
            # The connection used last is used next: each connection caches the file's pages, and
            # its cache is the warmest.
            options["pool_use_lifo"] = True
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["PROXY_COUNT"]:  # client addresses (throttling) and https from the proxy's headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_logging(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    warn_about_demo_settings(app)
    return app


def register_logging(app: Flask) -> None:
    """JSON log lines on standard error (triage/ops/logs.py)."""
    from triage.ops import logs

    logs.init_app(app)


def register_extensions(app: Flask) -> None:
    """Attach each extension to the app."""
    from flask_login import current_user

    from triage.extensions import csrf, db, limiter, login_manager, mail, migrate, rules
    from triage.ops import alerts
    from triage.storage import database
    from triage.web import i18n

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    rules.init_app(app)
    i18n.init_app(app)  # the page language is chosen before the CSRF check, whose page speaks it
    csrf.init_app(app)
    db.init_app(app)
    database.init_app(app)  # SQLite: the write-ahead log, a busy timeout, owner-only files
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    # `current_user` as a global looked up when a template uses it (staff pages), not a context
    # processor that loads the user before every page a patient sees.
    login_manager.init_app(app, add_context_processor=False)
    app.add_template_global(current_user, "current_user")
    limiter.init_app(app)
    mail.init_app(app)
    alerts.init_app(app)


def register_security(app: Flask) -> None:
    """Security headers on every response; the session cookie's name, flags and encryption; bounded
    bodies."""
    from triage.ops import serving
    from triage.web import headers, sessions

    headers.init_app(app)
    serving.init_app(app)
    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach each feature's blueprint."""
    from triage.api import bp as api_bp
    from triage.api.fhir.conformance import FhirId
    from triage.extensions import csrf
    from triage.ops.health import bp as health_bp
    from triage.patient import bp as patient_bp
    from triage.staff import bp as staff_bp

    app.register_blueprint(patient_bp)
    app.register_blueprint(staff_bp)
    app.url_map.converters["fhir_id"] = FhirId  # before the API's routes, which use it
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    csrf.exempt(api_bp)  # JSON only, no cookies: nothing for a forged request to ride on


def register_errorhandlers(app: Flask) -> None:
    """JSON errors under /api/, friendly pages elsewhere; an expired form keeps what was typed."""
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    from triage.web.errors import handle_csrf_error, handle_http_error

    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)


def register_template_helpers(app: Flask) -> None:
    """The filters and globals templates use."""
    from triage.web import assets, templating

    templating.register_template_helpers(app)
    assets.init_app(app)


def warn_about_demo_settings(app: Flask) -> None:
    """Say at start-up (never per request) when patients would see demo contact details."""
    from triage.config import PRACTICE_DEFAULTS

    demo = [name for name in PRACTICE_DEFAULTS if name not in app.config and not name.endswith("_NUMBER")]
    if demo and not app.testing:
        logging.getLogger(__name__).warning(
            "Practice details not configured, demo values shown to patients: %s", ", ".join(demo)
        )
