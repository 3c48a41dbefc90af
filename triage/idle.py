"""The warning before an idle session ends (WCAG 2.2.1 Timing Adjustable), for every blueprint."""

from __future__ import annotations

import time
from dataclasses import dataclass

#: How long before the end the warning appears: long enough to read it and press a button.
WARN_BEFORE_SECONDS = 120


@dataclass(frozen=True)
class Idle:
    """When an idle session ends, where to say "I am still here", and whether more time is offered."""

    expires_at: float
    keep_url: str
    more_time: bool = False
    for_staff: bool = False  # a staff session ends (a log-out), rather than answers being cleared

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
