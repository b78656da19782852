"""The OPDS 1.2 catalog of the EPUBs, for e-reader apps: a navigation feed by language
(`opds/catalog.xml`) and one acquisition feed per language (`opds/<lang>.xml`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from syndicate.formats.contract import Context, OutputFile
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import display_name
from syndicate.i18n.terms import term
from syndicate.xmlbase import ATOM_NS, DCTERMS_NS, OPDS_NS, XML_LANG

NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
EPUB_TYPE = "application/epub+zip"
CATALOG = "opds/catalog.xml"
_A = f"{{{ATOM_NS}}}"
_DC = f"{{{DCTERMS_NS}}}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One EPUB as the catalog lists it; paths are relative to out/."""

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
    subjects: tuple[str, ...]


def catalog(entries: Sequence[Entry], ctx: Context[Any]) -> Iterator[OutputFile]:
    """The navigation feed and the acquisition feeds; nothing when there is no book."""
    languages = [lang for lang in ctx.languages if any(e.lang == lang for e in entries)]
    if not languages:
        return
    yield OutputFile(CATALOG, _bytes(_navigation(entries, languages, ctx)))
    for lang in languages:
        books = [e for e in entries if e.lang == lang]
        yield OutputFile(feed_path(lang), _bytes(_acquisition(books, lang, ctx)))


def feed_path(lang: str) -> str:
    return f"opds/{lang}.xml"


def _navigation(
    entries: Sequence[Entry], languages: Sequence[str], ctx: Context[Any]
) -> etree._Element:
    feed = _feed(ctx, CATALOG, ctx.config.publisher.name, entries, NAVIGATION)
    for lang in languages:
        books = [e for e in entries if e.lang == lang]
        entry = etree.SubElement(feed, _A + "entry")
        entry.set(XML_LANG, lang)
        _text(entry, "title", display_name(lang))
        _text(entry, "id", ctx.urls.output(feed_path(lang)))
        _text(entry, "updated", rfc3339(max(e.updated for e in books)))
        _text(entry, "content", term("ebooks", lang)).set("type", "text")
        _link(entry, "subsection", ctx.urls.output(feed_path(lang)), ACQUISITION)
    return feed


def _acquisition(books: Sequence[Entry], lang: str, ctx: Context[Any]) -> etree._Element:
    title = f"{ctx.config.publisher.name}: {term('ebooks', lang)}"
    feed = _feed(ctx, feed_path(lang), title, books, ACQUISITION)
    feed.set(XML_LANG, lang)
    _link(feed, "up", ctx.urls.output(CATALOG), NAVIGATION)
    for book in books:
        _book_entry(feed, book, ctx)
    return feed


def _feed(
    ctx: Context[Any], path: str, title: str, entries: Sequence[Entry], kind: str
) -> etree._Element:
    feed = etree.Element(_A + "feed", nsmap={None: ATOM_NS, "dc": DCTERMS_NS, "opds": OPDS_NS})
    _text(feed, "id", ctx.urls.output(path))
    _text(feed, "title", title)
    # The newest book, not the wall clock: an unchanged catalog keeps its bytes.
    _text(feed, "updated", rfc3339(max(e.updated for e in entries)))
    author = etree.SubElement(feed, _A + "author")
    _text(author, "name", ctx.config.publisher.name)
    _text(author, "uri", ctx.config.publisher.url)
    _link(feed, "self", ctx.urls.output(path), kind)
    _link(feed, "start", ctx.urls.output(CATALOG), NAVIGATION)
    return feed


def _book_entry(feed: etree._Element, book: Entry, ctx: Context[Any]) -> None:
    entry = etree.SubElement(feed, _A + "entry")
    _text(entry, "title", book.title)
    _text(entry, "id", book.identifier)
    _text(entry, "updated", rfc3339(book.updated))
    _text(entry, "published", rfc3339(book.published))
    for name in book.authors:
        _text(etree.SubElement(entry, _A + "author"), "name", name)
    etree.SubElement(entry, _DC + "language").text = book.lang
    etree.SubElement(entry, _DC + "issued").text = book.published.date().isoformat()
    for subject in book.subjects:
        etree.SubElement(entry, _A + "category", term=subject, label=subject)
    _text(entry, "summary", book.summary).set("type", "text")
    _link(entry, "http://opds-spec.org/image", ctx.urls.output(book.cover), "image/png")
    _link(
        entry, "http://opds-spec.org/image/thumbnail", ctx.urls.output(book.thumbnail), "image/png"
    )
    _link(entry, "http://opds-spec.org/acquisition", ctx.urls.output(book.path), EPUB_TYPE)


def _text(parent: etree._Element, name: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, _A + name)
    element.text = text
    return element


def _link(parent: etree._Element, rel: str, href: str, media_type: str) -> None:
    etree.SubElement(parent, _A + "link", rel=rel, href=href, type=media_type)


def _bytes(feed: etree._Element) -> bytes:
    data: bytes = etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data
