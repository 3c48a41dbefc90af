"""Languages: Greek and English throughout. Chosen by ?lang=, remembered for the session,
otherwise from Accept-Language, otherwise the configured default.

Page texts live in the message catalogues (triage/translations), read through Flask-Babel;
clinical texts (questions, reasons, guidance, levels, safety net) live in rules/ with every
language side by side.
"""

from __future__ import annotations

import functools

from babel import Locale
from flask import Flask, current_app, g, request, session

from triage.extensions import babel, rules

_CHOSEN = "lang"


def languages() -> tuple[str, ...]:
    """The languages the app speaks: those every rule text is written in."""
    return rules.current.languages


def page_language() -> str:
    """The language of this request's pages: ?lang=, then the session's choice, then the browser's."""
    offered = languages()
    asked = request.args.get("lang")
    if asked in offered:
        session[_CHOSEN] = asked
        return asked
    chosen = session.get(_CHOSEN)
    if chosen in offered:
        return str(chosen)
    return header_language()


def header_language() -> str:
    """The best of our languages for the Accept-Language header, else the configured default."""
    offered = languages()
    for wanted, _quality in request.accept_languages:  # best first; el-GR counts as el
        primary = wanted.split("-")[0].split("_")[0].lower()
        if primary in offered:
            return primary
    default = current_app.config["DEFAULT_LANGUAGE"]
    return default if default in offered else offered[0]


def remember_page_language() -> None:
    """Set g.lang once per request; templates and the `say` filter read it. A static file is in no
    language (its session is not even looked at, so a cache may keep one copy for everyone); the
    JSON API answers in the language of Accept-Language."""
    if request.endpoint == "static":
        return
    g.lang = header_language() if request.path.startswith("/api/") else page_language()


@functools.cache  # a few languages; a Locale is never changed once made
def babel_locale(code: str) -> Locale:
    """The Babel locale of a language code, for dates and times in that language."""
    return Locale.parse(code)


def current_language() -> str:
    """The language chosen for this request (see remember_page_language)."""
    return str(g.get("lang") or header_language())


def init_app(app: Flask) -> None:
    """Wire Flask-Babel (which gives templates `_()` and `gettext`) to our choice of language;
    before CSRF, so its error pages speak it too."""
    babel.init_app(app, locale_selector=current_language)
    app.before_request(remember_page_language)
