"""An app served by werkzeug on 127.0.0.1 with a thread per request, for requests that must really
arrive at the same moment, and sending several such requests at once."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from flask import Flask
from werkzeug.serving import make_server

T = TypeVar("T")


@contextmanager
def served(app: Flask) -> Iterator[int]:
    """The app served on a free port of 127.0.0.1, a thread per request; the port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="werkzeug", daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


def all_at_once(count: int, send: Callable[[int, Callable[[], None]], T]) -> list[T]:
    """Run `send(number, go)` in `count` threads; each calls `go()` just before its request, which
    waits until every thread is ready, so the requests leave together. The results, in order."""
    start = threading.Barrier(count)

    def go() -> None:
        start.wait(timeout=30)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda number: send(number, go), range(count)))


@dataclass(frozen=True)
class Answer:
    """What a server answered a form post: its status and where it sent the browser."""

    status: int
    location: str


def post_form_together(port: int, path: str, forms: Sequence[tuple[str, dict[str, str]]]) -> list[Answer]:
    """POST each (session cookie, form) to `path` at the same moment; the answers, in order."""

    def send(number: int, go: Callable[[], None]) -> Answer:
        cookie, form = forms[number]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"}
        body = urlencode(form)
        go()
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
            return Answer(response.status, response.getheader("Location") or "")
        finally:
            connection.close()

    return all_at_once(len(forms), send)
