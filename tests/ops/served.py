"""Spine Triage served as production serves it, for the tests of serving: an installation prepared by
`python -m triage prepare`, gunicorn started from deploy/gunicorn.conf.py with its settings in the
environment, and clients that send their requests slowly. Everything listens on and talks to
127.0.0.1 only; every loop is bounded in count and in time, and every process started is stopped.
"""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.apps import settings_in
from triage import PROJECT_ROOT

GUNICORN_CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
STARTUP_SECONDS = 60
#: gunicorn's own settings (deploy/gunicorn.conf.py reads them): none may leak in from the shell.
GUNICORN_SETTINGS = ("BIND", "WEB_CONCURRENCY", "GUNICORN_", "FORWARDED_ALLOW_IPS", "LOG_LEVEL")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def installation(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a prepared installation in `folder`: its own SQLite database (migrated by
    `python -m triage prepare`), a secret key, nothing else from the shell; `settings` on top."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in settings_in(os.environ) and not name.startswith(GUNICORN_SETTINGS)
    }
    env |= {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{folder / 'triage.sqlite3'}",
        **settings,
    }
    triage(env, "prepare")
    return env


def triage(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `python -m triage ARGS` for the installation; its standard output."""
    done = subprocess.run(  # our own interpreter and arguments
        [sys.executable, "-m", "triage", *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@dataclass
class Server:
    """A process started for a test, with the file its standard error goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@contextmanager
def running(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """`command` running in the project's folder, its standard error in `log`; stopped at the end."""
    with log.open("wb") as output:  # the process writes on; this one needs no handle
        process = subprocess.Popen(  # our own interpreter or Debian's nginx, our arguments
            command, cwd=PROJECT_ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=output
        )
    server = Server(process, log)
    try:
        yield server
    finally:
        server.stop()


def gunicorn_command() -> list[str]:
    """What `make serve` and the systemd unit run (their settings come from the environment)."""
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "run:app"]


def wait_until_answering(url: str, server: Server, verify: str | bool = True) -> None:
    """Return once `url` answers 200; fail with the server's log if it stops or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server stopped at start-up:\n{server.output()[-3000:]}")
        with suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(url, timeout=2, verify=verify).status_code == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {STARTUP_SECONDS} s:\n{server.output()[-3000:]}")


#: How a slow client begins: a request's first line and part of its headers, or every header of a
#: POST whose body is then sent a byte at a time.
SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-client\r\nX-Slow: "
SLOW_BODY = (
    b"POST /staff/login HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-client\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
)


@dataclass
class SlowClients:
    """`count` connections to 127.0.0.1:`port` that each send `opening`, then one more byte every
    `interval` seconds, never finishing their request, for at most `seconds` (then they close).

    `tls`: the connections speak TLS (to nginx's HTTPS port). `dropped` counts the connections the
    server closed while they were still sending.
    """

    port: int
    opening: bytes
    count: int = 20
    interval: float = 1.0
    seconds: float = 30.0
    tls: bool = False
    dropped: int = 0
    _sockets: list[socket.socket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _trickle: threading.Thread | None = None

    def __enter__(self) -> SlowClients:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own certificate; only the timing matters
        for _ in range(self.count):
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.tls:
                connection = context.wrap_socket(connection, server_hostname="localhost")
            connection.sendall(self.opening)
            self._sockets.append(connection)
        self._trickle = threading.Thread(target=self._send_slowly, daemon=True)
        self._trickle.start()
        return self

    def _send_slowly(self) -> None:
        deadline = time.monotonic() + self.seconds
        for _ in range(int(self.seconds / self.interval)):
            if self._stop.wait(self.interval) or time.monotonic() > deadline:
                return
            for connection in list(self._sockets):
                try:
                    connection.sendall(b"a")
                except OSError:  # the server closed it
                    self.dropped += 1
                    self._sockets.remove(connection)
                    connection.close()

    def stop_and_count_open(self) -> int:
        """Stop sending; how many connections the server had neither answered nor closed by then."""
        self._stop.set()
        if self._trickle is not None:
            self._trickle.join(10)
        still_open = 0
        for connection in self._sockets:
            connection.settimeout(0)
            try:
                connection.recv(1)  # b"": closed; bytes: answered (an error page)
            except (BlockingIOError, ssl.SSLWantReadError):  # nothing sent back: still waiting
                still_open += 1
            except OSError:
                pass
        return still_open

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._trickle is not None:
            self._trickle.join(10)
        for connection in self._sockets:
            connection.close()


def probe_healthz(url: str, times: int = 3, gap: float = 2.0, verify: str | bool = True) -> list[str]:
    """GET `url` (/healthz) `times` times, each after `gap` seconds and given 3 seconds: what each got."""
    seen = []
    for _ in range(times):
        time.sleep(gap)
        try:
            answer = requests.get(url, timeout=3, verify=verify, headers={"Connection": "close"})
            seen.append(str(answer.status_code))
        except requests.Timeout:
            seen.append("no answer within 3 s")
        except requests.ConnectionError as exc:
            seen.append(f"connection failed: {type(exc).__name__}")
    return seen
