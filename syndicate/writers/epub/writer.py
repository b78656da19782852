"""`epub`: EPUB 3 books for e-readers, one per story variant and one edition per language, each
with a generated cover, plus the OPDS 1.2 catalog that lists them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from syndicate.diagnostics import Diagnostics
from syndicate.i18n.dates import format_human_date
from syndicate.i18n.terms import term
from syndicate.i18n.text import section_name
from syndicate.model import SourceRef, Story, Variant
from syndicate.validate.epub import check_catalog_links, check_epub, run_epubcheck
from syndicate.writers.base import Context, Option, OutputFile, Writer
from syndicate.writers.epub import book as epub_book
from syndicate.writers.epub import opds
from syndicate.writers.epub.cover import (
    DEFAULT_FONT_DIRS,
    Cover,
    CoverError,
    CoverText,
    draw_cover,
)
from syndicate.writers.epub.ebooklib_adapter import Book, EpubBuildError, Resource, build_epub
from syndicate.writers.epub.edition import (
    Dated,
    Edition,
    EditionError,
    EditionOptions,
    StoryEdition,
    select_editions,
)

S = TypeVar("S", bound=Dated)


@dataclass(frozen=True, slots=True)
class Shelved:
    """A visible story as the editions and the catalog see it (the writer's abstract): what
    chooses an edition's stories, and the catalog entries of the story's books."""

    slug: str
    section: str
    published: datetime
    entries: tuple[opds.Entry, ...]
    """One per language whose book is built."""


class EpubWriter(Writer[Shelved]):
    name = "epub"
    description = "EPUB 3 books per story variant and per-language editions, with an OPDS catalog"
    media_type = "application/epub+zip"
    extension = ".epub"
    scope = "variant"
    folders = ("epub", "opds")
    options = (
        Option(
            "edition",
            "day",
            "which stories an edition holds: `day` (those of the newest"
            " publication day, or of `edition_day`) or `latest` (the newest `edition_size`)",
        ),
        Option("edition_size", 20, "how many stories a `latest` edition holds"),
        Option(
            "edition_day",
            None,
            "the day (YYYY-MM-DD, site time zone) of a `day` edition;"
            " default: the newest day with a story in that language",
        ),
        Option(
            "edition_title",
            None,
            "title template of editions with {publisher} and {date};"
            " default: the `edition_title` term of each language",
        ),
        Option(
            "section_order",
            [],
            "section codes in the order editions show them; sections"
            " not listed follow alphabetically",
        ),
        Option(
            "font_dirs",
            list(DEFAULT_FONT_DIRS),
            "folders searched for the Noto fonts of the covers",
        ),
    )

    per_story = True

    def write(self, stories: Sequence[Story], ctx: Context) -> Iterable[OutputFile]:
        # One run for all the books, so that a missing cover font is reported once.
        options = self._options(ctx)
        return list(_Run(ctx, options).files(stories)) if options else []

    def write_story(self, story: Story, ctx: Context) -> Iterable[OutputFile]:
        options = self._options(ctx, report=False)  # write_collection reports it
        if options is None or not story.is_visible(ctx.now):
            return []
        return [file for book in _Run(ctx, options).story_books(story) for file in book.files()]

    def abstract(self, story: Story, ctx: Context) -> Shelved | None:
        options = self._options(ctx, report=False)
        if options is None or not story.is_visible(ctx.now):
            return None
        entries = tuple(_Run(ctx, options).story_entries(story))
        return Shelved(story.slug, story.section, story.published, entries)

    def write_collection(self, stories: Sequence[Shelved], ctx: Context) -> Iterable[OutputFile]:
        options = self._options(ctx)
        return list(_Run(ctx, options).collection(stories)) if options else []

    def _options(self, ctx: Context, *, report: bool = True) -> EditionOptions | None:
        try:
            return EditionOptions.from_options(ctx.options)
        except EditionError as exc:
            if report:
                where = ctx.config.source.at(ctx.config.lines.get(self.section(), 0))
                ctx.diagnostics.error("epub.config", str(exc), where)
            return None

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        """Well-formed XML everywhere; every EPUB's zip layout, XML members and, when the
        `epubcheck` package is installed, EPUBCheck; catalog links that reach their files."""
        super().validate_outputs(out, ctx)
        for path in sorted((out / "epub").glob("*.epub")):
            check_epub(path, ctx.diagnostics)
            run_epubcheck(path, ctx.diagnostics)
        for path in sorted((out / "opds").glob("*.xml")):
            check_catalog_links(path, out, ctx.urls.output(""), ctx.diagnostics)


def _newest_first(stories: Sequence[S]) -> list[S]:
    """The order editions choose from: newest publication first."""
    return sorted(stories, key=lambda s: (s.published, s.slug), reverse=True)


@dataclass(frozen=True, slots=True)
class _Published:
    """One finished EPUB, with what the catalog says about it."""

    stem: str
    data: bytes
    cover: Cover
    entry: opds.Entry

    def files(self) -> Iterator[OutputFile]:
        yield OutputFile(f"epub/{self.stem}.epub", self.data)
        yield OutputFile(f"opds/covers/{self.stem}.png", self.cover.png)
        yield OutputFile(f"opds/thumbnails/{self.stem}.png", self.cover.thumbnail)


class _Run:
    """One `write` call: the stories' books, the editions, the catalog."""

    def __init__(self, ctx: Context, options: EditionOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.images: dict[str, dict[int, Resource]] = {}
        self.ready: set[tuple[str, str]] = set()
        self.cover_problems: set[str] = set()

    def files(self, stories: Sequence[Story]) -> Iterator[OutputFile]:
        visible = self._visible(stories)
        books = [book for story in visible for book in self.story_books(story)]
        editions = self._editions(visible)
        books = [b for e in editions if (b := self._edition_book(e))] + books
        for book in books:
            yield from book.files()
        yield from opds.catalog([b.entry for b in books], self.ctx)

    def collection(self, shelved: Sequence[Shelved]) -> Iterator[OutputFile]:
        """The editions and the catalog, when each story's books are built on their own:
        the catalog entries of those books come from the abstracts, and only the stories of
        the editions are recalled whole."""
        visible = _newest_first(shelved)
        entries = [entry for story in visible for entry in story.entries]
        self.ready = {(s.slug, e.lang) for s in visible for e in s.entries}
        editions = [e.map(lambda s: self.ctx.story(s.slug)) for e in self._editions(visible)]
        scratch = replace(self.ctx, diagnostics=Diagnostics())  # reported by the story's books
        for edition in editions:
            for story in edition.stories:
                self.images[story.slug] = epub_book.story_images(story, scratch) or {}
        books = [b for e in editions if (b := self._edition_book(e))]
        for book in books:
            yield from book.files()
        yield from opds.catalog([b.entry for b in books] + entries, self.ctx)

    def _visible(self, stories: Sequence[Story]) -> list[Story]:
        return _newest_first([s for s in stories if s.is_visible(self.ctx.now)])

    def _editions(self, visible: Sequence[S]) -> list[Edition[S]]:
        editions = select_editions(
            visible, self.ready, self.ctx.languages, self.ctx.config.timezone, self.options
        )
        self._report_empty_days(editions)
        return editions

    def story_entries(self, story: Story) -> Iterator[opds.Entry]:
        """What `story_books` would add to the catalog, assuming its books were built (a
        failed book is an error, and a run with errors publishes nothing)."""
        scratch = Diagnostics()  # the story's own books report these problems
        variants = [v for v in story.variants if v.lang in self.ctx.languages]
        if (
            not variants
            or epub_book.story_images(story, replace(self.ctx, diagnostics=scratch)) is None
        ):
            return
        for variant in variants:
            if epub_book.check_variant(story, variant, scratch):
                self.ready.add((story.slug, variant.lang))
                yield self._entry(
                    f"{story.slug}.{variant.lang}",
                    epub_book.variant_metadata(story, variant, self.ctx),
                    story.updated,
                    story.published,
                )

    def _report_empty_days(self, editions: Sequence[Edition[S]]) -> None:
        """A configured `edition_day` without stories in a language is worth a word."""
        made = {e.lang for e in editions}
        for lang in sorted({lang for _, lang in self.ready} - made):
            self.ctx.diagnostics.warning(
                "epub.edition",
                f"epub: no {lang} story was published on {self.options.day}:"
                f" no edition-{lang}.epub",
                self.ctx.config.source.at(self.ctx.config.lines.get("epub", 0)),
            )

    def story_books(self, story: Story) -> Iterator[_Published]:
        variants = [v for v in story.variants if v.lang in self.ctx.languages]
        images = epub_book.story_images(story, self.ctx) if variants else None
        if images is None:
            return
        self.images[story.slug] = images
        for variant in variants:
            if epub_book.check_variant(story, variant, self.ctx.diagnostics):
                book = self._story_book(story, variant, images)
                if book:
                    self.ready.add((story.slug, variant.lang))
                    yield book

    def _story_book(
        self, story: Story, variant: Variant, images: dict[int, Resource]
    ) -> _Published | None:
        lang = variant.lang
        cover = self._cover(
            CoverText(
                lang,
                self.ctx.config.publisher.name,
                section_name(story.section, lang),
                variant.headline,
                format_human_date(story.published, lang, story.timezone),
            )
        )
        if cover is None:
            return None
        spec = epub_book.story_book(story, variant, cover.png, images, self.ctx)
        return self._publish(
            f"{story.slug}.{lang}", spec, cover, story.updated, story.published, variant.source
        )

    def _edition_book(self, edition: StoryEdition) -> _Published | None:
        lang = edition.lang
        title = epub_book.edition_title(edition, self.options.title, self.ctx)
        date = format_human_date(edition.date, lang, self.ctx.config.timezone)
        cover = self._cover(
            CoverText(lang, self.ctx.config.publisher.name, term("edition", lang), title, date)
        )
        if cover is None:
            return None
        spec = epub_book.edition_book(edition, title, cover.png, self.images, self.ctx)
        updated = max(s.updated for s in edition.stories)
        return self._publish(
            f"edition-{lang}", spec, cover, updated, edition.date, self.ctx.config.source
        )

    def _cover(self, text: CoverText) -> Cover | None:
        """The cover; a missing font is reported once, however many books need it."""
        try:
            return draw_cover(text, self.options.font_dirs)
        except CoverError as exc:
            if str(exc) not in self.cover_problems:
                self.cover_problems.add(str(exc))
                self.ctx.diagnostics.error("epub.cover", str(exc))
            return None

    def _publish(
        self,
        stem: str,
        spec: Book,
        cover: Cover,
        updated: datetime,
        published: datetime,
        where: SourceRef,
    ) -> _Published | None:
        try:
            data = build_epub(spec)
        except EpubBuildError as exc:
            self.ctx.diagnostics.error("epub.build", f"{stem}.epub: {exc}", where)
            return None
        return _Published(stem, data, cover, self._entry(stem, spec, updated, published))

    @staticmethod
    def _entry(
        stem: str, spec: Book | epub_book.Metadata, updated: datetime, published: datetime
    ) -> opds.Entry:
        return opds.Entry(
            path=f"epub/{stem}.epub",
            cover=f"opds/covers/{stem}.png",
            thumbnail=f"opds/thumbnails/{stem}.png",
            identifier=spec.identifier,
            title=spec.title,
            authors=spec.creators,
            lang=spec.language,
            summary=spec.description,
            updated=updated,
            published=published,
            subjects=spec.subjects,
        )
