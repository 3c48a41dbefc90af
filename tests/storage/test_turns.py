"""SQLite writers take turns across threads and processes (triage/storage/turns.py)."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import select
import stat
import threading
import time
from pathlib import Path
from typing import Any

from tests.support.turns import all_waiting_together
from triage.storage.turns import KEPT_FILES, SUFFIX, WriterTurns


def _hold(database: str, held: Any, release: Any) -> None:
    with WriterTurns().turn(database):
        held.set()
        release.wait(10)


def test_a_writer_in_another_process_waits_for_the_turn(tmp_path: Path) -> None:
    database = str(tmp_path / "triage.sqlite3")
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold, args=(database, held, release))
    other.start()
    try:
        assert held.wait(10), "the other process never took its turn"
        order: list[str] = []

        def write() -> None:
            with WriterTurns().turn(database):
                order.append("ours")

        ours = threading.Thread(target=write)
        ours.start()
        time.sleep(0.2)
        assert order == []  # still waiting: the other process has the turn
        order.append("theirs ends")
        release.set()
        ours.join(10)
        assert order == ["theirs ends", "ours"]
    finally:
        release.set()
        other.join(10)


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    turns = WriterTurns()
    database = str(tmp_path / "triage.sqlite3")
    inside, most = [0], [0]

    def write() -> None:
        for _ in range(50):
            with turns.turn(database):
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0)
                inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 1


def test_the_lock_file_is_the_owners_only_and_a_forked_child_takes_turns_with_its_parent(
    tmp_path: Path,
) -> None:
    turns = WriterTurns()
    database = str(tmp_path / "triage.sqlite3")
    with turns.turn(database):
        pass
    lock = Path(database + SUFFIX)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    parent_fd = turns._files[database][1]
    fcntl.flock(parent_fd, fcntl.LOCK_EX)  # the parent writes
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # through the descriptor it inherited, the child would share the parent's lock
        with turns.turn(database):
            os.write(write, b"in")
        os._exit(0)
    try:
        ready, _, _ = select.select([read], [], [], 0.3)
        assert ready == []  # the child waits for the parent
    finally:
        fcntl.flock(parent_fd, fcntl.LOCK_UN)
    ready, _, _ = select.select([read], [], [], 10)
    assert ready and os.read(read, 2) == b"in"
    os.waitpid(child, 0)


def test_a_database_in_memory_needs_no_file(tmp_path: Path) -> None:
    turns = WriterTurns()
    for database in (None, "", ":memory:"):
        with turns.turn(database):
            pass
    assert turns._files == {}


def test_a_process_keeps_only_a_few_lock_files_open(tmp_path: Path) -> None:
    turns = WriterTurns()
    before = len(os.listdir("/proc/self/fd"))
    for n in range(KEPT_FILES * 3):
        with turns.turn(str(tmp_path / f"db{n}.sqlite3")):
            pass
    assert len(turns._files) == KEPT_FILES
    assert len(os.listdir("/proc/self/fd")) - before == KEPT_FILES
    with turns.turn(str(tmp_path / "db0.sqlite3")):  # one let go is opened again when needed
        pass
    assert str(tmp_path / "db0.sqlite3") in turns._files


def test_rows_waiting_together_are_written_in_one_turn_each_once(tmp_path: Path) -> None:
    turns = WriterTurns()
    database = str(tmp_path / "triage.sqlite3")
    writes: list[list[int]] = []
    returned: list[int] = []

    def add(n: int) -> None:
        turns.together(database, n, writes.append)
        returned.append(n)

    def none_returned_yet() -> None:
        assert returned == []  # none returns before its row is written

    all_waiting_together(turns, database, add, 6, meanwhile=none_returned_yet)
    assert len(writes) == 1  # six rows, one turn
    assert sorted(writes[0]) == [0, 1, 2, 3, 4, 5]
    assert sorted(returned) == [0, 1, 2, 3, 4, 5]
    turns.together(database, 6, writes.append)  # alone, it is written alone
    assert writes[1] == [6]


def test_when_rows_written_together_fail_each_waiter_raises_with_the_cause(tmp_path: Path) -> None:
    turns = WriterTurns()
    database = str(tmp_path / "triage.sqlite3")

    class Refused(Exception):
        pass

    def write(items: list[int]) -> None:
        try:
            raise KeyError("a reference taken")
        except KeyError as cause:
            raise Refused("not written") from cause

    raised: list[BaseException] = []

    def add(n: int) -> None:
        try:
            turns.together(database, n, write)
        except Refused as exc:
            raised.append(exc)

    all_waiting_together(turns, database, add, 3)
    assert len(raised) == 3
    assert len({id(exc) for exc in raised}) == 3  # each thread raised its own
    assert all(isinstance(exc.__cause__, KeyError) for exc in raised)
    written: list[list[int]] = []
    turns.together(database, 9, written.append)  # the turn is free again afterwards
    assert written == [[9]]


def test_an_interrupted_write_never_lets_a_waiter_return_as_if_written(tmp_path: Path) -> None:
    turns = WriterTurns()
    database = str(tmp_path / "triage.sqlite3")
    outcomes: dict[int, str] = {}

    def write(items: list[int]) -> None:
        raise SystemExit  # e.g. the worker told to stop while it writes

    def add(n: int) -> None:
        try:
            turns.together(database, n, write)
        except BaseException as exc:  # what each thread saw is the test
            outcomes[n] = type(exc).__name__
        else:
            outcomes[n] = "written"

    all_waiting_together(turns, database, add, 3)
    assert outcomes == {0: "SystemExit", 1: "SystemExit", 2: "SystemExit"}
    assert turns._waiting.get(database, []) == []
