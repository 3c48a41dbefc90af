"""Which language to answer in."""

from __future__ import annotations

from flask import current_app, g, request

from triage.extensions import rules


def request_language() -> str:
    """The best of the rule set's languages for this request's Accept-Language, else the default."""
    languages = rules.current.languages
    best = request.accept_languages.best_match(languages)
    default = current_app.config["DEFAULT_LANGUAGE"]
    return best or (default if default in languages else languages[0])


def remember_request_language() -> None:
    """Set the language of this request's pages (templates read it as `lang`)."""
    g.lang = request_language()
