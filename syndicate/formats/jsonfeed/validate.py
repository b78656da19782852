"""`syndicate validate --outputs` for `out/jsonfeed/`: the rules of JSON Feed 1.1 a schema
cannot state (the tests also check every file against the community JSON Schema)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.diagnostics import Diagnostics
from syndicate.formats.checking import parse_json
from syndicate.i18n.locales import is_valid_tag

VERSION = "https://jsonfeed.org/version/1.1"
DATES = ("date_published", "date_modified")


def check_feed(path: Path, diags: Diagnostics) -> None:
    shown = str(path)
    feed = parse_json(path, Diagnostics())  # reported by the well-formedness check
    if feed is None:
        return
    for problem in feed_problems(feed):
        diags.error("jsonfeed.rule", problem, shown)


def feed_problems(feed: Any) -> list[str]:
    """What is wrong with one JSON Feed document, in words."""
    if not isinstance(feed, dict):
        return ["a JSON Feed is a JSON object"]
    problems = []
    if feed.get("version") != VERSION:
        problems.append(f"version is {feed.get('version')!r}; expected {VERSION}")
    for key in ("title", "feed_url", "home_page_url"):
        if not isinstance(feed.get(key), str) or not feed[key]:
            problems.append(f"no {key}")
    if "language" in feed and not is_valid_tag(str(feed["language"])):
        problems.append(f"language {feed['language']!r} is not a BCP 47 tag")
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        problems += [f"item {n}: {p}" for p in _item_problems(item, seen)]
    return problems


def _item_problems(item: Any, seen: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return ["not a JSON object"]
    problems = []
    ident = item.get("id")
    if not isinstance(ident, str) or not ident:
        problems.append("no id")
    elif ident in seen:
        problems.append(f"id {ident!r} used twice")
    else:
        seen.add(ident)
    if not (item.get("content_html") or item.get("content_text")):
        problems.append("neither content_html nor content_text")
    for key in DATES:
        if key in item and not _is_rfc3339(item[key]):
            problems.append(f"{key} {item[key]!r} is not an RFC 3339 date-time")
    return problems


RFC3339_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
"""RFC 3339's `date-time` (section 5.6), which JSON Feed 1.1 requires: seconds and an offset
always, `T` and `Z` in either case. Python's `fromisoformat` reads more of ISO 8601 (basic
format `20210218T193000Z`, week dates, no seconds, an hour alone), which readers holding to
RFC 3339 refuse."""


def _is_rfc3339(value: Any) -> bool:
    """A date-time with seconds and a time zone offset (`Z` or `+01:00`), of the calendar."""
    if not isinstance(value, str) or RFC3339_DATE_TIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True
