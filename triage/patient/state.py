"""The questionnaire's state in the person's session: answers, unsent drafts, and idle expiry.

Nothing is stored on the server. The session cookie is encrypted (triage/web/sessions.py), HTTP-only
and ends with the browser; the answers in it are cleared after IDLE_LIMIT_SECONDS (30 minutes)
without activity, or on "start again". What was typed but not accepted is kept capped, so the
cookie stays small whatever is sent.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session

from triage.engine import Level
from triage.web import idle

_ANSWERS, _DRAFTS, _TOUCHED, _SUBMITTED = "answers", "drafts", "touched", "submitted"
_REFERENCE, _CALLBACK, _ADVISED, _PATIENCE = "reference", "callback_sent", "advised", "more_time"
_UNSENT = "unsent"
_KEYS = (_ANSWERS, _DRAFTS, _TOUCHED, _SUBMITTED, _REFERENCE, _CALLBACK, _ADVISED, _PATIENCE, _UNSENT)
#: "Give me more time" multiplies the idle limit by this (WCAG 2.2.1: at least ten times).
MORE_TIME = 10
#: Caps on a page's draft: fields kept, values per field, characters per value and name, and pages
#: with a draft at once. The largest page has 7 questions, a question 10 choices, a choice's id 15
#: characters: nothing a person can type is lost, and no post can make the cookie too large.
DRAFT_FIELDS, DRAFT_VALUES, DRAFT_CHARACTERS, DRAFT_PAGES = 12, 12, 40, 10


def answers() -> dict[str, Any]:
    """The answers given so far, by question id, as in the contract."""
    return dict(session.get(_ANSWERS, {}))


def save_answers(page_id: str, question_ids: tuple[str, ...], page_answers: dict[str, Any]) -> None:
    """Replace a page's answers (a question left blank is removed) and forget its draft."""
    saved = {k: v for k, v in answers().items() if k not in question_ids}
    session[_ANSWERS] = {**saved, **page_answers}
    forget_draft(page_id)
    if session.get(_SUBMITTED):  # a confirmed result changed: confirming again makes a new record
        session.pop(_REFERENCE, None)
        session.pop(_CALLBACK, None)
    session[_SUBMITTED] = False


def draft(page_id: str) -> dict[str, list[str]] | None:
    """What was typed on a page but not accepted (invalid, sent with an expired token, or kept while
    the person asked for more time)."""
    drafts: dict[str, dict[str, list[str]]] = session.get(_DRAFTS, {})
    return drafts.get(page_id)


def draft_was_sent(page_id: str) -> bool:
    """Whether a page's draft was sent as answers (so its problems are shown), rather than only kept."""
    return page_id not in session.get(_UNSENT, [])


def keep_draft(page_id: str, typed: dict[str, list[str]], sent: bool = True) -> None:
    """Keep what was typed on a page, so nothing is lost when it cannot be accepted yet (capped).

    `sent`: the person sent it as their answers; otherwise (more time asked for) it is only kept,
    and the page shows it again without calling anything in it a problem.
    """
    page_id = page_id[:DRAFT_CHARACTERS]
    capped = {
        name[:DRAFT_CHARACTERS]: [value[:DRAFT_CHARACTERS] for value in values[:DRAFT_VALUES]]
        for name, values in list(typed.items())[:DRAFT_FIELDS]
    }
    others = [(k, v) for k, v in session.get(_DRAFTS, {}).items() if k != page_id][-(DRAFT_PAGES - 1) :]
    session[_DRAFTS] = {**dict(others), page_id: capped}
    unsent = [k for k in session.get(_UNSENT, []) if k != page_id and k in session[_DRAFTS]]
    _keep_unsent(unsent if sent else [*unsent, page_id])


def forget_draft(page_id: str) -> None:
    """Forget what was typed on a page (its valid answers are saved)."""
    session[_DRAFTS] = {k: v for k, v in session.get(_DRAFTS, {}).items() if k != page_id}
    _keep_unsent([k for k in session.get(_UNSENT, []) if k != page_id])


def _keep_unsent(page_ids: list[str]) -> None:
    """The pages whose draft was only kept, not sent (none: nothing stored)."""
    if page_ids:
        session[_UNSENT] = page_ids
    else:
        session.pop(_UNSENT, None)


def mark_early_exit(reference: str | None, level: Level) -> None:
    """The emergency advice was shown at `level`; `reference` is the record it was saved as."""
    session[_ADVISED] = level.value
    if reference is not None:
        session[_REFERENCE] = reference


def advised() -> Level | None:
    """The level of the emergency advice already shown, if any: only a more urgent one is news."""
    level = session.get(_ADVISED)
    return Level(level) if level else None


def mark_submitted(reference: str | None) -> None:
    """The person confirmed their answers; `reference` is the saved assessment's (None: not saved)."""
    session[_SUBMITTED] = True
    session[_REFERENCE] = reference


def reference() -> str | None:
    """The reference code of the saved assessment (an early exit or the result), or None."""
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
    for key in _KEYS:
        session.pop(key, None)


def expire_if_idle(now: float | None = None) -> bool:
    """Clear answers left idle too long; True when that happened. Also records this activity."""
    now = time.time() if now is None else now
    touched = session.get(_TOUCHED)
    limit = idle_limit()
    expired = touched is not None and now - touched > limit and _ANSWERS in session
    if expired:
        clear()
    if _ANSWERS in session or _DRAFTS in session:
        idle.touch(_TOUCHED, now)
    return expired


def touch_if_changed() -> None:
    """A request that changed the session also records its activity (the cookie is re-sealed anyway)."""
    idle.touch_if_changed(_TOUCHED)


def idle_limit() -> int:
    """How many seconds of inactivity clear the answers: the setting, or ten times it on request."""
    limit = int(current_app.config["IDLE_LIMIT_SECONDS"])
    return limit * MORE_TIME if session.get(_PATIENCE) else limit


def expires_at() -> float | None:
    """When the answers will be cleared if nothing else happens (None: nothing to clear)."""
    touched = session.get(_TOUCHED)
    return None if touched is None else float(touched) + idle_limit()


def has_more_time() -> bool:
    """Whether the person asked for more time already."""
    return bool(session.get(_PATIENCE))


def give_more_time() -> None:
    """The person asked for more time: the idle limit becomes ten times longer for this session."""
    session[_PATIENCE] = True
