"""Reference codes looked up that find no record: each one audited, and too many stopped.

A reference code has 40 random bits, so nobody finds a record by guessing; a script with a staff
session could still try. Every miss (the look-up box, a record's address, a record read as FHIR
with a staff session) is in the audit trail, and counts against RATELIMIT_STAFF_LOOKUPS for that
member of staff: past it, look-ups stop for a while with a page that says why. Look-ups that find
their record are never counted.

The audit trail keeps the code looked up only when it has a reference code's shape (written as
reference codes are stored, 7KQ3-M9TX): anything else typed in the box may be a name or a phone
number typed in the wrong place, so only its length is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, g, render_template
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded, RequestLimit

from triage.extensions import limiter
from triage.staff import bp
from triage.staff.auth import staff_member
from triage.storage import repository
from triage.storage.codes import Action
from triage.storage.references import normalise_reference
from triage.web.errors import handle_http_error
from triage.web.limits import setting

#: Where a request notes that it looked up a reference that found nothing (for the limit to count it).
_MISSED = "triage_missed_reference"
#: The scope the staff look-up limit is counted under, wherever it is checked.
SCOPE = "staff-lookups"


def missed(username: str, typed: str, detail: str | None = None) -> None:
    """Audit a reference looked up that finds no record, and count it against the look-up limit."""
    code = normalise_reference(typed)
    shape = None if code else f"not a reference code ({len(typed)} characters)"
    said = "; ".join(part for part in (detail, shape) if part) or None
    repository.audit(username, Action.LOOKUP_UNKNOWN, target=code, detail=said)
    setattr(g, _MISSED, True)


def _missed_one(response: Response) -> bool:
    return bool(g.get(_MISSED, False))


def _too_many_page(limit: RequestLimit) -> Response:
    until = datetime.fromtimestamp(limit.reset_at, UTC)
    return Response(render_template("staff/too_many_lookups.html", until=until), status=429)


def staff_lookups(**options: Any) -> Callable[[Any], Any]:
    """The look-up limit for a view that finds records by reference (`options`: the limiter's own,
    e.g. exempt_when): misses counted per member of staff, in one count wherever they happen."""
    return limiter.shared_limit(
        setting("RATELIMIT_STAFF_LOOKUPS"),
        scope=SCOPE,
        key_func=staff_member,
        deduct_when=_missed_one,
        **options,
    )


#: The staff area's views that find a record by its reference; past the limit, a page saying why.
STAFF_LOOKUPS = staff_lookups(on_breach=_too_many_page)


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    """A staff limit with a page of its own (the look-ups') gives it; any other, the usual page."""
    return error.response if error.response is not None else handle_http_error(error)
