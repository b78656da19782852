"""`syndicate list`: every story with its status, its state at `--now`, languages, dates and
embargo; stories that could not be read are listed with their problems above."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime

from syndicate.build.reading import read_summaries
from syndicate.cli import EXIT_INPUT, EXIT_OK, count, emit, print_table, say
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import rfc3339
from syndicate.model import StorySummary
from syndicate.readers.config import load_config
from syndicate.readers.folders import story_folders

HEADERS = ("story", "status", "state", "version", "languages", "published", "updated", "embargo")
FIELDS = (
    "slug",
    "id",
    "status",
    "state",
    "version",
    "section",
    "languages",
    "headline",
    "published",
    "updated",
    "embargo_until",
)
"""The keys of every `list --json` row, a story that could not be read too: a script reads
`row["status"]` or `.languages[]` of any row."""


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    stories = read_summaries(args.articles, config, diags, args.jobs)
    if not args.articles.is_dir():
        return EXIT_INPUT
    now: datetime = args.now or datetime.now(UTC)
    read = {story.slug for story in stories}
    broken = [f.name for f in story_folders(args.articles) if f.name not in read]
    records = [record(story, now) for story in stories]
    records += [unreadable(name) for name in broken]
    records.sort(key=lambda r: str(r["slug"]))
    if args.log_format == "json":
        for item in records:
            emit(item)
    else:
        print_table(HEADERS, [_row(item) for item in records])
    states = Counter(str(item["state"]) for item in records)
    tally = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    say(
        args,
        f"{count(len(records), 'story', 'stories')}{': ' + tally if tally else ''}"
        f" (at {rfc3339(now)})",
        stories=len(records),
        states=dict(states),
        now=rfc3339(now),
    )
    return EXIT_INPUT if diags.errors else EXIT_OK


def record(story: StorySummary, now: datetime) -> dict[str, object]:
    """What `list` says of a story, as JSON data."""
    others = [lang for lang in story.languages if lang != story.original_lang]
    return {
        "slug": story.slug,
        "id": story.id,
        "status": story.status,
        "state": story.lifecycle(now),
        "version": story.version,
        "section": story.section,
        "languages": [story.original_lang, *others],
        "headline": story.variant(story.original_lang).headline,
        "published": rfc3339(story.published),
        "updated": rfc3339(story.last_updated),
        "embargo_until": rfc3339(story.embargo_until) if story.embargo_until else None,
    }


def unreadable(slug: str) -> dict[str, object]:
    """What `list` says of a story folder that could not be read: the keys of every story,
    null but its slug and state (and no languages)."""
    return dict.fromkeys(FIELDS) | {"slug": slug, "state": "unreadable", "languages": []}


def _row(item: dict[str, object]) -> list[str]:
    if item["state"] == "unreadable":
        return [str(item["slug"]), "", "unreadable", "", "", "", "", ""]
    languages = item["languages"]
    assert isinstance(languages, list)
    return [
        str(item["slug"]),
        str(item["status"]),
        str(item["state"]),
        str(item["version"]),
        " ".join(languages),
        _short(item["published"]),
        _short(item["updated"]),
        _short(item["embargo_until"]),
    ]


def _short(value: object) -> str:
    """An RFC 3339 time for the table, without seconds when they are zero: `2021-02-18
    19:30+01:00`; an embargo to 23:59:30 is not shown ending at 23:59."""
    if not isinstance(value, str):
        return ""
    when = datetime.fromisoformat(value)
    shown = "%Y-%m-%d %H:%M:%S" if when.second else "%Y-%m-%d %H:%M"
    return when.strftime(shown) + rfc3339(when)[19:]
