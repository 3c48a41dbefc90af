"""The staff area's forms. Answers to the questionnaire are read by the engine, not here."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3
from wtforms.validators import DataRequired, Length, Optional

from triage.engine import Level
from triage.storage.codes import Channel, Status
from triage.web.phones import CallableNumber
from triage.web.text import PlainText

#: The queue's two views: what staff can act on (the default), or every record.
ACTIONABLE, EVERY_RECORD = "actionable", "all"
#: The queue's date filters accept days in this range (a later one overflows date arithmetic).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _day_in_range(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        field.data = None  # the filter is left out
        raise ValidationError(_l("Enter a date between 2000 and 2999"))


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Username and password."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter your username")),
            Length(max=50, message=_l("Enter a username of 50 characters or fewer")),
            PlainText(),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password")),
            Length(max=200, message=_l("Enter a password of 200 characters or fewer")),
            PlainText(),
        ],
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    """The six-digit code of an authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code")),
            Length(max=40, message=_l("Enter the 6-digit code, or a recovery code")),
            PlainText(),
        ],
    )


class StatusForm(FlaskForm):  # type: ignore[misc]
    """Move a record along the queue, with a note."""

    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.value) for s in Status],
        validators=[DataRequired(_l("Select a status"))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("Enter a note of 1000 characters or fewer")),
            PlainText(multiline=True),
        ],
    )


class OverrideForm(FlaskForm):  # type: ignore[misc]
    """A clinician's own urgency level for a record, and why (required: the audit keeps it)."""

    level = RadioField(
        _l("Urgency level to act on"),
        choices=[SelectChoice(level.value, level.value) for level in sorted(Level, reverse=True)],
        validators=[DataRequired(_l("Choose a level"))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Enter the reason for the change")),
            Length(max=1000, message=_l("Enter a reason of 1000 characters or fewer")),
            PlainText(multiline=True),
        ],
    )


class CallerForm(FlaskForm):  # type: ignore[misc]
    """The caller's details for a phone assessment. At urgent and soon the call needs a number to
    call back, or the reason there is none (the phone view checks it: only the result says which)."""

    caller_name = StringField(
        _l("Caller's name, if they give it"),
        validators=[
            Optional(),
            Length(max=100, message=_l("Enter a name of 100 characters or fewer")),
            PlainText(),
        ],
    )
    # As long as its column (assessments.caller_phone) holds: a longer one could not be saved.
    caller_phone = StringField(
        _l("Caller's phone number"),
        validators=[
            Optional(),
            Length(max=32, message=_l("Enter a phone number of 32 characters or fewer")),
            PlainText(),
            CallableNumber(),
        ],
    )
    no_number_reason = StringField(
        _l("If there is no number: why not"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Enter a reason of 200 characters or fewer")),
            PlainText(),
        ],
    )

    @property
    def has_number(self) -> bool:
        """A phone number was typed."""
        return bool((self.caller_phone.data or "").strip())

    def needs_number(self) -> bool:
        """Whether neither a number nor why there is none was given; if so, the phone field says so."""
        if self.has_number or (self.no_number_reason.data or "").strip():
            return False
        self.caller_phone.errors = [
            *self.caller_phone.errors,
            _l("Enter the caller's phone number, or why there is none"),
        ]
        return True


def _any_or(codes: list[str]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any")), *(SelectChoice(code, code) for code in codes)]


class QueueFilterForm(FlaskForm):  # type: ignore[misc]
    """What the queue shows; sent in the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    #: By default what staff can act on (a call-back request, a phone call); every record on request.
    show = SelectField(
        _l("Show"),
        choices=[
            SelectChoice(ACTIONABLE, _l("Call-back requests and phone calls")),
            SelectChoice(EVERY_RECORD, _l("Every record")),
        ],
        default=ACTIONABLE,
        validate_choice=False,
    )
    status = SelectField(_l("Status"), choices=_any_or([s.value for s in Status]), validate_choice=False)
    level = SelectField(
        _l("Level"),
        choices=_any_or([level.value for level in sorted(Level, reverse=True)]),
        validate_choice=False,
    )
    channel = SelectField(_l("Channel"), choices=_any_or([c.value for c in Channel]), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional(), _day_in_range])
    until = DateField(_l("To"), validators=[Optional(), _day_in_range])


class LookupForm(FlaskForm):  # type: ignore[misc]
    """A reference code read out by a caller."""

    class Meta:
        csrf = False

    reference = StringField(_l("Find by reference code"))


#: The dashboard's periods, in weeks (the first is the default).
PERIODS = (4, 12, 26)


class DashboardForm(FlaskForm):  # type: ignore[misc]
    """The dashboard's period; sent in the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    weeks = SelectField(
        _l("Period"),
        choices=[SelectChoice(str(weeks), str(weeks)) for weeks in PERIODS],
        default=str(PERIODS[0]),
        validate_choice=False,
    )

    @property
    def period(self) -> int:
        """The weeks chosen; the default for anything that is not one of the periods."""
        return int(self.weeks.data) if self.weeks.data in {str(w) for w in PERIODS} else PERIODS[0]
