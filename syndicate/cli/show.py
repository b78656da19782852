"""`syndicate show SLUG`: what syndicate read of one story, as a person reads it (facts, each
language's texts, images, the state at `--now`), or as the model's JSON."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from syndicate.cli import EXIT_INPUT, EXIT_OK, count, emit, shown
from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.model.writer import to_data
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import display_name
from syndicate.i18n.text import byline_text, dateline_text, section_name
from syndicate.model import Localized, Story, Variant
from syndicate.readers.articles import read_story
from syndicate.readers.config import load_config
from syndicate.readers.folders import said_path, story_folders
from syndicate.render.text import body_words, word_count

LABEL = 16
"""The width of the labels in the text view."""


def _slug_of(given: str, articles: Path, names: list[str], cwd: Path) -> str:
    """The story `given` names: its slug, or its folder (or a file in it) as a path, as a
    shell's completion writes it (`articles/2026-01-05-budget/`, `.` or `en.md` from the
    story's folder): relative to `cwd`, the folder the command was typed in, not the site
    folder it runs in."""
    if given in names:
        return given
    path = Path(given)
    if path.name == "story.yaml" or path.suffix == ".md":
        path = path.parent
    try:
        folder = (cwd / path).resolve()
        inside = folder.parent == articles.resolve()
    except (OSError, RuntimeError):  # a path too long, a loop of links
        return given
    return folder.name if inside and folder.name in names else given


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    names = [f.name for f in story_folders(args.articles)] if args.articles.is_dir() else []
    slug = _slug_of(args.slug, args.articles, names, args.cwd)
    if slug not in names:
        diags.error(
            "show.story",
            f"no story {args.slug!r} in {said_path(args.articles)}{did_you_mean(args.slug, names)}"
            " (`syndicate list` lists the stories)",
        )
        return EXIT_INPUT
    folder = args.articles / slug
    story = read_story(folder, config, diags)
    if story is None:
        return EXIT_INPUT
    langs = tuple(dict.fromkeys(args.langs or story.languages))
    missing = [lang for lang in langs if not story.has(lang)]
    if missing:
        # A file the story leaves out (a translation first out in the version that kills the
        # story, `story.language-unreleased`) is there: say it is left out, not missing.
        left = [lang for lang in missing if (folder / f"{lang}.md").is_file()]
        absent = [lang for lang in missing if lang not in left]
        said = [f"has no {', '.join(f'{lang}.md' for lang in absent)}"] if absent else []
        if left:
            said.append(
                f"leaves out its {', '.join(f'{lang}.md' for lang in left)}, published in no"
                " channel (its story.language-unreleased warning says why)"
            )
        diags.error(
            "show.language",
            f"{story.slug} {' and '.join(said)} (its languages: {', '.join(story.languages)})",
        )
        return EXIT_INPUT
    languages = story.languages  # the story's own, whatever --lang shows
    story = dataclasses.replace(story, variants=tuple(story.variant(lang) for lang in langs))
    now: datetime = args.now or datetime.now(UTC)
    if args.log_format == "json":
        emit(to_data(story) | {"state": story.lifecycle(now), "now": rfc3339(now)})
    else:
        lines = describe(story, now, lambda path: shown(args, Path(path)), languages)
        print("\n".join(lines))
    return EXIT_OK


def describe(
    story: Story,
    now: datetime,
    where: Callable[[str], str] = str,
    languages: tuple[str, ...] | None = None,
) -> Iterator[str]:
    """The story as lines of text: its facts, then each language, then its images (texts of
    the languages shown only). `where` shows a source path; `languages` are the story's when
    `story` holds only the variants shown (`show --lang`): its `languages` line is a fact of
    the story, never the selection ("fr; original en" of a story in six languages)."""
    yield f"{story.slug}  ({where(story.source.path)})"
    state = story.lifecycle(now)
    yield _field(
        "state", f"{state} at {rfc3339(now)} (status {story.status}, version {story.version})"
    )
    yield _field("id", story.id)
    yield _field("section", f"{story.section} ({section_name(story.section, story.languages[0])})")
    written = languages or story.languages
    yield _field("languages", ", ".join(written) + f"; original {story.original_lang}")
    yield _field("first created", rfc3339(story.first_created))
    yield _field("published", rfc3339(story.published))
    yield _field("updated", rfc3339(story.updated))
    if story.embargo_until:
        yield _field("embargo until", rfc3339(story.embargo_until))
    yield _field("time zone", story.timezone)
    yield _field("urgency", str(story.urgency))
    yield _field("genre", story.genre)
    lang = story.variants[0].lang  # names in the first language shown
    for subject in story.subjects:
        yield _field("subject", f"{subject.code} {_text(subject.name, lang)}")
    if story.keywords:
        yield _field("keywords", ", ".join(story.keywords))
    for place in story.places:
        at = f" {place.coordinates[0]}, {place.coordinates[1]}" if place.coordinates else ""
        yield _field("place", f"{_text(place.name, lang)} ({place.country}, {place.role}){at}")
    yield _field("rights", f"{story.rights.holder}: {_text(story.rights.notice, lang)}")
    if story.correction:
        yield _field("correction", _text(story.correction.note, lang))
    for link in story.related:
        yield _field("related", f"{link.url} {_text(link.title, lang)}")
    for variant in story.variants:
        yield from _variant(story, variant, where)
    for image in story.images:
        yield ""
        yield f"image {image.file}  ({where(image.source.path)}:{image.source.line})"
        size = f"{image.media_type}, {image.width}x{image.height}, {image.size:,} bytes"
        yield _field("file", size)
        for tag in story.languages:
            yield _field(f"alt {tag}", _text(image.alt, tag))
            if image.caption:
                yield _field(f"caption {tag}", _text(image.caption, tag))
        if image.credit:
            yield _field("credit", image.credit)


def _variant(story: Story, variant: Variant, where: Callable[[str], str]) -> Iterator[str]:
    yield ""
    yield f"{variant.lang} {display_name(variant.lang, 'en')}  ({where(variant.source.path)})"
    yield _field("headline", variant.headline)
    if variant.alt_headline:
        yield _field("alt headline", variant.alt_headline)
    yield _field("summary", variant.summary)
    yield _field("byline", byline_text(variant))
    yield _field("dateline", dateline_text(story, variant))
    if variant.published is not None:  # a translation added later: its own
        yield _field("published", rfc3339(story.published_for(variant.lang)))
    yield _field("updated", rfc3339(story.updated_for(variant.lang)))
    if variant.keywords:
        yield _field("keywords", ", ".join(variant.keywords))
    words = word_count(body_words(variant))
    said = (
        count(words, "word")
        if words is not None
        else "words not counted (Thai script, or the like)"
    )
    yield _field("body", f"{count(len(variant.body), 'block')}, {said}")


def _field(label: str, value: str) -> str:
    return f"  {label:<{LABEL}} {value}"


def _text(value: Localized, lang: str) -> str:
    return value.get(lang) or ""
