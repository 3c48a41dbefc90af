"""The staff templates' words for levels, statuses, channels, call-back times and audit actions."""

from __future__ import annotations

from typing import Any

from triage import labels
from triage.formatting import local_time
from triage.staff import bp

# The old name of the `local_time` filter (triage/formatting.py), kept while other branches use it.
bp.add_app_template_filter(local_time, "datetimeformat")


@bp.context_processor
def staff_words() -> dict[str, Any]:
    """Helpers for the staff templates: the word for each stored code (triage/labels.py)."""
    return {
        "level_word": lambda level: labels.word(labels.LEVELS, level),
        "status_word": lambda status: labels.word(labels.STATUSES, status),
        "channel_word": lambda channel: labels.word(labels.CHANNELS, channel),
        "window_word": lambda window: labels.word(labels.TIME_WINDOWS, window),
        "action_word": lambda action: labels.word(labels.ACTIONS, action),
    }
