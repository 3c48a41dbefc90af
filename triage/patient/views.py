"""The patient's pages."""

from __future__ import annotations

from flask import render_template

from triage.patient import bp


@bp.get("/")
def start() -> str:
    """What the tool is and is not, and the emergency number up front."""
    return render_template("patient/start.html")
