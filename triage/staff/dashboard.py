"""The dashboard's figures, from plain rows (triage.storage.repository.dashboard_rows): no Flask, no
database, so each figure is a function of its rows.

- per ISO week of the practice's time zone: assessments at each level (the tool's), and the share
  of early exits;
- per level the practice acted on (a clinician's override where there is one): the median and 90th
  percentile (nearest rank) of the time from the first call-back request to "contacted";
- overrides: how many raised or lowered the level, and how many went from each level to each other.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from triage.engine import Level
from triage.storage.repository import DashboardRow

#: Most urgent first, as every table and chart lists them.
LEVELS = tuple(sorted(Level, reverse=True))


@dataclass(frozen=True)
class Week:
    """One ISO week in the practice's time zone, from its Monday's midnight to the next."""

    year: int
    number: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """ISO 8601's name of the week, e.g. 2026-W49."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        """The week's first day."""
        return self.start.date()

    @property
    def sunday(self) -> date:
        """The week's last day."""
        return self.monday + timedelta(days=6)


@dataclass(frozen=True)
class WeekFigures:
    """One week's assessments, at each of the tool's levels, and its early exits."""

    week: Week
    by_level: dict[Level, int]
    early_exits: int

    @property
    def counts(self) -> list[int]:
        """The week's assessments at each level, most urgent first (as LEVELS)."""
        return [self.by_level[level] for level in LEVELS]

    @property
    def total(self) -> int:
        """Every assessment of the week."""
        return sum(self.by_level.values())

    @property
    def early_exit_share(self) -> float | None:
        """The early exits' share of the week's assessments (None: there were none)."""
        return self.early_exits / self.total if self.total else None


@dataclass(frozen=True)
class ResponseTimes:
    """How fast call-back requests at one level were answered: those contacted, median and 90th
    percentile; and how many are still waiting."""

    level: Level
    contacted: int
    waiting: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class Overrides:
    """Clinicians' changes of level: raised, lowered, and each pair (from, to) with its count."""

    up: int
    down: int
    pairs: tuple[tuple[Level, Level, int], ...]

    @property
    def total(self) -> int:
        """Every override."""
        return self.up + self.down


@dataclass(frozen=True)
class Dashboard:
    """Every figure the dashboard shows, for a period of whole weeks."""

    weeks: tuple[WeekFigures, ...]
    response_times: tuple[ResponseTimes, ...]
    overrides: Overrides
    overdue_now: int

    @property
    def busiest_week(self) -> int:
        """The most assessments in one week (at least 1: the charts' scale)."""
        return max([1, *(week.total for week in self.weeks)])

    @property
    def longest_response(self) -> timedelta:
        """The longest 90th percentile (at least a minute: the chart's scale)."""
        longest = [r.p90 for r in self.response_times if r.p90 is not None]
        return max([timedelta(minutes=1), *longest])

    @property
    def assessments(self) -> int:
        """Every assessment of the period."""
        return sum(week.total for week in self.weeks)


def iso_weeks(now: datetime, zone: tzinfo, count: int) -> list[Week]:
    """The `count` ISO weeks that end with the one holding `now`, oldest first, in `zone`."""
    today = now.astimezone(zone).date()
    this_monday = today - timedelta(days=today.weekday())
    weeks = []
    for back in range(count - 1, -1, -1):
        monday = this_monday - timedelta(weeks=back)
        year, number, _ = monday.isocalendar()
        start = datetime.combine(monday, time(0), tzinfo=zone)
        end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
        weeks.append(Week(year, number, start, end))
    return weeks


def per_week(rows: Iterable[DashboardRow], weeks: Sequence[Week]) -> list[WeekFigures]:
    """Each week's assessments at each of the tool's levels, and its early exits."""
    counts = [Counter[Level]() for _ in weeks]
    early = [0 for _ in weeks]
    for row in rows:
        index = _week_of(row.created_at, weeks)
        if index is None or row.level not in _KNOWN:
            continue
        counts[index][Level(row.level)] += 1
        early[index] += row.early_exit
    return [
        WeekFigures(week, {level: counts[i][level] for level in LEVELS}, early[i])
        for i, week in enumerate(weeks)
    ]


def response_times(rows: Iterable[DashboardRow]) -> list[ResponseTimes]:
    """Per level acted on, the time from each record's first call-back request to its first contact."""
    waits: dict[Level, list[timedelta]] = {level: [] for level in LEVELS}
    waiting = Counter[Level]()
    for row in rows:
        level = _acted_on(row)
        if row.callback_at is None or level is None:
            continue
        if row.contacted_at is None:
            waiting[level] += 1
        else:  # contacted before the request (a phone call first): no wait at all
            waits[level].append(max(timedelta(0), row.contacted_at - row.callback_at))
    return [
        ResponseTimes(
            level, len(waits[level]), waiting[level], median(waits[level]), percentile(waits[level], 90)
        )
        for level in LEVELS
    ]


def overrides(rows: Iterable[DashboardRow]) -> Overrides:
    """How often clinicians raised or lowered the tool's level, and from which level to which."""
    pairs = Counter[tuple[Level, Level]]()
    for row in rows:
        if row.override_level in _KNOWN and row.level in _KNOWN and row.override_level != row.level:
            pairs[Level(row.level), Level(str(row.override_level))] += 1
    up = sum(n for (tool, staff), n in pairs.items() if staff > tool)
    down = sum(n for (tool, staff), n in pairs.items() if staff < tool)
    ordered = sorted(pairs.items(), key=lambda item: (-item[0][0].rank, -item[0][1].rank))
    return Overrides(up, down, tuple((tool, staff, n) for (tool, staff), n in ordered))


def dashboard(rows: Sequence[DashboardRow], weeks: Sequence[Week], overdue_now: int) -> Dashboard:
    """Every figure of the period of these weeks, from its rows."""
    return Dashboard(
        weeks=tuple(per_week(rows, weeks)),
        response_times=tuple(response_times(rows)),
        overrides=overrides(rows),
        overdue_now=overdue_now,
    )


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[timedelta], p: int) -> timedelta | None:
    """The p-th percentile by nearest rank: the smallest value at least p % of the values are at or
    under (always one of the values); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


_KNOWN = frozenset(level.value for level in Level)


def _acted_on(row: DashboardRow) -> Level | None:
    level = row.override_level or row.level
    return Level(level) if level in _KNOWN else None


def _week_of(moment: datetime, weeks: Sequence[Week]) -> int | None:
    for index, week in enumerate(weeks):
        if week.start <= moment < week.end:
            return index
    return None
