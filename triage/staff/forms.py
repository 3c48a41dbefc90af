"""The staff area's forms. Answers to the questionnaire are read by the engine, not here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3
from wtforms.validators import DataRequired, Length, Optional

from triage.engine import Level
from triage.storage.codes import Channel, Status


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])


class StatusForm(FlaskForm):  # type: ignore[misc]
    """Move a record along the queue, with a note."""

    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.value) for s in Status],
        validators=[DataRequired(_l("Select a status"))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class CallerForm(FlaskForm):  # type: ignore[misc]
    """The caller's details for a phone assessment, both optional."""

    caller_name = StringField(_l("Caller's name (optional)"), validators=[Optional(), Length(max=100)])
    caller_phone = StringField(
        _l("Caller's phone number (optional)"), validators=[Optional(), Length(max=40)]
    )


def _any_or(codes: list[str]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any")), *(SelectChoice(code, code) for code in codes)]


class QueueFilterForm(FlaskForm):  # type: ignore[misc]
    """What the queue shows; sent in the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=_any_or([s.value for s in Status]), validate_choice=False)
    level = SelectField(
        _l("Level"),
        choices=_any_or([level.value for level in sorted(Level, reverse=True)]),
        validate_choice=False,
    )
    channel = SelectField(_l("Channel"), choices=_any_or([c.value for c in Channel]), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


class LookupForm(FlaskForm):  # type: ignore[misc]
    """A reference code read out by a caller."""

    class Meta:
        csrf = False

    reference = StringField(_l("Find by reference code"))
