"""Times and phone numbers for people to read: in the practice's time zone and the page's language.

Only ever applied when a page, a PDF or an export is made; what is stored stays as it was (times
in UTC, phone numbers in E.164).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from flask import Flask, current_app

from triage import config
from triage.web.i18n import babel_locale, current_language, languages
from triage.web.phones import readable_number

#: The conventions a language's dates follow where CLDR's default for it is another country's:
#: English as written in Europe ("1 Dec 2026, 09:38 EET"), not the United States' "Dec 1, 2026, 9:38 AM".
DATE_LOCALES = {"en": "en_GB"}


def date_locale(code: str) -> Locale:
    """The locale whose conventions a language's dates and times follow (made once, as the pages')."""
    return babel_locale(DATE_LOCALES.get(code, code))


def load_conventions(app: Flask) -> list[str]:
    """Read the date and time conventions of each of the app's languages now; the locales read.

    Babel reads them from disk the first time each is used, with every thread of the process
    waiting. run.py does it before gunicorn forks its workers, so a worker's first page with a date
    (a result, a summary) does not wait for it, and the workers share one copy.
    Read by formatting a time and a date as pages do, so what is read is what they use."""
    moment = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    with app.app_context():  # the practice's time zone, the rules' languages
        for code in languages():
            local_time(moment, code)
            long_date(moment.date(), code)
        return [str(date_locale(code)) for code in languages()]


def practice_zone() -> ZoneInfo:
    """The practice's time zone (PRACTICE_TIMEZONE, checked at start-up)."""
    return config.practice_zone(current_app.config)


def in_practice_zone(moment: datetime) -> datetime:
    """A stored time in the practice's time zone (SQLite gives times back without their zone: UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(practice_zone())


def local_time(moment: datetime | None, lang: str | None = None) -> str:
    """A date and time in the practice's time zone, in the page's language, with the zone shown:
    "1 Dec 2026, 09:38 EET" / "1 Δεκ 2026, 09:38 EET" ("" for no time)."""
    if moment is None:
        return ""
    local = in_practice_zone(moment)
    code = lang or current_language()
    locale = date_locale(code)
    day = format_skeleton("yMMMd", local, tzinfo=local.tzinfo, locale=locale)
    return f"{day}, {format_time(local, 'HH:mm z', tzinfo=local.tzinfo, locale=locale)}"


def long_date(day: date, lang: str | None = None) -> str:
    """A date as people write it in the page's language: "24 November 2026" (British order, as the
    times) / "24 Νοεμβρίου 2026"."""
    code = lang or current_language()
    return str(format_date(day, "long", locale=date_locale(code)))


def local_iso(moment: datetime | None) -> str:
    """A time in the practice's time zone as ISO 8601 with its offset, for exports that a
    spreadsheet sorts ("2026-12-01T09:38:27+02:00"; "" for no time)."""
    return "" if moment is None else in_practice_zone(moment).isoformat(timespec="seconds")


def phone(number: str | None) -> str:
    """A phone number grouped for reading, in international form ("+30 691 234 5678"); a number that
    cannot be read as one is shown as it was given."""
    return readable_number(number) if number else ""
