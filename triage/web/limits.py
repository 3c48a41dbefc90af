"""The rate limits' values, read from the app's settings when a request comes, so that each app
(a deployment, a test) counts against its own: `limiter.limit(setting("RATELIMIT_PDF"))`."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app


def setting(name: str) -> Callable[[], str]:
    """A limit ("10 per minute; 100 per day") read from the setting `name`; none when it is empty."""
    return lambda: str(current_app.config.get(name) or "")
