"""The limiter's counters in memory: the same limits, without a new thread every 10 ms."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from triage.extensions import limiter, parse_limits
from triage.limiter_storage import SWEEP_EVERY_SECONDS, SweptMemoryStorage


def _threads_started(storage: MemoryStorage, monkeypatch: pytest.MonkeyPatch) -> int:
    started = [0]
    start = threading.Thread.start

    def counted(thread: threading.Thread) -> None:
        started[0] += 1
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted)
    counter, limit = FixedWindowRateLimiter(storage), parse("100000 per minute")
    for hit in range(300):  # half a second of steady traffic
        counter.hit(limit, "address")
        if hit % 10 == 0:
            time.sleep(0.015)
    monkeypatch.setattr(threading.Thread, "start", start)
    return started[0]


def test_memory_is_the_swept_store_in_the_app(app: Flask) -> None:
    assert isinstance(storage_from_string("memory://"), SweptMemoryStorage)
    with app.app_context():
        assert isinstance(limiter.storage, SweptMemoryStorage)


def test_a_steady_stream_of_hits_starts_a_sweep_at_most_once_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = _threads_started(SweptMemoryStorage(), monkeypatch)
    theirs = _threads_started(MemoryStorage(), monkeypatch)
    assert ours <= 1 + int(0.5 / SWEEP_EVERY_SECONDS) + 1
    assert theirs >= 10  # limits' own store: a thread every 10 ms or so


def test_limits_count_as_before() -> None:
    counter, limit = FixedWindowRateLimiter(SweptMemoryStorage()), parse("2 per second")
    assert [counter.hit(limit, "a") for _ in range(3)] == [True, True, False]
    assert counter.hit(limit, "b")  # another address counts on its own
    time.sleep(1.05)
    assert counter.hit(limit, "a")  # the window has passed
    moving, window = MovingWindowRateLimiter(SweptMemoryStorage()), parse("2 per second")
    assert [moving.hit(window, "a") for _ in range(3)] == [True, True, False]
    time.sleep(1.05)
    assert moving.hit(window, "a")


def test_expired_counters_are_swept_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("triage.limiter_storage.SWEEP_EVERY_SECONDS", 0.0)
    storage = SweptMemoryStorage()
    counter = FixedWindowRateLimiter(storage)
    counter.hit(parse("5 per second"), "gone")
    time.sleep(1.05)
    counter.hit(parse("5 per minute"), "still here")  # a hit starts the sweep
    deadline = time.monotonic() + 2
    while any("gone" in key for key in storage.storage) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any("gone" in key for key in storage.storage)
    assert any("still here" in key for key in storage.storage)


def test_limit_strings_are_parsed_once_and_still_count(
    make_app: Callable[..., Flask], database: Path
) -> None:
    import flask_limiter._limits as flask_limiter_limits

    assert flask_limiter_limits.parse_many is parse_limits  # what Flask-Limiter parses with
    app = make_app(database, RATELIMIT_PATIENT_PAGES="3 per minute; 1000 per day")
    parse_limits.cache_clear()
    client = app.test_client()
    statuses = [client.post("/questions/emergency-screen", data={}).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429  # three a minute, the fourth refused
    assert parse_limits.cache_info().misses == 1  # parsed the first time only
    assert parse_limits.cache_info().hits >= 3
    assert [item.amount for item in parse_limits("3 per minute; 1000 per day")] == [3, 1000]
