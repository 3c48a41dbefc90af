"""Fixed rate limits of the busiest views (the JSON API's assessments, the patient's question pages and
saving forms), counted with the limiter's own store but without its per-request work.

Flask-Limiter works out a view's limits again on every request (its decorators, scopes, exemptions
and filters): about 100 µs of an API call that takes 500–600 µs in all, and 150–170 µs of each answer
a patient sends (measured in process). These limits are fixed, a setting and who they count, so
here they are hit directly with the strategy and store the limiter was set up with (RATELIMIT_STORAGE_URI,
RATELIMIT_STRATEGY): on several servers the counts are shared just the same. As with the limiter's
decorators: each request counts once against every limit that applies (only a POST, where a view
says so: a page that is only read is never counted); views given the same scope share their counts;
over a limit, the answer is 429 with Retry-After; every answer counted carries X-RateLimit-Limit,
-Remaining and -Reset of the limit with the shortest window; and nothing is counted while the
limiter is off (RATELIMIT_ENABLED=false). The other views' limits are the limiter's decorators.

When the shared store cannot be reached (Redis down), the limits are counted in this process's
memory for FALLBACK_SECONDS, then the store is tried again: a patient's answers still reach their
guidance, never a server error, and a flood is still stopped (per process). The limiter's own
decorators do the same (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Response, after_this_request, current_app, request
from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests

from triage.extensions import limiter, parse_limits

V = TypeVar("V", bound=Callable[..., Any])
log = logging.getLogger(__name__)
#: How long the limits are counted in memory after the shared store could not be reached.
FALLBACK_SECONDS = 30.0
#: Where an app keeps its _Fallback.
_FALLBACK = "triage_limits_fallback"


@dataclass
class _Fallback:
    """The limiter's strategy over this process's memory, and until when the limits are counted there."""

    strategy: RateLimiter
    until: float = 0.0


@dataclass(frozen=True)
class Counted:
    """One limit of a view: the setting that holds it, whose requests count together, and when it
    applies."""

    setting: str
    key: Callable[[], str]
    applies: Callable[[], bool] = lambda: True


def limited(scope: str, *counted: Counted, methods: tuple[str, ...] | None = None) -> Callable[[V], V]:
    """Count each request to the view (each of `methods` only, if given) against these limits,
    under `scope`: the view's name, or one name for views that share their counts."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def counted_view(*args: Any, **kwargs: Any) -> Any:
            if limiter.enabled and (methods is None or request.method in methods):
                _count(scope, counted)
            return view(*args, **kwargs)

        return cast(V, counted_view)

    return decorate


def _count(scope: str, counted: tuple[Counted, ...]) -> None:
    config = current_app.config
    prefix = (str(config["RATELIMIT_KEY_PREFIX"]),) if config.get("RATELIMIT_KEY_PREFIX") else ()
    hit: list[tuple[RateLimitItem, tuple[str, ...]]] = []
    for limit in counted:
        if not limit.applies():
            continue
        identifiers = (*prefix, limit.key(), scope)
        for item in parse_limits(str(config[limit.setting])):
            hit.append((item, identifiers))
    hit.sort(key=lambda pair: pair[0])  # the shortest window first, as the limiter orders them
    if not hit:
        return
    fallback = _fallback()
    if time.monotonic() >= fallback.until:
        try:
            _hit_all(limiter.limiter, hit)
            return
        except StorageError as exc:  # its cause's type only: the message may name the store's address
            log.warning(
                "Rate limit store unreachable (%s): counting in this process's memory for %d s",
                type(exc.storage_error).__name__,
                FALLBACK_SECONDS,
            )
            fallback.until = time.monotonic() + FALLBACK_SECONDS
    _hit_all(fallback.strategy, hit)


def _fallback() -> _Fallback:
    """This app's fallback, made on first use with the limiter's own kind of strategy."""
    found: _Fallback | None = current_app.extensions.get(_FALLBACK)
    if found is None:
        found = current_app.extensions[_FALLBACK] = _Fallback(type(limiter.limiter)(MemoryStorage()))
    return found


def _hit_all(strategy: RateLimiter, hit: list[tuple[RateLimitItem, tuple[str, ...]]]) -> None:
    """Count one request against each limit with `strategy`: 429 at the first one it is over."""
    for item, identifiers in hit:
        if not strategy.hit(item, *identifiers):
            stats = strategy.get_window_stats(item, *identifiers)
            _headers_after(item, stats.remaining, stats.reset_time)
            raise TooManyRequests(retry_after=max(1, math.ceil(stats.reset_time - time.time())))
    item, identifiers = hit[0]
    stats = strategy.get_window_stats(item, *identifiers)
    _headers_after(item, stats.remaining, stats.reset_time)


def _headers_after(item: RateLimitItem, remaining: int, reset_time: float) -> None:
    """The limit's X-RateLimit headers on this request's answer (an error's too)."""

    @after_this_request
    def headers(response: Response) -> Response:
        response.headers["X-RateLimit-Limit"] = str(item.amount)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(int(reset_time))
        return response
