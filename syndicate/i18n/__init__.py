"""Everything language-dependent: locales, text direction, human dates, per-language terms."""

from syndicate.i18n.dates import (
    format_human_date,
    format_human_datetime,
    format_human_time,
    rfc822,
    rfc3339,
)
from syndicate.i18n.locales import (
    direction,
    display_name,
    is_valid_tag,
    locale_for,
    native_digits,
)
from syndicate.i18n.terms import term

__all__ = [
    "direction",
    "display_name",
    "format_human_date",
    "format_human_datetime",
    "format_human_time",
    "is_valid_tag",
    "locale_for",
    "native_digits",
    "rfc822",
    "rfc3339",
    "term",
]
