"""`GET /healthz` (the process answers) and `GET /readyz` (it can do its whole job), for a load
balancer or a monitor: no personal data, no session, no rate limit, no audit. Neither reads nor
writes the session, so neither sends a cookie."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from triage.extensions import limiter, rules
from triage.ops import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """200 while the process can answer at all."""
    return {"status": "ok"}


@bp.get("/readyz")
@limiter.exempt
def readyz() -> ResponseReturnValue:
    """200 when the database answers at the latest schema, the rules are loaded and the page texts
    compiled; 503 with the reasons otherwise."""
    found = readiness.check()
    body = {
        "status": "ready" if found.ready else "not ready",
        "problems": list(found.problems),
        "rules": rules.current.version,
    }
    return body, 200 if found.ready else 503
