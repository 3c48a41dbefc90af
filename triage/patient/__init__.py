"""The patient's self-screening pages."""

from flask import Blueprint

bp = Blueprint("patient", __name__)

from triage.patient import views  # noqa: E402,F401  (routes register themselves on bp)
