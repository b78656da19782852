"""`epub`: EPUB 3 books for e-readers, one per story variant and one edition per language, each
with a generated cover, plus the OPDS 1.2 catalog that lists them."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import (
    Context,
    Fragment,
    Memo,
    OutputFile,
    Planned,
    Writer,
    digest_of,
    other_languages,
)
from syndicate.formats.epub import book as epub_book
from syndicate.formats.epub import opds
from syndicate.formats.epub.coverdata import Cover, CoverText, cover_key
from syndicate.formats.epub.ebooklib_adapter import Book, EpubBuildError, Resource, build_epub
from syndicate.formats.epub.edition import Edition, StoryEdition, select_editions
from syndicate.formats.epub.options import EpubOptions
from syndicate.i18n.dates import format_human_date
from syndicate.i18n.terms import term
from syndicate.i18n.text import section_name
from syndicate.model import SourceRef, Story, StorySummary, Variant
from syndicate.model.story import MEDIATOPIC_SCHEME
from syndicate.model.summary import last_taken_down

CoverRenderer = Callable[[CoverText, Sequence[str]], Cover]
"""Draws a book's cover and thumbnail from its text, with the fonts under the given folders."""


def draw_cover(text: CoverText, font_dirs: Sequence[str]) -> Cover:
    """`cover.draw_cover`, imported when a book is made: a run that makes none (nothing
    changed) loads no fonts and no imaging code."""
    from syndicate.formats.epub.cover import draw_cover

    return draw_cover(text, font_dirs)


class EpubWriter(Writer[EpubOptions]):
    name = "epub"
    description = "EPUB 3 books per story variant and per-language editions, with an OPDS catalog"
    media_type = "application/epub+zip"
    extension = ".epub"
    scope = "variant"
    folders = ("epub", "opds")
    Options = EpubOptions

    def media_type_of(self, path: str) -> str | None:
        if path == opds.CATALOG:
            return opds.NAVIGATION
        if path.startswith("opds/") and path.count("/") == 1 and path.endswith(".xml"):
            return opds.ACQUISITION
        return super().media_type_of(path)

    def __init__(self, covers: CoverRenderer = draw_cover) -> None:
        self.covers = covers
        """Tests that do not look at covers give a cheaper renderer; it must stay picklable
        (a module-level function), as writers travel to worker processes."""

    def story_files(
        self, story: Story, ctx: Context[EpubOptions]
    ) -> Iterator[OutputFile | Fragment | Memo]:
        """The story's books, and each one's entry in its language's acquisition feed as a
        fragment (the catalog is spliced from them)."""
        if not story.is_visible(ctx.now):
            return
        variants = [v for v in story.variants if v.lang in ctx.languages]
        if not ctx.options.story_books:  # its editions' claim is told all the same
            for variant in variants:
                epub_book.warn_missing_alt(story, variant, ctx.diagnostics, story_books=False)
            epub_book.warn_animated(story, variants, ctx)
            return
        # Each book is listed whatever becomes of it: one that fails is an error, and then
        # the run publishes nothing.
        # Each entry's cover links carry the digest of the cover the book got (none when it
        # got none: an error, and the run publishes nothing).
        art: dict[str, str] = {}
        images = epub_book.story_images(story, ctx) if variants else None
        if images is not None:
            epub_book.warn_animated(story, variants, ctx, images)
            run = _Books(ctx, self.covers)
            for variant in variants:
                if epub_book.check_variant(story, variant, ctx.diagnostics):
                    book = run.story_book(story, variant, images)
                    if book:
                        art[variant.lang] = digest_of(book.cover.png)
                        yield from book.files()
        summary = StorySummary.of(story)
        for variant in variants:
            entry = _story_entry(summary, variant.lang, ctx, art.get(variant.lang, ""))
            yield Fragment(_entry_name(variant.lang), opds.entry_lines(entry, ctx))

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[EpubOptions]
    ) -> Iterable[OutputFile]:
        """The editions and the catalog. Every visible story's books were built in its own
        work (a book that fails is an error, and a run with errors publishes nothing), with
        their catalog entries (fragments), so the catalog lists them and the editions from
        the summaries; only the stories of the editions are recalled whole, for their books."""
        _unknown_sections(ctx.options.section_order, stories, ctx)
        # Every language's books and editions are listed, of this run's languages or not: the
        # catalog's root lists each language, as a run of every language writes it. Only the
        # run's languages' books and acquisition feeds are made.
        site = ctx.config.languages
        shelved, editions = _selected(stories, ctx)
        _report_empty_days(shelved, editions, ctx)
        # Each file is planned with what it depends on, and made only when the build engine
        # asks for its bytes: an edition whose stories did not change is not made again.
        made = _Editions(
            editions,
            _Books(ctx, self.covers),
            ctx,
            last_taken_down(stories, ctx.now, site),
        )
        for index, edition in enumerate(editions):
            if edition.lang not in ctx.languages:
                continue
            key = repr(("edition", _edition_plan(edition)))
            stem = f"edition-{edition.lang}"
            for path, part in (
                (f"epub/{stem}.epub", "epub"),
                (f"opds/covers/{stem}.png", "cover"),
                (f"opds/thumbnails/{stem}.png", "thumbnail"),
            ):
                make = functools.partial(made.part, index, part)
                yield Planned(path, make, stories=edition.stories, key=key)
        listed = shelved if ctx.options.story_books else []
        with_books = {e.lang for e in editions} | {lang for _, lang in listed}
        if not with_books and not made.taken_down:  # (one taken down: the catalog stays)
            return
        languages = [lang for lang in ctx.languages if lang in with_books]
        # The catalog lists the editions and the story books from the summaries alone (a
        # story's entry is a fragment made from its summary): a body edit keeps it.
        key = repr(
            (
                "catalog",
                [_edition_plan(e) for e in editions],
                listed_keys(listed),
                sorted(made.taken_down.items()),
            )
        )
        shelf = [s for s, _ in listed] + [s for e in editions for s in e.stories]
        summaries = tuple({s.slug: s for s in shelf}.values())
        for path in (opds.CATALOG, *(opds.feed_path(lang) for lang in languages)):
            make = functools.partial(made.catalog, listed, path)
            yield Planned(path, make, summaries=summaries, key=key)

    def check_stories(self, stories: Sequence[StorySummary], ctx: Context[EpubOptions]) -> None:
        """What the collection warns of from the summaries alone: a section of `section_order`
        no story is in, and an `edition_day` with no story in a language (no edition)."""
        _unknown_sections(ctx.options.section_order, stories, ctx)
        if ctx.options.edition_day is not None:  # (the newest day always has its stories)
            _report_empty_days(*_selected(stories, ctx), ctx)

    def validate_outputs(self, out: Path, ctx: Context[EpubOptions]) -> None:
        """Well-formed XML everywhere; every EPUB's zip layout, XML members and EPUBCheck (all
        books in one Java process); the catalog's Atom and OPDS rules and links that reach
        their files."""
        from syndicate.formats.epub.validate import check_catalog, check_epub, run_epubcheck

        super().validate_outputs(out, ctx)
        from syndicate.formats.checking import output_files

        books = [
            path
            for path in output_files(out, "epub", (".epub",), ctx.diagnostics, deep=False)
            if check_epub(path, ctx.diagnostics)
        ]
        if not run_epubcheck(books, ctx.diagnostics, ctx.progress):
            ctx.not_checked("EPUBCheck")
        for path in output_files(out, "opds", (".xml",), ctx.diagnostics, deep=False):
            check_catalog(path, out, ctx.urls.output(""), ctx.diagnostics)


def _unknown_sections(
    order: Sequence[str], stories: Sequence[StorySummary], ctx: Context[EpubOptions]
) -> None:
    """A section listed in `section_order` that no story has (a typo, `sprot`): its stories
    would be ordered alphabetically after the ones listed, unsaid; said as the feeds' is."""
    known = sorted({s.section for s in stories})
    for section in order:
        if stories and section not in known:
            ctx.diagnostics.warning(
                "epub.section",
                f"epub.section_order: no story is in the section {section!r}, so it orders"
                f" nothing{did_you_mean(section, known)}",
                ctx.config.where("epub", "section_order"),
            )


def _entry_name(lang: str) -> str:
    """The fragment of a story's book in `lang`: its entry in the acquisition feed."""
    return f"opds.{lang}"


def listed_keys(listed: Sequence[tuple[StorySummary, str]]) -> list[tuple[str, str]]:
    return [(s.slug, lang) for s, lang in listed]


def _edition_plan(edition: Edition[StorySummary]) -> tuple[object, ...]:
    """What an edition is made of: its language, day, date and stories in their sections."""
    sections = tuple((code, tuple(s.slug for s in group)) for code, group in edition.sections)
    taken = edition.taken.isoformat() if edition.taken is not None else None
    return (edition.lang, edition.day.isoformat(), edition.date.isoformat(), sections, taken)


class _Editions:
    """The editions' books and the catalog, each made once, when a file of it is asked for."""

    def __init__(
        self,
        editions: Sequence[Edition[StorySummary]],
        run: _Books,
        ctx: Context[EpubOptions],
        taken_down: Mapping[str, datetime],
    ) -> None:
        self.editions = editions
        self.run = run
        self.ctx = ctx
        self.taken_down = taken_down
        self.books: dict[int, _Published | None] = {}
        self.catalog_files: dict[str, bytes] | None = None

    def book(self, index: int) -> _Published | None:
        if index not in self.books:
            edition = self.editions[index].map(self.ctx.story)
            self.books[index] = self.run.edition_book(edition)
        return self.books[index]

    def part(self, index: int, part: str) -> bytes:
        book = self.book(index)
        if book is None:  # reported (an error): the run publishes nothing
            return b""
        if part == "epub":
            return book.data
        return book.cover.png if part == "cover" else book.cover.thumbnail

    def art(self, index: int) -> str:
        """The digest of an edition's cover (`opds.Entry.art`): of the book's, when this run
        made it, else of the cover alone, drawn from the summaries (no story recalled, no book
        made; its problems are the book's own, told when the book is made)."""
        book = self.books.get(index)
        if book is not None:
            return digest_of(book.cover.png)
        quiet = _Books(replace(self.ctx, diagnostics=Diagnostics()), self.run.covers)
        cover = quiet.edition_cover(self.editions[index])
        return digest_of(cover.png) if cover is not None else ""

    def catalog(self, listed: Sequence[tuple[StorySummary, str]], path: str) -> bytes:
        if self.catalog_files is None:
            ctx = self.ctx
            books: dict[str, list[opds.Listed]] = {}
            """The run's languages' books, as their acquisition feeds list them."""
            newest: dict[str, datetime] = {}
            """Every language's newest update, which the catalog's root says."""
            for index, edition in enumerate(self.editions):
                art = self.art(index) if edition.lang in ctx.languages else ""
                entry = _edition_entry(edition, ctx, art)
                _note_newest(newest, entry.lang, [entry.updated])
                if entry.lang in ctx.languages:
                    made = opds.entry_lines(entry, ctx)
                    books.setdefault(entry.lang, []).append((entry.updated, made))
            for lang in ctx.config.languages:
                stories = [s for s, book_lang in listed if book_lang == lang]
                updated = [s.public_updated_for(lang) for s in stories]
                _note_newest(newest, lang, updated)
                if lang in ctx.languages:
                    lines = ctx.fragments(stories, _entry_name(lang))
                    books.setdefault(lang, []).extend(zip(updated, lines, strict=True))
            for lang, when in self.taken_down.items():  # (a language with books left only)
                if lang in newest:
                    _note_newest(newest, lang, [when])
            files = opds.catalog(books, newest, ctx, self.taken_down)
            self.catalog_files = {f.path: f.data for f in files}
        return self.catalog_files.get(path, b"")


def _note_newest(newest: dict[str, datetime], lang: str, updated: Sequence[datetime]) -> None:
    if updated:
        newest[lang] = max(newest.get(lang, updated[0]), *updated)


def _isolated(title: str, publisher: str) -> str:
    """The publisher's name in a cover title as a bidi isolate (U+2068...U+2069): its own
    direction stays inside it, so in "YCPress: 18 فبراير 2021" the day stays with its month
    instead of joining the Latin name."""
    return title.replace(publisher, f"\u2068{publisher}\u2069") if publisher else title


def _describe(grapheme: str) -> str:
    """A character as a person can look it up: "U+1F600 GRINNING FACE", "U+1F1EB REGIONAL
    INDICATOR SYMBOL LETTER F + U+1F1F7 ...". Spaces and invisible format characters (a joiner)
    need no glyph, so a space that a combining mark sits on is not named."""
    drawn = [c for c in grapheme if not c.isspace() and unicodedata.category(c) != "Cf"]
    return " + ".join(
        f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in drawn or grapheme
    )


_EMOJI = r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3"
"""A grapheme that is an emoji (a pictograph, a flag's letters, a keycap)."""


def _glyph_advice(grapheme: str, font_dirs: Sequence[str]) -> str:
    """What to do about a character no cover font has. Covers are drawn in outline fonts found
    by their Noto file names (`fonts.py`): an emoji font is a colour font (Debian's
    fonts-noto-color-emoji) that no cover uses, so installing it changes nothing. Many
    pictographs (U+2708 AIRPLANE, U+2665 BLACK HEART SUIT) have an outline glyph in Noto Sans
    Symbols 2, of fonts-noto-core: where a symbols font is not found, that is the advice."""
    import regex  # (a warning's: loading the writer, every export does, needs it not)

    from syndicate.formats.epub.fontfiles import font_files
    from syndicate.formats.epub.fonts import CORE, symbol_fonts

    if regex.search(_EMOJI, grapheme):
        found = font_files(tuple(font_dirs))
        symbols = [spec.file for spec in symbol_fonts() if "Symbols" in spec.file]
        if missing := [name for name in symbols if name not in found]:
            return (
                f"covers use outline fonts, and {', '.join(missing)} ({CORE}) draw many"
                " symbols in outline: install it or add the folder that holds it to"
                " epub.font_dirs (a colour emoji no cover draws: fonts-noto-color-emoji is"
                " a colour font, which they do not use)"
            )
        return (
            "no cover font draws this emoji (covers use outline fonts; fonts-noto-color-emoji"
            " is a colour font, which they do not use): leave it out of the text for a cover"
            " that shows all of it"
        )
    return (
        "install the Noto font that has it (Debian: fonts-noto-core, fonts-noto-extra,"
        " fonts-noto-cjk) or add the folder that holds it to epub.font_dirs"
    )


def _newest_first(stories: Sequence[StorySummary]) -> list[StorySummary]:
    """The order editions choose from: newest first by when each reached the public."""
    return sorted(stories, key=lambda s: (s.public_since, s.slug), reverse=True)


def _shelved(
    newest_first: Sequence[StorySummary], languages: Sequence[str]
) -> list[tuple[StorySummary, str]]:
    """Each visible story's books, newest first by when each reached the public in its
    language (a translation added later is new in its language), a story's languages in its
    order."""
    books = [(s, lang) for s in newest_first for lang in s.languages if lang in languages]
    return sorted(books, key=lambda b: (b[0].public_since_for(b[1]), b[0].slug), reverse=True)


def _selected(
    stories: Sequence[StorySummary], ctx: Context[EpubOptions]
) -> tuple[list[tuple[StorySummary, str]], list[Edition[StorySummary]]]:
    """The books of the visible stories in every language of the site (`_shelved`) and the
    editions made of them: what the collection lists, and `validate` checks."""
    visible = _newest_first([s for s in stories if s.is_visible(ctx.now)])
    site = ctx.config.languages
    shelved = _shelved(visible, site)
    ready = {(s.slug, lang) for s, lang in shelved}
    gone = [
        s for s in stories if s.lifecycle(ctx.now) in ("killed", "withdrawn") and s.was_public()
    ]
    editions = select_editions(visible, ready, site, ctx.config.timezone, ctx.options, gone)
    return shelved, editions


def _report_empty_days(
    shelved: Sequence[tuple[StorySummary, str]],
    editions: Sequence[Edition[StorySummary]],
    ctx: Context[EpubOptions],
) -> None:
    """A configured `edition_day` without stories in one of the run's languages that has
    books is worth a word: that language gets no edition."""
    made = {e.lang for e in editions}
    for lang in sorted({lang for _, lang in shelved if lang in ctx.languages} - made):
        ctx.diagnostics.warning(
            "epub.edition",
            f"epub.edition_day: no {lang} story reached the public on"
            f" {ctx.options.edition_day}, so there is no edition-{lang}.epub: give a day with"
            " stories, or leave edition_day out for the newest day's",
            ctx.config.where("epub", "edition_day"),
        )


def _story_entry(
    story: StorySummary, lang: str, ctx: Context[EpubOptions], art: str = ""
) -> opds.Entry:
    """A story's book as the catalog lists it, from its summary: what the book says; `art`
    is the digest of its cover (`opds.Entry.art`)."""
    meta = epub_book.variant_metadata(story, lang, ctx.config.publisher.name)
    stem = f"{story.slug}.{lang}"
    others = other_languages(story, lang, ctx)
    return opds.Entry(
        path=f"epub/{stem}.epub",
        cover=f"opds/covers/{stem}.png",
        thumbnail=f"opds/thumbnails/{stem}.png",
        identifier=meta.identifier,
        title=meta.title,
        authors=meta.creators,
        contributors=tuple(name for name, _ in meta.contributors),
        lang=lang,
        summary=meta.description,
        updated=story.public_updated_for(lang),
        published=story.public_since_for(lang),
        issued=story.public_since_for(lang).astimezone(ZoneInfo(story.timezone)).date(),
        rights=story.variant(lang).rights,
        rights_lang=story.variant(lang).rights_lang,
        categories=_categories([story], lang),
        page=ctx.urls.article(story.slug, lang),
        translations=tuple((other, ctx.urls.article(story.slug, other)) for other in others),
        translated_books=tuple((other, f"epub/{story.slug}.{other}.epub") for other in others),
        art=art,
    )


def _edition_entry(
    edition: Edition[StorySummary], ctx: Context[EpubOptions], art: str = ""
) -> opds.Entry:
    """An edition as the catalog lists it, from its stories' summaries: what its book says
    (`book.edition_book`), without making the book (a catalog made again for a headline
    changed elsewhere neither recalls the editions' stories nor makes their books); `art` is
    the digest of its cover (`opds.Entry.art`)."""
    lang = edition.lang
    stem = f"edition-{lang}"
    stories = edition.stories
    variants = [s.variant(lang) for s in stories]
    return opds.Entry(
        path=f"epub/{stem}.epub",
        cover=f"opds/covers/{stem}.png",
        thumbnail=f"opds/thumbnails/{stem}.png",
        identifier=epub_book.edition_identifier(edition, ctx),
        title=epub_book.edition_title(edition, ctx.options.edition_title, ctx, plain=True),
        authors=(ctx.config.publisher.name,),
        lang=lang,
        summary=epub_book.edition_description([v.headline for v in variants], lang),
        updated=edition.modified,
        published=edition.date,
        issued=edition.day,
        rights=epub_book.edition_rights([v.rights for v in variants]),
        # Said when every story's notice is borrowed from one language (mixed: none to say).
        rights_lang=langs.pop() if len(langs := {v.rights_lang for v in variants}) == 1 else None,
        categories=_categories(stories, lang),
        page=ctx.urls.output(f"html/index.{lang}.html"),
        art=art,
    )


def _categories(stories: Sequence[StorySummary], lang: str) -> tuple[opds.Category, ...]:
    """The stories' IPTC Media Topics (code, name in `lang`, scheme), each once."""
    found: dict[str, opds.Category] = {}
    for story in stories:
        for subject in story.subjects:
            label = subject.name.get(lang, story.original_lang) or subject.code
            if subject.topic is not None:
                category = opds.Category(subject.topic, label, MEDIATOPIC_SCHEME)
            else:
                category = opds.Category(subject.code, label)
            found.setdefault(category.term, category)
    return tuple(found.values())


@dataclass(frozen=True, slots=True)
class _Published:
    """One finished EPUB with its cover."""

    stem: str
    data: bytes
    cover: Cover
    cover_key: str | None = None
    """What a story book's cover was made from (`coverdata.cover_key`), for its memos."""
    lang: str = ""
    """A story book's language: its memos' names (the same in every story's work)."""

    def files(self) -> Iterator[OutputFile | Memo]:
        """The book, its cover and thumbnail, and (a story book's, drawn without a missing
        character: those are reported on every run) the memos that let the story's next work
        take the cover back while its text and fonts are the same."""
        cover, thumbnail = f"opds/covers/{self.stem}.png", f"opds/thumbnails/{self.stem}.png"
        yield OutputFile(f"epub/{self.stem}.epub", self.data)
        yield OutputFile(cover, self.cover.png)
        yield OutputFile(thumbnail, self.cover.thumbnail)
        if self.cover_key is not None and not self.cover.missing:
            yield Memo(f"cover.{self.lang}", self.cover_key, cover)
            yield Memo(f"thumbnail.{self.lang}", self.cover_key, thumbnail)


class _Books:
    """Builds books: a cover, the package, the zip; problems are reported at their source."""

    def __init__(self, ctx: Context[EpubOptions], covers: CoverRenderer) -> None:
        self.ctx = ctx
        self.covers = covers

    def story_book(
        self, story: Story, variant: Variant, images: dict[int, Resource]
    ) -> _Published | None:
        lang = variant.lang
        stem = f"{story.slug}.{lang}"
        text = CoverText(
            lang,
            self.ctx.config.publisher.name,
            section_name(story.section, lang),
            variant.headline,
            format_human_date(story.public_since_for(lang), lang, story.timezone),
        )
        key = cover_key(self.covers, text, self.ctx.options.font_dirs)
        cover = self._taken_back(lang, key) or self._cover(
            text, {"title": ("headline", variant.headline_source or variant.source)}
        )
        if cover is None:
            return None
        spec = epub_book.story_book(story, variant, cover.png, images, self.ctx)
        data = self._build(stem, spec, variant.source)
        return _Published(stem, data, cover, cover_key=key, lang=lang) if data else None

    def _taken_back(self, lang: str, key: str | None) -> Cover | None:
        """The cover and thumbnail the story's last work drew in this language from the same
        text and fonts (its memos), or None."""
        if key is None:
            return None
        png = self.ctx.memo(f"cover.{lang}", key)
        thumbnail = self.ctx.memo(f"thumbnail.{lang}", key)
        return Cover(png, thumbnail) if png is not None and thumbnail is not None else None

    def edition_cover(self, edition: Edition[StorySummary] | StoryEdition) -> Cover | None:
        """An edition's cover, drawn from what its summaries say (its title and date)."""
        ctx = self.ctx
        lang = edition.lang
        title = epub_book.edition_title(edition, ctx.options.edition_title, ctx)
        date = format_human_date(edition.date, lang, ctx.config.timezone)
        publisher = ctx.config.publisher.name
        text = CoverText(lang, publisher, term("edition", lang), _isolated(title, publisher), date)
        where = ctx.config.where("epub", "edition_title") if ctx.options.edition_title else None
        return self._cover(text, {"title": ("edition title", where or self._publisher)})

    def edition_book(self, edition: StoryEdition) -> _Published | None:
        ctx = self.ctx
        lang = edition.lang
        title = epub_book.edition_title(edition, ctx.options.edition_title, ctx)
        cover = self.edition_cover(edition)
        if cover is None:
            return None
        # The stories' own books report their image problems, and the run publishes nothing;
        # without them (`story_books: false`), or for a file changed since its book was
        # made, the edition reports them.
        scratch = replace(ctx, diagnostics=Diagnostics())
        found = {s.slug: epub_book.story_images(s, scratch) for s in edition.stories}
        images = {slug: resources for slug, resources in found.items() if resources is not None}
        if len(images) < len(found):
            for problem in scratch.diagnostics:
                ctx.diagnostics.add(problem)
            return None
        spec = epub_book.edition_book(edition, title, cover.png, images, ctx)
        stem = f"edition-{lang}"
        data = self._build(stem, spec, ctx.config.source)
        return _Published(stem, data, cover) if data else None

    @property
    def _publisher(self) -> SourceRef:
        return self.ctx.config.where("publisher", "name")

    def _cover(self, text: CoverText, fields: Mapping[str, tuple[str, SourceRef]]) -> Cover | None:
        """The cover; a missing font is one problem, however many books need it. A character
        no installed font has is a warning where its text comes from: `fields` names the texts
        of the book and where they are written (the others are the site's)."""
        from syndicate.formats.epub.fonts import CoverError

        try:
            cover = self.covers(text, self.ctx.options.font_dirs)
        except CoverError as exc:
            self.ctx.diagnostics.error("epub.cover", str(exc))
            return None
        site = {
            "publisher": ("publication name", self._publisher),
            "kicker": ("section name", self._publisher),
            "date": ("date", self._publisher),
        }
        for field, grapheme in cover.missing:
            name, where = fields.get(field) or site[field]
            self.ctx.diagnostics.warning(
                "epub.cover-glyph",
                f"no installed font has {_describe(grapheme)} of the {name}: the cover leaves it"
                f" out; {_glyph_advice(grapheme, self.ctx.options.font_dirs)}",
                where,
            )
        from syndicate.formats.epub import icu_adapter
        from syndicate.formats.epub.typeset import needs_word_breaks

        if needs_word_breaks(text.title, text.kicker) and not icu_adapter.available():
            self.ctx.diagnostics.warning(  # said once a run: the same words, no place
                "epub.cover",
                "ICU (libicuuc) is not installed: the covers' Thai, Lao, Khmer and Burmese"
                " titles break only at spaces, or inside a word; install it (Debian:"
                " libicu-dev) on every machine that draws covers",
            )
        return cover

    def _build(self, stem: str, spec: Book, where: SourceRef) -> bytes | None:
        try:
            return build_epub(spec)
        except EpubBuildError as exc:
            self.ctx.diagnostics.error("epub.build", f"{stem}.epub: {exc}", where)
            return None
