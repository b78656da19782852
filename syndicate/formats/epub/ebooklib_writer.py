"""ebooklib itself, behind `ebooklib_adapter`: the book described there made into EPUB
members by ebooklib's writer, with its traps fixed. Imported when a book is made, so that
loading the EPUB writer (every export does, a no-op too) does not import ebooklib."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

from ebooklib import epub
from lxml import etree

from syndicate.formats.epub.ebooklib_adapter import Book, EpubBuildError, Marks, TocEntry
from syndicate.i18n.locales import stated_tag
from syndicate.xmlbase import XML_LANG


def members(book: Book) -> dict[str, bytes]:
    """The members of `book`'s EPUB file, by name, as ebooklib writes them."""
    ebook = _ebook(book)
    writer = _Writer("", ebook, _options(book))
    writer.source = book  # the marks ebooklib has no place for (`_mark_nav`)
    try:
        # Not epub.write_epub: it swallows write errors and returns False.
        writer.process()
        writer.write()
    except (OSError, ValueError, TypeError, etree.LxmlError) as exc:
        raise EpubBuildError(f"ebooklib failed: {exc}") from exc
    return writer.members


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
    ebook.set_language(stated_tag(book.language))
    ebook.set_direction(book.direction)
    for i, name in enumerate(book.creators, 1):
        ebook.add_author(name, uid=f"creator-{i}")
    for i, (name, role) in enumerate(book.contributors, 1):
        ebook.add_metadata("DC", "contributor", name, {"id": f"contributor-{i}"})
        refines = {"refines": f"#contributor-{i}", "property": "role", "scheme": "marc:relators"}
        ebook.add_metadata(None, "meta", role, refines)
    for name, value in (
        ("publisher", book.publisher),
        ("date", book.date),
        ("rights", book.rights),
        ("description", book.description),
    ):
        if value:
            # An English notice in an Arabic book is no Arabic (`Book.rights_lang`).
            borrowed = name == "rights" and book.rights_lang
            ebook.add_metadata(
                "DC", name, value, {XML_LANG: stated_tag(book.rights_lang)} if borrowed else {}
            )
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
    for meta in book.properties:
        # The package has no `lang`: a value in another language says so with `xml:lang`.
        marks = {XML_LANG if name == "lang" else name: value for name, value in meta.marks}
        ebook.add_metadata(None, "meta", meta.value, {"property": meta.name, **marks})
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
            lang=stated_tag(book.language),
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

    source: Book

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
        root.set(XML_LANG, stated_tag(self.book.language))
        super()._write_opf_file(root)

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        tree = etree.fromstring(super()._get_nav(item))
        if item.direction:
            tree.set("dir", item.direction)
        _mark_nav(tree, self.source)
        return _serialize(tree)

    def _get_ncx(self) -> bytes:
        tree = etree.fromstring(super()._get_ncx())
        tree.set(XML_LANG, stated_tag(self.book.language))
        depth = max(
            (sum(1 for _ in p.iterancestors("{*}navPoint")) for p in tree.iter("{*}navPoint")),
            default=0,
        )
        for meta in tree.iter("{*}meta"):
            if meta.get("name") == "dtb:depth":
                meta.set("content", str(depth + 1))
        return _serialize(tree, doctype=None)


def _mark_nav(tree: etree._Element, book: Book) -> None:
    """The language marks of `book`'s nav texts that are not in its language (English phrases
    standing in, `Marks`) set on the navigation document ebooklib wrote, which has no place for
    them: its `<title>` and the table of contents' heading, each entry's link (in the order of
    `book.toc`, depth first), the landmarks' heading and links (in the order of
    `book.landmarks`)."""
    title = tree.find("{*}head/{*}title")
    navs = {nav.get(f"{{{epub.NAMESPACES['EPUB']}}}type"): nav for nav in tree.iter("{*}nav")}
    toc, landmarks = navs.get("toc"), navs.get("landmarks")
    if title is not None:
        _set_marks(title, book.nav_title_marks)
    if toc is not None:
        _set_marks(toc.find("{*}h2"), book.nav_title_marks)
        links = toc.xpath(".//*[local-name()='li']/*[1]")
        entries = list(_depth_first(book.toc))
        if len(links) != len(entries):
            raise EpubBuildError(f"nav: {len(links)} entries written for {len(entries)}")
        for link, entry in zip(links, entries, strict=True):
            _set_marks(link, entry.marks)
    if landmarks is not None:
        _set_marks(landmarks.find("{*}h2"), book.landmarks_title_marks)
        links = landmarks.findall(".//{*}a")
        if len(links) != len(book.landmarks):
            raise EpubBuildError(f"nav: {len(links)} landmarks written for {len(book.landmarks)}")
        for link, landmark in zip(links, book.landmarks, strict=True):
            _set_marks(link, landmark.marks)


def _depth_first(entries: tuple[TocEntry, ...]) -> Iterator[TocEntry]:
    for entry in entries:
        yield entry
        yield from _depth_first(entry.children)


def _set_marks(element: etree._Element | None, marks: Marks) -> None:
    """`marks` on an XHTML element: `xml:lang` beside `lang`."""
    if element is None:
        return
    for name, value in marks:
        element.set(name, value)
        if name == "lang":
            element.set(XML_LANG, value)


def _serialize(tree: etree._Element, doctype: str | None = "<!DOCTYPE html>") -> bytes:
    data: bytes = etree.tostring(
        tree, pretty_print=True, encoding="utf-8", xml_declaration=True, doctype=doctype
    )
    return data
