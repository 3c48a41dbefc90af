"""Logs as one JSON object a line, for a deployment's log collector (journald, Loki, CloudWatch …).

Nothing logged may identify a person or tell a health fact about one: no answers, names, phone
numbers, addresses (IP) or paths; SQL is logged without its parameters (config.py). A request's line
(triage/ops/serving.py) holds its id, method, endpoint name, status, duration and size; an unhandled
exception's line (TriageFlask.log_exception, below) its endpoint, method and id.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import flask
from flask import request

from triage.ops.serving import REQUEST_ID

#: Flask-Limiter's logger: its warnings (its store unreachable, limits counted in memory) go out with
#: the app's lines; below WARNING it names the address of each request refused, so never that.
LIMITER_LOGGER = "flask-limiter"
#: Attributes a LogRecord always has: anything else was passed with `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, and the record's `extra` fields, as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever standard error is when a record comes (as Python's last-resort handler)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class TriageFlask(flask.Flask):
    """Flask, its unhandled exceptions logged by endpoint: Flask's own line names the path, and a
    path can hold a reference code or a page's topic (/staff/phone/result/E8H2-HSBQ)."""

    def log_exception(self, exc_info: Any) -> None:
        """Log an exception with the request's endpoint, method and id; never its path or query."""
        endpoint = request.endpoint or "-"
        self.logger.error(
            "Exception on %s [%s]",
            endpoint,
            request.method,
            exc_info=exc_info,
            extra={
                "endpoint": endpoint,
                "method": request.method,
                "request_id": request.environ.get(REQUEST_ID),
            },
        )


def init_app(app: flask.Flask) -> None:
    """Send the app's logs to standard error as JSON lines (LOG_FORMAT=text for plain lines),
    at LOG_LEVEL. Where logging is configured already (tests' log capture, a host application),
    the app's records go there as they are."""
    if app.testing or logging.getLogger().handlers:
        return
    logger = logging.getLogger("triage")
    logger.setLevel(str(app.config["LOG_LEVEL"]).upper())
    if any(getattr(handler, "triage", False) for handler in logger.handlers):
        return  # configured by an earlier app in this process
    handler = _StandardError()
    handler.triage = True  # type: ignore[attr-defined]
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    limiter_logger = logging.getLogger(LIMITER_LOGGER)
    limiter_logger.setLevel(max(logging.WARNING, logger.level))
    limiter_logger.addHandler(handler)
    limiter_logger.propagate = False
