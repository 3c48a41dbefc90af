"""The JSON API, version 1: assess answers, read the answers contract, and FHIR R4 (triage/api/fhir/,
the SDC operations in triage/api/fhir_operations.py)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from triage.api import fhir, fhir_operations, views  # noqa: E402,F401  (routes register themselves on bp)
