"""`syndicate new`: a new story folder whose files are valid from the start, every field to
fill marked TODO (an error once the story is set to usable), in languages the site has."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from itertools import zip_longest
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from syndicate.cli import EXIT_INPUT, EXIT_OK, say, shown
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import canonical_case, is_valid_tag
from syndicate.i18n.terms import term, use_site_terms
from syndicate.model import SiteConfig
from syndicate.readers.articles import slug_problem
from syndicate.readers.config import PLACEHOLDER_URL, load_config, reserved_name, reserved_said
from syndicate.readers.languages import deprecated_hint, spelt_otherwise, tag_problem
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
_FLOW_LIST = re.compile(r"^(\s*languages\s*:\s*\[)([^\]]*?)(\s*\].*)\Z")
_BLOCK_ITEM = re.compile(r"^(\s*-\s+)\S")
_LINE_END = re.compile(r"\r\n|\r|\n")


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    use_site_terms(config.terms)  # the rights notice is the site's phrase, where it has one
    langs = tuple(dict.fromkeys(args.langs or config.languages[:1]))
    if not _languages_ok(langs, config, diags, adding=args.add_language):
        return EXIT_INPUT
    missing = [tag for tag in langs if tag not in config.languages]
    # The edited configuration is made, and the file found writable, before the story is
    # written; it is replaced after: a story that cannot be written leaves the site's
    # languages as they were, and one that cannot be added removes the story again.
    edited = languages_added(args.config, config, missing, diags) if missing else None
    if missing and edited is None:
        return EXIT_INPUT
    folder = scaffold_story(args.articles, args.slug, langs, config, diags, now=args.now)
    if folder is None:
        return EXIT_INPUT
    if edited is not None:
        try:
            replace_file(args.config, edited)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            diags.error(
                "new.write",
                f"{cannot_write(Path(shown(args, args.config)), exc)}; nothing was created",
            )
            return EXIT_INPUT
        load_config(args.config, str(args.config), diags)  # its warnings (terms) are told
        say(args, f"added {', '.join(missing)} to the languages of {shown(args, args.config)}")
    # Named from the folder the command was started in, as every other path it says.
    say(args, f"created {shown(args, folder)}: fill in the TODOs, then run `syndicate validate`")
    if (name := reserved_name(config.publisher.url)) is not None:
        placeholder = urlsplit(PLACEHOLDER_URL).hostname
        what = (
            f"{placeholder}, the placeholder `syndicate init` wrote as publisher.url"
            if name == placeholder
            else f"{_domain(config.publisher.url)} (publisher.url is on {name},"
            f" {reserved_said(name)})"
        )
        say(
            args,
            f"its id names {what}: set publisher.url and base_url in"
            f" {shown(args, args.config)} to your site, then change the story's id before it is"
            " published (an id never changes after)",
        )
    return EXIT_OK


def _languages_ok(
    langs: tuple[str, ...], config: SiteConfig, diags: Diagnostics, *, adding: bool
) -> bool:
    for tag in langs:
        if not is_valid_tag(tag):
            problem = tag_problem(tag, f"{tag!r} is not a known BCP 47 language tag")
            diags.error("new.language", problem)
        elif tag not in config.languages and (old := deprecated_hint(tag)):
            diags.error("new.language", old)
        elif tag != canonical_case(tag):
            diags.error(
                "new.language", f"write the language tag {tag!r} as {canonical_case(tag)!r}"
            )
        elif tag not in config.languages and (other := spelt_otherwise(tag, config.languages)):
            # (`he` on a site of `iw`: adding it would list one language twice)
            diags.error(
                "new.language",
                f"{tag!r} and {other!r} are one language, which the site's languages write"
                f" {other!r}: write --lang {other}",
            )
        elif tag not in config.languages and not adding:
            diags.error(
                "new.language",
                f"{tag!r} is not one of the site's languages ({', '.join(config.languages)});"
                " add it to languages: in the configuration, or run again with --add-language",
            )
    return not diags.errors


def languages_added(
    path: Path, config: SiteConfig, tags: list[str], diags: Diagnostics
) -> bytes | None:
    """The configuration file with `tags` added to `languages:`, everything else (comments,
    line endings, a byte order mark) kept as written; None, with the problem, when they
    cannot be added there or the file cannot be written."""
    try:
        with path.open("r+b") as file:  # the file must take the change, as the user may write
            raw = file.read()
    except OSError as exc:
        diags.error("new.write", f"{cannot_write(path, exc)}; nothing was created")
        return None
    text = raw.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    # The lines as YAML (and so `config.lines`) counts them, each with its own line ending.
    lines = _LINE_END.split(text[len(bom) :])
    ends = _LINE_END.findall(text)
    key = config.lines[("languages",)] - 1
    last = config.lines[("languages", len(config.languages) - 1)] - 1
    flow = _FLOW_LIST.match(lines[key]) if last == key else None
    item = _BLOCK_ITEM.match(lines[last]) if last > key else None
    if flow:
        lines[key] = flow.group(1) + ", ".join([flow.group(2), *tags]) + flow.group(3)
    elif item:
        lines[last + 1 : last + 1] = [item.group(1) + tag for tag in tags]
        ends[last:last] = [ends[0]] * len(tags)
    else:
        diags.error(
            "new.language",
            f"cannot add {', '.join(tags)} to languages: in {path}; add it there by hand",
            config.where("languages"),
        )
        return None
    return (bom + "".join(map("".join, zip_longest(lines, ends, fillvalue="")))).encode("utf-8")


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a temporary file beside it, renamed over
    it), keeping the file's permissions; raises OSError."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def cannot_write(path: Path, exc: OSError) -> str:
    """What to tell of `path` that could not be written: the system's reason, and for a
    file or folder without write permission (or on a read-only disk), what to do."""
    told = f"cannot write {path}: {exc.strerror or exc}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        told += " (make it writable for you, or ask its owner)"
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        told += " (a file is where a folder should be: move it away)"
    return told


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
    if problem := slug_problem(slug, config.languages, config.static):
        message = problem.replace("folder name", "the slug")
        suggested = suggest_slug(slug, now.date().isoformat())
        # (a suggestion is looked for only when it is a slug: a name too long for the file
        # system is an OSError where `exists` looks)
        taken = (
            slug_problem(suggested, config.languages, config.static)
            if suggested
            else "no suggestion"
        )
        if not taken and (articles / suggested).exists():
            message += f"; {suggested!r} is taken by a story already: pick another slug"
        elif not taken:
            message += f"; try the slug {suggested!r}"
        elif not suggested and not any(c.isalpha() for c in slug):  # a date, punctuation
            message += (
                "; it holds no word: give the story's words, such as"
                f" {now.date().isoformat()}-nato-summit"
            )
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
    if not articles.is_dir() and not articles.parent.is_dir():  # a mistyped --articles
        diags.error(
            "new.write",
            f"no articles folder {articles}, nor a folder {articles.parent} to make it in:"
            " give --articles the site's articles folder; nothing was created",
        )
        return None
    publisher = config.publisher.name
    files = {
        STORY_FILE: STORY_TEMPLATE.format(
            domain=_domain(config.publisher.url),
            date=now.date().isoformat(),
            slug=slug,
            original=langs[0],
            timezone=config.timezone,
            now=rfc3339(now),
            publisher=yaml_text(publisher),
            notice=rights_notice(publisher, now.year, langs),
        ),
        **{f"{tag}.md": VARIANT_TEMPLATE.format(publisher=yaml_text(publisher)) for tag in langs},
    }
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        diags.error("new.write", f"{cannot_write(_blocked(folder), exc)}; nothing was created")
        return None
    try:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        diags.error("new.write", f"{cannot_write(folder / name, exc)}; nothing was created")
        return None
    return folder


def _blocked(folder: Path) -> Path:
    """The folder a new `folder` could not be made in: its nearest existing parent."""
    return next((above for above in folder.parents if above.exists()), folder.parent)


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
