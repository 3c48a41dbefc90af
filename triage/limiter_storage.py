"""The rate limiter's counters within one process (RATELIMIT_STORAGE_URI=memory://, the default):
limits' own memory storage, with its expired counters swept once a second.

limits' MemoryStorage starts a timer thread 10 ms after nearly every counted request, to drop the
counters that have expired. Under load that is a new thread every 10 ms in each worker, and each
start waits for the new thread to be running: in a busy worker, 8–12% of a save's profile samples
were in starting threads. Here the sweep runs at most once a second. No limit counts differently:
a counter is still dropped the moment it is read after it expired (MemoryStorage.get), and a
moving window still judges each entry by its time.

Registered for the "memory" scheme, so memory:// (or a deployment's own RATELIMIT_STORAGE_URI of
memory://) gets it; redis:// and the other stores are limits' own.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import MemoryStorage

#: How often, at most, expired counters are dropped from memory.
SWEEP_EVERY_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' MemoryStorage, swept at most once every SWEEP_EVERY_SECONDS."""

    STORAGE_SCHEME = ["memory"]  # noqa: RUF012  # limits' registry reads this class attribute

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  # the parent's hook, by its mangled name
        """Start the parent's sweep in a timer thread, unless one ran less than a second ago."""
        now = time.monotonic()
        if now < self._next_sweep or self.timer.is_alive():
            return
        self._next_sweep = now + SWEEP_EVERY_SECONDS
        self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
        self.timer.daemon = True  # a sweep never keeps a stopping process alive
        self.timer.start()
