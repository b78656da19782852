"""Checks of written EPUBs and OPDS feeds: the OCF zip rules, well-formed members, EPUBCheck
(all books in one run), and catalog links that reach their files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.checking import open_zip, read_member
from syndicate.formats.contract import Progress
from syndicate.formats.epub.epubcheck_adapter import Unavailable, check_books
from syndicate.xmlbase import ATOM_NS, clark, safe_parser

ATOM_LINK = clark(ATOM_NS, "link")
XML_MEMBERS = {".xml", ".opf", ".ncx", ".xhtml"}


def check_epub(path: Path, diags: Diagnostics) -> bool:
    """The OCF rules a reading system relies on first: `mimetype` first, stored, holding the
    media type; a container; well-formed XML members. False when the file cannot be opened
    safely as a zip (then nothing else should read it)."""
    archive = open_zip(path, diags)
    if archive is None:
        return False
    shown = str(path)
    with archive:
        infos = archive.infolist()
        first = infos[0] if infos else None
        if first is None or first.filename != "mimetype" or first.compress_type:
            diags.error("epub.zip", "`mimetype` must be the first member, stored", shown)
        elif read_member(archive, first, shown, diags) != b"application/epub+zip":
            diags.error("epub.zip", "`mimetype` must hold application/epub+zip", shown)
        if "META-INF/container.xml" not in archive.namelist():
            diags.error("epub.zip", "META-INF/container.xml is missing", shown)
        for info in infos:
            if Path(info.filename).suffix in XML_MEMBERS:
                data = read_member(archive, info, shown, diags)
                if data is not None:
                    _check_xml(data, f"{path}/{info.filename}", diags)
    return True


def _check_xml(data: bytes, shown: str, diags: Diagnostics) -> None:
    try:
        etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        diags.error("epub.xml", f"not well-formed XML: {exc.msg}", f"{shown}:{exc.lineno}")


def run_epubcheck(books: Sequence[Path], diags: Diagnostics, progress: Progress | None) -> None:
    """EPUBCheck on every book in one Java process: its fatals and errors as errors, its
    warnings as warnings. Without EPUBCheck (the `epubcheck` package, a test extra) or Java,
    a warning says the books had the structural check only: never a silent pass."""
    if not books:
        return

    def done(count: int) -> None:
        if progress is not None:
            progress("EPUBCheck", count, len(books))

    try:
        found = check_books(books, done)
    except Unavailable as exc:
        diags.warning(
            "epub.epubcheck",
            f"EPUBCheck skipped ({exc}): {len(books)} EPUB{'s' if len(books) != 1 else ''}"
            " had only the structural check",
        )
        return
    for book, messages in found.items():
        for message in messages:
            if message.severity in {"FATAL", "ERROR", "WARNING"}:
                report = diags.warning if message.severity == "WARNING" else diags.error
                where = str(book.parent / message.location)
                report("epub.epubcheck", f"{message.id}: {message.text}", where)


def check_catalog_links(feed: Path, out: Path, base_url: str, diags: Diagnostics) -> None:
    """Every link of an OPDS feed to a book, a cover or another catalog page (what the `epub`
    format publishes) names a file that exists. Links to pages of other formats are checked
    by the export, which knows which formats it wrote."""
    try:
        tree = etree.parse(str(feed), safe_parser())
    except etree.XMLSyntaxError:
        return  # reported by the well-formedness check
    for link in tree.iter(ATOM_LINK):
        href = link.get("href", "")
        own = href.removeprefix(base_url).startswith(("epub/", "opds/"))
        if href.startswith(base_url) and own and not (out / href.removeprefix(base_url)).is_file():
            diags.error(
                "opds.link",
                f"{link.get('rel')} link to a missing file: {href}",
                f"{feed}:{link.sourceline}",
            )
