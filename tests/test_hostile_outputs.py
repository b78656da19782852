"""The hostile stories through every format: no executable markup from the input survives in any
output file, and text that looks like markup, or tries to end a CDATA section, a script or a
comment, comes through as the same text."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import PLAIN_COVERS, REPO, SAMPLE_SLUG
from lxml import etree
from lxml import html as lxml_html

from syndicate.cli import main

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
# The hostile stories that are valid (with warnings); the others are refused by the reader.
STORIES = (
    "raw-html",
    "html-evasion",
    "breakout-text",
    "bidi-headline",
    "bidi-fields",
    "markup-in-fields",
    "ol-start",
    "evil-html",
)
# Stories whose headline, byline and code look like markup or try to break out of their context.
TEXT_STORIES = ("breakout-text", "markup-in-fields")
BREAKOUT_CODE = "</script><script>alert(1)</script>"
FORMATS = (
    "newsml", "atom", "rss", "epub", "opds", "jsonld", "html", "model", "ninjs", "jsonfeed",
    "sitemaps",
)  # fmt: skip

# Payloads the sanitiser removes whole: not even their text may reach an output. (The `alert(1)`
# of breakout-text is Markdown code, which is text and must survive, so `alert(` is no marker.)
REMOVED = (
    "steal()",
    'alert("xss")',
    "evil.example",
    "base64,aaaa",
    "pwn",
    "javascript:",
    "vbscript:",
    "display: none",
    "position:fixed",
)
FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "input", "button", "textarea", "select", "svg", "math", "template", "noscript", "base",
}  # fmt: skip
FORBIDDEN_RAW = ("<script", "<style", "<iframe", "<form", "<object", "<embed", "<svg", "<math")
EXECUTABLE_URL = re.compile(r"^(javascript|vbscript|data):")
CONTROLS_AND_SPACE = re.compile(r"[\x00-\x20]")
RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
XHTML_TYPE = "application/xhtml+xml"
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Document:
    name: str
    data: bytes


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`export --format all` of the hostile stories and the sample story."""
    root = tmp_path_factory.mktemp("hostile")
    articles = root / "articles"
    for slug in STORIES:
        shutil.copytree(HOSTILE / "articles" / slug, articles / slug)
    shutil.copytree(REPO / "articles" / SAMPLE_SLUG, articles / SAMPLE_SLUG)
    config = root / "syndicate.yaml"
    text = (HOSTILE / "syndicate.yaml").read_text(encoding="utf-8")
    site = (REPO / "articles" / "_site").as_posix()
    config.write_text(text.replace("../../../articles/_site", site), encoding="utf-8")
    out = root / "out"
    where = ["--config", str(config), "--articles", str(articles), "--out", str(out)]
    args = ["export", "-q", "--format", "all", "--now", "2026-01-06T00:00:00Z", *where]
    status = main(args, registry=PLAIN_COVERS)
    assert status == 0
    return out


def documents(out: Path, fmt: str) -> Iterator[Document]:
    """Every file of a format; an EPUB's members one by one."""
    files = sorted(p for p in (out / fmt).rglob("*") if p.is_file())
    assert files, f"no {fmt} output"
    for path in files:
        name = str(path.relative_to(out))
        if path.suffix != ".epub":
            yield Document(name, path.read_bytes())
            continue
        with zipfile.ZipFile(path) as book:
            for member in book.namelist():
                yield Document(f"{name}/{member}", book.read(member))


def source_fields(slug: str) -> dict[str, object]:
    """The front matter of a story's en.md, read here independently of syndicate's reader."""
    text = (HOSTILE / "articles" / slug / "en.md").read_text(encoding="utf-8")
    fields: dict[str, object] = yaml.safe_load(text.split("---\n")[1])
    return fields


def headline(slug: str) -> str:
    return str(source_fields(slug)["headline"])


# Checks shared by every format ----------------------------------------------------------------


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}


def assert_no_removed_payload(doc: Document) -> None:
    if Path(doc.name).suffix in IMAGE_SUFFIXES:
        # Compressed pixels, served as images: any three letters can occur in them by chance,
        # and no reader interprets them as markup (the reader checks each image's real format).
        return
    text = doc.data.decode("utf-8", errors="replace").lower()
    for marker in REMOVED:
        assert marker not in text, f"{doc.name}: {marker!r} survived"


def assert_inert_tree(root: etree._Element, where: str, page: bool = False) -> None:
    """No element that runs code or takes input, no event handler, no executable URL. An HTML
    page may have its own JSON-LD script and stylesheet in its head, nothing else."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname.lower()
        if name in FORBIDDEN_ELEMENTS:
            assert page and _own_head_element(el), f"{where}: <{name}> element"
        for attr, value in el.attrib.items():
            attr_name = attr.rpartition("}")[2].rpartition(":")[2].lower()
            assert not attr_name.startswith("on"), f"{where}: {attr_name} attribute"
            url = CONTROLS_AND_SPACE.sub("", value).lower()
            assert not EXECUTABLE_URL.match(url), f"{where}: {attr_name}={value!r}"
        if _carries_html(el):
            assert_inert_html(el.text or "", f"{where} <{name}>")


def _own_head_element(el: etree._Element) -> bool:
    parent = el.getparent()
    in_head = parent is not None and parent.tag == "head"
    if el.tag == "script":
        return in_head and el.get("type") == "application/ld+json"
    if el.tag == "base":  # a section page's, one folder down: its links read from out/html/
        return in_head and el.get("href") == "../"
    return in_head and el.tag == "style"


def _carries_html(el: etree._Element) -> bool:
    """RSS descriptions and content, and Atom text constructs of type html, hold escaped HTML
    that readers render: it must be inert too."""
    return el.tag in {"description", RSS_CONTENT} or el.get("type") == "html"


def assert_inert_html(markup: str, where: str) -> None:
    lowered = markup.lower()
    for raw in FORBIDDEN_RAW:
        assert raw not in lowered, f"{where}: {raw!r} in escaped HTML"
    if markup.strip():
        for node in lxml_html.fragments_fromstring(markup):
            if not isinstance(node, str):
                assert_inert_tree(node, where)


def assert_inert_xml(doc: Document) -> etree._Element:
    """Well-formed, and inert both as markup and in its raw bytes."""
    root = etree.fromstring(doc.data, SAFE_XML)
    raw = doc.data.decode("utf-8").lower()
    for tag in FORBIDDEN_RAW:
        assert tag not in raw, f"{doc.name}: {tag!r}"
    assert_inert_tree(root, doc.name)
    return root


XML_SUFFIXES = {".xml", ".xhtml", ".opf", ".ncx"}


def assert_inert_page(doc: Document, out: Path) -> None:
    """An HTML page: its one JSON-LD script and stylesheet, nothing else that runs; the JSON-LD
    cannot be cut short by the text it carries and says what the .jsonld file says."""
    raw = doc.data.decode("utf-8").lower()
    assert raw.count("<script") == 1 and raw.count("<style") == 1, doc.name
    for tag in FORBIDDEN_RAW:
        assert tag in {"<script", "<style"} or tag not in raw, f"{doc.name}: {tag!r}"
    page = lxml_html.document_fromstring(doc.data)
    assert_inert_tree(page, doc.name, page=True)
    (script,) = page.iter("script")
    embedded = script.text or ""
    assert "</" not in embedded and "<!--" not in embedded, doc.name
    data = json.loads(embedded)
    twin = out / "jsonld" / Path(doc.name).with_suffix(".jsonld").name
    if twin.is_file():
        assert data == json.loads(twin.read_bytes()), doc.name


def parsed_xml(out: Path, name: str) -> etree._Element:
    """One XML output or EPUB member (`epub/<book>.epub/<member>`), parsed."""
    book, _, member = name.partition(".epub/")
    if member:
        with zipfile.ZipFile(out / f"{book}.epub") as zf:
            return etree.fromstring(zf.read(member), SAFE_XML)
    return etree.parse(str(out / name), SAFE_XML).getroot()


def xml_text(root: etree._Element, local: str) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{{*}}{local}")]


def article(out: Path, slug: str) -> dict[str, object]:
    graph = json.loads((out / "jsonld" / f"{slug}.en.jsonld").read_bytes())
    node: dict[str, object] = next(n for n in graph["@graph"] if n["@type"] == "NewsArticle")
    return node


def html_page(out: Path, slug: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring((out / "html" / f"{slug}.en.html").read_bytes())


# No executable markup, per format -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_executable_markup_survives(hostile_out: Path, fmt: str) -> None:
    rendered = 0
    for doc in documents(hostile_out, fmt):
        assert_no_removed_payload(doc)
        suffix = Path(doc.name).suffix
        if suffix == ".html":
            assert_inert_page(doc, hostile_out)
        elif suffix in XML_SUFFIXES:
            assert_inert_xml(doc)
        elif suffix in {".json", ".jsonld"}:
            for markup in json_markup(json.loads(doc.data)):
                assert_inert_html(markup, doc.name)
                rendered += 1
    assert rendered or fmt not in {"ninjs", "jsonfeed"}, "no body found to check"


def json_markup(data: object) -> Iterator[str]:
    """The strings of a JSON document that readers render as markup: JSON Feed's
    `content_html`, a ninjs body whose content type is XHTML. (Other strings are text.)"""
    if isinstance(data, list):
        for value in data:
            yield from json_markup(value)
    elif isinstance(data, dict):
        kind = data.get("contentType", data.get("contenttype"))
        for key, value in data.items():
            rendered = key == "content_html" or (key == "value" and kind == XHTML_TYPE)
            if rendered and isinstance(value, str):
                yield value
            else:
                yield from json_markup(value)


# Text that looks like markup stays the same text, per format ----------------------------------


@pytest.mark.parametrize("fmt", ["atom", "rss", "opds"])
def test_feed_readers_get_the_source_text(hostile_out: Path, fmt: str) -> None:
    feed = feedparser.parse((hostile_out / fmt / "en.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    titles = {entry.title for entry in feed.entries}
    for slug in TEXT_STORIES:
        assert headline(slug) in titles  # ]]>, </script>, <!-- and tags come through as text
    authors = {entry.get("author") for entry in feed.entries}
    assert source_fields("markup-in-fields")["byline"]["people"][0]["name"] in authors


def test_newsml_keeps_the_source_text(hostile_out: Path) -> None:
    breakout = parsed_xml(hostile_out, "newsml/breakout-text.en.xml")
    assert xml_text(breakout, "headline") == [headline("breakout-text")]
    assert BREAKOUT_CODE in xml_text(breakout, "code")
    fields = parsed_xml(hostile_out, "newsml/markup-in-fields.en.xml")
    # The alternative headline is the second, its markup text as written (`synhl:alternative`).
    alternative = str(source_fields("markup-in-fields")["alt_headline"])
    assert xml_text(fields, "headline") == [headline("markup-in-fields"), alternative]
    assert xml_text(fields, "description") == [source_fields("markup-in-fields")["summary"]]


def test_epub_keeps_the_source_text(hostile_out: Path) -> None:
    for slug in TEXT_STORIES:
        chapter = parsed_xml(hostile_out, f"epub/{slug}.en.epub/EPUB/story-{slug}.xhtml")
        assert headline(slug) in xml_text(chapter, "h1")
    chapter = parsed_xml(hostile_out, "epub/breakout-text.en.epub/EPUB/story-breakout-text.xhtml")
    assert BREAKOUT_CODE in xml_text(chapter, "code")


def test_jsonld_keeps_the_source_text(hostile_out: Path) -> None:
    for slug in TEXT_STORIES:
        assert article(hostile_out, slug)["headline"] == headline(slug)
    assert BREAKOUT_CODE in str(article(hostile_out, "breakout-text")["articleBody"])


def test_html_pages_keep_the_source_text(hostile_out: Path) -> None:
    for slug in TEXT_STORIES:
        assert [h.text_content() for h in html_page(hostile_out, slug).iter("h1")] == [
            headline(slug)
        ]
    codes = [code.text_content() for code in html_page(hostile_out, "breakout-text").iter("code")]
    assert BREAKOUT_CODE in codes


def test_model_dump_keeps_the_source_text(hostile_out: Path) -> None:
    dump = json.loads((hostile_out / "model" / "breakout-text.json").read_bytes())
    assert headline("breakout-text") in json.dumps(dump, ensure_ascii=False)


def test_every_format_is_checked(hostile_out: Path) -> None:
    written = {p.name for p in hostile_out.iterdir() if p.is_dir() and p.name[0] != "."}
    assert written == set(FORMATS)


def test_an_image_is_published_with_the_extension_of_its_format(hostile_out: Path) -> None:
    """`images/evil.html` is a real PNG with a script in a text chunk: published as
    `evil.png`, it is an image wherever it is served, never a page on the site's origin."""
    source = (HOSTILE / "articles" / "evil-html" / "images" / "evil.html").read_bytes()
    assert (hostile_out / "html" / "media" / "evil-html" / "evil.png").read_bytes() == source
    media = hostile_out / "html" / "media" / "evil-html"
    assert [p.name for p in media.iterdir()] == ["evil.png"]
    assert not [p for p in hostile_out.rglob("evil.html")]
    base = "https://ycpress.example/syndicate/"
    for path, media in (
        ("atom/en.xml", "html/media"),
        ("jsonld/evil-html.en.jsonld", "html/media"),
        ("newsml/evil-html.en.xml", "newsml/media"),  # wire formats carry their own copies
        ("ninjs/evil-html.en.json", "ninjs/media"),
    ):
        text = (hostile_out / path).read_text(encoding="utf-8")
        url = f"{base}{media}/evil-html/evil.png"
        assert url in text and "evil.html" not in text, path
        assert (hostile_out / media / "evil-html/evil.png").read_bytes() == source
    with zipfile.ZipFile(hostile_out / "epub" / "evil-html.en.epub") as book:
        assert "EPUB/images/evil-html/evil.png" in book.namelist()


def test_a_list_start_that_is_no_number_is_dropped(hostile_out: Path) -> None:
    page = html_page(hostile_out, "ol-start")
    (ol,) = page.iter("ol")
    assert ol.get("start") is None and [li.text_content() for li in ol] == ["first", "second"]
