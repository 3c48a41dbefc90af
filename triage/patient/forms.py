"""Question pages as WTForms forms, and the one mapping between form values and contract answers.

The forms only carry values (and the CSRF token): what is valid is decided by the engine against
the contract, so a message is the same on the page, in the API and on the command line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, RadioField, SelectMultipleField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3
from wtforms.validators import DataRequired, InputRequired, Length

from triage.engine.contract import UNSURE, Contract, Question
from triage.phones import international_number

#: The form value of "none of these" on a checkbox question that may be left empty.
NONE = "none"
_WHOLE_NUMBER = re.compile(r"^\s*[+-]?\d{1,4}\s*$")
_YES_NO = {"yes": True, "no": False, UNSURE: UNSURE}


def choices(question: Question, contract: Contract, lang: str) -> list[SelectChoice]:
    """The options (form value and label) of a question with options."""
    words = contract.answer_words
    if question.kind == "yes_no":
        return [SelectChoice(key, words[key].get(lang)) for key in ("yes", "no", UNSURE)]
    if question.kind == "boolean":
        return [SelectChoice(key, words[key].get(lang)) for key in ("yes", "no")]
    options = [SelectChoice(str(value), question.options[value].get(lang)) for value in question.values]
    if question.kind == "multi_choice" and question.min_items == 0:
        options.append(SelectChoice(NONE, words[NONE].get(lang)))
    return options


def page_form(
    questions: Iterable[Question],
    contract: Contract,
    lang: str,
    formdata: MultiDict[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
) -> FlaskForm:
    """A form for one page: a field per question, filled from a post or from saved values."""

    class PageForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
        pass

    for question in questions:
        label = question.wording["label"].get(lang)
        field: Field
        if question.kind == "integer":
            field = StringField(label)
        elif question.kind == "multi_choice":
            field = SelectMultipleField(
                label, choices=choices(question, contract, lang), validate_choice=False
            )
        else:
            field = RadioField(label, choices=choices(question, contract, lang), validate_choice=False)
        setattr(PageForm, question.id, field)
    return PageForm(formdata=formdata, data=dict(data or {}))


def to_answers(questions: Iterable[Question], form: FlaskForm) -> dict[str, Any]:
    """The contract answers a submitted page gives; an unanswered question is left out."""
    answers = {}
    for question in questions:
        value = to_answer(question, form[question.id].data)
        if value is not None:
            answers[question.id] = value
    return answers


def to_answer(question: Question, value: Any) -> Any:
    """One form value as a contract answer (None when nothing was given)."""
    if value in (None, "", []):
        return None
    if question.kind == "integer":
        return int(value) if _WHOLE_NUMBER.match(value) else value.strip()
    if question.kind == "yes_no":
        return _YES_NO.get(value, value)
    if question.kind == "boolean":
        return {"yes": True, "no": False}.get(value, value)
    if question.kind == "multi_choice":
        # "None of these" ticked together with something: the symptoms ticked are what count.
        return [item for item in value if item != NONE]
    return value


def to_form_value(question: Question, answer: Any) -> Any:
    """A saved contract answer as the value its form field shows."""
    if answer is True:
        return "yes"
    if answer is False:
        return "no"
    if question.kind == "multi_choice" and answer == []:
        return [NONE]
    return str(answer) if question.kind == "integer" else answer


#: When the practice may call back: form value -> label.
TIME_WINDOWS = {
    "morning": _l("In the morning (9:00 to 12:00)"),
    "afternoon": _l("In the afternoon (12:00 to 17:00)"),
    "any": _l("Any time the practice is open"),
}


def _phone_number(form: FlaskForm, field: Field) -> None:
    if field.data and international_number(field.data) is None:
        raise ValidationError(_l("Enter a phone number we can call, like 694 123 4567 or +30 694 123 4567"))


class CallbackForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A request to be phoned back: the minimum to call, with explicit consent."""

    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=100, message=_l("Enter a name of 100 characters or fewer")),
        ],
    )
    phone = StringField(
        _l("Phone number"), validators=[DataRequired(_l("Enter a phone number")), _phone_number]
    )
    time_window = RadioField(
        _l("When can we call you?"),
        choices=[SelectChoice(value, label) for value, label in TIME_WINDOWS.items()],
        validators=[InputRequired(_l("Select when we can call you"))],
    )
    consent = BooleanField(
        _l("I agree"),
        validators=[DataRequired(_l("Tick the box to agree, or call the practice instead"))],
    )
