"""The staff area's forms. Answers to the questionnaire are read by the engine, not here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3
from wtforms.validators import DataRequired, Length, Optional

from triage.storage.repository import STATUSES


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])


class StatusForm(FlaskForm):  # type: ignore[misc]
    """Move a record along the queue, with a note."""

    status = RadioField(
        _l("Status"), choices=[SelectChoice(s, s) for s in STATUSES], validators=[DataRequired()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class CallerForm(FlaskForm):  # type: ignore[misc]
    """The caller's details for a phone assessment, both optional."""

    caller_name = StringField(_l("Caller's name (optional)"), validators=[Optional(), Length(max=100)])
    caller_phone = StringField(
        _l("Caller's phone number (optional)"), validators=[Optional(), Length(max=40)]
    )
