"""Making a PDF fetches nothing: the app's static files are read from disk, every other address is
refused (another site, a file outside the static folder, a data: URL), checked against a real
local web server that must see no request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from tests.support.pdfs import read
from triage.web import pdf


class Recording(BaseHTTPRequestHandler):
    """Answers anything, and notes what was asked for."""

    asked: list[str] = []  # noqa: RUF012  (shared by the server's handlers on purpose)

    def do_GET(self) -> None:
        Recording.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def web_server() -> Iterator[str]:
    """A web server on 127.0.0.1; its address."""
    Recording.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_naming_outside_addresses_fetches_none_of_them(app: Flask, web_server: str) -> None:
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
      <link rel="stylesheet" href="{web_server}/style.css">
      <style>@import url("{web_server}/imported.css");</style></head>
      <body class="pdf"><p>Hello Γειά σας</p><img src="{web_server}/picture.png" alt="">
      <img src="file:///etc/hostname" alt=""><img src="/static/../../etc/hostname" alt=""></body></html>"""
    with app.test_request_context():
        made = read(pdf.render(html))
    assert Recording.asked == []
    assert "Hello Γειά σας" in made.text
    assert made.fonts_embedded


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/style.css",
        "http://127.0.0.1/static/css/main.css",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file://server/static/css/main.css",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_the_static_files(app: Flask, url: str) -> None:
    fetcher = pdf.StaticFilesOnly(app.static_folder or "", "/static")
    with pytest.raises(pdf.ExternalFetchRefused):
        fetcher.fetch(url)


def test_the_fetcher_reads_a_static_file_from_disk(app: Flask) -> None:
    fetcher = pdf.StaticFilesOnly(app.static_folder or "", "/static")
    response = fetcher.fetch("file:///static/css/main.css")
    assert response.content_type == "text/css"
    assert b".surgeon-summary" in response.read()
