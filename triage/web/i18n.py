"""Languages: Greek and English throughout. Chosen by ?lang=, remembered for the session,
otherwise from Accept-Language, otherwise the configured default.

Page texts live in the message catalogues (triage/translations); clinical texts (questions, reasons,
guidance, levels, safety net) live in rules/ with every language side by side.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, request, session
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context

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
    """The Babel locale of a language code, made once, for the pages' texts and their dates: Babel
    parses a code it is given each time, and looks on disk for the locale's data (28 µs a request)."""
    return Locale.parse(code)


def init_app(app: Flask) -> None:
    """Wire Flask-Babel to our choice of language; before CSRF, so its error pages speak it too."""
    babel.init_app(app, locale_selector=lambda: babel_locale(g.get("lang") or header_language()))
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    globals_ = app.jinja_env.globals
    globals_["gettext"] = globals_["_"] = _kept_texts(globals_["gettext"])  # type: ignore[arg-type]
    app.before_request(remember_page_language)


#: At most this many texts of one language are kept (the templates have a few hundred).
_KEPT_TEXTS = 2000


def _kept_texts(gettext: Callable[..., str]) -> Callable[..., str]:
    """Jinja's `_()`, with each text that has no values to fill kept once translated and escaped.

    A page calls `_()` some forty times; each call went through Jinja's context, the translation
    and the escaping again. Texts with values (`_("%(n)s days", n=3)`) are filled in each time.
    """

    @pass_context
    def kept(context: Context, string: str, **variables: Any) -> str:
        if variables:
            return gettext(context, string, **variables)
        found = translations()
        texts: dict[tuple[str, bool], str] | None = getattr(found, "_triage_texts", None)
        if texts is None:
            texts = found._triage_texts = {}  # type: ignore[attr-defined]
        key = (string, context.eval_ctx.autoescape)
        text = texts.get(key)
        if text is None:
            text = gettext(context, string)
            if len(texts) < _KEPT_TEXTS:
                texts[key] = text
        return text

    return kept


def translations() -> NullTranslations:
    """The page texts of this request's language, looked up once per request and language.

    Flask-Babel looks them up again for each text (a result page has some forty); kept here with
    the locale they are for, so force_locale() (a message in another language) still gets its own.
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "triage_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]  # type: ignore[no-any-return]
    found: NullTranslations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.triage_translations = (getattr(state, "babel_locale", None), found)
    return found


def current_language() -> str:
    """The language chosen for this request (see remember_page_language)."""
    return str(g.get("lang") or header_language())
