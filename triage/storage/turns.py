"""Writers to one SQLite database take turns, without sleeping.

SQLite lets one writer in at a time; a writer that finds the database busy sleeps (1, 2, 5, 10, 15,
20, 25 … ms) and tries again, so under load most of a save is spent asleep and the slowest saves
wait for hundreds of milliseconds. Here the threads of a process take turns on a lock, and the
processes (gunicorn's workers, the command line) on an advisory lock on a file beside the database
(flock): the kernel wakes the next writer as soon as the last one has committed.

Rows that only need adding (a new assessment) can also be written together: the threads of a process
that are waiting to add one are written by the first of them to have the turn, in one transaction,
so a busy process takes one turn for several rows instead of one turn each.

Writers that do not come this way (a migration, a SQLite shell) still meet SQLite's own waiting.
"""

from __future__ import annotations

import copy
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: Beside the database file, owner-only like the database itself; it holds nothing.
SUFFIX = "-writers.lock"
#: Lock files a process keeps open at most (one database in service; many in a test run).
KEPT_FILES = 16


@dataclass(eq=False)
class _Waiting(Generic[T]):
    """A row waiting to be written with others."""

    item: T
    done: bool = False
    failure: BaseException | None = None


class WriterTurns:
    """One writer at a time for each SQLite file: within a process and across processes."""

    def __init__(self) -> None:
        self._threads = threading.Lock()
        self._files: dict[str, tuple[int, int]] = {}  # database -> (the process it was opened in, fd)
        self._queue = threading.Lock()
        self._waiting: dict[str | None, list[_Waiting[Any]]] = {}

    @contextmanager
    def turn(self, database: str | None) -> Iterator[None]:
        """Wait for this database's turn, and hold it until the block ends."""
        with self._threads, self._across_processes(database):
            yield

    def together(self, database: str | None, item: T, write: Callable[[list[T]], None]) -> None:
        """Write `item` with the items other threads of this process are waiting to write.

        The first of them to have the turn calls `write` once with all of them (in the order they
        came), in one transaction of its own; each returns once that has committed. When it
        failed, none of them was written and each raises a copy of the failure, with its cause."""
        waiting: _Waiting[T] = _Waiting(item)
        with self._queue:
            self._waiting.setdefault(database, []).append(waiting)
        with self._threads:
            if not waiting.done:  # nobody wrote it while this thread waited: write what waits
                with self._queue:
                    batch = self._waiting.pop(database)  # this thread's own among them
                failure: BaseException | None = None
                try:
                    with self._across_processes(database):
                        write([entry.item for entry in batch])
                except BaseException as exc:
                    failure = exc
                    if not isinstance(exc, Exception):
                        raise  # interrupted: the others raise it too, none returns as if written
                finally:
                    for entry in batch:
                        entry.failure, entry.done = failure, True
        if waiting.failure is not None:  # each thread raises its own copy, with the same cause
            raise copy.copy(waiting.failure) from waiting.failure.__cause__

    @contextmanager
    def _across_processes(self, database: str | None) -> Iterator[None]:
        fd = self._file(database)
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self, database: str | None) -> int | None:
        """The lock file of this process for `database` (a process forked from another opens its
        own: a lock taken through an inherited descriptor would be shared with the parent)."""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # in memory: no other process can write it
        pid = os.getpid()
        kept = self._files.pop(database, None)
        if kept is not None:
            if kept[0] == pid:
                self._files[database] = kept  # the most recently used, last
                return kept[1]
            os.close(kept[1])  # the parent's: closing this copy leaves the parent's lock alone
        while len(self._files) >= KEPT_FILES:  # the least recently used first
            os.close(self._files.pop(next(iter(self._files)))[1])
        try:
            fd = os.open(database + SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:  # a folder we may not write: SQLite's own waiting still keeps writes apart
            return None
        self._files[database] = (pid, fd)
        return fd
