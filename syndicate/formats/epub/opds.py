"""The OPDS 1.2 catalog of the EPUBs, for e-reader apps: a navigation feed by language
(`opds/catalog.xml`) and one acquisition feed per language (`opds/<lang>.xml`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from syndicate.formats.contract import Context, OutputFile
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import display_name, stated_tag
from syndicate.i18n.terms import term
from syndicate.i18n.text import isolated_in
from syndicate.xmlbase import ATOM_NS, DCTERMS_NS, OPDS_NS, XML_LANG

NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
EPUB_TYPE = "application/epub+zip"
CATALOG = "opds/catalog.xml"
A = ElementMaker(namespace=ATOM_NS, nsmap={None: ATOM_NS, "dc": DCTERMS_NS, "opds": OPDS_NS})
DC = ElementMaker(namespace=DCTERMS_NS)


@dataclass(frozen=True, slots=True)
class Category:
    """A subject as OPDS (Atom) carries it: the code, its name, the vocabulary's URI."""

    term: str
    label: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One EPUB as the catalog lists it; paths are relative to out/, links absolute."""

    path: str
    cover: str
    thumbnail: str
    identifier: str
    title: str
    authors: tuple[str, ...]
    lang: str
    summary: str
    updated: datetime
    published: datetime
    issued: date
    """The day it was published, as its book says it (`dc:issued`): a story's in its time
    zone, an edition's day in the site's."""
    rights: str
    categories: tuple[Category, ...]
    page: str
    """The web page of the same text (the article page, or the language's index)."""
    translations: tuple[tuple[str, str], ...] = ()
    """(language, web page) of the same story in the other languages."""
    translated_books: tuple[tuple[str, str], ...] = ()
    """(language, path relative to out/) of the same story's books in the other languages."""
    contributors: tuple[str, ...] = ()
    """The people credited for something else than the text (a translator, a photographer)."""
    rights_lang: str | None = None
    """The language of `rights` when it is not the entry's (the original's notice, in a
    language that has none): said with `xml:lang`, as the Atom feeds' entries say it."""
    art: str = ""
    """The digest of the cover's bytes (`contract.digest_of`), which the cover's and the
    thumbnail's URLs carry (`?v=`), as every story image's do: a cover drawn again (a
    corrected headline, an edition of a new day) is a new URL to the catalog apps that keep
    covers by URL. Empty for a book whose cover could not be drawn (an error)."""


Listed = tuple[datetime, bytes]
"""A book as an acquisition feed lists it: when it was updated, and its entry's lines
(`entry_lines`)."""
_ENTRIES = "entries"
"""Where an acquisition feed's entries go: a comment its serialisation puts on a line of its
own, replaced by their lines."""


def catalog(
    books: Mapping[str, Sequence[Listed]],
    newest: Mapping[str, datetime],
    ctx: Context[Any],
    taken_down: Mapping[str, datetime] | None = None,
) -> Iterator[OutputFile]:
    """The navigation feed, which lists each site language that has books with its newest
    book's update (`newest`, of every language: a run of some languages writes it as a run of
    all does), and the acquisition feeds of the run's languages' `books` (editions first,
    then stories, as listed). The navigation feed is dated by its newest language, or a later
    kill or withdrawal (`taken_down`, by language) of a book it listed, in a language left
    with none too: a client comparing dates would keep showing what the kill took. Nothing
    when there is no book, unless one was taken down: the catalog's address, which readers'
    apps were given, then stays, listing no language."""
    listed = {lang: newest[lang] for lang in ctx.config.languages if lang in newest}
    gone = [when for lang, when in (taken_down or {}).items() if lang in ctx.config.languages]
    if not listed and not gone:
        return
    updated = max([*listed.values(), *gone])
    yield OutputFile(CATALOG, _bytes(_navigation(listed, updated, ctx)))
    for lang in ctx.languages:
        if books.get(lang):
            yield OutputFile(feed_path(lang), _acquisition(books[lang], listed[lang], lang, ctx))


def entry_lines(book: Entry, ctx: Context[Any]) -> bytes:
    """A book's entry as an acquisition feed's lines: the catalog is made from these (a
    story's, made in its own work, kept as a fragment) without building any entry again."""
    feed = A.feed(_book_entry(book, ctx))
    data: bytes = etree.tostring(feed, encoding="utf-8", pretty_print=True)
    return data[data.index(b"\n") + 1 : data.rindex(b"</feed>")]


def feed_path(lang: str) -> str:
    return f"opds/{lang}.xml"


def _navigation(
    newest: Mapping[str, datetime], updated: datetime, ctx: Context[Any]
) -> etree._Element:
    return _feed(
        ctx,
        CATALOG,
        ctx.config.publisher.name,
        updated,
        NAVIGATION,
        *(
            A.entry(
                {XML_LANG: stated_tag(lang)},
                A.title(display_name(lang)),
                A.id(ctx.urls.output(feed_path(lang))),
                A.updated(rfc3339(updated)),
                A.content(term("ebooks", lang), type="text"),
                _link("subsection", ctx.urls.output(feed_path(lang)), ACQUISITION),
            )
            for lang, updated in newest.items()
        ),
    )


def _acquisition(books: Sequence[Listed], updated: datetime, lang: str, ctx: Context[Any]) -> bytes:
    """The feed of one language's books: its head serialised with a comment where the
    entries go, and their lines put in its place (the bytes a tree of them all gives). The
    other languages' feeds are reached from the navigation feed (`up`, `start`), not linked
    as the feed's alternates: feed readers (feedparser) take a feed's first alternate as its
    home page."""
    title = f"{isolated_in(ctx.config.publisher.name, lang)}: {term('ebooks', lang)}"
    feed = _feed(
        ctx,
        feed_path(lang),
        title,
        updated,
        ACQUISITION,
        _link("up", ctx.urls.output(CATALOG), NAVIGATION),
        etree.Comment(_ENTRIES),
    )
    feed.set(XML_LANG, stated_tag(lang))
    data = _bytes(feed)
    marker = b"  <!--%s-->\n" % _ENTRIES.encode()
    at = data.index(marker)
    return data[:at] + b"".join(lines for _, lines in books) + data[at + len(marker) :]


def _feed(
    ctx: Context[Any],
    path: str,
    title: str,
    updated: datetime,
    kind: str,
    *more: etree._Element,
) -> etree._Element:
    publisher = ctx.config.publisher
    return A.feed(
        A.id(ctx.urls.output(path)),
        A.title(title),
        # The newest book, not the wall clock: an unchanged catalog keeps its bytes.
        A.updated(rfc3339(updated)),
        A.author(A.name(publisher.name), A.uri(publisher.url)),
        _link("self", ctx.urls.output(path), kind),
        _link("start", ctx.urls.output(CATALOG), NAVIGATION),
        *more,
    )


def _book_entry(book: Entry, ctx: Context[Any]) -> etree._Element:
    return A.entry(
        A.title(book.title),
        A.id(book.identifier),
        A.updated(rfc3339(book.updated)),
        A.published(rfc3339(book.published)),
        *(A.author(A.name(name)) for name in book.authors),
        *(A.contributor(A.name(name)) for name in book.contributors),
        DC.identifier(book.identifier),
        DC.language(stated_tag(book.lang)),
        DC.issued(book.issued.isoformat()),
        *(A.category(_category(category)) for category in book.categories),
        A.rights(book.rights, {XML_LANG: stated_tag(book.rights_lang)} if book.rights_lang else {}),
        A.summary(book.summary, type="text"),
        # RFC 4287 4.1.1: an entry without content needs an alternate link; translations
        # are alternates in other languages (no two alternates share type and hreflang): the
        # web pages, then the books, which an OPDS app can follow to the translated book.
        _link("alternate", book.page, "text/html"),
        *(
            A.link(rel="alternate", href=page, type="text/html", hreflang=stated_tag(lang))
            for lang, page in book.translations
        ),
        *(
            A.link(
                rel="alternate",
                href=ctx.urls.output(path),
                type=EPUB_TYPE,
                hreflang=stated_tag(lang),
            )
            for lang, path in book.translated_books
        ),
        _link("http://opds-spec.org/image", _art(book.cover, book, ctx), "image/png"),
        _link("http://opds-spec.org/image/thumbnail", _art(book.thumbnail, book, ctx), "image/png"),
        _link("http://opds-spec.org/acquisition", ctx.urls.output(book.path), EPUB_TYPE),
    )


def _art(path: str, book: Entry, ctx: Context[Any]) -> str:
    """The URL of a book's cover or thumbnail, with the digest of its cover (`Entry.art`)."""
    return ctx.urls.media(path, book.art) if book.art else ctx.urls.output(path)


def _category(category: Category) -> dict[str, str]:
    attributes = {"term": category.term, "label": category.label}
    if category.scheme:
        attributes["scheme"] = category.scheme
    return attributes


def _link(rel: str, href: str, media_type: str) -> etree._Element:
    return A.link(rel=rel, href=href, type=media_type)


def _bytes(feed: etree._Element) -> bytes:
    data: bytes = etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data
