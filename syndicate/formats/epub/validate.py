"""Checks of written EPUBs and OPDS feeds: the OCF zip rules, well-formed members, EPUBCheck
(all books in one run); the catalog's Atom and OPDS 1.2 rules, and links that reach their
files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.atomrules import Problem, atom_problems, language_problems
from syndicate.formats.checking import open_zip, parse_xml, read_member
from syndicate.formats.contract import Progress
from syndicate.formats.epub.epubcheck_adapter import Unavailable, check_books
from syndicate.formats.epub.opds import ACQUISITION, NAVIGATION
from syndicate.xmlbase import ATOM_NS, DCTERMS_NS, XML_LANG, clark, safe_parser

ATOM_LINK = clark(ATOM_NS, "link")
NS = {"a": ATOM_NS, "dc": DCTERMS_NS}
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


def run_epubcheck(books: Sequence[Path], diags: Diagnostics, progress: Progress | None) -> bool:
    """EPUBCheck on every book in one Java process: its fatals and errors as errors, its
    warnings as warnings. Without EPUBCheck (the `epubcheck` package, a test extra) or Java,
    a warning says the books had the structural check only, and it returns False: never a
    silent pass."""
    if not books:
        return True

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
        return False
    for book, messages in found.items():
        for message in messages:
            if message.severity in {"FATAL", "ERROR", "WARNING"}:
                report = diags.warning if message.severity == "WARNING" else diags.error
                where = str(book.parent / message.location)
                report("epub.epubcheck", f"{message.id}: {message.text}", where)
    return True


def check_catalog(feed: Path, out: Path, base_url: str, diags: Diagnostics) -> None:
    """One feed of the OPDS catalog: the RFC 4287 rules (`atomrules`), the OPDS 1.2 rules
    syndicate keeps (`opds_problems`) and links that reach their files, each at its line."""
    tree = parse_xml(feed, diags)
    if tree is None:
        return
    root = tree.getroot()
    # The navigation feed lists every language: each of its entries says its own.
    problems = [
        *atom_problems(root, language=_kind(root) != NAVIGATION),
        *opds_problems(root),
        *_missing_links(tree, out, base_url),
    ]
    for line, code, message in sorted(problems, key=lambda problem: problem[0]):
        diags.error(code, message, f"{feed}:{line}")


def _missing_links(tree: etree._ElementTree, out: Path, base_url: str) -> Iterator[Problem]:
    for link in tree.iter(ATOM_LINK):
        href = link.get("href", "")
        # (a cover's `?v=<digest>` names a version of the file, not another file)
        path = href.removeprefix(base_url).partition("#")[0].partition("?")[0]
        own = path.startswith(("epub/", "opds/"))
        if href.startswith(base_url) and own and not (out / path).is_file():
            yield (
                link.sourceline or 0,
                "opds.link",
                f"{link.get('rel')} link to a missing file: {href}",
            )


def opds_problems(feed: etree._Element) -> Iterator[Problem]:
    """What OPDS 1.2 asks of a catalog feed, and what syndicate promises of its entries.
    A navigation feed's entries each lead to another catalog feed (a `subsection` link of an
    OPDS type) and list no book. An acquisition feed's entries are books, each with a text
    summary or content, an alternate link, `dc:identifier`, `dc:language`, rights,
    categories with a scheme (a story without subjects has none) and an acquisition link."""
    if feed.tag != clark(ATOM_NS, "feed"):
        return  # said by atom_problems
    kind = _kind(feed)
    if kind not in {NAVIGATION, ACQUISITION}:
        yield (
            feed.sourceline or 0,
            "opds.kind",
            f"the self link's type must be {NAVIGATION} or {ACQUISITION}, not {kind!r}",
        )
        return
    for entry in feed.iterfind("a:entry", NS):
        yield from _entry_basics(entry)
        if kind == NAVIGATION:
            yield from _navigation_entry(entry, feed.get(XML_LANG) is None)
        else:
            yield from _acquisition_entry(entry)


def _kind(feed: etree._Element) -> str | None:
    self_link = feed.find("a:link[@rel='self']", NS)
    return None if self_link is None else self_link.get("type")


def _entry_basics(entry: etree._Element) -> Iterator[Problem]:
    """OPDS 1.2 5.1.1: every element Atom requires of an entry, once."""
    for name in ("id", "title", "updated"):
        if len(entry.findall(f"a:{name}", NS)) != 1 or not entry.findtext(f"a:{name}", "", NS):
            yield entry.sourceline or 0, "opds.entry", f"an entry needs one non-empty atom:{name}"


def _navigation_entry(entry: etree._Element, needs_language: bool) -> Iterator[Problem]:
    line = entry.sourceline or 0
    if needs_language:
        yield from language_problems(entry, entry.get(XML_LANG), "opds.lang")
    if not any(
        link.get("rel") == "subsection" and link.get("type") in {NAVIGATION, ACQUISITION}
        for link in entry.iterfind("a:link", NS)
    ):
        yield (
            line,
            "opds.subsection",
            f"a navigation entry needs a subsection link of type {ACQUISITION} or {NAVIGATION}",
        )
    if _acquisitions(entry):
        yield line, "opds.navigation", "a navigation feed must not list books (acquisition links)"


def _acquisition_entry(entry: etree._Element) -> Iterator[Problem]:
    line = entry.sourceline or 0
    summary = entry.find("a:summary", NS)
    if not entry.findtext("a:summary", "", NS).strip() and entry.find("a:content", NS) is None:
        yield line, "opds.summary", "a book's entry needs a summary or content that describes it"
    elif summary is not None and summary.get("type", "text") != "text":
        yield summary.sourceline or 0, "opds.summary", "an OPDS summary must be of type text"
    # An entry with neither content nor an alternate link is atom.alternate already.
    alternate = entry.find("a:link[@rel='alternate']", NS) is not None
    if not alternate and entry.find("a:content", NS) is not None:
        yield line, "opds.alternate", "a book's entry needs an alternate link to its web page"
    if not entry.findtext("dc:identifier", "", NS).strip():
        yield line, "opds.identifier", "a book's entry needs the book's dc:identifier"
    language = entry.find("dc:language", NS)
    yield from language_problems(
        entry if language is None else language,
        entry.findtext("dc:language", None, NS),
        "opds.language",
    )
    if not entry.findtext("a:rights", "", NS).strip():
        yield line, "opds.rights", "a book's entry needs its rights (atom:rights)"
    for category in entry.iterfind("a:category", NS):
        if not category.get("term") or not category.get("scheme"):
            yield (
                category.sourceline or 0,
                "opds.category",
                "a category needs a term and the scheme (vocabulary URI) it comes from",
            )
    if not _acquisitions(entry):
        yield line, "opds.acquisition", "a book's entry needs an acquisition link to the book"


def _acquisitions(entry: etree._Element) -> list[etree._Element]:
    return [
        link
        for link in entry.iterfind("a:link", NS)
        if link.get("rel", "").startswith("http://opds-spec.org/acquisition")
    ]
