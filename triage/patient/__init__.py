"""The patient's self-screening pages."""

from flask import Blueprint

bp = Blueprint("patient", __name__)

from triage.patient import limits, views  # noqa: E402,F401  (routes and handlers register themselves on bp)
