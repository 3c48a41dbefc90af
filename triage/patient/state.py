"""The questionnaire's state in the person's session: answers, unsent drafts, and idle expiry.

Nothing is stored on the server. The session cookie is signed, HTTP-only and ends with the
browser; the answers in it are cleared after IDLE_LIMIT_SECONDS (30 minutes) without activity,
or on "start again".
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session

_ANSWERS, _DRAFTS, _TOUCHED, _SUBMITTED = "answers", "drafts", "touched", "submitted"
_REFERENCE, _CALLBACK = "reference", "callback_sent"


def answers() -> dict[str, Any]:
    """The answers given so far, by question id, as in the contract."""
    return dict(session.get(_ANSWERS, {}))


def save_answers(page_id: str, question_ids: tuple[str, ...], page_answers: dict[str, Any]) -> None:
    """Replace a page's answers (a question left blank is removed) and forget its draft."""
    saved = {k: v for k, v in answers().items() if k not in question_ids}
    session[_ANSWERS] = {**saved, **page_answers}
    session[_DRAFTS] = {k: v for k, v in session.get(_DRAFTS, {}).items() if k != page_id}
    session[_SUBMITTED] = False
    session.pop(_REFERENCE, None)
    session.pop(_CALLBACK, None)


def draft(page_id: str) -> dict[str, list[str]] | None:
    """What was typed on a page but not accepted (invalid, or sent with an expired token)."""
    drafts: dict[str, dict[str, list[str]]] = session.get(_DRAFTS, {})
    return drafts.get(page_id)


def keep_draft(page_id: str, typed: dict[str, list[str]]) -> None:
    """Keep what was typed on a page, so nothing is lost when it cannot be accepted yet."""
    session[_DRAFTS] = {**session.get(_DRAFTS, {}), page_id: typed}


def mark_submitted(reference: str | None) -> None:
    """The person confirmed their answers; `reference` is the saved assessment's (None: not saved)."""
    session[_SUBMITTED] = True
    session[_REFERENCE] = reference


def reference() -> str | None:
    """The reference code of the saved assessment, or None when it could not be saved."""
    code: str | None = session.get(_REFERENCE)
    return code


def mark_callback_sent(reference: str) -> None:
    """A call-back request for this reference was saved."""
    session[_CALLBACK] = reference


def callback_sent() -> str | None:
    """The reference a call-back request was saved for, if any."""
    sent: str | None = session.get(_CALLBACK)
    return sent


def submitted() -> bool:
    """Whether the current answers were confirmed."""
    return bool(session.get(_SUBMITTED))


def clear() -> None:
    """Forget everything about this person's questionnaire."""
    for key in (_ANSWERS, _DRAFTS, _TOUCHED, _SUBMITTED, _REFERENCE, _CALLBACK):
        session.pop(key, None)


def expire_if_idle(now: float | None = None) -> bool:
    """Clear answers left idle too long; True when that happened. Also records this activity."""
    now = time.time() if now is None else now
    touched = session.get(_TOUCHED)
    limit = current_app.config["IDLE_LIMIT_SECONDS"]
    expired = touched is not None and now - touched > limit and _ANSWERS in session
    if expired:
        clear()
    if _ANSWERS in session or _DRAFTS in session:
        session[_TOUCHED] = now
    return expired
