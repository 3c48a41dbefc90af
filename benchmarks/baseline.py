"""The bare baseline `make bench-web` compares the project with: Flask + Flask-WTF, nothing else.

One form of six fields with CSRF, a redirect, a rendered result, Flask's own signed-cookie session,
the same library versions as the project; and a bare JSON endpoint. Served by the same gunicorn
settings as the project (`gunicorn "benchmarks.baseline:make_baseline()"`).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, NumberRange

YES_NO = [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]


class SymptomsForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Six fields, as many as a page of the questionnaire has at most."""

    age = IntegerField("How old are you?", validators=[DataRequired(), NumberRange(18, 120)])
    fall = RadioField("Have you had a fall?", choices=YES_NO, validators=[DataRequired()])
    numbness = RadioField("Numbness in the saddle area?", choices=YES_NO, validators=[DataRequired()])
    weakness = RadioField("New weakness in the legs?", choices=YES_NO, validators=[DataRequired()])
    conditions = SelectMultipleField(
        "Which apply?", choices=[("osteoporosis", "Osteoporosis"), ("steroids", "Steroids"), ("none", "None")]
    )
    note = StringField("Anything else?")


def make_baseline() -> Flask:
    """The baseline app."""
    app = Flask(__name__, template_folder="baseline_templates")
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "baseline-only-secret-key")
    csrf = CSRFProtect(app)

    @app.route("/form", methods=["GET", "POST"])
    def form() -> ResponseReturnValue:
        page = SymptomsForm()
        if page.validate_on_submit():
            session["answers"] = {
                name: field.data for name, field in page._fields.items() if name != "csrf_token"
            }
            return redirect(url_for("result"))
        return render_template("form.html", form=page)

    @app.get("/result")
    def result() -> ResponseReturnValue:
        answers: dict[str, Any] = session.get("answers") or {}
        urgent = "yes" in (answers.get("numbness"), answers.get("weakness"))
        return render_template("result.html", answers=answers, urgent=urgent)

    @app.post("/echo")
    @csrf.exempt
    def echo() -> ResponseReturnValue:
        return {"received": request.get_json(), "saved": False}

    return app
