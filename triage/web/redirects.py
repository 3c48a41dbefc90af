"""Where a `next` parameter may send a browser: a path on this site, never anywhere else.

Every `next` goes through `same_site_path`: the patient's "keep my answers" (triage/patient), the
staff's login and "stay logged in" (triage/staff/auth.py). The address is refused, not repaired:
the caller sends the browser to its page's default instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: This site's own addresses are short; a longer `next` is not one of them.
MAX_LENGTH = 512
#: Printable ASCII without the space and the backslash. Browsers drop tabs and newlines from an
#: address (`/\t/x` becomes `//x`, another site), read a backslash as a slash, and a CR/LF would
#: split the Location header; this site's own paths and query strings need none of them.
_PLAIN = re.compile(r"[!-\[\]-~]*")


def same_site_path(target: str | None, within: str = "/") -> str | None:
    """`target` when it is a path on this site that starts with `within` (a query allowed); else None.

    Refused: a scheme or a host (`https:…`, `//host`), anything but printable ASCII without spaces
    and backslashes, and the same tricks hidden by percent-encoding (`/%2F/host`, `/%5Chost`,
    `/%09/host`): the address is checked as sent and once decoded.
    """
    if not target or len(target) > MAX_LENGTH:
        return None
    for form in (target, unquote(target)):
        if not _PLAIN.fullmatch(form) or form.startswith("//") or not form.startswith(within):
            return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
