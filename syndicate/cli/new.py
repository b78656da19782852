"""`syndicate new`: a new story folder whose files are valid from the start, every field to
fill marked TODO (an error once the story is set to usable), in languages the site has."""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from syndicate.cli import EXIT_INPUT, EXIT_OK, say
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import canonical_case, is_valid_tag
from syndicate.i18n.terms import term
from syndicate.model import SiteConfig
from syndicate.readers.articles import slug_problem
from syndicate.readers.config import load_config
from syndicate.readers.languages import deprecated_hint, tag_hint
from syndicate.readers.storyfiles import STORY_FILE

STORY_TEMPLATE = """\
# Facts shared by every language of this story (see docs/sources.md).
# Fill in every TODO; set status to usable when the story may be published.
id: tag:{domain},{date}:{slug}
original_language: {original}
section: todo  # TODO: the section code, e.g. politics
timezone: {timezone}
first_created: {now}
published: {now}
status: withheld  # set to usable when the story may be published
version: 1
urgency: 5
subjects: []  # IPTC Media Topics, e.g. [{{code: "medtop:11000000", name: politics}}]
keywords: []
places: []
rights:
  holder: {publisher}
  notice:{notice}
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
_FLOW_LIST = re.compile(r"^(\s*languages\s*:\s*\[)([^\]]*?)(\s*\].*)$")
_BLOCK_ITEM = re.compile(r"^(\s*-\s+)\S")


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    langs = tuple(dict.fromkeys(args.langs or config.languages[:1]))
    if not _languages_ok(langs, config, diags, adding=args.add_language):
        return EXIT_INPUT
    missing = [tag for tag in langs if tag not in config.languages]
    if missing:
        config = add_languages(args.config, config, missing, diags)
        if config is None:
            return EXIT_INPUT
        say(args, f"added {', '.join(missing)} to the languages of {args.config}")
    folder = scaffold_story(args.articles, args.slug, langs, config, diags, now=args.now)
    if folder is None:
        return EXIT_INPUT
    say(args, f"created {folder}: fill in the TODOs, then run `syndicate validate`")
    return EXIT_OK


def _languages_ok(
    langs: tuple[str, ...], config: SiteConfig, diags: Diagnostics, *, adding: bool
) -> bool:
    for tag in langs:
        if not is_valid_tag(tag):
            diags.error(
                "new.language", f"{tag!r} is not a known BCP 47 language tag{tag_hint(tag)}"
            )
        elif tag not in config.languages and (old := deprecated_hint(tag)):
            diags.error("new.language", old)
        elif tag != canonical_case(tag):
            diags.error(
                "new.language", f"write the language tag {tag!r} as {canonical_case(tag)!r}"
            )
        elif tag not in config.languages and not adding:
            diags.error(
                "new.language",
                f"{tag!r} is not one of the site's languages ({', '.join(config.languages)});"
                " add it to languages: in the configuration, or run again with --add-language",
            )
    return not diags.errors


def add_languages(
    path: Path, config: SiteConfig, tags: list[str], diags: Diagnostics
) -> SiteConfig | None:
    """Add `tags` to `languages:` in the configuration file, keeping everything else (its
    comments included) as written; the configuration as it is then."""
    lines = path.read_text(encoding="utf-8").split("\n")
    key = config.lines[("languages",)] - 1
    last = config.lines[("languages", len(config.languages) - 1)] - 1
    flow = _FLOW_LIST.match(lines[key]) if last == key else None
    item = _BLOCK_ITEM.match(lines[last]) if last > key else None
    if flow:
        lines[key] = flow.group(1) + ", ".join([flow.group(2), *tags]) + flow.group(3)
    elif item:
        lines[last + 1 : last + 1] = [item.group(1) + tag for tag in tags]
    else:
        diags.error(
            "new.language",
            f"cannot add {', '.join(tags)} to languages: in {path}; add it there by hand",
            config.where("languages"),
        )
        return None
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_config(path, str(path), diags)


def scaffold_story(
    articles: Path,
    slug: str,
    langs: tuple[str, ...],
    config: SiteConfig,
    diags: Diagnostics,
    *,
    now: datetime | None = None,
) -> Path | None:
    """The story folder `slug`, its times `now` (`--now`; default: the clock) in the site's
    time zone."""
    folder = articles / slug
    zone = ZoneInfo(config.timezone)
    now = (now or datetime.now(zone)).astimezone(zone).replace(second=0, microsecond=0)
    if problem := slug_problem(slug):
        message = problem.replace("folder name", "the slug")
        suggested = suggest_slug(slug, now.date().isoformat())
        if suggested and not slug_problem(suggested):
            message += f"; try the slug {suggested!r}"
        elif not suggested:
            message += (
                "; no slug can be made from a text without Latin letters: write the slug's"
                " words in Latin letters, transliterated or translated"
            )
        diags.error("new.slug", message)
        return None
    if folder.exists():
        diags.error("new.exists", f"{folder} already exists; pick another slug")
        return None
    publisher = config.publisher.name
    folder.mkdir(parents=True)
    (folder / STORY_FILE).write_text(
        STORY_TEMPLATE.format(
            domain=_domain(config.publisher.url),
            date=now.date().isoformat(),
            slug=slug,
            original=langs[0],
            timezone=config.timezone,
            now=rfc3339(now),
            publisher=yaml_text(publisher),
            notice=rights_notice(publisher, now.year, langs),
        ),
        encoding="utf-8",
    )
    for tag in langs:
        (folder / f"{tag}.md").write_text(
            VARIANT_TEMPLATE.format(publisher=yaml_text(publisher)), encoding="utf-8"
        )
    return folder


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}-")
_LATIN = str.maketrans(
    {"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ħ": "h"}
)
"""Latin letters Unicode does not take apart into a letter and its marks (NFKD): Turkish
dotless ı, Danish ø, the æ and œ ligatures, Croatian đ, Icelandic ð and þ, Polish ł,
Maltese ħ."""
_SLUG_WORDS = 8


def suggest_slug(text: str, date: str) -> str:
    """A slug made of what was given instead of one (a headline, `Wahl in Berlin: Ergebnis`
    gives `2026-12-03-wahl-in-berlin-ergebnis`): its first words in lowercase ASCII, accents
    and ligatures taken apart (ß as ss), anything else a hyphen, dated as the sample's slugs
    are; empty when no Latin letter is left: the digits and date of a headline in Arabic or
    Japanese (`2026-12-04-3`) would say nothing, and the next such headline would take the
    same slug."""
    spelt = text.casefold().translate(_LATIN)
    plain = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain)[:_SLUG_WORDS]
    if not re.search("[a-z]", "".join(words)):
        return ""
    slug = "-".join(words)
    return slug if _DATED.match(slug + "-") else f"{date}-{slug}"


def rights_notice(publisher: str, year: int, langs: Sequence[str]) -> str:
    """`rights.notice` of a new story, as the YAML text after `  notice:`: the feeds'
    "© <year> <publisher>. All rights reserved." (the `feed_rights` phrase) in each of the
    story's languages, published as they are in pages, JSON-LD, NewsML-G2 and ninjs; one
    text when every language says the same, else a text per language."""
    owner = f"{year} {publisher}"
    notices = {lang: term("feed_rights", lang, publisher=owner) for lang in langs}
    if len(set(notices.values())) == 1:
        return " " + yaml_text(notices[langs[0]])
    return "".join(f"\n    {lang}: {yaml_text(text)}" for lang, text in notices.items())


def yaml_text(text: str) -> str:
    """`text` as a YAML scalar that reads back as exactly `text` (a publisher named `ACME:
    News` or `News #1 Daily`): double-quoted, as JSON writes strings, which YAML reads."""
    return json.dumps(text, ensure_ascii=False)


def _domain(url: str) -> str:
    """The publisher's domain for tag URIs, which must be ASCII (an IDN in its xn-- form)."""
    host = urlsplit(url).hostname or ""
    try:
        return host.encode("idna").decode("ascii") or "example.org"
    except UnicodeError:
        return "example.org"
