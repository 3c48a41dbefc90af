"""The JSON API, version 1: assess answers, and read the answers contract."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from triage.api import views  # noqa: E402,F401  (routes register themselves on bp)
