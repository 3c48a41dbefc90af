"""Fixed rate limits of the busiest views (the JSON API's assessments, the patient's question pages and
saving forms), counted with the limiter's own store but without its per-request work.

Flask-Limiter works out a view's limits again on every request (its decorators, scopes, exemptions
and filters): about 100 µs of an API call that takes 500–600 µs in all, and 60–100 µs of each answer
a patient sends. These limits are fixed, a setting and who they count, so here they are hit
directly with the strategy and store the limiter was set up with (RATELIMIT_STORAGE_URI,
RATELIMIT_STRATEGY): on several servers the counts are shared just the same. As with the limiter's
decorators: each request counts once against every limit that applies (only a POST, where a view
says so: a page that is only read is never counted); views given the same scope share their counts;
over a limit, the answer is 429 with Retry-After; every answer counted carries X-RateLimit-Limit,
-Remaining and -Reset of the limit with the shortest window; and nothing is counted while the
limiter is off (RATELIMIT_ENABLED=false). The other views' limits are the limiter's decorators.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Response, after_this_request, current_app, request
from limits import RateLimitItem
from werkzeug.exceptions import TooManyRequests

from triage.extensions import limiter, parse_limits

V = TypeVar("V", bound=Callable[..., Any])


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
    strategy, config = limiter.limiter, current_app.config
    prefix = (str(config["RATELIMIT_KEY_PREFIX"]),) if config.get("RATELIMIT_KEY_PREFIX") else ()
    hit: list[tuple[RateLimitItem, tuple[str, ...]]] = []
    for limit in counted:
        if not limit.applies():
            continue
        identifiers = (*prefix, limit.key(), scope)
        for item in parse_limits(str(config[limit.setting])):
            hit.append((item, identifiers))
    hit.sort(key=lambda pair: pair[0])  # the shortest window first, as the limiter orders them
    for item, identifiers in hit:
        if not strategy.hit(item, *identifiers):
            _headers_after(item, identifiers)
            reset = strategy.get_window_stats(item, *identifiers).reset_time
            raise TooManyRequests(retry_after=max(1, math.ceil(reset - time.time())))
    if hit:
        _headers_after(*hit[0])


def _headers_after(item: RateLimitItem, identifiers: tuple[str, ...]) -> None:
    """The limit's X-RateLimit headers on this request's answer (an error's too)."""

    @after_this_request
    def headers(response: Response) -> Response:
        stats = limiter.limiter.get_window_stats(item, *identifiers)
        response.headers["X-RateLimit-Limit"] = str(item.amount)
        response.headers["X-RateLimit-Remaining"] = str(stats.remaining)
        response.headers["X-RateLimit-Reset"] = str(int(stats.reset_time))
        return response
