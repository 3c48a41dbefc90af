"""The patient's own form: a call-back request. Question pages are triage/questionnaire/fields.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3
from wtforms.validators import DataRequired, InputRequired, Length

from triage.engine import Level
from triage.storage.codes import TimeWindow
from triage.web.labels import TIME_WINDOWS
from triage.web.phones import CallableNumber
from triage.web.text import PlainText


class CallbackForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A request to be phoned back: the minimum to call, with explicit consent."""

    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=100, message=_l("Enter a name of 100 characters or fewer")),
            PlainText(),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            DataRequired(_l("Enter a phone number")),
            Length(max=32, message=_l("Enter a phone number of 32 characters or fewer")),
            PlainText(),
            CallableNumber(),
        ],
    )
    time_window = RadioField(
        _l("When can we call you?"),
        choices=[SelectChoice(w.value, TIME_WINDOWS[w]) for w in TimeWindow if w is not TimeWindow.TODAY],
        validators=[InputRequired(_l("Select when we can call you"))],
    )
    consent = BooleanField(
        _l("I agree that the practice stores my name and phone number for this"),
        validators=[DataRequired(_l("Tick the box to agree, or call the practice instead"))],
    )


def callback_form(level: Level, formdata: MultiDict[str, str] | None = None) -> CallbackForm:
    """The call-back form for a result: at the urgent level the practice calls back today, no later."""
    form = CallbackForm(formdata=formdata)
    if level is Level.URGENT:
        del form.time_window
    return form


def time_window(form: CallbackForm) -> TimeWindow:
    """When the person asked to be called back (today, where the form offered no choice)."""
    return TimeWindow(form.time_window.data) if "time_window" in form else TimeWindow.TODAY
