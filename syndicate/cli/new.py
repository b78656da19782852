"""`syndicate new`: a new story folder whose files are valid from the start, ready to fill in."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from syndicate.cli import EXIT_INPUT, EXIT_OK, say
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import is_valid_tag
from syndicate.model import SiteConfig
from syndicate.readers.articles import SLUG, STORY_FILE
from syndicate.readers.config import load_config

STORY_TEMPLATE = """\
# Facts shared by every language of this story (see README, "Story sources").
id: tag:{domain},{date}:{slug}
original_language: {original}
section: world
timezone: {timezone}
first_created: {now}
published: {now}
status: withheld  # set to usable when the story may be published
version: 1
urgency: 5
subjects:
  - code: medtop:11000000
    name: politics
keywords: []
places: []
rights:
  holder: {publisher}
  notice: © {year} {publisher}. All rights reserved.
images: []
related: []
"""

VARIANT_TEMPLATE = """\
---
headline: TODO headline
summary: TODO one or two sentences that sum up the story.
byline:
  organisation: {publisher}
dateline: TODO city
keywords: []
---
TODO the story, in Markdown: paragraphs, ## subheadings, > quotes, lists, [links](https://...).
"""


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    folder = scaffold_story(args.articles, args.slug, tuple(args.langs), config, diags)
    if folder is None:
        return EXIT_INPUT
    say(args, f"created {folder}: fill in the TODOs, then run `syndicate validate`")
    return EXIT_OK


def scaffold_story(
    articles: Path, slug: str, langs: tuple[str, ...], config: SiteConfig, diags: Diagnostics
) -> Path | None:
    folder = articles / slug
    if not SLUG.match(slug):
        diags.error(
            "new.slug",
            f"{slug!r} is not a valid slug: lowercase letters, digits and"
            " single hyphens, e.g. 2026-11-24-budget-vote",
        )
        return None
    if folder.exists():
        diags.error("new.exists", f"{folder} already exists; pick another slug")
        return None
    for tag in langs:
        if not is_valid_tag(tag):
            diags.error("new.language", f"{tag!r} is not a known BCP 47 language tag")
    if diags.errors:
        return None
    now = datetime.now(ZoneInfo(config.timezone)).replace(second=0, microsecond=0)
    folder.mkdir(parents=True)
    (folder / STORY_FILE).write_text(
        STORY_TEMPLATE.format(
            domain=urlsplit(config.publisher.url).hostname or "example.org",
            date=now.date().isoformat(),
            slug=slug,
            original=langs[0],
            timezone=config.timezone,
            now=rfc3339(now),
            publisher=config.publisher.name,
            year=now.year,
        ),
        encoding="utf-8",
    )
    for tag in langs:
        (folder / f"{tag}.md").write_text(
            VARIANT_TEMPLATE.format(publisher=config.publisher.name), encoding="utf-8"
        )
    return folder
