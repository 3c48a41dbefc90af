"""`GET /healthz` (the process answers) and `GET /readyz` (it can do its whole job), for a load
balancer or a monitor: no personal data, no session, no rate limit, no audit."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from triage.health import views  # noqa: E402,F401  (routes register themselves on bp)
