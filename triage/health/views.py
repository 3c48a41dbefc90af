"""The two probes. Neither reads nor writes the session, so neither sends a cookie."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from triage import readiness
from triage.extensions import limiter, rules
from triage.health import bp


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
