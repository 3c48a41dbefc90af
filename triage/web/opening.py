"""The practice's opening times (PRACTICE_OPENING_TIMES, e.g. "Mon-Fri 09:00-17:00, Sat 09:00-13:00")
and when a "today" target falls due (spec §3a): by closing time for a record that arrives while the
practice is open; one hour after the next opening for one that arrives while it is closed. And when a
promise of a call back "within N working days" falls due: by closing time of the Nth working day.

Pure Python: the settings check reads it at start-up, the staff queue when it counts down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

#: The days of the week as the setting names them, Monday first.
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A record that arrives while the practice is closed is due this long after it opens again.
AFTER_OPENING = timedelta(hours=1)
_ENTRY = re.compile(
    r"(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})"
)
#: How far back the queue's cut-off looks for the opening or closing that starts it.
_WEEK = 8


class OpeningTimesInvalid(ValueError):
    """Opening times that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class OpeningTimes:
    """When the practice is open: for each day, Monday first, its opening and closing time as spans
    from local midnight (None: closed all day), in the practice's time zone."""

    days: tuple[tuple[timedelta, timedelta] | None, ...]
    zone: tzinfo

    @classmethod
    def parse(cls, text: str, zone: tzinfo) -> OpeningTimes:
        """Read "Mon-Fri 09:00-17:00, Sat 09:00-13:00" (entries split by commas or semicolons)."""
        days: list[tuple[timedelta, timedelta] | None] = [None] * len(DAYS)
        entries = [entry.strip().lower() for entry in re.split(r"[,;]", text) if entry.strip()]
        if not entries:
            raise OpeningTimesInvalid("no opening times given (e.g. Mon-Fri 09:00-17:00)")
        for entry in entries:
            found = _ENTRY.fullmatch(entry)
            if found is None:
                raise OpeningTimesInvalid(
                    f"{entry!r} is not a day or days and times (e.g. Mon-Fri 09:00-17:00)"
                )
            hours = _span(found["opens"]), _span(found["closes"])
            if not hours[0] < hours[1]:
                raise OpeningTimesInvalid(f"{entry!r}: the practice must open before it closes")
            for day in _day_range(found["first"], found["last"] or found["first"], entry):
                if days[day] is not None:
                    raise OpeningTimesInvalid(f"{entry!r}: {DAYS[day].title()} is given twice")
                days[day] = hours
        return cls(tuple(days), zone)

    def hours(self, day: date) -> tuple[datetime, datetime] | None:
        """When the practice opens and closes on a day (None: closed all day)."""
        span = self.days[day.weekday()]
        if span is None:
            return None
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        return midnight + span[0], midnight + span[1]  # wall-clock times, whatever the clocks do

    def is_open(self, moment: datetime) -> bool:
        """Whether the practice is open at a moment."""
        local = _aware(moment).astimezone(self.zone)
        hours = self.hours(local.date())
        return hours is not None and hours[0] <= local < hours[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The first opening at or after a moment."""
        local = _aware(moment).astimezone(self.zone)
        for ahead in range(_WEEK):
            hours = self.hours(local.date() + timedelta(days=ahead))
            if hours is not None and hours[0] >= local:
                return hours[0]
        raise OpeningTimesInvalid("the practice never opens")  # parse() allows no such times

    def due_today(self, arrived: datetime) -> datetime:
        """When a "today" target falls due for a record that arrived then: closing time that day if
        the practice was open; otherwise one hour after it next opens."""
        local = _aware(arrived).astimezone(self.zone)
        hours = self.hours(local.date())
        if hours is not None and hours[0] <= local < hours[1]:
            return hours[1]
        return self.next_opening(local) + AFTER_OPENING

    def overdue_before(self, now: datetime) -> datetime:
        """Records that arrived before this time are past their "today" target now, and only those.

        A record's due time changes only at an opening or a closing, and never goes back as arrivals
        get later; so the cut-off is the earliest opening or closing whose records are not yet due."""
        local = _aware(now).astimezone(self.zone)
        changes = sorted(
            moment
            for back in range(_WEEK, -1, -1)
            for moment in self.hours(local.date() - timedelta(days=back)) or ()
            if moment <= local
        )
        return next((moment for moment in changes if self.due_today(moment) > local), local)

    def due_in_working_days(self, asked: datetime, days: int) -> datetime:
        """When a call back promised "within `days` working days" falls due for a request made then:
        closing time of the `days`-th day the practice opens after the request. A request made while
        the practice is closed counts from its next opening; one made while it is open, from the next
        day's (Mon-Fri 09:00-17:00, 2 days: Monday 16:00 is due Wednesday 17:00, Friday evening
        Tuesday 17:00)."""
        local = _aware(asked).astimezone(self.zone)
        counted = 0
        for ahead in range(_WEEK * days):  # every week has an opening (parse() allows no other)
            hours = self.hours(local.date() + timedelta(days=ahead))
            if hours is not None and hours[0] > local:
                counted += 1
                if counted == days:
                    return hours[1]
        raise OpeningTimesInvalid("the practice never opens")

    def asked_overdue_before(self, now: datetime, days: int) -> datetime:
        """Requests made before this time are past their "within `days` working days" now, and only
        those (due before now, as the queue's time left is below zero).

        A request's due time changes only at an opening (one made at an opening counts from the
        next), and never goes back as requests get later; so the cut-off is the earliest opening
        whose requests are not yet due."""
        local = _aware(now).astimezone(self.zone)
        openings = [
            hours[0]
            for back in range(_WEEK * (days + 2), -1, -1)
            if (hours := self.hours(local.date() - timedelta(days=back))) is not None and hours[0] <= local
        ]
        return next((opens for opens in openings if self.due_in_working_days(opens, days) >= local), local)


def _span(text: str) -> timedelta:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise OpeningTimesInvalid(f"{text!r} is not a time of day (00:00 to 24:00)")
    return timedelta(hours=hours, minutes=minutes)


def _day_range(first: str, last: str, entry: str) -> range:
    for name in (first, last):
        if name not in DAYS:
            raise OpeningTimesInvalid(f"{entry!r}: {name!r} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
    if DAYS.index(first) > DAYS.index(last):
        raise OpeningTimesInvalid(f"{entry!r}: the days must run from Monday towards Sunday")
    return range(DAYS.index(first), DAYS.index(last) + 1)


def _aware(moment: datetime) -> datetime:
    """A time with its zone; a naive one (SQLite keeps none) is UTC, as every stored time is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
