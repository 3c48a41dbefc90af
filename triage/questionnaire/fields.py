"""Question pages as WTForms forms, and the one mapping between form values and contract answers.

The forms only carry values (and the CSRF token): what is valid is decided by the engine against
the contract, so a message is the same on the page, in the API and on the command line. How each
kind of answer becomes a field and back is one table, `_KINDS`, keyed by the contract's `Kind`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag WTForms 3.3

from triage.engine.contract import UNSURE, Contract, Kind, Question
from triage.questionnaire.variants import Voice

#: The form value of "none of these" on a checkbox question that may be left empty.
NONE = "none"
_WHOLE_NUMBER = re.compile(r"^\s*[+-]?\d{1,4}\s*$")
_YES_NO = {"yes": True, "no": False, UNSURE: UNSURE}
_TRUE_FALSE = {"yes": True, "no": False}


@dataclass(frozen=True)
class FieldKind:
    """How one kind of answer is asked on a form, read from it, and shown in it again."""

    make: Callable[[str, list[SelectChoice]], Field]
    to_answer: Callable[[Any], Any]
    to_form_value: Callable[[Any], Any]
    words: tuple[str, ...] = ()  # the contract's answer words offered as choices (yes, no, unsure)


def _text_field(label: str, _choices: list[SelectChoice]) -> Field:
    return StringField(label)


def _radios(label: str, choices: list[SelectChoice]) -> Field:
    return RadioField(label, choices=choices, validate_choice=False)


def _checkboxes(label: str, choices: list[SelectChoice]) -> Field:
    return SelectMultipleField(label, choices=choices, validate_choice=False)


def _number(value: str) -> int | str:
    return int(value) if _WHOLE_NUMBER.match(value) else value.strip()


def _items(value: list[str]) -> list[str]:
    return [item for item in value if item != NONE]  # ticked with others, none_with_others() objects


def _truth_word(answer: Any) -> Any:
    return {True: "yes", False: "no"}.get(answer, answer) if isinstance(answer, bool) else answer


_KINDS: dict[Kind, FieldKind] = {
    kind: kind.pick(
        integer=FieldKind(_text_field, _number, str),
        choice=FieldKind(_radios, lambda value: value, lambda answer: answer),
        multi_choice=FieldKind(_checkboxes, _items, lambda answer: answer or [NONE]),
        boolean=FieldKind(_radios, lambda v: _TRUE_FALSE.get(v, v), _truth_word, ("yes", "no")),
        yes_no=FieldKind(_radios, lambda v: _YES_NO.get(v, v), _truth_word, ("yes", "no", UNSURE)),
    )
    for kind in Kind
}


def choices(question: Question, contract: Contract, lang: str) -> list[SelectChoice]:
    """The options (form value and label) of a question with options."""
    words = contract.answer_words
    fixed = _KINDS[question.kind].words
    if fixed:
        return [SelectChoice(key, words[key].get(lang)) for key in fixed]
    options = [SelectChoice(str(value), question.options[value].get(lang)) for value in question.values]
    if question.kind.is_list and question.min_items == 0:
        options.append(SelectChoice(NONE, words[NONE].get(lang)))
    return options


def page_form(
    questions: Iterable[Question],
    contract: Contract,
    lang: str,
    voice: Voice = Voice.PATIENT,
    formdata: MultiDict[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
) -> FlaskForm:
    """A form for one screen: a field per question, filled from a post or from saved values."""
    return form_class(tuple(questions), contract, lang, voice)(formdata=formdata, data=dict(data or {}))


#: Where an app keeps the form classes it made, by contract, questions, language and voice.
_FORM_CLASSES = "triage_form_classes"


def form_class(
    questions: tuple[Question, ...], contract: Contract, lang: str, voice: Voice
) -> type[FlaskForm]:
    """The form class of a screen, made once per app: a field per question, labelled in `lang` and
    `voice` (a few dozen classes in all)."""
    made_here: dict[Any, tuple[Contract, type[FlaskForm]]] = current_app.extensions.setdefault(
        _FORM_CLASSES, {}
    )
    key = (id(contract), tuple(q.id for q in questions), lang, voice)
    made = made_here.get(key)
    if made is not None and made[0] is contract:
        return made[1]

    class PageForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
        class Meta:
            # The app's CSRFProtect checks every POST before the view; the page sends its token
            # with the csrf() macro. A token of the form's own would be signed on every request
            # and checked a second time.
            csrf = False

    for question in questions:
        label = voice.wording(question).label.get(lang)
        setattr(PageForm, question.id, _KINDS[question.kind].make(label, choices(question, contract, lang)))
    made_here[key] = (contract, PageForm)
    return PageForm


def to_answers(questions: Iterable[Question], form: FlaskForm) -> dict[str, Any]:
    """The contract answers a submitted form gives; an unanswered question is left out."""
    answers = {}
    for question in questions:
        value = to_answer(question, form[question.id].data)
        if value is not None:
            answers[question.id] = value
    return answers


def none_with_others(questions: Iterable[Question], form: FlaskForm) -> dict[str, str]:
    """A message for each list question where "None of these" was ticked together with something else."""
    return {
        q.id: str(_l('Select "None of these" or the things that apply, not both'))
        for q in questions
        if q.kind.is_list and NONE in (form[q.id].data or []) and len(form[q.id].data) > 1
    }


def to_answer(question: Question, value: Any) -> Any:
    """One form value as a contract answer (None when nothing was given)."""
    if value in (None, "", []):
        return None
    return _KINDS[question.kind].to_answer(value)


def to_form_value(question: Question, answer: Any) -> Any:
    """A saved contract answer as the value its form field shows."""
    return _KINDS[question.kind].to_form_value(answer)


def form_values(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Saved answers as the values their fields show."""
    return {q.id: to_form_value(q, answers[q.id]) for q in questions if q.id in answers}
