"""Alert emails to the practice: `alerts send`, for cron or a systemd timer."""

from __future__ import annotations

import click

from triage.cli.common import with_app


@click.group()
def alerts() -> None:
    """Alert emails about urgent call-back requests and early exits (triage/ops/alerts.py)."""


@alerts.command()
def send() -> None:
    """Send the queued alerts that are due (safe to run on several servers at once)."""

    def deliver() -> str:
        from triage.ops import alerts as sending

        if not sending.enabled():
            return "alerts are off: ALERT_EMAIL_TO is not set"
        done = sending.deliver_due()
        return f"sent {done.sent} alerts, {done.failed} failed (tried again later)"

    with_app(deliver)
