"""A real SMTP server on 127.0.0.1 (aiosmtpd, on a free port) and apps that alert the practice
through it. The apps send only when a test asks (ALERT_SENDER=command), except where a test starts
the background sender itself."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from triage.ops import alerts

PRACTICE_INBOX = "desk-alerts@northgate-spine.test"
PUBLIC_BASE_URL = "https://triage.northgate-spine.test"


@dataclass
class Inbox:
    """What the SMTP server received: each message with its envelope's recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's name)
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        self.arrived.set()
        return "250 OK"


@dataclass
class SmtpServer:
    """An SMTP server that can be stopped (an outage) and started again on the same port."""

    port: int
    inbox: Inbox
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server on a free port of 127.0.0.1; stopped after the test."""
    server = SmtpServer(free_port(), Inbox())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alerting_app(make_app: Callable[..., Flask], database: Path | str, smtp: SmtpServer) -> Iterator[Flask]:
    """A test app that queues alerts for the practice and sends them through `smtp` when asked."""
    app = make_app(database, **alert_settings(smtp.port))
    yield app
    stop_sender(app)


def alert_settings(port: int, **more: object) -> dict[str, object]:
    """The settings of an app that alerts the practice through the SMTP server on `port`."""
    return {
        "ALERT_EMAIL_TO": PRACTICE_INBOX,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "ALERT_SENDER": "command",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TIMEOUT": 5,
        **more,
    }


def stop_sender(app: Flask) -> None:
    """Stop the app's background sender, if it started one."""
    sender = alerts.sender_thread(app)
    if sender is not None:
        sender.stop()
