"""The `articles/` walker: every story folder read into a `Story`, every problem reported."""

from __future__ import annotations

import os
import re
import shlex
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.i18n.dates import EARLIEST_YEAR, parse_rfc3339, whole_second_after
from syndicate.i18n.locales import (
    canonical_case,
    fixed_abbreviation,
    is_valid_tag,
    is_zone,
)
from syndicate.model import (
    IMAGE_EXTENSIONS,
    Byline,
    Correction,
    Image,
    Localized,
    Person,
    Place,
    RelatedLink,
    Rights,
    SiteConfig,
    SourceRef,
    Story,
    StorySummary,
    Subject,
    Variant,
    walk,
)
from syndicate.model.body import (
    Block,
    Heading,
    Paragraph,
    inline_text,
    one_spaced,
    placed_images,
)
from syndicate.model.story import first_out_in_version
from syndicate.readers import budgets
from syndicate.readers.animation import is_animated
from syndicate.readers.config import SchemaVerdict, zone_advice
from syndicate.readers.folders import (
    check_collection,
    is_ignored,
    links_outside,
    report_missing,
    shown_entry,
    shown_path,
    story_folders,
)
from syndicate.readers.frontmatter import FrontMatterProblem, Split, split_front_matter
from syndicate.readers.images import ImageFacts, ImageProblem, inspect_image
from syndicate.readers.languages import copied_from, refusal, spelt_otherwise, tag_hint
from syndicate.readers.safefile import Refused, outside, read_checked
from syndicate.readers.schemas import Where, check, place, uri_form, url_problems
from syndicate.readers.storyfiles import (
    LANGUAGE_SUFFIX,
    STORY_FILE,
    StoryFiles,
    evicted,
    story_path,
)
from syndicate.readers.textfile import bidi_warning, decode_text, markup_warning, not_fields
from syndicate.readers.yamlsource import YamlDoc, YamlProblem, parse_yaml

if TYPE_CHECKING:
    from syndicate.readers.markdown import ImageLookup

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A story slug, matched whole (`fullmatch`: `$` would let a final newline through)."""
RESERVED_SLUGS = {
    "index": "the index pages (html/index.<lang>.html)",
    "site": "the publisher's logo and icon (html/media/site/)",
    "catalog": "the OPDS and NewsML-G2 catalogs (opds/catalog.xml)",
    "logo": "the feeds' logos (atom/logo.png)",
    "pages": "the sitemap of pages (sitemaps/pages.xml)",
    "brand": "the partner profiles' copy of the publisher's logo (partners/<profile>/brand.png)",
}
"""Slugs whose outputs would take the place of other files, or whose files could not be told
from them (a delivery's inventory takes a file named `<slug>.<extension>` for the story's)."""
_NUMBERED_PAGES = re.compile(r"pages-[0-9]+")
"""The sitemap of pages' later files (`sitemaps/pages-2.xml`), matched whole."""
WINDOWS_DEVICES = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?", re.I)
"""Names Windows keeps for its devices, whatever their extension (`nul.package.xml`,
`CON.png`): a file so named cannot be copied to a Windows share, an IIS FTP server or a
reader's Windows disk (an EPUB unpacked), matched whole."""
_MARKDOWN_SUFFIXES = frozenset({"markdown", "mdown", "mkd", "mkdn", "mdwn", "txt", "text", "md"})
"""What a language file may be named by other tools (`fr.markdown`, `fr.MD`): told `fr.md`."""
PLACEHOLDER = re.compile(r"\bTODO\b")


def has_placeholder(text: str) -> bool:
    """`PLACEHOLDER` found in `text`, looked for only where the text holds `TODO`: a pattern
    opening with `\b` has no first character for the regular-expression engine to skip to,
    which tried it at every character of every body (30 ms for the bench's 200 bodies, where
    `in` takes 0.4 ms)."""
    return "TODO" in text and PLACEHOLDER.search(text) is not None


_TAG_SHAPE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
"""A name shaped as a language tag (`xx-Bogus`), known or not."""
_LEFT_BEHIND = re.compile(
    r".+~|#.+#|~\$.+|.+\.(?:bak|orig|swp|swo|tmp|part|partial|crdownload|download|crswap)"
    r"|.+\.sb-[0-9a-f]+-[a-z0-9]+|.+:zone\.identifier|thumbs\.db|desktop\.ini|icon\r|4913",
    re.IGNORECASE,
)
"""What editors, file managers and browsers leave beside the files they open (`fr.md~`,
`#fr.md#`, `~$notes.docx`, `Thumbs.db`, `4913`, which vim writes and removes to test a
folder before each save, the file a sandboxed macOS app (TextEdit) or a browser editor
(Chrome's `fr.md.crswap`) writes and renames over the story's as it saves,
`fr.md.sb-5fd6bd25-0xLAd8`, a download not finished, `photo.jpg.crdownload`, or the
`photo.jpg:Zone.Identifier` Windows leaves on a folder shared with WSL): warned about and
left out, never an error stopping the export (hidden files, `.fr.md.swp` or `.DS_Store`,
are not listed at all)."""
_STORY_COPY = re.compile(r"story\b.*\.ya?ml", re.IGNORECASE)
"""A name that is `story.yaml` written otherwise (`Story.yaml`, `story.yml`) or a copy of it
(`story (1).yaml`, `story (conflicted copy 2026-12-01).yaml`)."""
"""What `syndicate new` marks the fields to fill with; an error in a usable story."""
PLACEHOLDER_SECTION = "todo"
"""The section `syndicate new` writes (a section code is lowercase)."""
_STORY_FACTS_NEEDED = (
    "write the facts every language shares, one `name: value` line each, at least id,"
    " original_language, section, first_created, published and rights (docs/sources.md shows"
    " a complete one), or copy the one `syndicate new SLUG` writes, which marks each field to"
    " fill in with TODO"
)
EMPTY_STORY_FILE = f"{STORY_FILE} is empty; {_STORY_FACTS_NEEDED}"
EMPTY_STORY_FACTS = f"{STORY_FILE} has only comments or blank lines; {_STORY_FACTS_NEEDED}"
EMPTY_FRONT_MATTER = (
    "the front matter between the --- lines is empty; write this language's headline,"
    " summary, byline and dateline there, one `name: value` line each (docs/sources.md)"
)
EMPTY_LANGUAGE_FILE = "file is empty; a story file needs front matter and a body"
# Story-level facts a language file may repeat; when it does, it must agree with story.yaml.
STORY_FACTS = (
    "id",
    "original_language",
    "section",
    "timezone",
    "first_created",
    "published",
    "embargo_until",
    "status",
    "version",
    "urgency",
    "genre",
)


def read_articles(articles: Path | str, config: SiteConfig, diags: Diagnostics) -> list[Story]:
    """Read every story under `articles`; stories with errors are left out, and every error is
    reported in `diags`."""
    articles = Path(articles)
    if not articles.is_dir():
        report_missing(articles, diags)
        return []
    stories = []
    for folder in story_folders(articles):
        story = read_story(folder, config, diags)
        if story is not None:
            stories.append(story)
    check_collection([StorySummary.of(story) for story in stories], articles, diags)
    return stories


_ID_LINE = re.compile(r"^id:[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?$", re.MULTILINE)
_QUOTED = re.compile(r""""([^"\\]*)"|'([^']*)'""")


def claimed_id(folder: Path) -> str | None:
    """The id a story folder's `story.yaml` gives on a line of its own (`id: ...` at the top
    level, plain or quoted), read without parsing the YAML: which story a folder that could
    not be read may hold. None when the file gives no id that way (none, or more than one),
    or cannot be read within its budget, or the folder is a link out of the articles folder
    (whose files are never read)."""
    text = None if links_outside(folder) else _lines_of(folder / STORY_FILE)
    if text is None:
        return None
    found = _ID_LINE.findall(text)
    if len(found) != 1:
        return None
    value: str = found[0]
    quoted = _QUOTED.fullmatch(value)
    if quoted is not None:
        value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    elif value[:1] in tuple("&*!|>[{'\"%@`"):
        return None  # an anchor, alias, tag, block or flow value: read only by parsing
    return value or None


def id_source(source: SourceRef) -> SourceRef:
    """`source`, a `story.yaml` as a story names it, at the line of its `id:` (read again,
    without parsing), for a message about the id; `source` itself when that line cannot be
    told (none, several, or the file unreadable)."""
    text = _lines_of(Path(source.path))
    found = list(_ID_LINE.finditer(text)) if text is not None else []
    if text is None or len(found) != 1:
        return source
    return source.at(text.count("\n", 0, found[0].start()) + 1)


def _lines_of(path: Path) -> str | None:
    """A `story.yaml`'s text with its lines ended by `\\n`, read within its budget; None when
    it cannot be read."""
    try:
        data = read_checked(path, None, budgets.MAX_STORY_YAML_CHARS)
    except (Refused, OSError):
        return None
    return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


MAX_NAMED_LEFTOVERS = 5
"""The files a story folder holding nothing else is told it holds, by name."""


def _no_story_file(folder: Path) -> str:
    """What a folder without `story.yaml` is told. One that holds nothing but files syndicate
    ignores is most often what a story deleted (`git rm -r`, or on a synced share) left, an
    untracked `.DS_Store` keeping its folder: it is told how to take the story down. Still
    an error, never a deletion: a folder a sync has not filled yet looks the same."""
    found = _leftovers(folder)
    if found is None:
        return (
            f"no {STORY_FILE}: every story folder needs one with the facts shared by all"
            " languages (id, original_language, section, dates, rights)"
        )
    more = len(found) - MAX_NAMED_LEFTOVERS
    named = ", ".join(found[:MAX_NAMED_LEFTOVERS]) + (f" and {more} more" if more > 0 else "")
    holds = (
        f"holds only files syndicate ignores ({named}), as a story deleted (git rm -r, or on"
        " a synced share) leaves them behind"
        if found
        else "holds no file"
    )
    return (
        f"no {STORY_FILE}, nor any other story file: the folder {holds}; to take the story"
        f" down, delete the folder{', those files with it' if found else ''} (the next export"
        f" takes it down: story.deleted); else put {STORY_FILE} and the language files back"
        " (a sync not finished?)"
    )


def _leftovers(folder: Path) -> list[str] | None:
    """The files and folders syndicate ignores in `folder` and its folders (hidden, left by an
    editor or a system), as paths from it, when it holds nothing else; None when it holds a
    file syndicate would read or judge (or cannot be walked)."""
    found: list[str] = []
    try:
        for top, dirs, files in os.walk(folder, onerror=_raise):
            rel = os.path.relpath(top, folder)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in dirs:
                if is_ignored(name):
                    found.append(f"{prefix}{name}/")
                elif os.path.islink(os.path.join(top, name)):
                    return None  # a link to a folder: not walked, and not ignored
            dirs[:] = [d for d in dirs if not is_ignored(d)]
            for name in files:
                if not (is_ignored(name) or _LEFT_BEHIND.fullmatch(name)):
                    return None
                found.append(prefix + name)
    except OSError:
        return None
    return sorted(found)


def _raise(exc: OSError) -> None:
    raise exc


def slug_problem(
    slug: str, languages: Sequence[str] = (), static: Sequence[str] = ()
) -> str | None:
    """Why a folder name cannot be a story slug, or None. `languages`, the site's: a slug
    spelled as one of them (`en`, `zh-hans`), or as a language's edition or news sitemap
    (`edition-fr`, `news-fr`), names the same files as that language's feeds, catalogs and
    books (`atom/en.xml`, `epub/edition-fr.epub`). `static`, the static files of the site's
    templates (`SiteConfig.static`): one at the top of `templates/` (`ads.txt`) is published
    as `html/ads.txt`, which a delivery would take for the files of a story slugged `ads`."""
    if not SLUG.fullmatch(slug):
        return (
            f"folder name {slug!r} is not a valid story slug: use ASCII letters a-z, digits and"
            " single hyphens (e.g. 2021-02-18-nato-iraq)"
        )
    if len(slug) > budgets.MAX_NAME_BYTES:
        return (
            f"slug is {len(slug)} characters long; keep it under {budgets.MAX_NAME_BYTES}"
            " (it becomes file names, with a language and an extension added)"
        )
    if slug in RESERVED_SLUGS:
        return f"the slug {slug!r} is taken by {RESERVED_SLUGS[slug]}; choose another"
    if _NUMBERED_PAGES.fullmatch(slug):
        return f"the slug {slug!r} is taken by the sitemap of pages' files; choose another"
    for tag in languages:
        lower = tag.lower()
        if slug in (lower, f"edition-{lower}", f"news-{lower}") or re.fullmatch(
            rf"news-{re.escape(lower)}-[0-9]+", slug
        ):
            return (
                f"the slug {slug!r} is taken by the files of the language {tag}"
                f" ({_language_file(slug, tag)}); choose another"
            )
    for rel in static:
        if "/" not in rel and rel.partition(".")[0] == slug:
            return (
                f"the slug {slug!r} is taken by the templates' static file {rel}"
                f" (html/{rel}); choose another"
            )
    if WINDOWS_DEVICES.fullmatch(slug):
        return (
            f"the slug {slug!r} is a name Windows keeps for a device: its files could not be"
            " copied to a Windows share or disk; choose another"
        )
    return None


def _language_file(slug: str, tag: str) -> str:
    """One of the files of language `tag` named like the slug `slug`."""
    if slug.startswith("edition-"):
        return f"epub/edition-{tag}.epub"
    if slug.startswith("news-"):  # (`news-fr-2`: the second file of the French one)
        return f"sitemaps/news-{tag}{slug[len('news-') + len(tag) :]}.xml"
    return f"atom/{tag}.xml, opds/{tag}.xml"


def read_story(
    source: Path | StoryFiles,
    config: SiteConfig,
    diags: Diagnostics,
    *,
    verdict: SchemaVerdict | None = None,
) -> Story | None:
    """The story of a folder (or of its files already listed), or None when it has errors;
    every problem is reported in `diags`. With `verdict`, a text (`story.yaml`, a language
    file's front matter) whose check against the schema passed before is not checked again,
    and each that passes is remembered in it (see `SchemaVerdict`)."""
    files = source if isinstance(source, StoryFiles) else StoryFiles(source)
    local = Diagnostics()
    story = _StoryReader(files, config, local, verdict).read()
    diags.extend(local)
    return story if not local.errors else None


MAX_NAMED_STRAYS = 20
"""Stray files of one story folder named one by one; the others are counted in one line (a
folder of 10,000 photos was 10,000 lines)."""


class _StoryReader:
    def __init__(
        self,
        files: StoryFiles,
        config: SiteConfig,
        diags: Diagnostics,
        verdict: SchemaVerdict | None = None,
    ) -> None:
        self.files = files
        self.verdict = verdict
        self.folder = files.folder
        self.config = config
        self.diags = diags
        self.meta_file = shown_path(self.folder / STORY_FILE)
        self._shown_folder: str | None = None
        """`shown_path(self.folder)`, once a file of the folder is named (`_shown`)."""
        self.usable = False
        """Whether the story says it may be published (then placeholders are errors)."""
        self.tz: str | None = None
        """The story's time zone, once read."""
        self.yaml_left = budgets.MAX_STORY_YAML_CHARS
        self.pixels_left = budgets.MAX_STORY_PIXELS
        self.updated_at: dict[str, SourceRef] = {}
        """Where each language file gives its own `updated`, by language."""
        self.published_at: dict[str, SourceRef] = {}
        """Where each translation's file gives its own `published`, by language."""

    def read(self) -> Story | None:
        folder = self.folder
        if problem := slug_problem(folder.name, self.config.languages, self.config.static):
            self.diags.error("story.slug", problem, shown_path(folder))
            return None
        if self.files.problem:
            self.diags.error(
                self.files.problem.code, self.files.problem.message, shown_path(folder)
            )
            return None
        doc = self._story_yaml()
        lang_files = self._language_files()
        if doc is None:
            for name in lang_files.values():  # still report their problems: all in one run
                parsed = self._front_matter(name)
                if parsed is not None:
                    self._body(parsed[0], parsed[1], self._unlisted_lookup())
            return None
        data = doc.data
        where = self._where(doc)
        self.usable = data.get("status", "usable") == "usable"
        self._check_texts(doc, self.meta_file)
        original = data["original_language"]
        if original not in lang_files:
            # `zh-hans` beside zh-Hans.md: the tag as the file writes it
            cased = [tag for tag in lang_files if str(original).lower() == tag.lower()]
            # (or `iw` beside he.md: the language under the tag its file has)
            cased = cased or [t for t in [spelt_otherwise(str(original), list(lang_files))] if t]
            self.diags.error(
                "story.original-missing",
                f"original_language is {original!r} but there is no {original}.md"
                + (f"; write it {cased[0]!r}, as its file {cased[0]}.md" if cased else ""),
                where("original_language"),
            )
        tz = self.tz = self._timezone(data, where)
        dates = {
            k: self._datetime(data, k, where, tz)
            for k in ("first_created", "published", "updated", "embargo_until")
        }
        story_langs = tuple(lang_files)
        images = self._images(data, doc, story_langs, original)
        variants = []
        for lang in _ordered(story_langs, original):
            variant = self._variant(lang, lang_files[lang], data, images, doc)
            if variant is not None:
                variants.append(variant)
        # A version that withholds or cancels the story shows no body, only the notice:
        # nothing to ask of it (under --strict the warning would refuse the kill).
        if self.usable:
            self._warn_unplaced(images, variants, lang_files)
        if self.diags.errors or tz is None:
            return None
        first_created, published = dates["first_created"], dates["published"]
        assert first_created is not None and published is not None
        updated = dates["updated"] or published
        taken_back = data.get("status", "usable") != "usable" and data.get("version", 1) > 1
        self._check_order(first_created, published, updated, where, taken_back=taken_back)
        advice = (
            "set updated to when it was taken back; partners order versions by it, and a story"
            " taken back before its release is announced nowhere public only if updated says so"
        )
        if taken_back and dates["updated"] is None:
            self.diags.warning(
                "story.kill-time",
                f"{data['status']} at version {data['version']} with no updated: {advice}",
                where("status"),
            )
        elif taken_back and updated == published and (later := _later_in(variants, published)):
            # As a kill with no `updated` is (the history takes both alike, `untimed_kill`):
            # the story's time is its published, and a language file's later one dates that
            # language alone.
            self.diags.warning(
                "story.kill-time",
                f"{data['status']} at version {data['version']} with updated the same as"
                f" published ({published.isoformat()}), and a later time only in"
                f" {', '.join(f'{lang}.md' for lang in later)}, which dates"
                f" {'those languages' if later[1:] else 'it'} alone: {advice}",
                where("updated"),
            )
        for variant in variants:
            if variant.updated is not None and variant.updated < published:
                self.diags.error(
                    "article.date-order",
                    f"updated is earlier than the story's published ({published.isoformat()});"
                    " a language's updated must be >= published",
                    self.updated_at.get(variant.lang, variant.source),
                )
        variants = [self._own_published(v, published, updated) for v in variants]
        loc = self._localized_factory(doc, story_langs, original)
        correction = None
        if "correction" in data:
            note = data["correction"]["note"]
            correction = Correction(loc(note, ("correction", "note")), where("correction"))
            # A language this version first publishes shows no note (`Story.correction_for`).
            new = {
                v.lang
                for v in variants
                if v.published and first_out_in_version(v.published, published, updated)
            }
            missing = [
                lang
                for lang in story_langs
                if isinstance(note, dict) and lang not in note and lang not in new
            ]
            # A version that withholds or cancels the story shows no note in any channel,
            # only the notice: nothing to ask of it (under --strict it would refuse the kill).
            if missing and original in note and self.usable:
                self.diags.warning(
                    "story.correction-language",
                    f"the correction note has no text in {', '.join(missing)}: the pages, feed"
                    f" entries and items in {'those languages' if missing[1:] else 'it'} show"
                    f" the {original} note; give each language its text under note:",
                    SourceRef(self.meta_file, doc.line(("correction", "note"))),
                )
            if data.get("version", 1) == 1:
                self.diags.warning(
                    "story.correction",
                    "a correction note on version 1; increase version when you correct a story",
                    where("correction"),
                )
        places = tuple(
            Place(
                name=loc(p["name"], ("places", i, "name")),
                country=p["country"],
                coordinates=tuple(p["coordinates"]) if "coordinates" in p else None,
                role=p.get("role", "about"),
            )
            for i, p in enumerate(data.get("places", []))
        )
        if not _whole_uuid(data["id"]):
            self.diags.error(
                "story.id",
                "a urn:uuid: id is that prefix and one UUID, nothing more"
                " (urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66); write the UUID alone, or"
                " use a tag: or another urn: id for a name",
                where("id"),
            )
        if WINDOWS_DEVICES.fullmatch(data["section"]):  # its feeds and pages are named by it
            self.diags.error(
                "story.section",
                f"the section {data['section']!r} is a name Windows keeps for a device: its"
                f" feeds and pages (atom/<lang>/{data['section']}.xml, html/<lang>/"
                f"{data['section']}.html) could not be copied to a Windows share or disk;"
                " choose another code",
                where("section"),
            )
        if sum(p.role == "located" for p in places) > 1:
            self.diags.error(
                "story.places", "only one place can have role: located", where("places")
            )
        for name in ("version", "urgency"):  # the schema's integer takes 2.0 (JSON's 2)
            if isinstance(data.get(name), float):
                self.diags.error(
                    "article.schema",
                    f"{name}: {data[name]} is written as a decimal, which NewsML-G2 and ninjs"
                    f" refuse; write it as a whole number: {name}: {int(data[name])}",
                    where(name),
                )
        if taken_back:
            variants = self._unreleased_left_out(variants, published, updated, data["status"])
        if self.diags.errors:
            return None
        return Story(
            slug=folder.name,
            id=data["id"],
            original_lang=original,
            section=data["section"],
            timezone=tz,
            first_created=first_created,
            published=published,
            updated=updated,
            status=data.get("status", "usable"),
            version=data.get("version", 1),
            urgency=data.get("urgency", 5),
            genre=data.get("genre", "current"),
            rights=self._rights(data["rights"], ("rights",), loc),
            source=where(),
            variants=tuple(variants),
            subjects=tuple(
                Subject(s["code"], loc(s["name"], ("subjects", i, "name")))
                for i, s in enumerate(data.get("subjects", []))
            ),
            keywords=tuple(data.get("keywords", [])),
            places=places,
            images=images,
            related=tuple(
                RelatedLink(uri_form(r["url"]), loc(r["title"], ("related", i, "title")))
                for i, r in enumerate(data.get("related", []))
            ),
            embargo_until=dates["embargo_until"],
            correction=correction,
            folder=str(folder),
            version_source=where("version") if "version" in data else where(),
            updated_source=self._updated_source(variants, updated, where("updated"), data),
            release_source=where("embargo_until" if data.get("embargo_until") else "published"),
        )

    def _unreleased_left_out(
        self, variants: list[Variant], published: datetime, updated: datetime, status: str
    ) -> list[Variant]:
        """The variants a version that withholds or cancels the story may carry: those out
        before it. A translation it first publishes (its own `published` at or after the
        version's `updated`, `first_out_in_version`) reached no one, so no channel carries
        it, not even the notice: a notice would send partners and feed readers the kill of
        an item they never had, headline and all. It comes out with the version that makes
        the story usable again."""
        kept = []
        taken = "kill" if status == "canceled" else "withdrawal"
        for variant in variants:
            own = variant.published
            if own is None or not first_out_in_version(own, published, updated):
                kept.append(variant)
                continue
            lang = variant.lang
            self.diags.warning(
                "story.language-unreleased",
                f"{lang}.md first comes out (published: {own.isoformat()}) in the version that"
                f" {'cancels' if status == 'canceled' else 'withholds'} the story: no one had"
                f" the {lang} text, so no channel carries it, not even the notice of the"
                f" {taken}; move {lang}.md out of the folder until a version makes the story"
                " usable again (a later version that still takes it back would send the"
                f" notice in {lang}), then put it back with that version's updated as its"
                " published",
                self.published_at.get(lang, variant.source),
            )
        return kept

    def _own_published(self, variant: Variant, published: datetime, updated: datetime) -> Variant:
        """A translation's own `published`, checked: no earlier than the story's (which is
        its original's), and no later than the `updated` of the version that added it. The
        story's own time written again is the story's (no time of its own)."""
        own = variant.published
        if own is None:
            return variant
        where = self.published_at.get(variant.lang, variant.source)
        latest = max(updated, variant.updated) if variant.updated else updated
        if own < published:
            self.diags.error(
                "article.date-order",
                f"published is earlier than the story's ({published.isoformat()}): a"
                " translation's published is when it was first published, no earlier than"
                " the original; write the story's, or leave it out",
                where,
            )
        elif own > latest:
            self.diags.error(
                "article.date-order",
                f"published is after updated ({latest.isoformat()}): the version that added"
                f" this language is dated by its updated; set updated (in {STORY_FILE} or"
                " here) to the time of that version, no earlier than this published",
                where,
            )
        if own == published:
            return replace(variant, published=None)
        return variant

    def _updated_source(
        self, variants: list[Variant], updated: datetime, said: SourceRef, data: dict[str, Any]
    ) -> SourceRef | None:
        """Where the story's latest `updated` is written: a language file's when it is later
        than story.yaml's, story.yaml's line, or None when neither gives one."""
        later = [v for v in variants if v.updated is not None and v.updated > updated]
        if later:
            lang = max(later, key=lambda v: v.updated or updated).lang
            return self.updated_at.get(lang)
        return said if "updated" in data else None

    # story.yaml ---------------------------------------------------------------------------

    def _where(self, doc: YamlDoc) -> Any:
        def where(*path: str | int) -> SourceRef:
            return SourceRef(self.meta_file, doc.line(tuple(path)) if path else 1)

        return where

    def _story_yaml(self) -> YamlDoc | None:
        text = self._text(STORY_FILE, self.meta_file)
        if text is None:
            return None
        return self._parse_checked(text, 1, self.meta_file, "story")

    def _text(self, name: str, shown: str) -> str | None:
        """A story file's text, or None with the reason reported."""
        data = self.files.text(name)
        if data is None:
            self.diags.error(
                "story.meta-missing", _no_story_file(self.folder), shown_path(self.folder)
            )
            return None
        if isinstance(data, Refused):
            self._refused(data, shown)
            return None
        empty = EMPTY_STORY_FILE if name == STORY_FILE else EMPTY_LANGUAGE_FILE
        return decode_text(data, shown, self.diags, empty)

    def _refused(self, refused: Refused, shown: str) -> None:
        message = refused.message
        if refused.code == "story.outside":
            message = outside("the story folder", "what it links to")
        self.diags.error(refused.code, message, shown)

    def _parse_checked(
        self, text: str, first_line: int, shown: str, definition: str
    ) -> YamlDoc | None:
        limit = min(budgets.MAX_YAML_CHARS, self.yaml_left)
        try:
            doc = parse_yaml(text, first_line, max_chars=limit)
        except YamlProblem as exc:
            self.diags.error("article.yaml", exc.message, SourceRef(shown, exc.line))
            return None
        self.yaml_left -= doc.chars
        for line, note in doc.notes:
            self.diags.warning("yaml.comment", note, SourceRef(shown, line))
        what = STORY_FILE if definition == "story" else "front matter"
        if not isinstance(doc.data, dict):
            story = definition == "story"
            said = not_fields(
                what if story else "the front matter",
                "section: world" if story else "dateline: Brussels",
                doc.data,
                EMPTY_STORY_FACTS if story else EMPTY_FRONT_MATTER,
            )
            self.diags.error("article.schema", said, SourceRef(shown, first_line))
            return None

        zone = self.tz or str(doc.data.get("timezone", self.config.timezone))

        def schema() -> list[tuple[Where, str]]:
            found = list(check(doc.data, "article.schema.json", f"/$defs/{definition}", what, zone))
            return found or list(url_problems(doc.data, what))

        verdict = self.verdict
        parts = ("article.schema.json", definition, text, zone)  # (a date's hint names the zone)
        problems = verdict.problems(schema, *parts) if verdict is not None else schema()
        for path, message in problems:
            self.diags.error("article.schema", message, SourceRef(shown, doc.line(path)))
        return None if problems else doc

    def _check_texts(self, doc: YamlDoc, shown: str) -> None:
        """Every text field: invisible bidi controls and HTML tags (the fields are plain text)
        are warned about; in a usable story, a placeholder left from `syndicate new` is an
        error."""
        for path, text in _strings(doc.data, ()):
            unset = path == ("section",) and text == PLACEHOLDER_SECTION
            where, what = SourceRef(shown, doc.line(path)), place(path)  # (in words: once)
            self._check_text(text, what, where, unset)
            if warning := markup_warning(text, what):  # the body's raw HTML is its own
                self.diags.warning("text.markup", warning, where)
            if path and path[0] in _ONE_LINE and _LINE_BREAK.search(text.rstrip("\n")):
                self.diags.warning(
                    "text.line-break",
                    f"{what} holds a line break, which a page shows as a space and a"
                    " feed, NewsML-G2 or ninjs item as a new line: write it on one line (YAML's"
                    " | keeps the line breaks of a text, > and a plain value join them)",
                    where,
                )

    def _check_text(self, text: str, what: str, where: SourceRef, unset: bool = False) -> None:
        if warning := bidi_warning(text, what):
            self.diags.warning("text.bidi-control", warning, where)
        if self.usable and (unset or has_placeholder(text)):
            self.diags.error(
                "story.placeholder",
                f"{what} still holds a TODO placeholder; write it, or set status: withheld"
                " until the story is ready",
                where,
            )

    def _timezone(self, data: dict[str, Any], where: Any) -> str | None:
        tz = str(data.get("timezone", self.config.timezone))
        if not is_zone(tz):
            self.diags.error(
                "article.timezone",
                f"unknown time zone {tz!r}{zone_advice(tz)}",
                where("timezone"),
            )
            return None
        if "timezone" in data and (advice := fixed_abbreviation(tz)):
            self.diags.warning("article.timezone", advice, where("timezone"))
        return tz

    def _datetime(
        self, data: dict[str, Any], key: str, where: Any, tz: str | None
    ) -> datetime | None:
        if key not in data:
            return None
        try:
            value = parse_rfc3339(data[key])
        except ValueError as exc:
            said = str(exc) if str(exc).startswith("is ") else "is not a valid date-time"
            self.diags.error("article.date", f"{key}: {data[key]!r} {said}", where(key))
            return None
        zones = {self.config.timezone, tz or self.config.timezone}
        try:  # every output shows it in UTC, in the story's zone or in the site's
            if key == "embargo_until":  # inside: 9999-12-31T23:59:59.5Z has no next second
                value = whole_second_after(value)
            for zone in (UTC, *map(ZoneInfo, sorted(zones))):
                if value.astimezone(zone).year < EARLIEST_YEAR:  # 1000-01-01T00:30+01:00
                    raise OverflowError
        except OverflowError:
            self.diags.error(
                "article.date",
                f"{key}: {data[key]!r} falls outside the years 1000 to 9999 in UTC or in the"
                " story's time zone; check the year",
                where(key),
            )
            return None
        return value

    def _check_order(
        self,
        first: datetime,
        published: datetime,
        updated: datetime,
        where: Any,
        *,
        taken_back: bool = False,
    ) -> None:
        """published >= first_created, and updated >= published; but a story withheld or
        canceled (`taken_back`) before the time it was to be released says so with an
        updated before its published (and >= first_created)."""
        if published < first:
            self.diags.error(
                "article.date-order",
                f"published ({published.isoformat()}) is earlier than first_created"
                f" ({first.isoformat()}): a story is first created, then published; correct"
                " the one that is wrong (a year, a day or an offset)",
                where("published"),
            )
        if taken_back and updated < first:
            self.diags.error(
                "article.date-order",
                f"updated ({updated.isoformat()}) is earlier than first_created"
                f" ({first.isoformat()}); updated must be >= first_created: set it to the time"
                " the story was taken back",
                where("updated"),
            )
        elif updated < published and not taken_back:
            self.diags.error(
                "article.date-order",
                f"updated ({updated.isoformat()}) is earlier than published"
                f" ({published.isoformat()}); updated must be >= published: set it to the time"
                " of this version (of the change it makes), or check its year, day and offset",
                where("updated"),
            )

    def _localized_factory(self, doc: YamlDoc, langs: tuple[str, ...], original: str) -> Any:
        def localized(value: str | dict[str, str], path: tuple[str | int, ...]) -> Localized:
            if isinstance(value, str):
                return Localized.same(value)
            for tag in value:
                if tag not in langs:
                    meant = spelt_otherwise(tag, langs) or next(
                        (lang for lang in langs if lang.lower() == str(tag).lower()), None
                    )
                    self.diags.warning(
                        "article.localized-lang",
                        f"text for {tag!r}, but this story has no {tag}.md"
                        + (
                            f": write it {meant!r}, the tag of {meant}.md (as it is, the"
                            f" {meant!r} outputs do not show this text)"
                            if meant
                            else ""
                        ),
                        SourceRef(self.meta_file, doc.line((*path, tag))),
                    )
            if original not in value:
                self.diags.error(
                    "article.localized-original",
                    f"add the {original!r} text (the story's original language)",
                    SourceRef(self.meta_file, doc.line(path)),
                )
            return Localized(tuple(sorted(value.items())))

        return localized

    def _rights(self, data: dict[str, Any], path: tuple[str | int, ...], loc: Any) -> Rights:
        usage = data.get("usage_terms")
        return Rights(
            holder=data["holder"],
            notice=loc(data["notice"], (*path, "notice")),
            usage_terms=loc(usage, (*path, "usage_terms")) if usage is not None else None,
        )

    # images -------------------------------------------------------------------------------

    def _images(
        self, data: dict[str, Any], doc: YamlDoc, langs: tuple[str, ...], original: str
    ) -> tuple[Image, ...]:
        loc = self._localized_factory(doc, langs, original)
        images: list[Image] = []
        for i, entry in enumerate(data.get("images", [])):
            where = SourceRef(self.meta_file, doc.line(("images", i, "file")))
            rel = story_path(entry["file"]) or entry["file"]  # outside: refused as written
            found = self._image_facts(rel, where)
            if found is None:
                continue
            facts, image_data = found
            self._needless_words(entry, rel, facts, image_data, doc, i)
            # The entry's own word wins over the site's (`images: gps:` of syndicate.yaml).
            if facts.location and entry.get("gps", self.config.image_gps) != "keep":
                every = (
                    ""
                    if "gps" in entry
                    else " (every photo of the site: images: {gps: keep} in syndicate.yaml)"
                )
                command, named = _gps_removal(facts, shown_path(self.folder / rel))
                self.diags.warning(
                    "image.location",
                    f"{rel}: its metadata gives the place it was taken (GPS {facts.location}),"
                    " and every copy published as it is keeps it (the pages', NewsML-G2's and"
                    " ninjs's media, the EPUB books): anyone who downloads it can read where"
                    f" that is. Remove it from the file ({command}),"
                    " or, if the place is meant to be public, write gps: keep in its images"
                    f" entry{every}",
                    where,
                    named,
                )
            decorative = entry.get("decorative") is True
            if decorative and "alt" in entry:
                self.diags.error(
                    "image.alt",
                    f"{rel}: decorative: true, and a text alternative too; a decorative image's is"
                    " empty, so that screen readers pass it by: remove alt, or decorative if the"
                    " picture says something",
                    SourceRef(self.meta_file, doc.line(("images", i, "decorative"))),
                )
            # A decorative image's text alternative is empty in every language (WCAG's H67).
            alt = Localized.same("") if decorative else loc(entry["alt"], ("images", i, "alt"))
            for lang in () if decorative else langs:
                if alt.get(lang) is None or (lang not in alt.languages() and alt.languages()):
                    self.diags.warning(
                        "image.alt",
                        f"no {lang!r} alt text for {rel!r}; readers of {lang}.md get another"
                        " language's",
                        SourceRef(self.meta_file, doc.line(("images", i, "alt"))),
                    )
            image = Image(
                file=rel,
                path=str((self.folder / self.files.on_disk(rel)).resolve()),
                media_type=facts.media_type,
                width=facts.width,
                height=facts.height,
                size=facts.size,
                sha256=facts.sha256,
                alt=alt,
                caption=loc(entry["caption"], ("images", i, "caption"))
                if "caption" in entry
                else None,
                credit=entry.get("credit"),
                source=where,
                rights=self._rights(entry["rights"], ("images", i, "rights"), loc)
                if "rights" in entry
                else None,
                animation="checked" if entry.get("animation") == "checked" else None,
                decorative=True if decorative else None,
            )
            if self._name_ok(image, images):
                images.append(image)
        return tuple(images)

    def _warn_unplaced(
        self, images: tuple[Image, ...], variants: list[Variant], names: dict[str, str]
    ) -> None:
        """Warn of each image some languages' bodies place and others do not: most likely a
        translation that lost it. Those others show it nowhere (a lead image, shown before
        every body, is one no body places: `Story.lead_images`)."""
        if len(variants) < 2:
            return
        placed = {v.lang: placed_images(v.body) for v in variants}
        for index, image in enumerate(images):
            having = [v.lang for v in variants if index in placed[v.lang]]
            lacking = [v.lang for v in variants if index not in placed[v.lang]]
            if not having or not lacking:
                continue
            without = ", ".join(names[lang] for lang in lacking)
            with_it = ", ".join(names[lang] for lang in having)
            # Feeds and wire formats still carry the picture as media, beside a body without it.
            outputs = "pages and books" if lacking[1:] else "page and book"
            self.diags.warning(
                "image.unplaced",
                f"{image.file} is placed in {with_it} but not in {without}: the {outputs}"
                f" of {', '.join(lacking)} show no such picture (only an image placed in no body"
                " leads the story in every language); place it with"
                f" {_figure_markdown(image.file)} where it belongs in {without}, or, to make it"
                f" the story's lead image in every language, remove it from {with_it}",
                image.source,
            )

    def _needless_words(
        self,
        entry: dict[str, Any],
        rel: str,
        facts: ImageFacts,
        data: bytes,
        doc: YamlDoc,
        i: int,
    ) -> None:
        """An editor's word an image entry gives of what its file does not hold: `animation:
        checked` of a still image, `gps: keep` of a photo whose metadata gives no place. Each
        vouches for the file it was written for: kept, it would vouch for another put in its
        place (an animation nobody played through, a photo whose place nobody meant to make
        public), so each is a warning, at its line, saying to remove it."""
        if entry.get("animation") == "checked" and not is_animated(data):
            self.diags.warning(
                "image.needless",
                f"{rel}: animation: checked, but it is a still image (one frame): nothing plays"
                " in it; remove the line, so that an animation put in its place is played"
                " through and checked anew (as it is, the line would vouch for it unseen)",
                SourceRef(self.meta_file, doc.line(("images", i, "animation"))),
            )
        if entry.get("gps") == "keep" and not facts.location:
            self.diags.warning(
                "image.needless",
                f"{rel}: gps: keep, but its metadata gives no place it was taken: remove the"
                " line, so that a photo put in its place with one is warned of (as it is, the"
                " line would publish that place unseen)",
                SourceRef(self.meta_file, doc.line(("images", i, "gps"))),
            )

    def _image_facts(self, rel: str, where: SourceRef) -> tuple[ImageFacts, bytes] | None:
        """The facts of a listed image and its bytes, or None with its problem reported."""
        verdict, key = self.verdict, ""
        try:
            data = self.files.image(rel)
            sha256 = self.files.used[rel]  # hashed as it was read
            if verdict is not None:
                key = verdict.key("image", sha256)
            limit = min(budgets.MAX_IMAGE_PIXELS, self.pixels_left)
            remembered = verdict.recall(key) if verdict is not None else None
            facts = ImageFacts.recalled(remembered, data, sha256) if remembered else None
            if facts is None or facts.pixels > limit:  # over the budget: said as always
                decoded = facts is not None
                facts = inspect_image(data, limit, sha256=sha256, decoded=decoded)
        except Refused as exc:
            self.diags.error(exc.code, _image_refusal(rel, exc, self.files), where)
            return None
        except ImageProblem as exc:
            self.diags.error("image.format", f"{rel}: {exc}", where)
            return None
        self.pixels_left -= facts.pixels
        if verdict is not None and not facts.notes:  # decoded without a problem or a note
            verdict.remember(key, facts.remembered())
        for note in facts.notes:
            self.diags.warning(
                "image.format", f"{rel}: {note}; if it looks wrong, export it again", where
            )
        return facts, data

    def _name_ok(self, image: Image, before: list[Image]) -> bool:
        """Its published name fits file systems and differs from the story's other images'."""
        name = image.name
        if WINDOWS_DEVICES.fullmatch(name):
            self.diags.error(
                "image.name",
                f"image {image.file!r} would be published as {name!r}, a name Windows keeps"
                " for a device (no Windows share, server or disk can hold it); rename it",
                image.source,
            )
            return False
        if len(name.encode("utf-8")) > budgets.MAX_NAME_BYTES:
            self.diags.error(
                "image.name",
                f"image {image.file!r} would be published as a {len(name.encode('utf-8'))}-byte"
                f" file name; rename it under {budgets.MAX_NAME_BYTES} bytes",
                image.source,
            )
            return False
        twin = next((i for i in before if i.name.casefold() == name.casefold()), None)
        if twin is not None and _nfc(twin.file) == _nfc(image.file):
            self.diags.error(
                "image.name",
                f"image {image.file!r} is listed twice (also at line {twin.source.line}; names"
                " in another Unicode form are one name): list it once",
                image.source,
            )
            return False
        if twin is not None:
            self.diags.error(
                "image.name",
                f"image {image.file!r} would be published as {name!r}, like {twin.file!r}"
                f" (line {twin.source.line}); rename one of them",
                image.source,
            )
            return False
        return True

    def _image_lookup(self, images: tuple[Image, ...], listed: list[str]) -> ImageLookup:
        """Which image a body reference (`![](images/chart.png)`) places: its index, or what is
        wrong with it, in words."""
        index = {image.file: i for i, image in enumerate(images)}

        def lookup(src: str) -> int | str:
            written = _as_written(src)
            for rel in written:
                if rel in index:
                    return index[rel]
            if any(rel in listed for rel in written):
                return ""  # unusable: its problem is reported at its line in story.yaml
            found = next((rel for rel in written if self.files.exists(rel)), None)
            if found is not None:
                return (
                    f"image {found!r} is not listed under images: in {STORY_FILE}; add it there"
                    " with its alt text, caption and credit"
                )
            rel = written[0]
            hint = _path_hint(rel, self.files, listed)
            return f"image {_shown_rel(rel)}: file not found{hint}"

        return lookup

    # language files -----------------------------------------------------------------------

    def _language_files(self) -> dict[str, str]:
        """The language files, by tag: their names in the folder (a file refused unread is
        one too: its problem is reported when it is read)."""
        files: dict[str, str] = {}
        strays = 0
        for entry in self.files.entries:  # (a file's shown path only for its problem)
            if entry.name == STORY_FILE or entry.kind == "dir":
                continue
            refused = self.files.text(entry.name)
            if not entry.name.endswith(LANGUAGE_SUFFIX) and isinstance(refused, Refused):
                self._refused(refused, self._shown(entry.name))
                continue
            if not entry.name.endswith(LANGUAGE_SUFFIX) and _LEFT_BEHIND.fullmatch(entry.name):
                self.diags.warning(
                    "story.left-behind",
                    "an editor's backup or a system file, not a story file: left out; delete it"
                    " when you are done",
                    self._shown(entry.name),
                )
                continue
            tag = entry.name.removesuffix(LANGUAGE_SUFFIX)
            original = copied_from(tag) if entry.name.endswith(LANGUAGE_SUFFIX) else None
            if not entry.name.endswith(LANGUAGE_SUFFIX) or original:
                strays += 1
                stem, dot, suffix = entry.name.rpartition(".")
                markdown = dot and suffix.lower() in _MARKDOWN_SUFFIXES and is_valid_tag(stem)
                if strays <= MAX_NAMED_STRAYS and _STORY_COPY.fullmatch(entry.name):
                    self.diags.error(
                        "story.unexpected-file",
                        f"not a story file: only {STORY_FILE}, so written, is read; rename it"
                        f" {STORY_FILE}"
                        if entry.name.casefold() in ("story.yaml", "story.yml")
                        else f"not a story file: a copy of {STORY_FILE}? Only {STORY_FILE} is"
                        " read: bring what the copy has that it lacks into it, then delete the"
                        " copy",
                        self._shown(entry.name),
                    )
                elif strays <= MAX_NAMED_STRAYS and markdown:
                    self.diags.error(
                        "story.unexpected-file",
                        f"not a story file: language files end in .md; rename it {stem}.md",
                        self._shown(entry.name),
                    )
                elif strays <= MAX_NAMED_STRAYS:
                    self.diags.error(
                        "story.unexpected-file",
                        "not a story file: language files are named <language-tag>.md (en.md,"
                        " zh-Hans.md) and shared facts go in story.yaml; move other files into"
                        " a subfolder"
                        if original is None
                        else f"not a story file: {tag!r} is no language tag; a copy of"
                        f" {original}.md? Only files named <language-tag>.md are read (en.md,"
                        " zh-Hans.md): move copies and drafts out of the story folder, or into"
                        " a subfolder",
                        self._shown(entry.name),
                    )
                continue
            if problem := self._tag_problem(tag):
                self.diags.error("story.language", problem, self._shown(entry.name))
                continue
            if tag not in self.config.languages and (
                other := spelt_otherwise(tag, self.config.languages)
            ):
                # (`iw.md` on a site of `he`): not left unpublished, nor added to the site
                # under its old code, which would publish the language twice.
                self.diags.error(
                    "story.language",
                    f"name the file {other}.md: {tag!r} and {other!r} are one language, which"
                    f" the site's languages write {other!r}, and one language has one file",
                    self._shown(entry.name),
                )
                continue
            if tag not in self.config.languages:
                self.diags.warning(
                    "story.language-not-configured",
                    f"{tag!r} is not among the site's languages"
                    f" ({', '.join(self.config.languages)}): {entry.name} is published in no"
                    f" format; add {tag} to languages: in syndicate.yaml, or remove the file",
                    self._shown(entry.name),
                )
            files[tag] = entry.name
        if strays > MAX_NAMED_STRAYS:  # named above: the first ones; counted here: the rest
            self.diags.error(
                "story.unexpected-file",
                f"{strays - MAX_NAMED_STRAYS} more files that are not story files (the first"
                f" {MAX_NAMED_STRAYS} are named above): move them into a subfolder",
                shown_path(self.folder),
            )
        return files

    @staticmethod
    def _tag_problem(tag: str) -> str | None:
        if not is_valid_tag(tag):
            if why := refusal(tag):
                return f"{tag!r} {why}"
            hint = tag_hint(tag)
            # A name near none and not shaped as a tag (`notes`, `README`; not `xx-Bogus`) is
            # likely an editor's file, not a language.
            editors = not hint and not _TAG_SHAPE.fullmatch(tag)
            elsewhere = "; an editor's notes or drafts go into a subfolder" if editors else ""
            return (
                f"{tag!r} is not a known BCP 47 language tag{hint}; name the file after its"
                f" language, e.g. fr.md, zh-Hans.md, pt-BR.md{elsewhere}"
            )
        if tag != canonical_case(tag):
            return (
                f"name the file {canonical_case(tag)}.md: a language tag is written"
                f" {canonical_case(tag)!r}, and one language has one file"
            )
        return None

    def _shown(self, name: str) -> str:
        """`shown_path(self.folder / name)` for an entry of the story's folder."""
        if self._shown_folder is None:
            self._shown_folder = shown_path(self.folder)
        return shown_entry(self._shown_folder, name)

    def _front_matter(self, name: str) -> tuple[str, Split, YamlDoc] | None:
        shown = self._shown(name)
        text = self._text(name, shown)
        if text is None:
            return None
        try:
            split = split_front_matter(text)
        except FrontMatterProblem as exc:
            self.diags.error("article.front-matter", exc.message, SourceRef(shown, exc.line))
            return None
        doc = self._parse_checked(split.front_matter, split.front_line, shown, "variant")
        return None if doc is None else (shown, split, doc)

    def _body(self, shown: str, split: Split, lookup: ImageLookup) -> tuple[Block, ...]:
        """The language file's body, parsed, its problems reported."""
        # Imported here: a run that reads no story (nothing changed) needs no Markdown parser.
        from syndicate.readers.markdown import parse_body

        with self.diags.recording() as found:
            body = parse_body(split.body, SourceRef(shown, split.body_line), lookup, self.diags)
        # A block left out for its error (text beside an image) was body text: that error
        # is the mistake, not an empty body.
        if not body and not any(d.severity == "error" for d in found):
            self.diags.error(
                "article.empty-body",
                "the story has no body text: write it below the --- line that closes the"
                " front matter",
                SourceRef(shown, split.body_line),
            )
        for where, text in _body_texts(body):
            self._check_text(text, "the body", where)
        return body

    def _unlisted_lookup(self) -> ImageLookup:
        """Which image a body reference places when `story.yaml`, which lists the images,
        could not be read: none, and no word of it but for a file that is not there."""

        def lookup(src: str) -> int | str:
            written = _as_written(src)
            if any(self.files.exists(rel) for rel in written):
                return ""  # whether it is listed is known once story.yaml reads
            hint = _path_hint(written[0], self.files)
            return f"image {_shown_rel(written[0])}: file not found{hint}"

        return lookup

    def _variant(
        self,
        lang: str,
        name: str,
        story: dict[str, Any],
        images: tuple[Image, ...],
        story_doc: YamlDoc,
    ) -> Variant | None:
        parsed = self._front_matter(name)
        if parsed is None:
            return None
        shown, split, doc = parsed
        data = doc.data
        self._check_texts(doc, shown)
        # A translation's `published` is its own: when it was first published (added to a
        # story published before it); the original's is the story's.
        own_published = lang != story.get("original_language")
        for key in STORY_FACTS:
            if key == "published" and own_published:
                continue
            if key in data and key not in story:
                self.diags.error(
                    "article.disagree",
                    f"{key} is a story fact, which {STORY_FILE} gives for every language, and"
                    f" {STORY_FILE} has none: move it there, or remove it here",
                    SourceRef(shown, doc.line((key,))),
                )
            elif key in data and data[key] != story.get(key):
                self.diags.error(
                    "article.disagree",
                    f"{key} is {data[key]!r} here but {story.get(key)!r} in {STORY_FILE}"
                    f" (line {story_doc.line((key,))}); story facts must agree in every language",
                    SourceRef(shown, doc.line((key,))),
                )
        listed = [story_path(entry["file"]) or entry["file"] for entry in story.get("images", [])]
        body = self._body(shown, split, self._image_lookup(images, listed))
        byline = data["byline"]
        rights = None
        if "rights" in data:
            base, over = story["rights"], data["rights"]
            rights = Rights(
                holder=over.get("holder", base["holder"]),
                notice=_for_lang(over.get("notice", base["notice"]), lang),
                usage_terms=_for_lang(over["usage_terms"], lang)
                if "usage_terms" in over
                else (_for_lang(base["usage_terms"], lang) if "usage_terms" in base else None),
            )
        variant_updated = self._datetime(
            data, "updated", lambda key: SourceRef(shown, doc.line((key,))), self.tz
        )
        if "updated" in data:
            self.updated_at[lang] = SourceRef(shown, doc.line(("updated",)))
        variant_published = None
        if own_published and "published" in data:
            variant_published = self._datetime(
                data, "published", lambda key: SourceRef(shown, doc.line((key,))), self.tz
            )
            self.published_at[lang] = SourceRef(shown, doc.line(("published",)))
        return Variant(
            lang=lang,
            updated=variant_updated,
            published=variant_published,
            headline=data["headline"].strip(),
            summary=one_spaced(data["summary"]),
            byline=Byline(
                people=tuple(
                    Person(p["name"], p.get("role"), uri_form(p["url"]) if "url" in p else None)
                    for p in byline.get("people", [])
                ),
                organisation=byline.get("organisation"),
            ),
            dateline=data["dateline"],
            body=body,
            source=SourceRef(shown, 1),
            alt_headline=data.get("alt_headline"),
            keywords=tuple(data.get("keywords", [])),
            rights=rights,
            headline_source=SourceRef(shown, doc.line(("headline",))),
        )


def _gps_removal(facts: ImageFacts, path: str) -> tuple[str, tuple[str, ...]]:
    """The exiftool command that removes the place a photo's metadata gives from the file at
    `path`. exiftool edits a multi-picture JPEG's first picture alone: the place in its other
    pictures' metadata (a second view, a depth map) stays, so they go too (the MP index with
    them, which would point past the end of the file); the first is the one every reader
    shows. exiftool refuses to edit in place a file whose extension names another type (a
    JPEG saved as `photo.png`: "Not a valid PNG"), but reads the type from the bytes of what
    it is piped: such a file is piped through it, keeping its name. The `*` of `-xmp:gps*=`
    (exiftool's own wildcard) is quoted: unquoted, zsh (macOS's shell) refuses the command
    pasted into it ("no matches found"), and any shell would expand it to a file so named.
    Edited in place, the file is overwritten (`-overwrite_original`): exiftool otherwise keeps
    the photo as it was beside it (`photo.jpg_original`), the place in it, in the story folder
    a newsroom commits. With the command, the files it names (`Diagnostic.named`): shown from
    where syndicate was started, as the warning's own place is."""
    removal = "exiftool -gps:all= '-xmp:gps*='"
    if facts.pictures > 1:
        removal += " -mpf:all= -trailer:all="
    _, dot, ext = path.rsplit("/", 1)[-1].rpartition(".")
    if not dot or ext.lower() in IMAGE_EXTENSIONS.get(facts.media_type, ()):
        return f"{removal} -overwrite_original {shlex.quote(path)}", (path,)
    spare = shlex.quote(path + ".tmp")
    return (
        f"{removal} - < {shlex.quote(path)} > {spare} && mv {spare} {shlex.quote(path)};"
        f" exiftool refuses to edit it in place, its name ending .{ext} where it is a"
        f" {facts.media_type.removeprefix('image/').upper()}"
    ), (path, path + ".tmp")


def _image_refusal(rel: str, refused: Refused, files: StoryFiles) -> str:
    """A listed image that cannot be read, in words."""
    if refused.code == "image.missing":
        hint = _path_hint(rel, files) or (
            f"; put the file at {shown_path(files.folder / rel)}, or take it out of images:"
        )
        return f"image {_shown_rel(rel)}: file not found{hint}"
    if refused.code == "image.format":
        return f"{rel}: {refused.message}"
    if refused.code == "story.evicted":
        return f"image {refused.message}"
    return (
        f"image {rel!r} {refused.message}"
        if refused.code == "image.path"
        else (f"image {rel!r}: {refused.message}")
    )


def _figure_markdown(rel: str) -> str:
    """The figure that places the story path `rel`, as a body reads it: in angle brackets
    when it holds a space or a parenthesis (`![](images/my chart.png)` is read as text)."""
    return f"![](<{rel}>)" if any(c.isspace() or c in "()" for c in rel) else f"![]({rel})"


def _as_written(src: str) -> tuple[str, ...]:
    """The story paths a body image's source may name, in the order they are tried.
    markdown-it gives a link destination percent-encoded (`café.png` is `caf%C3%A9.png`, a
    lone `%` is `%25`), and CommonMark reads `a%20b.png` as `a b.png`: that first. Then the
    ASCII escapes as written, for a file whose name holds one (`a%20b.png` on disk)."""
    decoded = unquote(src)
    literal = _MULTIBYTE_ESCAPES.sub(lambda m: unquote(m.group()), src)
    return tuple(dict.fromkeys(story_path(rel) or rel for rel in (decoded, literal)))


_MULTIBYTE_ESCAPES = re.compile(r"(?:%[89a-fA-F][0-9a-fA-F])+")
"""The escapes of the bytes of a character beyond ASCII (what markdown-it added)."""


def _shown_rel(rel: str) -> str:
    """An image path as written, quoted (a Windows path's backslashes not doubled)."""
    return f"'{rel}'" if "'" not in rel else repr(rel)


def _path_hint(rel: str, files: StoryFiles, listed: Sequence[str] = ()) -> str:
    """What to write instead of an image path that names no file: a Windows path's
    backslashes as slashes, an absolute path as one inside the story folder, or a near name."""
    if "\\" in rel or (len(rel) > 2 and rel[1] == ":" and rel[0].isalpha()):
        posix = rel.replace("\\", "/")
        if posix[1:2] == ":" or posix.startswith("/"):
            return (
                "; it is a path on your computer: copy the file into the story folder"
                " (images/...) and write the path from there"
            )
        found = files.exists(posix)
        return f"; write the path with / (not \\){f': {posix}' if found else ''}"
    if rel.startswith("/") or "://" in rel:  # a site path (Hugo's /images/...) or a URL
        return (
            "; images are files of the story folder: copy it into the story folder (images/...),"
            " list it under images: in story.yaml, and write the path from the folder"
        )
    if story_path(rel) is None:  # `../other-story/a.png`
        return (
            "; it is outside the story folder: copy it into the story folder (images/...),"
            " list it under images: in story.yaml, and write the path from the folder"
        )
    if files.in_cloud_only(rel):
        return f"; {evicted(rel).message}"
    if os.path.islink(files.folder / rel):  # a link to nothing: no near name fixes it
        return f"; it is a link to {os.readlink(files.folder / rel)!r}, which does not exist"
    return did_you_mean(rel, [name for name in (*listed, *files.neighbours(rel)) if name != rel])


_ONE_LINE = frozenset(("headline", "alt_headline", "dateline", "byline", "keywords", "related"))
"""The fields that are one line of text (a title, a name, a place), wherever they are shown."""
_LINE_BREAK = re.compile("[\n\r\v\f\x85\u2028\u2029]")
"""What breaks a line: Python's `str.splitlines` characters but the separators of records."""


def _strings(
    value: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text in parsed YAML, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _body_texts(body: tuple[Block, ...]) -> Iterator[tuple[SourceRef, str]]:
    for block in walk(body):
        if isinstance(block, Paragraph | Heading):
            yield block.source, inline_text(block.children)


def _for_lang(value: str | dict[str, str], lang: str) -> Localized:
    if isinstance(value, str):
        return Localized.same(value)
    return (
        Localized(tuple(sorted(value.items())))
        if lang in value
        else Localized.same(next(iter(value.values())))
    )


def _ordered(langs: tuple[str, ...], original: str) -> list[str]:
    """The original language first, then the translations by tag: one stable order for all."""
    return sorted(langs, key=lambda tag: (tag != original, tag))


_UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I)


def _later_in(variants: list[Variant], published: datetime) -> list[str]:
    """The languages whose files give an `updated` of their own later than `published`."""
    return [v.lang for v in variants if v.updated is not None and v.updated > published]


def _whole_uuid(story_id: str) -> bool:
    """Whether an id that says it is a `urn:uuid:` is one (any other id is not this check's)."""
    return story_id[:9].lower() != "urn:uuid:" or _UUID_URN.fullmatch(story_id) is not None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
