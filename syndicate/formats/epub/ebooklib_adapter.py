"""The one place syndicate talks to ebooklib: a plain description of a book in, EPUB bytes out,
with ebooklib's traps fixed (hidden errors, wall clock, random identifier, no xml:lang on the
package, no dir on the nav root, zip timestamps and member order)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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
    outline: tuple[TocEntry, ...] = ()
    """The document's headings (`##` to `######` of a story), nested by level, each linking to
    its place: the table of contents lists them under the document's own entry."""


@dataclass(frozen=True, slots=True)
class Resource:
    """An image or stylesheet packaged in the book."""

    file_name: str
    media_type: str
    content: bytes


Marks = tuple[tuple[str, str], ...]
"""The language attributes of a text that is not in the book's language (an English phrase
standing in for one the language has none of): `(("lang", "en"), ("dir", "ltr"))`, as
`foreign_language` gives them; the writer sets `xml:lang` beside `lang` in the navigation
document, and `xml:lang` alone in the package. Empty for a text in the book's language."""


@dataclass(frozen=True, slots=True)
class TocEntry:
    title: str
    href: str
    children: tuple[TocEntry, ...] = ()
    marks: Marks = ()
    """The title's language attributes (a section's name in English), on its nav link."""


@dataclass(frozen=True, slots=True)
class Landmark:
    kind: Literal["cover", "toc", "text"]
    """EPUB 2 guide type; ebooklib maps `text` to the EPUB 3 landmark `bodymatter`."""
    title: str
    href: str
    marks: Marks = ()
    """The title's language attributes, on its nav link."""


@dataclass(frozen=True, slots=True)
class Property:
    """A package `<meta property=..>` value, e.g. `Property("schema:accessMode", "textual")`."""

    name: str
    value: str
    marks: Marks = ()
    """The value's language (`xml:lang`, `dir`) when it is not the book's: an English summary."""


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
    properties: tuple[Property, ...]
    cover: Resource
    documents: tuple[Document, ...]
    """In reading (spine) order."""
    resources: tuple[Resource, ...]
    toc: tuple[TocEntry, ...]
    landmarks: tuple[Landmark, ...]
    nav_title: str
    landmarks_title: str
    nav_title_marks: Marks = ()
    """The language attributes of `nav_title` (on the nav's `<title>` and heading) and of
    `landmarks_title`, when English stands in for the book's language."""
    landmarks_title_marks: Marks = ()
    identifiers: tuple[str, ...] = ()
    """More identifiers besides the unique one: calibre turns the comma every tag URI has into
    `|` and ignores a `urn:uuid:`, so a book also carries its web address, as `url:https://...`
    (calibre drops an identifier that is a bare `http`/`https` address)."""
    relations: tuple[str, ...] = ()
    """Related resources (the same story's books in the other languages)."""
    series: tuple[str, int] | None = None
    """(name, position) of the series the book belongs to, as EPUB 3 and calibre read it."""
    contributors: tuple[tuple[str, str], ...] = ()
    """(name, MARC relator code) of the people credited for something else than the text (a
    translator `trl`, a photographer `pht`): `dc:contributor`s, never creators."""
    rights_lang: str | None = None
    """The language of `rights` when it is not the book's (the original's notice standing in
    for a language that has none): its `dc:rights` says so with `xml:lang`."""


def build_epub(book: Book) -> bytes:
    """The EPUB file of `book`: byte-identical for the same `book`."""
    for doc in book.documents:
        if not doc.content.strip():
            # ebooklib writes an empty member for an empty chapter and reports nothing.
            raise EpubBuildError(f"{doc.file_name}: empty content document")
    # ebooklib is imported when a book is made, not when the EPUB writer loads.
    from syndicate.formats.epub.ebooklib_writer import members

    return pack(members(book))


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
