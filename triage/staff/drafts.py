"""What a member of staff typed in a form when their session ended before it was sent (idle, 12
hours, logged out elsewhere, or the form's security token expired): kept in the encrypted session
cookie for the page the form is on, and filled in there again, not yet saved, when the same member
of staff is back on that page. Only the fields named in FORMS are kept: a note, a reason and the
choice beside them, never a password or a code.

After logging in, staff return to `return_address()`: the page itself, or for a form that is only
ever sent (never opened), the page it is on, so a login never leads to a form's address (a 405).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, session, url_for
from werkzeug.datastructures import MultiDict

#: The session key of the one kept draft: who typed it, for which page and form, and what.
KEY = "staff_draft"
#: A kept field is cut at this length: the forms' own limit for a note or a reason.
MAX_CHARACTERS = 1000


@dataclass(frozen=True)
class Kept:
    """A form whose typed text is kept: the endpoint of the page it is on (opened with the same view
    arguments) and the fields kept."""

    page: str
    fields: tuple[str, ...]


#: The staff forms sent to an address of their own, by that address's endpoint.
FORMS = {
    "staff.change_status": Kept("staff.record", ("status", "note")),
    "staff.override": Kept("staff.record", ("level", "reason")),
}


@dataclass(frozen=True)
class Draft:
    """What was typed in one form on this page (`form` is the form's endpoint), not yet saved."""

    form: str
    typed: MultiDict[str, str]


def return_address() -> str | None:
    """Where to come back to after logging in: this page (with its query), or the page this form
    is on; None when neither is known (the caller's default then). A path as `request.path` gives
    one (without the site's prefix), as every `next` is."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.full_path.rstrip("?")
    kept = FORMS.get(request.endpoint or "")
    if kept is None:
        return None
    return url_for(kept.page, **(request.view_args or {})).removeprefix(request.script_root)


def keep(user_id: object) -> bool:
    """Keep what this request's form typed, for `user_id` on the form's page; whether anything was."""
    kept = FORMS.get(request.endpoint or "")
    if kept is None or request.method != "POST" or not isinstance(user_id, int):
        return False
    typed = {name: request.form.get(name, "")[:MAX_CHARACTERS] for name in kept.fields}
    if not any(value.strip() for value in typed.values()):
        return False
    session[KEY] = {"user": user_id, "page": return_address(), "form": request.endpoint, "typed": typed}
    return True


def take(user_id: int) -> Draft | None:
    """The draft kept for this page and this member of staff, once (it is forgotten as it is shown)."""
    kept = session.get(KEY)
    if not isinstance(kept, dict) or kept.get("page") != return_address():
        return None
    session.pop(KEY, None)
    if kept.get("user") != user_id or kept.get("form") not in FORMS:
        return None
    return Draft(str(kept["form"]), MultiDict(dict(kept.get("typed") or {})))


def forget_unless_for(user_id: int | None) -> None:
    """Forget a kept draft typed by anyone but `user_id` (another login, or a logout: None)."""
    kept = session.get(KEY)
    if kept is not None and (not isinstance(kept, dict) or kept.get("user") != user_id):
        session.pop(KEY, None)
