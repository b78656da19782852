"""The one place syndicate talks to ebooklib: a plain description of a book in, EPUB bytes out,
with ebooklib's traps fixed (hidden errors, wall clock, random identifier, no xml:lang on the
package, no dir on the nav root, zip timestamps and member order)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from ebooklib import epub
from lxml import etree

from syndicate.xmlbase import XML_LANG

# The zip epoch's first day: members carry no trace of when or where the book was built.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3
ZIP_FILE_MODE = 0o100644 << 16


class EpubBuildError(Exception):
    """ebooklib could not build the book; no bytes exist, so no partial file can be written."""


@dataclass(frozen=True, slots=True)
class Document:
    """A complete XHTML content document, already rendered."""

    file_name: str
    uid: str
    title: str
    content: bytes
    linear: bool = True


@dataclass(frozen=True, slots=True)
class Resource:
    """An image or stylesheet packaged in the book."""

    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class TocEntry:
    title: str
    href: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Landmark:
    kind: Literal["cover", "toc", "text"]
    """EPUB 2 guide type; ebooklib maps `text` to the EPUB 3 landmark `bodymatter`."""
    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Book:
    identifier: str
    title: str
    language: str
    direction: Literal["ltr", "rtl"]
    modified: datetime
    date: str
    creators: tuple[str, ...]
    publisher: str
    subjects: tuple[str, ...]
    rights: str
    description: str
    properties: tuple[tuple[str, str], ...]
    """Package `<meta property=..>` values, e.g. `("schema:accessMode", "textual")`."""
    cover: Resource
    documents: tuple[Document, ...]
    """In reading (spine) order."""
    resources: tuple[Resource, ...]
    toc: tuple[TocEntry, ...]
    landmarks: tuple[Landmark, ...]
    nav_title: str
    landmarks_title: str
    identifiers: tuple[str, ...] = ()
    """More identifiers besides the unique one: calibre turns the comma every tag URI has into
    `|`, so a book also carries its web address, which calibre keeps readable."""
    relations: tuple[str, ...] = ()
    """Related resources (the same story's books in the other languages)."""
    series: tuple[str, int] | None = None
    """(name, position) of the series the book belongs to, as EPUB 3 and calibre read it."""


def build_epub(book: Book) -> bytes:
    """The EPUB file of `book`: byte-identical for the same `book`."""
    for doc in book.documents:
        if not doc.content.strip():
            # ebooklib writes an empty member for an empty chapter and reports nothing.
            raise EpubBuildError(f"{doc.file_name}: empty content document")
    ebook = _ebook(book)
    writer = _Writer("", ebook, _options(book))
    try:
        # Not epub.write_epub: it swallows write errors and returns False.
        writer.process()
        writer.write()
    except (OSError, ValueError, TypeError, etree.LxmlError) as exc:
        raise EpubBuildError(f"ebooklib failed: {exc}") from exc
    return pack(writer.members)


def _options(book: Book) -> dict[str, Any]:
    return {
        "mtime": book.modified.astimezone(UTC),
        "raise_exceptions": True,
        "package_direction": book.direction == "rtl",
        "landmark_title": book.landmarks_title,
        "epub3_pages": False,
    }


def _ebook(book: Book) -> epub.EpubBook:
    ebook = epub.EpubBook()
    # The generator meta names ebooklib's version: noise in every diff after an upgrade.
    ebook.metadata[epub.NAMESPACES["OPF"]].pop("generator", None)
    ebook.set_identifier(book.identifier)
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    ebook.set_direction(book.direction)
    for i, name in enumerate(book.creators, 1):
        ebook.add_author(name, uid=f"creator-{i}")
    for name, value in (
        ("publisher", book.publisher),
        ("date", book.date),
        ("rights", book.rights),
        ("description", book.description),
    ):
        if value:
            ebook.add_metadata("DC", name, value)
    for i, identifier in enumerate(book.identifiers, 1):
        ebook.add_metadata("DC", "identifier", identifier, {"id": f"identifier-{i}"})
    for relation in book.relations:
        ebook.add_metadata("DC", "relation", relation)
    for subject in book.subjects:
        ebook.add_metadata("DC", "subject", subject)
    if book.series:
        name, position = book.series
        attributes = {"id": "series", "property": "belongs-to-collection"}
        ebook.add_metadata(None, "meta", name, attributes)
        for prop, value in (("collection-type", "series"), ("group-position", str(position))):
            ebook.add_metadata(None, "meta", value, {"refines": "#series", "property": prop})
    for prop, value in book.properties:
        ebook.add_metadata(None, "meta", value, {"property": prop})
    ebook.set_cover(book.cover.file_name, book.cover.content, create_page=False)
    _add_items(ebook, book)
    ebook.toc = [_toc_item(entry, f"toc-{i}") for i, entry in enumerate(book.toc, 1)]
    ebook.guide = [{"type": m.kind, "title": m.title, "href": m.href} for m in book.landmarks]
    return ebook


def _add_items(ebook: epub.EpubBook, book: Book) -> None:
    spine: list[Any] = []
    for doc in book.documents:
        item = _Prebuilt(
            uid=doc.uid,
            file_name=doc.file_name,
            title=doc.title,
            lang=book.language,
            content=doc.content,
        )
        ebook.add_item(item)
        spine.append(item if doc.linear else (item, "no"))
    for i, res in enumerate(book.resources, 1):
        cls = epub.EpubImage if res.media_type.startswith("image/") else epub.EpubItem
        ebook.add_item(
            cls(
                uid=f"res-{i}",
                file_name=res.file_name,
                media_type=res.media_type,
                content=res.content,
            )
        )
    ebook.add_item(epub.EpubNcx())
    direction = "rtl" if book.direction == "rtl" else None
    ebook.add_item(epub.EpubNav(title=book.nav_title, direction=direction))
    ebook.spine = spine


def _toc_item(entry: TocEntry, uid: str) -> Any:
    if not entry.children:
        return epub.Link(entry.href, entry.title, uid)
    children = [_toc_item(c, f"{uid}-{i}") for i, c in enumerate(entry.children, 1)]
    return (epub.Section(entry.title, entry.href), children)


class _Prebuilt(epub.EpubHtml):  # type: ignore[misc]
    """A document syndicate rendered itself: ebooklib's own rendering re-parses it as HTML,
    which drops `xml:lang` and the `epub:` attributes."""

    def get_content(self, default: bytes | None = None) -> bytes:
        content: bytes = self.content
        return content


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with the language and direction on every root element, handing its
    members over instead of zipping them: `pack` zips them once (ebooklib would deflate the
    images, and its zip would have to be read back to fix timestamps and order)."""

    def write(self) -> None:
        self.members: dict[str, bytes] = {}
        self.out = self
        self._write_container()
        self._write_opf()
        self._write_items()

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        """What ebooklib calls on its zip: one member."""
        self.members[name] = data.encode("utf-8") if isinstance(data, str) else data

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        tree = etree.fromstring(super()._get_nav(item))
        if item.direction:
            tree.set("dir", item.direction)
        return _serialize(tree)

    def _get_ncx(self) -> bytes:
        tree = etree.fromstring(super()._get_ncx())
        tree.set(XML_LANG, self.book.language)
        depth = max(
            (sum(1 for _ in p.iterancestors("{*}navPoint")) for p in tree.iter("{*}navPoint")),
            default=0,
        )
        for meta in tree.iter("{*}meta"):
            if meta.get("name") == "dtb:depth":
                meta.set("content", str(depth + 1))
        return _serialize(tree, doctype=None)


def _serialize(tree: etree._Element, doctype: str | None = "<!DOCTYPE html>") -> bytes:
    data: bytes = etree.tostring(
        tree, pretty_print=True, encoding="utf-8", xml_declaration=True, doctype=doctype
    )
    return data


_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def repack(raw: bytes) -> bytes:
    """The same zip with fixed timestamps and permissions, `mimetype` first and stored, and the
    other members sorted (as `pack` makes them)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    return pack(members)


def pack(members: dict[str, bytes]) -> bytes:
    """An EPUB zip of `members`: `mimetype` first and stored, the others sorted, no timestamps
    or permissions of the machine, images stored as they are and the rest deflated."""
    members = dict(members)
    mimetype = members.pop("mimetype", b"application/epub+zip")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        _add_member(dst, "mimetype", mimetype, zipfile.ZIP_STORED)
        for name in sorted(members):
            # Images are compressed already: deflating them again costs time and saves nothing.
            method = zipfile.ZIP_STORED if name.endswith(_COMPRESSED) else zipfile.ZIP_DEFLATED
            _add_member(dst, name, members[name], method)
    return out.getvalue()


def _add_member(dst: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = method
    info.create_system = ZIP_UNIX
    info.external_attr = ZIP_FILE_MODE
    dst.writestr(info, data, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None)
