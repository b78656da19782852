"""The `articles/` walker: every story folder read into a `Story`, every problem reported."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicate.diagnostics import Diagnostics
from syndicate.i18n.locales import is_valid_tag
from syndicate.model import (
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
)
from syndicate.readers.frontmatter import FrontMatterProblem, Split, split_front_matter
from syndicate.readers.images import ImageProblem, inspect_image
from syndicate.readers.markdown import parse_body
from syndicate.readers.schemas import check
from syndicate.readers.textfile import read_text
from syndicate.readers.yamlsource import YamlDoc, YamlProblem, parse_yaml

STORY_FILE = "story.yaml"
# Embeddings, overrides and isolates: invisible, and able to reorder what readers see.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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


def shown_path(path: Path) -> str:
    """The path as users should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def story_folders(articles: Path) -> list[Path]:
    """The story folders, sorted; `_`- and `.`-prefixed entries are not stories (site assets)."""
    return sorted(p for p in articles.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def read_articles(articles: Path, config: SiteConfig, diags: Diagnostics) -> list[Story]:
    """Read every story under `articles`; stories with errors are left out, and every error is
    reported in `diags`."""
    if not articles.is_dir():
        diags.error(
            "articles.missing",
            f"no articles folder at {shown_path(articles)}; pass --articles DIR",
            shown_path(articles),
        )
        return []
    stories = []
    root = articles.resolve()
    for folder in story_folders(articles):
        if not folder.resolve().is_relative_to(root):
            diags.error(
                "story.outside",
                "story folder is a link to a place outside the articles folder",
                shown_path(folder),
            )
            continue
        story = read_story(folder, config, diags)
        if story is not None:
            stories.append(story)
    check_collection([StorySummary.of(story) for story in stories], articles, diags)
    return stories


def check_collection(
    stories: Sequence[StorySummary], articles: Path | None, diags: Diagnostics
) -> None:
    """Ids and slugs are unique; the articles folder (if the stories come from one) holds only
    story folders."""
    by_id: dict[str, StorySummary] = {}
    by_slug: dict[str, StorySummary] = {}
    for story in stories:
        first = by_id.setdefault(story.id, story)
        if first is not story:
            diags.error(
                "story.duplicate-id",
                f"id {story.id!r} is already used by {first.source.path}; ids must be unique",
                story.source,
            )
        twin = by_slug.setdefault(story.slug.lower(), story)
        if twin is not story:
            diags.error(
                "story.duplicate-slug",
                f"slug {story.slug!r} clashes with {twin.slug!r}",
                story.source,
            )
    for path in sorted(articles.iterdir()) if articles else ():
        if path.is_file() and not path.name.startswith("."):
            diags.warning(
                "articles.stray-file",
                "files directly in the articles folder are ignored; a story is a folder",
                shown_path(path),
            )


def read_story(folder: Path, config: SiteConfig, diags: Diagnostics) -> Story | None:
    local = Diagnostics()
    story = _StoryReader(folder, config, local).read()
    diags.extend(local)
    return story if not local.errors else None


class _StoryReader:
    def __init__(self, folder: Path, config: SiteConfig, diags: Diagnostics) -> None:
        self.folder = folder
        self.config = config
        self.diags = diags
        self.meta_file = shown_path(folder / STORY_FILE)

    def read(self) -> Story | None:
        folder = self.folder
        if not SLUG.match(folder.name):
            self.diags.error(
                "story.slug",
                f"folder name {folder.name!r} is not a valid story slug: use lowercase letters,"
                " digits and single hyphens (e.g. 2021-02-18-nato-iraq)",
                shown_path(folder),
            )
            return None
        doc = self._story_yaml()
        lang_files = self._language_files()
        if doc is None:
            for path in lang_files.values():  # still report their problems: all in one run
                self._front_matter(path, shown_path(path))
            return None
        data = doc.data
        where = self._where(doc)
        original = data["original_language"]
        if original not in lang_files:
            self.diags.error(
                "story.original-missing",
                f"original_language is {original!r} but there is no {original}.md",
                where("original_language"),
            )
        tz = self._timezone(data, where)
        dates = {
            k: self._datetime(data, k, where)
            for k in ("first_created", "published", "updated", "embargo_until")
        }
        story_langs = tuple(lang_files)
        images = self._images(data, doc, story_langs, original)
        variants = []
        for lang in _ordered(story_langs, original):
            variant = self._variant(lang, lang_files[lang], data, images, doc)
            if variant is not None:
                variants.append(variant)
        if self.diags.errors or tz is None:
            return None
        first_created, published = dates["first_created"], dates["published"]
        assert first_created is not None and published is not None
        updated = dates["updated"] or published
        self._check_order(first_created, published, updated, where)
        for variant in variants:
            if variant.updated is not None and variant.updated < published:
                self.diags.error(
                    "article.date-order",
                    f"updated is earlier than the story's published ({published.isoformat()});"
                    " a language's updated must be >= published",
                    variant.source,
                )
        loc = self._localized_factory(doc, story_langs, original)
        correction = None
        if "correction" in data:
            correction = Correction(
                loc(data["correction"]["note"], ("correction", "note")), where("correction")
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
        if sum(p.role == "located" for p in places) > 1:
            self.diags.error(
                "story.places", "only one place can have role: located", where("places")
            )
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
                RelatedLink(r["url"], loc(r["title"], ("related", i, "title")))
                for i, r in enumerate(data.get("related", []))
            ),
            embargo_until=dates["embargo_until"],
            correction=correction,
            folder=str(folder),
            version_source=where("version") if "version" in data else where(),
        )

    # story.yaml ---------------------------------------------------------------------------

    def _where(self, doc: YamlDoc) -> Any:
        def where(*path: str | int) -> SourceRef:
            return SourceRef(self.meta_file, doc.line(tuple(path)) if path else 1)

        return where

    def _story_yaml(self) -> YamlDoc | None:
        path = self.folder / STORY_FILE
        if not path.is_file():
            self.diags.error(
                "story.meta-missing",
                f"no {STORY_FILE}: every story folder needs one with the facts shared by all"
                " languages (id, original_language, section, dates, rights)",
                shown_path(self.folder),
            )
            return None
        return self._yaml(path, self.meta_file, "story")

    def _yaml(self, path: Path, shown: str, definition: str) -> YamlDoc | None:
        text = read_text(path, shown, self.diags)
        if text is None:
            return None
        return self._parse_checked(text, 1, shown, definition)

    def _parse_checked(
        self, text: str, first_line: int, shown: str, definition: str
    ) -> YamlDoc | None:
        try:
            doc = parse_yaml(text, first_line)
        except YamlProblem as exc:
            self.diags.error("article.yaml", exc.message, SourceRef(shown, exc.line))
            return None
        if not isinstance(doc.data, dict):
            what = STORY_FILE if definition == "story" else "front matter"
            self.diags.error(
                "article.schema",
                f"{what} must be a mapping of fields",
                SourceRef(shown, first_line),
            )
            return None
        problems = list(check(doc.data, "article.schema.json", f"/$defs/{definition}"))
        for path, message in problems:
            self.diags.error("article.schema", message, SourceRef(shown, doc.line(path)))
        return None if problems else doc

    def _timezone(self, data: dict[str, Any], where: Any) -> str | None:
        tz = str(data.get("timezone", self.config.timezone))
        try:
            ZoneInfo(tz)
        # A folder of the zone database ("America") or an overlong name is an OSError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.diags.error(
                "article.timezone",
                f"unknown time zone {tz!r}; use an IANA name such as Europe/Paris",
                where("timezone"),
            )
            return None
        return tz

    def _datetime(self, data: dict[str, Any], key: str, where: Any) -> datetime | None:
        if key not in data:
            return None
        try:
            value = datetime.fromisoformat(data[key])
        except ValueError:
            self.diags.error(
                "article.date", f"{key}: {data[key]!r} is not a valid date-time", where(key)
            )
            return None
        if value.tzinfo is None:
            self.diags.error(
                "article.date", f"{key}: add a time zone offset, e.g. +01:00", where(key)
            )
            return None
        return value

    def _check_order(
        self, first: datetime, published: datetime, updated: datetime, where: Any
    ) -> None:
        if published < first:
            self.diags.error(
                "article.date-order", "published is earlier than first_created", where("published")
            )
        if updated < published:
            self.diags.error(
                "article.date-order",
                "updated is earlier than published; updated must be >= published",
                where("updated"),
            )

    def _localized_factory(self, doc: YamlDoc, langs: tuple[str, ...], original: str) -> Any:
        def localized(value: str | dict[str, str], path: tuple[str | int, ...]) -> Localized:
            if isinstance(value, str):
                return Localized.same(value)
            for tag in value:
                if tag not in langs:
                    self.diags.warning(
                        "article.localized-lang",
                        f"text for {tag!r}, but this story has no {tag}.md",
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

    def _images(
        self, data: dict[str, Any], doc: YamlDoc, langs: tuple[str, ...], original: str
    ) -> tuple[Image, ...]:
        loc = self._localized_factory(doc, langs, original)
        images = []
        root = self.folder.resolve()
        for i, entry in enumerate(data.get("images", [])):
            where = SourceRef(self.meta_file, doc.line(("images", i, "file")))
            rel = entry["file"]
            target = (self.folder / rel).resolve()
            if os.path.isabs(rel) or not target.is_relative_to(root):
                self.diags.error(
                    "image.path",
                    f"image {rel!r} is outside the story folder; keep images in it",
                    where,
                )
                continue
            if not target.is_file():
                self.diags.error("image.missing", f"image file {rel!r} does not exist", where)
                continue
            try:
                facts = inspect_image(target)
            except ImageProblem as exc:
                self.diags.error("image.format", f"{rel}: {exc}", where)
                continue
            alt = loc(entry["alt"], ("images", i, "alt"))
            for lang in langs:
                if alt.get(lang) is None or (lang not in alt.languages() and alt.languages()):
                    self.diags.warning(
                        "image.alt",
                        f"no {lang!r} alt text for {rel!r}; readers of {lang}.md get another"
                        " language's",
                        SourceRef(self.meta_file, doc.line(("images", i, "alt"))),
                    )
            images.append(
                Image(
                    file=rel,
                    path=str(target),
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
                )
            )
        return tuple(images)

    # language files -----------------------------------------------------------------------

    def _language_files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for path in sorted(self.folder.iterdir()):
            if path.name.startswith(".") or path.is_dir() or path.name == STORY_FILE:
                continue
            shown = shown_path(path)
            if not path.resolve().is_relative_to(self.folder.resolve()):
                self.diags.error(
                    "story.outside", "file is a link to a place outside the story folder", shown
                )
                continue
            if path.suffix != ".md":
                self.diags.error(
                    "story.unexpected-file",
                    "not a story file: language files are named <language-tag>.md (en.md,"
                    " zh-Hans.md) and shared facts go in story.yaml; move other files into a"
                    " subfolder",
                    shown,
                )
                continue
            if not is_valid_tag(path.stem):
                self.diags.error(
                    "story.language",
                    f"{path.stem!r} is not a known BCP 47 language tag; name the file after its"
                    " language, e.g. fr.md, zh-Hans.md, pt-BR.md",
                    shown,
                )
                continue
            if path.stem not in self.config.languages:
                self.diags.warning(
                    "story.language-not-configured",
                    f"{path.stem!r} is not in the site's languages; it will be in no feed",
                    shown,
                )
            files[path.stem] = path
        return files

    def _front_matter(self, path: Path, shown: str) -> tuple[Split, YamlDoc] | None:
        text = read_text(path, shown, self.diags)
        if text is None:
            return None
        try:
            split = split_front_matter(text)
        except FrontMatterProblem as exc:
            self.diags.error("article.front-matter", exc.message, SourceRef(shown, exc.line))
            return None
        doc = self._parse_checked(split.front_matter, split.front_line, shown, "variant")
        return None if doc is None else (split, doc)

    def _variant(
        self,
        lang: str,
        path: Path,
        story: dict[str, Any],
        images: tuple[Image, ...],
        story_doc: YamlDoc,
    ) -> Variant | None:
        shown = shown_path(path)
        parsed = self._front_matter(path, shown)
        if parsed is None:
            return None
        split, doc = parsed
        data = doc.data
        for key in ("headline", "alt_headline"):
            if key in data and (found := BIDI_CONTROLS.search(data[key])):
                self.diags.warning(
                    "text.bidi-control",
                    f"{key} contains the invisible bidi control U+{ord(found.group()):04X}, which"
                    " can make text display in a misleading order; remove it",
                    SourceRef(shown, doc.line((key,))),
                )
        for key in STORY_FACTS:
            if key in data and data[key] != story.get(key):
                self.diags.error(
                    "article.disagree",
                    f"{key} is {data[key]!r} here but {story.get(key)!r} in {STORY_FILE}"
                    f" (line {story_doc.line((key,))}); story facts must agree in every language",
                    SourceRef(shown, doc.line((key,))),
                )
        files = {img.file: i for i, img in enumerate(images)}
        body = parse_body(
            split.body,
            SourceRef(shown, split.body_line),
            lambda src: files.get(src.removeprefix("./")),
            self.diags,
        )
        if not body:
            self.diags.error(
                "article.empty-body",
                "the story has no body text after the front matter",
                SourceRef(shown, split.body_line),
            )
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
            data, "updated", lambda key: SourceRef(shown, doc.line((key,)))
        )
        return Variant(
            lang=lang,
            updated=variant_updated,
            headline=data["headline"].strip(),
            summary=" ".join(data["summary"].split()),
            byline=Byline(
                people=tuple(
                    Person(p["name"], p.get("role"), p.get("url")) for p in byline.get("people", [])
                ),
                organisation=byline.get("organisation"),
            ),
            dateline=data["dateline"],
            body=body,
            source=SourceRef(shown, 1),
            alt_headline=data.get("alt_headline"),
            keywords=tuple(data.get("keywords", [])),
            rights=rights,
        )


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
