"""Each level's target (levels.yaml `target`): when a record is due, in the practice's time zone,
and which answers the queue words as positive (triage.engine.notable)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from triage.engine import Level, RuleSet
from triage.engine.contract import UNSURE, Kind
from triage.engine.model import Target
from triage.engine.notable import notable_answers
from triage.rulecheck.table import rules_table

ATHENS = ZoneInfo("Europe/Athens")  # UTC+2 in winter, UTC+3 from 29 March 2026
END_OF_DAY = Target(end_of_day=True)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        ("2026-03-10 09:00", "2026-03-10 22:00"),  # 11:00 in Athens: by its midnight, 22:00 UTC
        ("2026-03-10 21:59", "2026-03-10 22:00"),  # 23:59 in Athens: one minute left
        ("2026-03-10 22:30", "2026-03-11 22:00"),  # 00:30 the next day in Athens: that day's end
        ("2026-03-29 12:00", "2026-03-29 21:00"),  # summer time began that night: midnight is 21:00 UTC
    ],
)
def test_by_the_end_of_the_day_is_midnight_in_the_practice_time_zone(arrived: str, due: str) -> None:
    assert END_OF_DAY.due(utc(arrived), ATHENS) == utc(due)


def test_a_span_counts_from_arrival_and_a_naive_time_is_utc() -> None:
    fifteen = Target(within=timedelta(minutes=15))
    assert fifteen.due(utc("2026-03-10 09:00"), ATHENS) == utc("2026-03-10 09:15")
    assert fifteen.due(datetime(2026, 3, 10, 9, 0), ATHENS) == utc("2026-03-10 09:15")  # as SQLite gives it


@pytest.mark.parametrize(
    "target", [END_OF_DAY, Target(within=timedelta(minutes=15)), Target(within=timedelta(days=14))]
)
def test_overdue_before_agrees_with_due(target: Target) -> None:
    """A record that arrived before the cut-off is past its due time now, and only such a record."""
    now = utc("2026-03-11 08:00")
    cut_off = target.overdue_before(now, ATHENS)
    for minutes in range(-20 * 24 * 60, 60, 97):  # arrivals over the 20 days before now
        arrived = now + timedelta(minutes=minutes)
        assert (target.due(arrived, ATHENS) <= now) == (arrived < cut_off), arrived


def test_every_level_has_a_target_and_more_urgent_levels_are_due_no_later(rules: RuleSet) -> None:
    arrived = utc("2026-03-10 09:00")
    due = [rules.levels[level].target.due(arrived, ATHENS) for level in sorted(Level, reverse=True)]
    assert due == sorted(due)
    last_moment = rules.levels[Level.URGENT].target.due(arrived, ATHENS) - timedelta(microseconds=1)
    assert last_moment.astimezone(ATHENS).date() == arrived.astimezone(ATHENS).date(), (
        "urgent: the person is told to get help today"
    )


def test_the_rules_table_says_each_levels_target_for_review(rules: RuleSet) -> None:
    table = rules_table(rules, "en")
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if line.startswith("| ")}
    assert rows["urgent"].endswith("| by the end of the practice's day |")
    assert rows["ambulance"].endswith("| within 15 minutes |")
    assert Target(within=timedelta(days=1)).describe() == "within 1 day"


# --- positive answers ------------------------------------------------------------------------------


def test_positive_answers_are_yes_not_sure_and_values_above_the_least_concerning(rules: RuleSet) -> None:
    contract = rules.contract
    answers = {
        "leg_weakness": True,
        "walking_difficulty": UNSURE,
        "saddle_numbness": False,
        "numbness": "none",
        "age": 71,
        "back_pain": True,
        "pain_location": ["lower_back"],
        "pain_features": ["night_pain", "worsening"],
        "injury": "minor_fall",
        "cancer": "current",
        "cancer_type": "prostate",
        "fever": False,
    }
    found = {n.question.id: n.values for n in notable_answers(contract, answers)}
    assert found == {
        "leg_weakness": (True,),
        "walking_difficulty": (UNSURE,),
        "pain_features": ("night_pain", "worsening"),
        "injury": ("minor_fall",),
        "cancer": ("current",),
        "cancer_type": ("prostate",),  # a detail of a positive answer
    }
    order = [q.id for q in contract.questions]
    assert list(found) == sorted(found, key=order.index), "in the contract's order"


def test_nothing_positive_when_every_answer_is_the_least_concerning(rules: RuleSet) -> None:
    contract = rules.contract
    calm: dict[str, object] = {}
    for question in contract.questions:
        if question.kind is Kind.YES_NO:
            calm[question.id] = False
        elif question.concern_order and question.concern_order != ("ascending",):
            calm[question.id] = question.concern_order[0]
    calm |= {"cancer_type": "breast", "pain_features": [], "age": 90, "back_pain": True}
    assert notable_answers(contract, calm) == []  # cancer never: its type is no detail of a concern
