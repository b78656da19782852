"""Dates for humans through babel (explicit locale and zone, never setlocale) and for machines.
babel's dates and the email package are imported when a date is first formatted: a run that
formats none (a no-op export) does not pay for them."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from syndicate.i18n.locales import has_month_names, locale_for, native_digits


def _local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def format_human_date(dt: datetime, lang: str, tz: str, fmt: str = "long") -> str:
    """ "18 février 2021", "18 فبراير 2021", "2021年2月18日": the date in the story's zone."""
    return _date_text(_local(dt, tz).date(), lang, fmt)


def format_day(day: date, lang: str, fmt: str = "long") -> str:
    """A calendar day in words, as `format_human_date` writes it: "18 février 2021"."""
    return _date_text(day, lang, fmt)


@lru_cache(maxsize=4096)
def _date_text(day: date, lang: str, fmt: str) -> str:
    """Babel's words for a day: the same few days are written in every format and page. In
    a language CLDR names no months in (`has_month_names`), the day in numbers, ISO 8601's
    order ("2026-03-20"), never the root locale's placeholders ("20 M03 2026")."""
    from babel.dates import format_date

    if not has_month_names(lang):
        return native_digits(day.isoformat(), lang)
    return native_digits(str(format_date(day, fmt, locale=locale_for(lang))), lang)


@lru_cache(maxsize=4096)
def format_human_time(dt: datetime, lang: str, tz: str, fmt: str = "short") -> str:
    """ "19:30", "7:30 PM": in a language without CLDR month names (`has_month_names`),
    whose locale data is the root's, 24-hour numbers ("19:30") beside its numeric dates."""
    from babel.dates import format_time

    if not has_month_names(lang):
        return native_digits(_local(dt, tz).strftime("%H:%M"), lang)
    text = str(format_time(dt, fmt, tzinfo=ZoneInfo(tz), locale=locale_for(lang)))
    return native_digits(text, lang)


def format_human_datetime(dt: datetime, lang: str, tz: str) -> str:
    """Long date, short time, zone: "18 février 2021, 19:30 UTC+01:00", "2021年2月18日 19:30
    GMT+01:00". The zone is CLDR's localized GMT format in the reader's language and digits,
    never the zone database's abbreviation: "IST" is India's to one reader and Israel's to
    another, and "+0330" is no word in any language."""
    zone = _zone_text(_local(dt, tz).utcoffset() or timedelta(0), lang)
    date, time = format_human_date(dt, lang, tz), format_human_time(dt, lang, tz)
    # CLDR's own way of joining a date and a time: "{1}, {0}", "{1}، {0}", "{1} 'à' {0}".
    pattern = str(locale_for(lang).datetime_formats["medium"])
    return _joined(pattern, {"{1}": date, "{0}": f"{time} {zone}"})


_JOIN_FIELD = re.compile(r"'(?:[^']|'')*'|\{[01]\}|[^'{]+|.", re.DOTALL)


def _joined(pattern: str, fields: dict[str, str]) -> str:
    """A CLDR pattern with its `{0}` and `{1}` filled in and its quoted literals unquoted, as
    CLDR writes them: Corsican's "{1} 'à' {0}" is "29 di marzu di u 2026 à 03:30", never
    with the quotes shown; `''` is one apostrophe."""
    parts = []
    for match in _JOIN_FIELD.finditer(pattern):
        field = match.group()
        if field in fields:
            parts.append(fields[field])
        elif field.startswith("'") and len(field) > 1 and field.endswith("'"):
            parts.append(field[1:-1].replace("''", "'") or "'")
        else:
            parts.append(field)
    return "".join(parts)


RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
)
"""An RFC 3339 date-time (section 5.6; `t` and `z` may be lowercase, the seconds may be left
out), its offset within -23:59 and +23:59, as the article schema's `dateTime` pattern says;
`parse_rfc3339` then refuses offsets beyond `MAX_OFFSET`."""
MAX_OFFSET = timedelta(hours=14)
"""The largest offset from UTC a date-time may have: XML Schema's `xs:dateTime` (NewsML-G2,
sitemaps, EPUB metadata) allows -14:00 to +14:00, and no time zone is farther from UTC."""
EARLIEST_YEAR = 1000
"""Dates before the year 1000 are refused: JSON-LD's `copyrightYear` and the feeds' four-digit
years have no room for them, and no news story is that old."""


def parse_rfc3339(text: str) -> datetime:
    """The date-time `text` says, or ValueError saying why not (not RFC 3339, no such day,
    before `EARLIEST_YEAR`, an offset beyond `MAX_OFFSET`)."""
    if not RFC3339.fullmatch(text):
        raise ValueError("is not an RFC 3339 date-time, e.g. 2021-02-18T19:30:00+01:00")
    if not text.isascii():  # `\d` matched another script's digits (`٢٠٢٦`, `२०२६`)
        ascii_digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
        raise ValueError(
            f"is written in digits other than 0-9, which dates take; write it {ascii_digits!r}"
        )
    try:
        value = datetime.fromisoformat(text.upper())
    except ValueError:
        raise ValueError(_impossible(text)) from None
    if value.year < EARLIEST_YEAR:
        raise ValueError(f"is before the year {EARLIEST_YEAR}; check the year")
    offset = value.utcoffset() or timedelta(0)
    if abs(offset) > MAX_OFFSET:
        said = text[-6:]
        try:
            utc = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
            instead = f"; in UTC it is {utc!r}"
        except OverflowError:
            instead = ""
        raise ValueError(
            f"is at offset {said}, beyond the -14:00 to +14:00 that XML Schema dates (NewsML-G2,"
            f" sitemaps) allow and that every time zone keeps within{instead}"
        )
    return value


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _impossible(text: str) -> str:
    """Why a date-time of RFC 3339's shape names no moment: the field out of its range, with
    what to write instead (`text` matches `RFC3339`)."""
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    hour, minute = int(text[11:13]), int(text[14:16])
    second = int(text[17:19]) if text[16] == ":" else 0  # (the seconds may be left out)
    if year < EARLIEST_YEAR:
        return f"is before the year {EARLIEST_YEAR}; check the year"
    if not 1 <= month <= 12:
        return f"is not a valid date-time: there is no month {month} (01 to 12)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return (
            f"is not a valid date-time: {_MONTHS[month - 1]} {year} has no day {day} (01 to {days})"
        )
    if hour == 24 and minute == second == 0:
        return (
            "is not a valid date-time: write midnight as 00:00 of the next day (hours run 00 to 23)"
        )
    if hour > 23:
        return f"is not a valid date-time: there is no hour {hour} (00 to 23)"
    if minute > 59:
        return f"is not a valid date-time: there is no minute {minute} (00 to 59)"
    if second == 60:
        return (
            "is not a valid date-time: :60 is a leap second, which the outputs' dates (XML"
            " Schema's, and Python's) cannot hold; write :59"
        )
    if second > 59:
        return f"is not a valid date-time: there is no second {second} (00 to 59)"
    return "is not a valid date-time"


def whole_second_after(moment: datetime) -> datetime:
    """`moment`, or the next whole second when it has a fraction: every output writes whole
    seconds, and an embargo written earlier than it ends would let partners publish early."""
    if not moment.microsecond:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


@lru_cache(maxsize=1024)
def _zone_text(offset: timedelta, lang: str) -> str:
    """An offset from UTC as the language writes it (`UTC+05:30`, `غرينتش+05:30`, in its
    digits); no offset is the format alone, as CLDR's `gmtZeroFormat` writes it (`GMT`,
    `UTC`, `غرينتش`: babel has no such format, and wrote `GMT+00:00`)."""
    from babel.dates import get_timezone_gmt

    if not offset:
        return str(locale_for(lang).zone_formats["gmt"]).replace("%s", "").strip()
    moment = datetime(2000, 1, 1, tzinfo=UTC).astimezone(timezone(offset))
    text = str(get_timezone_gmt(moment, width="long", locale=locale_for(lang)))
    return native_digits(text, lang)


def zone_city(zone: str, lang: str) -> str | None:
    """The city of an IANA zone in `lang` ("Bruxelles" for Europe/Brussels in French), or None
    for a zone without a city (UTC, `Etc/GMT+5`)."""
    from babel.dates import get_timezone_location

    if "/" not in zone or zone.startswith("Etc/"):
        return None
    return str(get_timezone_location(ZoneInfo(zone), locale_for(lang), return_city=True))


def read_machine_zone_without(tz: str) -> None:
    """Have babel read this machine's zone (`babel.localtime`, read once, when it is first
    imported) with $TZ set aside, then put `tz` back: see `syndicate._calm_machine_zone`, which
    calls this only when $TZ is a value babel cannot read."""
    import os

    try:
        del os.environ["TZ"]
        import babel.localtime  # noqa: F401 (kept in sys.modules for every later import)
    finally:
        os.environ["TZ"] = tz


def rfc3339(dt: datetime) -> str:
    """`2021-02-18T19:30:00+01:00`: the offset as written, seconds always, `Z` for UTC. An
    offset of seconds (a zone's local mean time before it took standard time: Brussels'
    +00:17:30 in 1850) has no RFC 3339 or HTML form: the instant is written in UTC."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("naive datetime has no time zone")
    if offset.seconds % 60 or offset.microseconds:
        dt = dt.astimezone(UTC)
    text = dt.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def local_rfc3339(dt: datetime, tz: str) -> str:
    """The instant at the offset of the zone `tz` then: a `<time datetime>` that says the
    same day as the words beside it (`format_human_date`, in that zone), whatever offset the
    story's file wrote it with. At an offset of seconds (a zone's local mean time, before it
    took standard time), which HTML's time zone offsets cannot write: the local date and time
    alone, a "local date and time" of HTML, the same day as the words."""
    local = _local(dt, tz)
    offset = local.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        return local.replace(tzinfo=None).isoformat(timespec="seconds")
    return rfc3339(local)


def rfc3339_utc(dt: datetime) -> str:
    """The same instant in UTC: `2021-02-18T18:30:00Z`."""
    return rfc3339(dt.astimezone(UTC))


def rfc822(dt: datetime) -> str:
    """`Thu, 18 Feb 2021 18:30:00 +0000`: English names whatever the content language (RSS)."""
    from email.utils import format_datetime as email_format_datetime

    return email_format_datetime(dt.astimezone(UTC))


_FIELD = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|\s+|.", re.DOTALL)


@lru_cache(maxsize=64)
def date_pattern(lang: str) -> re.Pattern[str]:
    """What `format_human_date` writes in a language, long or medium, and a day with its month
    or a month with its year, in any digits and case: "18 février 2021", "18. Februar",
    "February 18, 2021", "2021年2月18日", "۱۸ فوریهٔ ۲۰۲۱". A cover keeps a date on one line."""
    if not has_month_names(lang):  # the numeric date `format_human_date` writes then
        return re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
    locale = locale_for(lang)
    names = {
        str(name)
        for kind in (locale.months, locale.days)
        for context in kind.values()
        for width in ("wide", "abbreviated")
        for name in context.get(width, {}).values()
    } | {str(name) for width in ("wide", "abbreviated") for name in locale.eras[width].values()}
    words = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    patterns = [str(locale.date_formats[width].pattern) for width in ("long", "medium")]
    skeletons = locale.datetime_skeletons
    patterns += [str(skeletons[s].pattern) for s in ("MMMMd", "yMMMM", "MMMd") if s in skeletons]
    found = []
    for pattern in patterns:
        parts = []
        for match in _FIELD.finditer(pattern):
            field, letter = match.group(), match.group(1)
            if field.startswith("'"):
                parts.append(re.escape(field[1:-1].replace("''", "'") or "'"))
            elif letter in ("d", "y") or (letter in ("M", "L") and len(field) < 3):
                parts.append(r"\d{1,4}")
            elif letter:
                parts.append(f"(?:{words})" if words else r"\w+")  # month, weekday or era names
            elif field.isspace():
                parts.append(r"\s+")
            else:
                parts.append(re.escape(field))
        found.append("".join(parts))
    return re.compile(rf"(?<!\d)(?:{'|'.join(found)})(?!\d)", re.IGNORECASE)
