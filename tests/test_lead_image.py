"""A story's lead image: an image story.yaml lists that no language's body places is shown, as
a placed figure is (alt text, caption, credit), before the body of every page and book, while
the wire formats and feeds carry it as media as they always did; an image placed in some
languages' bodies but not in others is an `image.unplaced` warning, and the languages that
leave it out show it nowhere."""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import (
    FIXED_NOW,
    PLAIN_COVERS,
    REPO,
    SAMPLE_IMAGE,
    SAMPLE_SLUG,
    SAMPLE_V,
    export_stories,
    plain_cover,
)
from lxml import etree
from lxml import html as lxml_html
from test_epub import LANGS, NS, members, opf, xhtml

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.epub.writer import EpubWriter
from syndicate.model import Figure, SiteConfig, Story, walk
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config

FIGURE_LINE = "![](images/nato-iraq-mission.png)"
CHAPTER = f"story-{SAMPLE_SLUG}.xhtml"
PACKAGED = f"EPUB/images/{SAMPLE_SLUG}/nato-iraq-mission.png"


def lead_site(root: Path, placed_in: Sequence[str] = (), story_yaml: str | None = None) -> Path:
    """The sample site with the picture's `![](...)` taken out of every body but those of
    `placed_in`; `story_yaml`, when given, is the story's story.yaml."""
    site = root / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    story = site / "articles" / SAMPLE_SLUG
    for lang in LANGS:
        if lang not in placed_in:
            md = story / f"{lang}.md"
            text = md.read_text(encoding="utf-8")
            assert f"\n{FIGURE_LINE}\n" in text
            md.write_text(text.replace(f"\n{FIGURE_LINE}\n", "\n"), encoding="utf-8")
    if story_yaml is not None:
        (story / "story.yaml").write_text(story_yaml, encoding="utf-8")
    return site


def export_site(site: Path, *formats: str, strict: bool = False) -> tuple[int, Path]:
    out = site / "out"
    args = ["export", "-q", "--now", FIXED_NOW, "--out", str(out), "-j", "1"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    args += [arg for name in formats for arg in ("-f", name)]
    return main([*args, *(["--strict"] if strict else [])], registry=PLAIN_COVERS), out


def read_site(site: Path) -> tuple[list[Story], Diagnostics]:
    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None
    return read_articles(site / "articles", config, diags), diags


def page_body(out: Path, lang: str) -> lxml_html.HtmlElement:
    page = lxml_html.fromstring((out / "html" / f"{SAMPLE_SLUG}.{lang}.html").read_bytes())
    (body,) = page.xpath('//div[@class="body"]')
    return body


def chapter_body(book: Path, name: str = CHAPTER) -> etree._Element:
    (body,) = xhtml(book, name).xpath("//x:article/x:div", namespaces=NS)
    return body


def story_yaml() -> str:
    return (REPO / "articles" / SAMPLE_SLUG / "story.yaml").read_text(encoding="utf-8")


def image_line(text: str) -> int:
    """The line of story.yaml's `file:` of the story's picture."""
    return text.splitlines().index("  - file: images/nato-iraq-mission.png") + 1


@pytest.fixture(scope="module")
def lead_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample exported with its picture placed in no body: the story's lead image."""
    site = lead_site(tmp_path_factory.mktemp("lead"))
    status, out = export_site(site, "html", "epub", "newsml", "ninjs", "atom", "jsonld")
    assert status == 0
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_an_image_no_body_places_leads_the_page_before_the_body(lead_out: Path, lang: str) -> None:
    """Before, the page showed no figure while its og:image and JSON-LD named the picture."""
    body = page_body(lead_out, lang)
    first = body[0]
    assert first.tag == "figure" and first.get("class") == "lead"
    assert body[1].tag == "p"  # the body's first paragraph follows it
    (img,) = first.xpath("img")
    assert img.get("src") == f"media/{SAMPLE_IMAGE}{SAMPLE_V}"
    alts = {"en": "Bar chart: NATO's", "de": "Balkendiagramm:", "ar": "رسم بياني"}
    assert img.get("alt", "").startswith(alts.get(lang, "")) and img.get("alt")
    (caption,) = first.xpath("figcaption")
    assert caption.text and caption.xpath('small[@class="credit"]')
    assert len(body.xpath(".//figure")) == 1  # shown once


def test_the_lead_figure_is_the_figure_a_placed_image_makes(
    lead_out: Path, export_sample: object
) -> None:
    """One renderer: the lead figure is the sample's placed one, with its class."""
    placed_out = export_sample("html")  # type: ignore[operator]
    for lang in LANGS:
        placed = copy.deepcopy(page_body(placed_out, lang).xpath(".//figure")[0])
        placed.set("class", "lead")
        placed.tail = None
        lead = copy.deepcopy(page_body(lead_out, lang)[0])
        lead.tail = None
        assert lxml_html.tostring(lead) == lxml_html.tostring(placed), lang


@pytest.mark.parametrize("lang", LANGS)
def test_an_image_no_body_places_leads_the_book_and_keeps_its_claims(
    lead_out: Path, lang: str
) -> None:
    """Before, the books dropped the picture the pages' metadata and the wire carried."""
    book = lead_out / "epub" / f"{SAMPLE_SLUG}.{lang}.epub"
    body = chapter_body(book)
    first = body[0]
    assert etree.QName(first).localname == "figure" and first.get("class") == "lead"
    (img,) = first.xpath("x:img", namespaces=NS)
    assert img.get("src") == f"images/{SAMPLE_SLUG}/nato-iraq-mission.png"
    assert img.get("alt")
    assert first.xpath("x:figcaption/x:small[@class='credit']", namespaces=NS)
    assert PACKAGED in members(book)
    package = opf(book)
    hrefs = package.xpath("//opf:manifest/opf:item/@href", namespaces=NS)
    assert f"images/{SAMPLE_SLUG}/nato-iraq-mission.png" in hrefs
    said = {m.get("property"): m.text for m in package.iterfind("opf:metadata/opf:meta", NS)}
    assert said["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
    features = package.xpath(
        "//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS
    )
    assert "alternativeText" in features


def test_an_edition_shows_the_lead_image_of_its_story(lead_out: Path) -> None:
    book = lead_out / "epub" / "edition-fr.epub"
    first = chapter_body(book)[0]
    assert first.get("class") == "lead"
    assert PACKAGED in members(book)


def test_the_wire_feeds_and_metadata_carry_the_lead_image_as_before(lead_out: Path) -> None:
    """What carried the picture before carries it still, and no feed body gains a figure."""
    url = f"html/media/{SAMPLE_IMAGE}{SAMPLE_V}"
    page = (lead_out / "html" / f"{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert re.search(rf'<meta property="og:image" content="[^"]*{re.escape(url)}"', page)
    for name, folder in (
        (f"newsml/{SAMPLE_SLUG}.en.xml", "newsml"),
        (f"ninjs/{SAMPLE_SLUG}.en.json", "ninjs"),
        (f"jsonld/{SAMPLE_SLUG}.en.jsonld", "html"),
        ("atom/en.xml", "html"),
    ):
        said = (lead_out / name).read_text(encoding="utf-8")
        assert f"{folder}/media/{SAMPLE_IMAGE}{SAMPLE_V}" in said, name
    assert "figure" not in (lead_out / "atom" / "en.xml").read_text(encoding="utf-8")


def without_figures(story: Story, langs: Sequence[str]) -> Story:
    """The story with no figure in the bodies of `langs`."""
    variants = tuple(
        dataclasses.replace(v, body=tuple(b for b in v.body if not isinstance(b, Figure)))
        if v.lang in langs
        else v
        for v in story.variants
    )
    return dataclasses.replace(story, variants=variants)


def test_the_story_s_lead_images_are_those_no_variant_places(sample_story: Story) -> None:
    assert sample_story.lead_images == () and sample_story.shown_images("de") == (0,)
    one_less = without_figures(sample_story, ["de"])
    assert one_less.lead_images == ()  # placed elsewhere: no lead image
    assert one_less.shown_images("de") == () and one_less.shown_images("en") == (0,)
    none = without_figures(sample_story, LANGS)
    assert not [b for v in none.variants for b in walk(v.body) if isinstance(b, Figure)]
    assert none.lead_images == (0,) and none.shown_images("zh-Hans") == (0,)


def test_an_image_placed_in_some_languages_only_is_an_unplaced_warning(tmp_path: Path) -> None:
    """Most likely a translation that lost it: said at the image's line of story.yaml, naming
    the language files without it, with what to do. Those languages show it nowhere (it is no
    lead image: the editor chose where it goes); the others show it where it is placed."""
    site = lead_site(tmp_path, placed_in=("en", "fr"))
    stories, diags = read_site(site)
    assert stories and not diags.errors
    (warning,) = [d for d in diags if d.code == "image.unplaced"]
    assert warning.severity == "warning"
    assert warning.path is not None and warning.path.endswith(f"{SAMPLE_SLUG}/story.yaml")
    assert warning.line == image_line(story_yaml())
    message = warning.message
    assert "en.md, fr.md but not in ar.md, de.md, es.md, zh-Hans.md" in message
    assert f"place it with {FIGURE_LINE} where it belongs in ar.md, de.md, es.md" in message
    assert "remove it from en.md, fr.md" in message
    assert stories[0].lead_images == ()
    status, out = export_site(site, "html", "epub")
    assert status == 0
    assert not page_body(out, "de").xpath(".//figure")
    assert PACKAGED not in members(out / "epub" / f"{SAMPLE_SLUG}.de.epub")
    (figure,) = page_body(out, "fr").xpath(".//figure")
    assert figure.get("class") is None and figure.getprevious() is not None  # where placed
    assert export_site(site, "html", strict=True)[0] != 0  # --strict counts it


def test_the_unplaced_advice_places_a_path_with_a_space_when_followed(tmp_path: Path) -> None:
    """The figure the warning says to write is one the body reads: a path with a space goes in
    angle brackets (`![](images/my chart.png)` is read as text, a `body.image` error)."""
    site = lead_site(tmp_path, placed_in=("en", "fr"))
    story = site / "articles" / SAMPLE_SLUG
    spaced = "images/nato iraq mission.png"
    (story / "images" / "nato-iraq-mission.png").rename(story / spaced)
    yaml_file = story / "story.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8").replace(
            "file: images/nato-iraq-mission.png", f'file: "{spaced}"'
        ),
        encoding="utf-8",
    )
    figure = f"![](<{spaced}>)"
    for lang in ("en", "fr"):
        md = story / f"{lang}.md"
        md.write_text(md.read_text(encoding="utf-8").replace(FIGURE_LINE, figure), "utf-8")
    _, diags = read_site(site)
    assert not diags.errors, [d.format_text() for d in diags]
    (warning,) = [d for d in diags if d.code == "image.unplaced"]
    assert f"place it with {figure} where it belongs in ar.md, de.md" in warning.message
    for lang in LANGS:  # followed: each body without it places it
        if lang not in ("en", "fr"):
            md = story / f"{lang}.md"
            md.write_text(md.read_text(encoding="utf-8") + f"\n{figure}\n", "utf-8")
    stories, diags = read_site(site)
    assert stories and not diags.errors, [d.format_text() for d in diags]
    assert not [d for d in diags if d.code == "image.unplaced"]


def test_an_image_every_body_places_or_none_is_no_warning(tmp_path: Path) -> None:
    for placed in (LANGS, ()):
        site = lead_site(tmp_path / str(len(placed)), placed_in=placed)
        _, diags = read_site(site)
        assert not [d for d in diags if d.code == "image.unplaced"]


def test_a_story_taken_back_is_no_unplaced_warning(tmp_path: Path) -> None:
    """A withheld story shows the notice alone, no body: nothing to place."""
    text = (
        story_yaml()
        .replace("status: usable", "status: withheld")
        .replace("version: 1", "version: 2")
    )
    text = text.replace("updated: 2021-02-18T19:30:00+01:00", "updated: 2021-02-19T10:00:00+01:00")
    site = lead_site(tmp_path, placed_in=("en",), story_yaml=text)
    _, diags = read_site(site)
    assert not diags.errors, [d.format_text() for d in diags]
    assert not [d for d in diags if d.code == "image.unplaced"]


def test_a_lead_image_without_alt_in_a_language_takes_that_book_s_claim(tmp_path: Path) -> None:
    """The book's accessibility claims and its `epub.alt` warning count the lead image as
    they count a placed one."""
    text = re.sub(r"      de: >-\n        Balkendiagramm:.*\n.*\n", "", story_yaml())
    assert "Balkendiagramm" not in text
    stories, _ = read_site(lead_site(tmp_path, story_yaml=text))
    files, diags = export_stories(stories, _config(), EpubWriter(covers=plain_cover))
    assert [d.code for d in diags if d.code.startswith("epub.")] == ["epub.alt"]
    book = tmp_path / "de.epub"
    book.write_bytes(files[f"epub/{SAMPLE_SLUG}.de.epub"])
    said = {m.get("property"): m.text for m in opf(book).iterfind("opf:metadata/opf:meta", NS)}
    assert "dcterms:conformsTo" not in said
    assert said["schema:accessModeSufficient"] == "textual,visual"


def test_a_decorative_lead_image_has_an_empty_alt_and_keeps_the_claim(tmp_path: Path) -> None:
    text = re.sub(r"    alt:\n(?:      .*\n|        .*\n)+", "    decorative: true\n", story_yaml())
    assert "decorative: true" in text and "Balkendiagramm" not in text
    site = lead_site(tmp_path, story_yaml=text)
    status, out = export_site(site, "html", "epub")
    assert status == 0
    assert page_body(out, "en")[0].xpath("img")[0].get("alt") == ""
    book = out / "epub" / f"{SAMPLE_SLUG}.en.epub"
    assert chapter_body(book)[0].xpath("x:img", namespaces=NS)[0].get("alt") == ""
    said = {m.get("property"): m.text for m in opf(book).iterfind("opf:metadata/opf:meta", NS)}
    assert said["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


def _config() -> SiteConfig:
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    return config


def test_an_animated_lead_image_is_said_and_takes_the_books_claim(
    tmp_path: Path, sample_story: Story
) -> None:
    """The books hold the lead image: an animated one plays there, as a placed one would."""
    from PIL import Image as Picture

    frames = [Picture.new("RGB", (16, 9), colour) for colour in ("white", "black") * 3]
    gif = tmp_path / "flash.gif"
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = dataclasses.replace(
        sample_story.images[0], path=str(gif), media_type="image/gif", size=gif.stat().st_size
    )
    story = dataclasses.replace(without_figures(sample_story, LANGS), images=(image,))
    files, diags = export_stories([story], _config(), EpubWriter(covers=plain_cover))
    assert [(d.code, d.line) for d in diags] == [("epub.animated", image.source.line)]
    book = tmp_path / "en.epub"
    book.write_bytes(files[f"epub/{SAMPLE_SLUG}.en.epub"])
    said = {m.get("property"): m.text for m in opf(book).iterfind("opf:metadata/opf:meta", NS)}
    assert said["schema:accessibilityHazard"] == "unknown" and "dcterms:conformsTo" not in said


class _CountedBody(tuple):  # type: ignore[type-arg]
    """A body that counts the blocks read from it: how far `lead_images` walked it."""

    read = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        for block in super().__iter__():
            type(self).read += 1
            yield block


def _counted(story: Story) -> tuple[Story, list[type[_CountedBody]]]:
    """The story with each body a `_CountedBody` of its own class (its own count)."""
    counters = [type(f"Body{i}", (_CountedBody,), {"read": 0}) for i in range(len(story.variants))]
    variants = tuple(
        dataclasses.replace(v, body=counter(v.body))
        for v, counter in zip(story.variants, counters, strict=True)
    )
    return dataclasses.replace(story, variants=variants), counters


def test_lead_images_cost_nothing_for_a_story_whose_pictures_are_placed(
    sample_story: Story,
) -> None:
    """Asked on every page and book (docs/performance.md's hot path): a story with no image
    walks no body, and one whose bodies place its pictures stops at the figure that places
    the last one. (It walked every language's whole body on every page: about 9 % of the
    body renderer's time on the bench's corpus.)"""
    bare, counters = _counted(dataclasses.replace(sample_story, images=()))
    assert bare.lead_images == () and bare.shown_images("de") == ()
    assert [c.read for c in counters] == [0] * len(counters)
    placed, counters = _counted(sample_story)
    assert placed.lead_images == ()
    first = list(sample_story.variants[0].body)
    figure = next(i for i, b in enumerate(first) if isinstance(b, Figure))
    assert counters[0].read == figure + 1 < len(first)  # not past the figure
    assert [c.read for c in counters[1:]] == [0] * (len(counters) - 1)  # nor other bodies
    lead, _ = _counted(without_figures(sample_story, LANGS))
    assert lead.lead_images == (0,)  # the walk that finds no figure still finds the lead
