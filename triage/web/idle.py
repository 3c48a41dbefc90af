"""The warning before an idle session ends (WCAG 2.2.1 Timing Adjustable), for every blueprint."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import session

#: How long before the end the warning appears: long enough to read it and press a button.
WARN_BEFORE_SECONDS = 120
#: A page that changes nothing else in the session rewrites its last-activity time only when that
#: time is this old: the cookie is re-sealed (and sent again) only when its content changes. The
#: end is always reckoned from the time kept, the same time the warning shows.
TOUCH_EVERY_SECONDS = 60


def touch(key: str, now: float | None = None) -> None:
    """Record activity under `key`: at once if the session changes anyway, else once a minute."""
    now = time.time() if now is None else now
    last = session.get(key)
    if last is None or session.modified or now - float(last) >= TOUCH_EVERY_SECONDS:
        session[key] = now


def touch_if_changed(key: str) -> None:
    """After a request changed the session: its activity time is now (it costs nothing more)."""
    if session.modified and key in session:
        session[key] = time.time()


@dataclass(frozen=True)
class Idle:
    """When an idle session ends, where to say "I am still here", and whether more time is offered."""

    expires_at: float
    keep_url: str
    more_time: bool = False
    for_staff: bool = False  # a staff session ends (a log-out), rather than answers being cleared
    #: On a page with a form: its id, and where "more time" sends that form, so what is typed is kept.
    typed_in: tuple[str, str] | None = None

    @property
    def seconds_left(self) -> int:
        """Seconds until the session ends if nothing happens."""
        return max(0, int(self.expires_at - time.time()))

    @property
    def minutes(self) -> int:
        """The idle limit shown to people, in whole minutes from now."""
        return max(1, round(self.seconds_left / 60))

    @property
    def warn_in(self) -> int:
        """Seconds until the warning should appear."""
        return max(0, self.seconds_left - WARN_BEFORE_SECONDS)
