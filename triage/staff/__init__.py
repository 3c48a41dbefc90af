"""The reception staff's area: login, phone mode, the call-back queue, records and the audit trail."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from triage.staff import auth, phone, signin, targets, views, words  # noqa: E402,F401  (routes register themselves on bp)
