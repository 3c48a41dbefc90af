"""Template helpers: patient texts in the page's language, with phone numbers as tap-to-call links."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from triage.config import practice_values
from triage.engine import Text
from triage.engine.contract import UNSURE, Question
from triage.engine.export import FilledTexts
from triage.extensions import rules
from triage.web.formatting import local_time, long_date, phone
from triage.web.i18n import current_language
from triage.web.phones import PRACTICE_NUMBERS, readable_number, split_extension, with_readable_numbers

#: Where an app keeps its texts filled in, and its practice's details, by language.
_SAID, _PRACTICE, _FILLED = "triage_said", "triage_practice", "triage_filled"


def register_template_helpers(app: Flask) -> None:
    """Add the filters, `answer_words` and the practice's details to every template."""
    app.add_template_filter(say)
    app.add_template_filter(telephone, "tel")
    app.add_template_filter(answer_word)
    app.add_template_global(answer_words)
    app.add_template_global(other_languages)
    app.add_template_global(language_url)
    app.add_template_filter(long_date, "dateformat")  # 24 November 2026 / 24 Νοεμβρίου 2026
    app.add_template_filter(local_time)
    app.add_template_filter(phone)
    app.context_processor(lambda: {"practice": _practice(current_language(), linked=False)})


def answer_word(value: Any, question: Question) -> str:
    """One value of a question in the page's language, as its form words it."""
    lang = current_language()
    words = rules.current.contract.answer_words
    if value is True or value == UNSURE or value is False:
        return str(words[{True: "yes", False: "no"}.get(value, UNSURE)].get(lang))
    if value in question.options:
        return str(question.options[value].get(lang))
    return str(value)


def answer_words(question: Question, answer: Any) -> str:
    """A saved answer in words ("" when not answered); a list is joined, an empty one is "none"."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        if not answer:
            return str(rules.current.contract.answer_words["none"].get(current_language()))
        return ", ".join(answer_word(item, question) for item in answer)
    return answer_word(answer, question)


def say(text: Text, linked: bool = True) -> Markup:
    """A rule-set text in the page's language; {placeholders} filled, numbers linked for calling.

    Each text is filled in once per app and language (the practice's details are settings, fixed
    when the app starts): a result page says some twenty texts."""
    lang = current_language()
    said: dict[tuple[int, str, bool], tuple[Text, Markup]] = current_app.extensions.setdefault(_SAID, {})
    key = (id(text), lang, linked)
    cached = said.get(key)
    if cached is not None and cached[0] is text:
        return cached[1]
    markup = escape(text.get(lang)).format_map(_practice(lang, linked))  # values escaped unless Markup
    lead, *facts = markup.split("\n- ")  # a told reason: "You told us:" and one line per fact
    if facts:
        items = Markup("").join(Markup("<li>{0}</li>\n").format(fact) for fact in facts)
        markup = Markup('{0}\n<ul class="list list--bullet told">\n{1}</ul>').format(lead, items)
    said[key] = (text, markup)
    return markup


def practice_details(lang: str | None = None) -> dict[str, Any]:
    """The practice's details for texts in `lang` (the page's language by default), as plain text:
    the values of the rule set's {placeholders}, such as the emergency number."""
    return _practice(lang or current_language(), linked=False)


def _practice(lang: str, linked: bool) -> dict[str, Any]:
    """The practice's details for texts in `lang`; with `linked`, its numbers and address as links."""
    made: dict[tuple[str, bool], dict[str, Any]] = current_app.extensions.setdefault(_PRACTICE, {})
    if (lang, linked) not in made:
        values: dict[str, Any] = with_readable_numbers(practice_values(current_app.config, lang))
        if linked:
            for name in PRACTICE_NUMBERS:
                values[name] = telephone_link(values[name])
            values["practice_email"] = Markup('<a href="mailto:{0}">{0}</a>').format(values["practice_email"])
        made[(lang, linked)] = values
    return made[(lang, linked)]


def plain(text: Text) -> str:
    """A rule-set text in the page's language with its {placeholders} filled, as plain text (to store)."""
    return filled_texts(current_language())(text)


def filled_texts(lang: str) -> FilledTexts:
    """The rule set's texts in `lang` filled with the practice's details as plain text, each once per
    app (the details are settings, fixed when the app starts)."""
    made: dict[str, FilledTexts] = current_app.extensions.setdefault(_FILLED, {})
    if lang not in made:
        made[lang] = FilledTexts(lang, _practice(lang, linked=False))
    return made[lang]


@functools.lru_cache(maxsize=256)  # the practice's few numbers, on every page
def telephone_link(number: str) -> Markup:
    """A tap-to-call link for a phone number, shown grouped for reading (readable_number)."""
    shown = readable_number(number)
    dialled = "".join(ch for ch in shown if ch.isdigit() or ch == "+")
    return Markup('<a class="tel" href="tel:{0}">{1}</a>').format(dialled, shown)


def telephone(number: str) -> Markup:
    """A phone number as a tap-to-call link; a stored number's extension is shown after it, to key in
    once the call is answered (a tel: link cannot dial one on every phone)."""
    international, extension = split_extension(number)
    link = telephone_link(international)
    return link if extension is None else link + " " + _("ext. %(extension)s", extension=extension)


#: Each language named in itself, for the language switch.
AUTONYMS = {"en": "English", "el": "Ελληνικά"}


def other_languages() -> list[tuple[str, str]]:
    """The languages this page can switch to: (code, name in that language)."""
    offered = rules.current.languages
    return [(code, AUTONYMS.get(code, code)) for code in offered if code != current_language()]


def language_url(code: str) -> str:
    """This page in another language (the choice is remembered for the session)."""
    args: dict[str, Any] = {**request.args, "lang": code}
    if request.endpoint and request.method == "GET" and request.url_rule is not None:
        return url_for(request.endpoint, **(request.view_args or {}), **args)
    return url_for("patient.start", lang=code)
