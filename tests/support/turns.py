"""Writers that come while another writer has the turn (triage/storage/turns.py), so that they
wait together and are written together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from triage.storage.turns import WriterTurns


def all_waiting_together(
    turns: WriterTurns | None,
    database: str | None,
    add: Callable[[int], None],
    count: int,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """Run add(0) … add(count - 1), each in a thread, all coming while another writer of this
    process has the turn of `database`, so that they wait together (`meanwhile` runs then); return
    once all ended. Without turns (PostgreSQL takes its writers at once) they simply run together."""
    threads = [threading.Thread(target=add, args=(n,)) for n in range(count)]
    if turns is None:
        for thread in threads:
            thread.start()
    else:
        with turns.turn(database):
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 10
            while len(turns._waiting.get(database, [])) < count and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(turns._waiting.get(database, [])) == count
            meanwhile()
    for thread in threads:
        thread.join(30)
