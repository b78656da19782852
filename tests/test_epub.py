"""EPUBs and the OPDS catalog of the sample story, exported through the CLI and read back:
package metadata, direction, languages, table of contents, accessibility, cover, byte-identical
rebuilds, goldens of the extracted members, and feedparser as a real OPDS client."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG, calibre_tool, export_stories
from ebooklib import epub as ebooklib_epub
from lxml import etree
from PIL import Image

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.epub.ebooklib_adapter import repack
from syndicate.formats.epub.options import EpubOptions
from syndicate.formats.epub.validate import check_catalog, check_epub
from syndicate.formats.epub.writer import EpubWriter
from syndicate.model import Localized, SiteConfig, Story
from syndicate.xmlbase import safe_parser

LANGS = ("en", "fr", "ar", "zh-Hans", "de", "es")
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE_URL = "https://ycpress.example/syndicate/"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def export_epub(out: Path) -> Path:
    args = [
        "export",
        "--quiet",
        "--config",
        str(REPO / "syndicate.yaml"),
        "--articles",
        str(REPO / "articles"),
        "--out",
        str(out),
        "--now",
        FIXED_NOW,
        "--format",
        "epub",
    ]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def epub_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_epub(tmp_path_factory.mktemp("epub") / "out")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def opf(path: Path) -> etree._Element:
    return etree.fromstring(members(path)["EPUB/content.opf"])


def xhtml(path: Path, name: str) -> etree._Element:
    return etree.fromstring(members(path)[f"EPUB/{name}"])


def story_epub(out: Path, lang: str) -> Path:
    return out / "epub" / f"{SAMPLE_SLUG}.{lang}.epub"


def all_epubs(out: Path) -> list[Path]:
    return sorted((out / "epub").glob("*.epub"))


def test_one_book_per_variant_and_one_edition_per_language(epub_out: Path) -> None:
    names = {p.name for p in all_epubs(epub_out)}
    assert names == {f"{SAMPLE_SLUG}.{lang}.epub" for lang in LANGS} | {
        f"edition-{lang}.epub" for lang in LANGS
    }


def test_ocf_zip_is_reproducible_by_construction(epub_out: Path) -> None:
    for path in all_epubs(epub_out):
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert not infos[0].extra
        assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_rebuild_is_byte_identical(epub_out: Path, tmp_path: Path) -> None:
    again = export_epub(tmp_path / "again")
    first = sorted(p.relative_to(epub_out) for p in epub_out.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (epub_out / rel).read_bytes() == (again / rel).read_bytes(), rel


@pytest.mark.parametrize("lang", LANGS)
def test_package_language_direction_and_identifier(
    epub_out: Path, sample_story: Story, lang: str
) -> None:
    package = opf(story_epub(epub_out, lang))
    assert package.get(XML_LANG) == lang
    assert package.xpath("string(opf:metadata/dc:language)", namespaces=NS) == lang
    uid = package.get("unique-identifier")
    identifier = package.xpath(f"string(opf:metadata/dc:identifier[@id='{uid}'])", namespaces=NS)
    assert identifier == sample_story.variant_id(lang)
    spine = package.find("opf:spine", NS)
    rtl = lang == "ar"
    assert spine.get("page-progression-direction") == ("rtl" if rtl else "ltr")
    assert package.get("dir") == ("rtl" if rtl else None)


def calibre_identifiers(package: etree._Element) -> dict[str, str]:
    """The identifiers calibre 6 reads from an EPUB 3 package, by its rules (`parse_identifier`
    and `read_metadata` in src/calibre/ebooks/metadata/opf3.py): the scheme is the text before
    the first colon, after a leading `urn:`; `http` and `https` ones are dropped, `uuid` ones
    are not shown."""
    found: dict[str, str] = {}
    for ident in package.xpath("opf:metadata/dc:identifier", namespaces=NS):
        value = (ident.text or "").strip()
        if value.lower().startswith("urn:"):
            value = value[4:]
        scheme, _, rest = value.partition(":")
        if scheme and rest and scheme.lower() not in ("http", "https", "uuid"):
            found.setdefault(scheme.lower(), rest.replace(",", "|"))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_calibre_keeps_the_web_address_of_every_book(
    epub_out: Path, sample_story: Story, lang: str
) -> None:
    """QA: calibre showed no web address (a bare `https://` identifier is dropped by calibre) and
    an edition no identifier at all; written `url:https://...`, calibre keeps it."""
    story = opf(story_epub(epub_out, lang))
    page = f"{BASE_URL}html/{SAMPLE_SLUG}.{lang}.html"
    tag = sample_story.variant_id(lang)
    assert calibre_identifiers(story) == {"tag": tag[4:].replace(",", "|"), "url": page}
    edition = opf(epub_out / "epub" / f"edition-{lang}.epub")
    assert calibre_identifiers(edition) == {"url": f"{BASE_URL}epub/edition-{lang}.epub"}


def test_calibre_itself_lists_the_web_address(epub_out: Path) -> None:
    ebook_meta = calibre_tool("ebook-meta")
    for path, address in [
        (story_epub(epub_out, "fr"), f"{BASE_URL}html/{SAMPLE_SLUG}.fr.html"),
        (epub_out / "epub" / "edition-zh-Hans.epub", f"{BASE_URL}epub/edition-zh-Hans.epub"),
    ]:
        shown = subprocess.run(
            [ebook_meta, str(path)], check=True, capture_output=True, text=True
        ).stdout
        line = next(x for x in shown.splitlines() if x.startswith("Identifiers"))
        assert f"url:{address}" in line.split(":", 1)[1].strip().split(", "), line


@pytest.mark.parametrize("lang", LANGS)
def test_every_document_carries_language_and_direction(epub_out: Path, lang: str) -> None:
    for path in (story_epub(epub_out, lang), epub_out / "epub" / f"edition-{lang}.epub"):
        docs = [n for n in members(path) if n.endswith(".xhtml")]
        assert "EPUB/nav.xhtml" in docs and "EPUB/cover.xhtml" in docs
        for name in docs:
            root = etree.fromstring(members(path)[name])
            assert root.get("lang") == lang and root.get(XML_LANG) == lang, name
            assert root.get("dir") == ("rtl" if lang == "ar" else None), name
            assert root.findtext("x:head/x:title", namespaces=NS), name
        ncx = etree.fromstring(members(path)["EPUB/toc.ncx"])
        assert ncx.get(XML_LANG) == lang


def test_metadata_comes_from_the_story_never_the_clock(epub_out: Path, sample_story: Story) -> None:
    package = opf(story_epub(epub_out, "fr"))
    meta = package.find("opf:metadata", NS)
    variant = sample_story.variant("fr")
    assert meta.findtext("dc:title", namespaces=NS) == variant.headline
    assert meta.xpath("string(opf:meta[@property='dcterms:modified'])", namespaces=NS) == (
        "2021-02-18T18:30:00Z"
    )
    assert meta.findtext("dc:date", namespaces=NS) == "2021-02-18T19:30:00+01:00"
    assert [e.text for e in meta.findall("dc:creator", NS)] == ["YCPress"]
    assert meta.findtext("dc:publisher", namespaces=NS) == "YCPress"
    assert [e.text for e in meta.findall("dc:subject", NS)] == [
        "politique",
        "défense",
        "conflit, guerre et paix",
    ]
    assert meta.findtext("dc:rights", namespaces=NS) == "© 2021 YCPress. Tous droits réservés."
    assert meta.findtext("dc:description", namespaces=NS) == variant.summary
    assert not meta.xpath("opf:meta[@name='generator']", namespaces=NS)


def test_accessibility_metadata(epub_out: Path) -> None:
    for path in all_epubs(epub_out):
        meta = opf(path).find("opf:metadata", NS)
        props: dict[str, list[str]] = {}
        for m in meta.findall("opf:meta[@property]", NS):
            props.setdefault(m.get("property"), []).append(m.text)
        assert props["schema:accessMode"] == ["textual", "visual"]
        assert props["schema:accessModeSufficient"] == ["textual"]
        assert props["schema:accessibilityFeature"] == [
            "alternativeText",
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
        ]
        assert props["schema:accessibilityHazard"] == ["none"]
        assert props["schema:accessibilitySummary"][0]
        assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
        assert props["a11y:certifiedBy"] == ["YCPress"]


def test_cover_image_and_cover_page_outside_the_reading_order(epub_out: Path) -> None:
    for path in all_epubs(epub_out):
        package = opf(path)
        cover = package.xpath("opf:manifest/opf:item[@properties='cover-image']", namespaces=NS)
        assert len(cover) == 1 and cover[0].get("media-type") == "image/png"
        with Image.open(io.BytesIO(members(path)["EPUB/" + cover[0].get("href")])) as image:
            assert image.format == "PNG" and image.size == (1200, 1600)
        page = package.xpath("opf:manifest/opf:item[@href='cover.xhtml']/@id", namespaces=NS)[0]
        first = package.find("opf:spine/opf:itemref", NS)
        assert first.get("idref") == page and first.get("linear") == "no"
        landmarks = xhtml(path, "nav.xhtml").xpath(
            "//x:nav[@epub:type='landmarks']//x:a", namespaces=NS
        )
        kinds = {a.get(f"{{{NS['epub']}}}type"): a.get("href") for a in landmarks}
        assert kinds["cover"] == "cover.xhtml" and "bodymatter" in kinds
        img = xhtml(path, "cover.xhtml").find(".//x:img", NS)
        assert img.get("src") == cover[0].get("href") and "YCPress" in img.get("alt")


@pytest.mark.parametrize("lang", LANGS)
def test_story_table_of_contents(epub_out: Path, sample_story: Story, lang: str) -> None:
    path = story_epub(epub_out, lang)
    toc = xhtml(path, "nav.xhtml").xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    # The headline, then the story's subheadings, each a link to its place in the chapter.
    chapter = xhtml(path, f"story-{SAMPLE_SLUG}.xhtml")
    headings = chapter.xpath("//x:article/x:div//x:h2", namespaces=NS)
    assert headings
    expected = [sample_story.variant(lang).headline, *("".join(h.itertext()) for h in headings)]
    assert [a.text for a in toc] == expected
    assert [a.get("href") for a in toc[1:]] == [
        f"story-{SAMPLE_SLUG}.xhtml#{h.get('id')}" for h in headings
    ]
    ncx = etree.fromstring(members(path)["EPUB/toc.ncx"])
    labels = ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    assert labels == expected
    book = ebooklib_epub.read_epub(str(path), {"ignore_ncx": True})
    assert book.get_metadata("DC", "identifier")[0][0] == sample_story.variant_id(lang)


def test_edition_toc_nests_stories_under_sections(epub_out: Path, sample_story: Story) -> None:
    path = epub_out / "epub" / "edition-de.epub"
    nav = xhtml(path, "nav.xhtml").xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=NS)
    assert [li.findtext("x:a", namespaces=NS) for li in nav] == ["Politik"]
    stories = nav[0].xpath("x:ol/x:li/x:a", namespaces=NS)
    assert [a.text for a in stories] == [sample_story.variant("de").headline]
    contents = xhtml(path, "contents.xhtml")
    assert contents.xpath("string(//x:section[@id='section-politics']/x:h2)", namespaces=NS) == (
        "Politik"
    )
    spine = [i.get("idref") for i in opf(path).findall("opf:spine/opf:itemref", NS)]
    assert spine == ["cover", "contents", f"story-{SAMPLE_SLUG}"]


def test_edition_toc_reaches_every_heading_of_each_story(epub_out: Path) -> None:
    """A long story's sections were reachable from no table of contents: the nav and the NCX
    listed the headline alone. Under each story come its subheadings, each a link to the id
    of its heading in the chapter, in the edition as in the story's own book."""
    path = epub_out / "epub" / "edition-de.epub"
    nav = xhtml(path, "nav.xhtml")
    (story,) = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:ol/x:li", namespaces=NS)
    links = story.xpath("x:ol/x:li/x:a", namespaces=NS)
    chapter = xhtml(path, f"story-{SAMPLE_SLUG}.xhtml")
    headings = chapter.xpath("//x:article/x:div//x:h2", namespaces=NS)
    assert len(links) == len(headings) >= 2
    for link, heading in zip(links, headings, strict=True):
        page, _, anchor = link.get("href").partition("#")
        assert page == f"story-{SAMPLE_SLUG}.xhtml" and anchor == heading.get("id")
        assert link.text == "".join(heading.itertext())
    assert len(set(chapter.xpath("//@id"))) == len(chapter.xpath("//@id"))
    ncx = etree.fromstring(members(path)["EPUB/toc.ncx"])
    sources = ncx.xpath("//ncx:navPoint/ncx:content/@src", namespaces=NS)
    assert sources[-len(links) :] == [a.get("href") for a in links]
    depth = ncx.xpath("string(//ncx:meta[@name='dtb:depth']/@content)", namespaces=NS)
    assert depth == "3"  # section, story, heading


def test_a_heading_s_raised_and_lowered_text_reads_as_such_in_the_toc(tmp_path: Path) -> None:
    """The table of contents gives a heading's text as plain text does everywhere: "CO₂" and
    "10⁶", never "CO2" and "106" (the numbers run together)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    source = site / "articles" / SAMPLE_SLUG / "en.md"
    text = source.read_text(encoding="utf-8").replace(
        "## Expand the scope of activities", "## CO<sub>2</sub> and 10<sup>6</sup> troops"
    )
    source.write_text(text, encoding="utf-8")
    args = ["export", "-q", "-f", "epub", "--now", FIXED_NOW, "--lang", "en"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(site / "out")]
    assert main(args) == 0
    path = site / "out" / "epub" / f"{SAMPLE_SLUG}.en.epub"
    toc = xhtml(path, "nav.xhtml").xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert toc[1].text == "CO₂ and 10⁶ troops"
    ncx = etree.fromstring(members(path)["EPUB/toc.ncx"])
    assert "CO₂ and 10⁶ troops" in ncx.xpath("//ncx:navLabel/ncx:text/text()", namespaces=NS)


def test_outline_nests_headings_by_level() -> None:
    """Subheadings nest under the heading above them; one that skips a level (`####` under
    `##`) goes under the nearest above it; a heading in another language (an English
    "Correction" standing in) says so on its link."""
    from syndicate.formats.epub.book import _outline

    x = "{http://www.w3.org/1999/xhtml}"
    body = etree.Element(f"{x}div", lang="ur")
    for tag, text in (("h2", "A"), ("h3", "A.1"), ("h5", "A.1.x"), ("h4", "A.1.y"), ("h2", "B")):
        etree.SubElement(body, f"{x}{tag}").text = text
    aside = etree.SubElement(body, f"{x}aside", lang="en", dir="ltr")
    etree.SubElement(aside, f"{x}h2").text = "Correction"

    def shape(entries: tuple) -> list:
        return [(e.title, e.href, e.marks, shape(e.children)) for e in entries]

    assert shape(_outline(body, "s.xhtml", "ur")) == [
        (
            "A",
            "s.xhtml#heading-1",
            (),
            [
                (
                    "A.1",
                    "s.xhtml#heading-2",
                    (),
                    [
                        ("A.1.x", "s.xhtml#heading-3", (), []),
                        ("A.1.y", "s.xhtml#heading-4", (), []),
                    ],
                )
            ],
        ),
        ("B", "s.xhtml#heading-5", (), []),
        ("Correction", "s.xhtml#heading-6", (("lang", "en"), ("dir", "ltr")), []),
    ]
    assert [h.get("id") for h in body.iter(f"{x}h2")] == ["heading-1", "heading-5", "heading-6"]


def test_a_book_with_an_animated_image_claims_no_hazard_free_conformance(tmp_path: Path) -> None:
    """A story whose picture is an animated GIF (here a black and white flash, 5 a second) made
    books saying `accessibilityHazard` none and WCAG 2.1 AA: reading systems play it by
    itself, with no way to pause it (2.2.2), and nobody measured its flashes (2.3.1). Its
    books, and the edition holding it, say the hazards are unknown and claim no conformance."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    frames = [Image.new("RGB", (160, 90), colour) for colour in ("white", "black") * 5]
    picture = site / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    picture.write_bytes(buffer.getvalue())
    args = ["export", "-q", "-f", "epub", "--now", FIXED_NOW, "--lang", "en"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(site / "out")]
    assert main(args) == 0
    for name in (f"{SAMPLE_SLUG}.en.epub", "edition-en.epub"):
        package = opf(site / "out" / "epub" / name)
        said = {m.get("property"): m.text for m in package.iterfind("opf:metadata/opf:meta", NS)}
        assert said["schema:accessibilityHazard"] == "unknown", name
        assert "dcterms:conformsTo" not in said, name
        assert "a11y:certifiedBy" not in said, name


def mpo_site(root: Path) -> Path:
    """The sample site with the story's picture a phone's multi-picture JPEG (MPO: the photo,
    then a second view, as a 3D or portrait camera writes them)."""
    site = root / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    views = [Image.new("RGB", (160, 90), colour) for colour in ("white", "navy")]
    picture = site / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    buffer = io.BytesIO()
    views[0].save(buffer, "MPO", save_all=True, append_images=views[1:])
    picture.write_bytes(buffer.getvalue())
    args = ["export", "-q", "-f", "epub", "--now", FIXED_NOW, "--lang", "en"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(site / "out")]
    assert main(args) == 0
    return site / "out" / "epub"


def test_a_book_with_a_multi_picture_jpeg_holds_a_jpeg_and_keeps_its_claim(tmp_path: Path) -> None:
    """An MPO was refused as an unsupported format; once read as the JPEG it is, its several
    pictures are no animation (one is shown, nothing plays): the book holds it as image/jpeg
    and keeps its WCAG conformance claim and its hazards none."""
    books = mpo_site(tmp_path)
    for name in (f"{SAMPLE_SLUG}.en.epub", "edition-en.epub"):
        package = opf(books / name)
        said = {m.get("property"): m.text for m in package.iterfind("opf:metadata/opf:meta", NS)}
        assert said["schema:accessibilityHazard"] == "none", name
        assert "dcterms:conformsTo" in said, name
        types = {
            i.get("href"): i.get("media-type")
            for i in package.iterfind("opf:manifest/opf:item", NS)
        }
        assert [t for h, t in types.items() if "nato-iraq-mission" in h] == ["image/jpeg"], types


def test_a_book_with_an_animated_image_does_not_sum_itself_up_as_hazard_free(
    tmp_path: Path,
) -> None:
    """The accessibility summary, which reading systems show in words, said "no known hazards"
    ("aucun danger connu") in a book whose `accessibilityHazard` is `unknown` for its animated
    image: it says, in the book's language, that the book holds animation whose hazards are
    unknown. A book of still images keeps its summary."""
    from syndicate.i18n.terms import term

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    args = ["export", "-q", "-f", "epub", "--now", FIXED_NOW, "--lang", "en", "--lang", "fr"]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(site / "out")]

    def summaries() -> dict[tuple[str, str], str]:
        """Each book's summary, by its language and its file's name."""
        found = {}
        for lang in ("en", "fr"):
            for name in (f"{SAMPLE_SLUG}.{lang}.epub", f"edition-{lang}.epub"):
                package = opf(site / "out" / "epub" / name)
                (summary,) = package.xpath(
                    "opf:metadata/opf:meta[@property='schema:accessibilitySummary']/text()",
                    namespaces=NS,
                )
                found[lang, name] = summary
        return found

    assert main(args) == 0
    for (lang, name), summary in summaries().items():
        assert summary == term("accessibility_summary", lang), name
    frames = [Image.new("RGB", (160, 90), colour) for colour in ("white", "black") * 5]
    picture = site / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    picture.write_bytes(buffer.getvalue())
    assert main(args) == 0
    said = summaries()
    for (lang, name), summary in said.items():
        assert summary == term("accessibility_summary_animated", lang), name
        assert summary != term("accessibility_summary", lang), name
    assert "no known hazards" not in said["en", "edition-en.epub"]
    assert "aucun danger connu" not in said["fr", f"{SAMPLE_SLUG}.fr.epub"]


def test_story_page_has_headline_byline_dateline_date_and_figure(
    epub_out: Path, sample_story: Story
) -> None:
    doc = xhtml(story_epub(epub_out, "zh-Hans"), f"story-{SAMPLE_SLUG}.xhtml")
    variant = sample_story.variant("zh-Hans")
    assert doc.findtext(".//x:h1", namespaces=NS) == variant.headline
    assert doc.xpath("string(//x:p[@class='byline'])", namespaces=NS).endswith("YCPress")
    assert doc.xpath("string(//x:p[@class='dateline'])", namespaces=NS) == "布鲁塞尔，2021年2月18日"
    assert doc.xpath("string(//x:time/@datetime)", namespaces=NS) == "2021-02-18T19:30:00+01:00"
    img = doc.find(".//x:figure/x:img", NS)
    assert img.get("src") == f"images/{SAMPLE_SLUG}/nato-iraq-mission.png"
    assert img.get("alt") and doc.find(".//x:figure/x:figcaption/x:small", NS) is not None
    image = members(story_epub(epub_out, "zh-Hans"))["EPUB/" + img.get("src")]
    assert (
        image == (REPO / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png").read_bytes()
    )
    assert not doc.xpath("//x:img[starts-with(@src, 'http')]", namespaces=NS)


def test_opds_catalog_parses_and_every_acquisition_link_exists(epub_out: Path) -> None:
    nav = feedparser.parse((epub_out / "opds" / "catalog.xml").read_bytes())
    assert not nav.bozo, nav.get("bozo_exception")
    assert [e.link for e in nav.entries] == [f"{BASE_URL}opds/{lang}.xml" for lang in LANGS]
    acquired = set()
    for entry in nav.entries:
        link = next(ln for ln in entry.links if ln.rel == "subsection")
        assert "kind=acquisition" in link.type
        feed = feedparser.parse((epub_out / link.href.removeprefix(BASE_URL)).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        lang = entry.link.removeprefix(f"{BASE_URL}opds/").removesuffix(".xml")
        for book in feed.entries:
            assert book.title and book.author == "YCPress" and book.summary
            assert book.dcterms_language == lang
            links = {ln.rel: ln for ln in book.links}
            acquisition = links["http://opds-spec.org/acquisition"]
            assert acquisition.type == "application/epub+zip"
            target = epub_out / acquisition.href.removeprefix(BASE_URL)
            assert target.is_file() and target.suffix == ".epub"
            # The cover and thumbnail URLs carry the digest of the cover's bytes, so that a
            # cover drawn again (a corrected headline) is a new URL to catalog apps.
            cover = links["http://opds-spec.org/image"].href.removeprefix(BASE_URL)
            cover, _, version = cover.partition("?v=")
            assert version == hashlib.sha256((epub_out / cover).read_bytes()).hexdigest()[:12]
            thumb = links["http://opds-spec.org/image/thumbnail"].href.removeprefix(BASE_URL)
            assert thumb == f"{cover.replace('/covers/', '/thumbnails/')}?v={version}"
            assert (epub_out / thumb.partition("?")[0]).is_file()
            acquired.add(target)
    assert acquired == set(all_epubs(epub_out))


def test_opds_links_each_book_to_its_translated_books(epub_out: Path) -> None:
    """An OPDS app can go from a book to the same story's book in another language (an
    alternate link of the EPUB type with its hreflang); RFC 4287 4.1.1: never two alternates
    with the same type and hreflang. A language's feed has no alternate of its own (feed
    readers take the first as the feed's home page): the navigation feed lists the others."""
    atom = {"a": "http://www.w3.org/2005/Atom"}
    for lang in LANGS:
        feed = etree.parse(str(epub_out / "opds" / f"{lang}.xml")).getroot()
        others = [other for other in LANGS if other != lang]
        alternates = feed.xpath("a:link[@rel='alternate']", namespaces=atom)
        assert alternates == []
        up = feed.xpath("a:link[@rel='up']/@href", namespaces=atom)
        assert up == [f"{BASE_URL}opds/catalog.xml"]
        (story,) = feed.xpath("a:entry[contains(a:id, $slug)]", namespaces=atom, slug="nato")
        books = story.xpath(
            "a:link[@rel='alternate'][@type='application/epub+zip']", namespaces=atom
        )
        assert sorted((ln.get("hreflang"), ln.get("href")) for ln in books) == sorted(
            (other, f"{BASE_URL}epub/{SAMPLE_SLUG}.{other}.epub") for other in others
        )
        for book in books:
            assert (epub_out / book.get("href").removeprefix(BASE_URL)).is_file()
        kinds = [
            (ln.get("type"), ln.get("hreflang"))
            for ln in story.xpath("a:link[@rel='alternate']", namespaces=atom)
        ]
        assert len(kinds) == len(set(kinds)) == 1 + 2 * len(others)


def test_a_books_translations_follow_the_sites_order_of_languages(epub_out: Path) -> None:
    """A story page lists its translations in the order of syndicate.yaml's languages; its
    book's "Also available in", the book's `dc:relation`s and its OPDS entry's alternates
    listed them in the story's files' order: a reader found the same story's languages in two
    orders. All follow the site's order now."""
    assert list(LANGS) != sorted(LANGS)  # (the sample site's order is not alphabetical)
    atom = {"a": "http://www.w3.org/2005/Atom"}
    for lang in LANGS:
        want = [other for other in LANGS if other != lang]
        data = members(epub_out / "epub" / f"{SAMPLE_SLUG}.{lang}.epub")
        text = etree.fromstring(data[f"EPUB/story-{SAMPLE_SLUG}.xhtml"])
        links = text.xpath("//x:aside[@class='translations']//x:a/@hreflang", namespaces=NS)
        assert links == want, lang
        package = etree.fromstring(data["EPUB/content.opf"])
        relations = package.xpath("//dc:relation/text()", namespaces=NS)
        assert [r.rsplit(".", 2)[-2] for r in relations] == want, lang
        feed = etree.parse(str(epub_out / "opds" / f"{lang}.xml")).getroot()
        (entry,) = feed.xpath("a:entry[contains(a:id, $slug)]", namespaces=atom, slug="nato")
        for kind in ("text/html", "application/epub+zip"):
            path = f"a:link[@rel='alternate'][@type='{kind}']/@hreflang"
            assert entry.xpath(path, namespaces=atom) == want, (lang, kind)


def reversed_zip(source: Path, target: Path) -> Path:
    """The same members with `mimetype` last and compressed: what ebooklib-free tools write."""
    data = members(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(data, reverse=True):
            zf.writestr(name, data[name])
    return target


def test_structural_checks_accept_the_export_and_report_breakage(
    epub_out: Path, tmp_path: Path
) -> None:
    diags = Diagnostics()
    for path in all_epubs(epub_out):
        check_epub(path, diags)
    for feed in sorted((epub_out / "opds").glob("*.xml")):
        check_catalog(feed, epub_out, BASE_URL, diags)
    assert not list(diags)
    check_epub(reversed_zip(story_epub(epub_out, "en"), tmp_path / "bad.epub"), diags)
    check_catalog(epub_out / "opds" / "fr.xml", tmp_path, BASE_URL, diags)
    assert [d.code for d in diags.errors][:2] == ["epub.zip", "opds.link"]
    # At its file and line, as two fields (JSON's `path` a file, `line` a number).
    assert diags.errors[1].path == str(epub_out / "opds" / "fr.xml") and diags.errors[1].line > 0


@pytest.mark.slow
def test_validate_outputs_runs_epubcheck(
    epub_out: Path, site_config: SiteConfig, tmp_path: Path
) -> None:
    (tmp_path / "epub").mkdir()
    good = story_epub(epub_out, "ar").read_bytes()
    (tmp_path / "epub" / "good.epub").write_bytes(good)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members(story_epub(epub_out, "ar")).items():
            if name != "EPUB/style.css":
                zf.writestr(name, data)
    (tmp_path / "epub" / "bad.epub").write_bytes(repack(buffer.getvalue()))
    diags = Diagnostics()
    ctx = Context(site_config, NOW, LANGS, EpubOptions(), diags, "epub")
    EpubWriter().validate_outputs(tmp_path, ctx)
    assert diags.errors and {d.code for d in diags} == {"epub.epubcheck"}
    assert all(d.path.startswith(str(tmp_path / "epub" / "bad.epub")) for d in diags)


def test_golden_members(
    epub_out: Path, tmp_path: Path, golden: Callable[[Path, str], None]
) -> None:
    """Every text member of every EPUB and the OPDS feeds; images are listed, not compared,
    because the cover PNGs depend on the fonts installed."""
    tree = tmp_path / "golden"
    for path in all_epubs(epub_out):
        files = members(path)
        folder = tree / path.stem
        folder.mkdir(parents=True)
        (folder / "members.txt").write_text("\n".join(files) + "\n", encoding="utf-8")
        for name, data in files.items():
            if not name.endswith(".png"):
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    for feed in sorted((epub_out / "opds").glob("*.xml")):
        (tree / "opds").mkdir(exist_ok=True)
        (tree / "opds" / feed.name).write_bytes(feed.read_bytes())
    golden(tree, "epub")


def test_the_catalog_dates_a_book_by_the_day_its_book_says(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """`dc:issued` was the date part of `published` as the editor typed it: the same instant
    written `2025-12-31T18:30:00Z` or `2026-01-01T00:00:00+05:30` gave two days. It is the
    day in the story's time zone (Kolkata: January 1st), an edition's the edition's day."""
    import dataclasses

    from conftest import export_stories

    published = datetime(2025, 12, 31, 18, 30, tzinfo=UTC)
    story = dataclasses.replace(
        sample_story,
        timezone="Asia/Kolkata",
        first_created=published,
        published=published,
        updated=published,
    )
    files, _ = export_stories([story], site_config, "epub", languages=("en",))
    root = etree.fromstring(files["opds/en.xml"])
    dc, atom = "{http://purl.org/dc/terms/}", "{http://www.w3.org/2005/Atom}"
    issued = {
        e.findtext(f"{atom}title"): e.findtext(f"{dc}issued") for e in root.iter(f"{atom}entry")
    }
    assert issued[story.variant("en").headline] == "2026-01-01"
    edition = next(title for title in issued if title != story.variant("en").headline)
    assert issued[edition] == "2025-12-31"  # the edition's day, in the site's zone (Brussels)


def test_translators_and_photographers_are_contributors_not_creators(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A translator or a photographer is the book's `dc:contributor` with a MARC relator role
    and the catalog entry's `contributor`, as the feeds and JSON-LD say it (docs/sources.md);
    both were listed among the creators and authors, as if they had written the story. The
    state's summaries carry them back (`to_json`), and a byline of contributors alone leaves
    the publisher the creator."""
    import dataclasses

    from conftest import export_stories

    from syndicate.model.story import Byline, Person
    from syndicate.model.summary import StorySummary

    people = (
        Person("Jane Martin", "correspondent"),
        Person("Li Wei", "translator"),
        Person("Omar Haddad", "photos"),
    )
    variants = tuple(
        dataclasses.replace(v, byline=Byline(people, "YCPress"))
        if v.lang == "en"
        else dataclasses.replace(v, byline=Byline(people[1:]))
        for v in sample_story.variants
    )
    story = dataclasses.replace(sample_story, variants=variants)
    summary = StorySummary.of(story)
    assert StorySummary.from_json(summary.to_json()) == summary
    assert summary.variant("en").contributors == (
        ("Li Wei", "translator"),
        ("Omar Haddad", "photographer"),
    )
    files, _ = export_stories([story], site_config, "epub", languages=("en", "fr"))
    for lang, creators in (("en", ["Jane Martin", "YCPress"]), ("fr", ["YCPress"])):
        with zipfile.ZipFile(io.BytesIO(files[f"epub/{story.slug}.{lang}.epub"])) as zf:
            package = etree.fromstring(zf.read("EPUB/content.opf"))
        assert package.xpath("//dc:creator/text()", namespaces=NS) == creators
        contributors = package.xpath("//dc:contributor", namespaces=NS)
        assert [c.text for c in contributors] == ["Li Wei", "Omar Haddad"]
        roles = [
            package.xpath(
                "string(//opf:meta[@refines=$ref][@property='role'][@scheme='marc:relators'])",
                namespaces=NS,
                ref=f"#{c.get('id')}",
            )
            for c in contributors
        ]
        assert roles == ["trl", "pht"]
    catalog = feedparser.parse(files["opds/en.xml"])
    (entry,) = [e for e in catalog.entries if e.title == story.variant("en").headline]
    assert [a.get("name") for a in entry.authors] == ["Jane Martin", "YCPress"]
    assert [c.get("name") for c in entry.contributors] == ["Li Wei", "Omar Haddad"]


def test_a_catalog_entry_s_borrowed_rights_say_their_language(
    sample_story: Story, site_config: SiteConfig, shared_dir: Path
) -> None:
    """A copyright notice written in English only was the `<rights>` of the Arabic catalog's
    entries (the book's and the edition's), whose `xml:lang="ar"` it inherited, as the Atom
    feeds' entries once did: an OPDS app took English for Arabic. It says its language; a
    notice of the entry's own says none."""
    atom = "{http://www.w3.org/2005/Atom}"
    rights = dataclasses.replace(sample_story.rights, notice=Localized((("en", "© YCPress"),)))
    story = dataclasses.replace(sample_story, rights=rights)
    files, _ = export_stories([story], site_config, "epub")
    arabic = etree.fromstring(files["opds/ar.xml"], safe_parser())
    said = [(r.text, r.get(XML_LANG)) for r in arabic.iterfind(f"{atom}entry/{atom}rights")]
    assert said == [("© YCPress", "en")] * 2, "the edition's entry and the book's"
    english = etree.fromstring(files["opds/en.xml"], safe_parser())
    own = [(r.text, r.get(XML_LANG)) for r in english.iterfind(f"{atom}entry/{atom}rights")]
    assert own == [("© YCPress", None)] * 2
    schema = etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))
    assert schema.validate(arabic), schema.error_log
    # The books themselves: their package's dc:rights (the story's book and the edition).
    for name in (f"epub/{story.slug}.ar.epub", "epub/edition-ar.epub", "epub/edition-en.epub"):
        with zipfile.ZipFile(io.BytesIO(files[name])) as zf:
            package = etree.fromstring(zf.read("EPUB/content.opf"))
        (element,) = package.xpath("//dc:rights", namespaces=NS)
        assert (element.text, element.get(XML_LANG)) == (
            "© YCPress",
            None if name.endswith("-en.epub") else "en",
        ), name


def test_a_cover_drawn_again_is_a_new_url_in_the_catalog(site: Path) -> None:
    """A corrected headline redraws the story book's cover (and a new day's edition its own)
    at the same path: the catalog linked it by that path alone, so catalog apps, which keep
    covers by URL, showed the old headline's cover. Its links carry the digest of the cover's
    bytes, as every story image's do; the edition's, drawn again only when its book is, is
    the same whether this run made the book or not."""
    out = site / "out"
    args = ["export", "-q", "-f", "epub", "-j", "1", "--now", FIXED_NOW]
    args += ["--config", str(site / "syndicate.yaml"), "--out", str(out)]

    def covers() -> dict[str, str]:
        feed = etree.parse(str(out / "opds" / "en.xml")).getroot()
        found = {}
        for link in feed.iter("{http://www.w3.org/2005/Atom}link"):
            if link.get("rel") == "http://opds-spec.org/image":
                path, _, version = link.get("href", "").removeprefix(BASE_URL).partition("?v=")
                digest = hashlib.sha256((out / path).read_bytes()).hexdigest()[:12]
                assert version == digest, (path, version, digest)
                found[path] = version
        return found

    assert main(args) == 0
    before = covers()
    book = f"opds/covers/{SAMPLE_SLUG}.en.png"
    assert set(before) == {book, "opds/covers/edition-en.png"}
    en = site / "articles" / SAMPLE_SLUG / "en.md"
    text = en.read_text(encoding="utf-8")
    en.write_text(text.replace("headline: NATO will", "headline: NATO is to", 1), encoding="utf-8")
    assert main(args) == 0
    after = covers()
    assert after[book] != before[book]
    assert after["opds/covers/edition-en.png"] == before["opds/covers/edition-en.png"]


def test_a_books_script_rules_follow_the_pages_script_lists(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The books' stylesheet reset the kicker's letter-spacing for `ar`, `fa`, `ur` and a bare
    `:lang(zh)` alone: a Pashto, Sorani, Sindhi, Uyghur, Punjabi-of-Pakistan book spread its
    kicker's joined letters apart, a Japanese, Korean or Cantonese one crowded... tracked its
    characters, and a Chinese book in Latin letters (`zh-Latn`) lost its tracking. It names
    the languages of the pages' stylesheet (`syndicate.i18n.scripts`), in CSS 2.1 selectors a
    reading system without Selectors 4 reads, for every tag CLDR has: and the other scripts
    whose letters join, Devanagari, Bengali and Gurmukhi (a headstroke spacing cuts), Syriac,
    Mongolian, N'Ko... (cursive), whose kicker was tracked too."""
    from test_html import JOINED, _script_or_none, page_tags

    rules = _book_css_cascade(sample_story, site_config)
    cjk = {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
    wrong = []
    for tag in sorted(page_tags()):
        written = _script_or_none(tag)
        if written is None:
            continue
        untracked = written == "Arab" or written in cjk or written in JOINED
        if (_computed(rules, "letter-spacing", tag, ".kicker") == "0") != untracked:
            wrong.append(f"{tag} ({written})")
    assert wrong == []


def _book_css_cascade(story: Story, config: SiteConfig) -> list[tuple[list[str], dict[str, str]]]:
    """The books' stylesheet as its rules in order, each its selectors and its declarations;
    each selector in CSS 2.1 (no `:is`, `:where`, nor `:not`: calibre's conversion drops a
    rule with a `:not(:lang())` whole, tests/test_epub_calibre.py)."""
    files, diags = export_stories([story], config, "epub", languages=["ar"])
    assert not diags.errors, [d.format_text() for d in diags]
    with zipfile.ZipFile(io.BytesIO(files[f"epub/{SAMPLE_SLUG}.ar.epub"])) as book:
        css = book.read("EPUB/style.css").decode("utf-8")
    rules = []
    for rule in css.split("}")[:-1]:
        head, declarations = rule.split("{")
        selectors = [" ".join(s.split()) for s in head.split(",")]
        assert all(f":{name}(" not in s for s in selectors for name in ("is", "where", "not"))
        rules.append(
            (
                selectors,
                {
                    p.strip(): v.strip()
                    for p, _, v in (d.partition(":") for d in declarations.split(";")[:-1])
                },
            )
        )
    return rules


def _computed(
    rules: list[tuple[list[str], dict[str, str]]], prop: str, tag: str, inner: str, on: str = ""
) -> str | None:
    """The value the books' script rules give `prop` of `inner` (`em`, `em strong`, `""` for
    the element itself) whose own language is `tag` and whose selector starts with `on`
    (`[lang]`): the last rule's that matches, as the cascade picks among rules of one
    specificity; None if no script rule does. The `:lang()` is on the element styled
    (`em:lang(zh)`): its own language
    (test_a_books_script_rules_ask_the_styled_elements_language)."""
    from test_html import _lang_matches

    value = None
    for selectors, declarations in rules:
        if prop not in declarations:
            continue
        for selector in selectors:
            element, lang, range_ = selector.partition(":lang(")
            scope = lang + range_
            if lang and element == f"{on}{inner}" and _lang_matches(scope, tag):
                value = declarations[prop]
    return value


def test_a_books_script_rules_ask_the_styled_elements_language(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The script rules asked an ancestor's language (`:lang(zh) em`, `:lang(zh-Latn) em`), so
    the book's `<html lang>` matched for every passage in it: a Chinese passage's emphasis in a
    `zh-Latn` book was italic (the give-back rule of `zh-Latn` matched through `<html>`, and
    came later), as was Arabic-script Sindhi's in an `sd-Deva` book and Kashmiri's in a
    `ks-Deva` one, and an English passage's in an Arabic book was upright bold. Each `:lang()`
    is now on the element styled (`em:lang(zh)`), the last compound of its selector."""
    rules = _book_css_cascade(sample_story, site_config)
    scripted = [s for selectors, _ in rules for s in selectors if ":lang(" in s]
    assert any(s == "em:lang(zh)" for s in scripted) and any(
        s == "em:lang(zh-Latn)" for s in scripted
    )
    wrong = [s for s in scripted if " " in s.split(":lang(", 1)[1]]
    assert wrong == []


def test_a_books_emphasis_is_upright_and_its_arabic_script_set_in_the_pages_naskh(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """Opened in a reading system (foliate-js in Chromium, tests/test_epub_reader.py), an
    Arabic book's emphasis was slanted, the browser's italic for `<em>`: a synthetic oblique
    that breaks Arabic script's joined letters (the pages set it upright), and so was a
    Chinese or Japanese book's (a slanted distortion of CJK characters, whose emphasis is by
    weight: the pages make it bold); and its text was drawn in DejaVu Sans, the first face
    fontconfig finds for Arabic, not the Naskh the pages set it in. The books' stylesheet now
    says what the pages' does, for the same languages, in CSS 2.1 selectors; the Arabic faces on
    every element that says its language, so a caption in Arabic in another book has them.
    A Hebrew book's emphasis was slanted too, a Hindi, Bengali, Tamil or Thai one's: scripts
    with no italic, whose emphasis is bold (docs/formats/html-jsonld.md), upright and bold now; a
    Punjabi book of Pakistan (`pa-PK`, Arabic script) keeps its own although Punjabi (`pa`,
    Gurmukhi) is in that list with it as an exception."""
    from test_html import NO_ITALIC, _script_or_none, page_tags

    rules = _book_css_cascade(sample_story, site_config)
    pages = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    naskh = pages.split("--serif: ")[2].split(";")[0]  # the Arabic script's, after the Latin's
    assert naskh.startswith('"Noto Naskh Arabic"'), naskh
    cjk = {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
    wrong = []
    for tag in sorted(page_tags()):
        written = _script_or_none(tag)
        if written is None:
            continue
        said = {
            "upright": _computed(rules, "font-style", tag, "em") == "normal",
            "bold": _computed(rules, "font-weight", tag, "em") == "bold",
            "naskh": _computed(rules, "font-family", tag, "", on="[lang]")
            == " ".join(naskh.split()),
        }
        by_weight = written == "Arab" or written in cjk or written in NO_ITALIC
        meant = {
            "upright": by_weight,
            "bold": by_weight,  # (upright alone shows nothing)
            "naskh": written == "Arab",
        }
        if said != meant:
            wrong.append(f"{tag} ({written}): {said}")
    assert wrong == []


def test_a_books_emphasis_within_emphasis_stands_out_in_arabic_script_and_cjk(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """Emphasis is bold in Arabic-script and CJK books, so `*a*` within `**b**` (or the other
    way round) was bold on bold: nothing showed. Both nestings are at the text's weight in
    every language CLDR writes in those scripts, CJK ones with emphasis dots in the property's
    three spellings (EPUB 3.0's `-epub-`, WebKit's, CSS's), below the line in Chinese; in CSS 2.1
    selectors (tests/test_epub_reader.py sees them drawn in a reading system). So in the
    scripts with no italic, whose emphasis is bold too (Hebrew, Devanagari, Thai...)."""
    from test_html import NO_ITALIC, _script_or_none, page_tags

    rules = _book_css_cascade(sample_story, site_config)
    wrong = []
    for tag in sorted(page_tags()):
        written = _script_or_none(tag)
        if written is None:
            continue
        said = {
            f"light {inner}": _computed(rules, "font-weight", tag, inner) == "normal"
            for inner in ("em strong", "strong em")
        }
        for name, prop, value in (
            ("dots", "text-emphasis-style", "filled dot"),
            ("below", "text-emphasis-position", "under right"),
        ):
            for inner in ("em strong", "strong em"):
                spelt = {
                    _computed(rules, f"{prefix}{prop}", tag, inner) == value
                    for prefix in ("-epub-", "-webkit-", "")
                }
                assert len(spelt) == 1, (tag, prop, inner)  # the three spellings alike
                said[f"{name} {inner}"] = spelt.pop()
        cjk = written in {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
        chinese = written in {"Hani", "Hans", "Hant"}
        meant = {
            f"{name} {inner}": value
            for name, value in (("light", written in {"Arab", *NO_ITALIC} or cjk), ("dots", cjk))
            for inner in ("em strong", "strong em")
        } | {f"below {inner}": chinese for inner in ("em strong", "strong em")}
        if said != meant:
            wrong.append(f"{tag} ({written}): {said}")
    assert wrong == []


def test_a_books_emphasis_in_a_heading_stands_out_where_emphasis_is_bold(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """Emphasis is bold in Arabic-script, CJK and no-italic books (Hebrew, Devanagari, Thai...),
    so a subheading's or a table header's `*word*`, bold within bold, showed nothing (a Hebrew
    book's was italic before it went bold). It is at the text's weight there, in every language
    CLDR writes in those scripts; elsewhere the reading system's (italic, in the bold)."""
    from test_html import NO_ITALIC, _script_or_none, page_tags

    rules = _book_css_cascade(sample_story, site_config)
    wrong = []
    for tag in sorted(page_tags()):
        written = _script_or_none(tag)
        if written is None:
            continue
        by_weight = written in {"Arab", *NO_ITALIC, "Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
        for outer in ("h2", "h3", "h4", "h5", "h6", "th"):
            light = _computed(rules, "font-weight", tag, f"{outer} em") == "normal"
            if light != by_weight:
                wrong.append(f"{tag} ({written}): {outer} em at the text's weight: {light}")
    assert wrong == []
