"""Editions of several stories (selection, sections, visibility, options) and bad input: empty
bodies, missing or unsupported images, missing fonts give diagnostics and never an EPUB."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import export_stories
from lxml import etree

from syndicate.build import export
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import OutputFile
from syndicate.formats.epub.cover import CoverText, draw_cover
from syndicate.formats.epub.writer import EpubWriter
from syndicate.model import Localized, SiteConfig, Story

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def variant_story(sample: Story, slug: str, section: str, hours: float, **changes: Any) -> Story:
    """A copy of the sample story under another slug and section, published `hours` earlier."""
    when = sample.published - timedelta(hours=hours)
    variants = tuple(
        dataclasses.replace(v, headline=f"{v.headline} [{slug}]") for v in sample.variants
    )
    return dataclasses.replace(
        sample,
        slug=slug,
        id=f"tag:ycpress.example,2021:{slug}",
        section=section,
        published=when,
        updated=when,
        first_created=when,
        variants=variants,
        **changes,
    )


def several_stories(sample: Story) -> list[Story]:
    """The sample, two more stories the same day in two sections, one the day before, and
    two the public must not see."""
    return [
        sample,
        variant_story(sample, "world-1", "world", 1),
        variant_story(sample, "politics-2", "politics", 2),
        variant_story(sample, "yesterday", "world", 30),
        variant_story(sample, "withheld", "world", 1, status="withheld"),
        variant_story(sample, "embargoed", "world", 1, embargo_until=NOW + timedelta(days=1)),
    ]


def run(
    stories: list[Story], config: SiteConfig, langs: tuple[str, ...] = ("en",), **options: Any
) -> tuple[list[OutputFile], Diagnostics]:
    files, diags = export_stories(
        stories, config, EpubWriter(), now=NOW, languages=langs, options={"epub": options}
    )
    return [OutputFile(path, data) for path, data in files.items()], diags


def edition_files(
    stories: list[Story], config: SiteConfig, langs: tuple[str, ...] = ("en",), **options: Any
) -> dict[str, bytes]:
    files, diags = run(stories, config, langs, **options)
    assert not list(diags), [d.format_text() for d in diags]
    return {f.path.rsplit("/", 1)[1]: f.data for f in files if f.path.startswith("epub/edition-")}


def member(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(f"EPUB/{name}"))


def toc(data: bytes) -> list[tuple[str, list[str]]]:
    nav = member(data, "nav.xhtml")
    sections = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=NS)
    return [
        (
            li.findtext("x:a", namespaces=NS),
            [
                a.text.rsplit("[", 1)[-1].rstrip("]") if "[" in a.text else "sample"
                for a in li.xpath("x:ol/x:li/x:a", namespaces=NS)
            ],
        )
        for li in sections
    ]


def test_day_edition_holds_the_newest_days_visible_stories_by_section(
    sample_story: Story, site_config: SiteConfig
) -> None:
    books = edition_files(several_stories(sample_story), site_config)
    assert toc(books["edition-en.epub"]) == [
        ("Politics", ["sample", "politics-2"]),
        ("World", ["world-1"]),
    ]


def test_section_order_edition_day_and_latest(sample_story: Story, site_config: SiteConfig) -> None:
    stories = several_stories(sample_story)
    ordered = edition_files(stories, site_config, section_order=["world"])
    assert [s for s, _ in toc(ordered["edition-en.epub"])] == ["World", "Politics"]
    day = edition_files(stories, site_config, edition_day="2021-02-17")
    assert toc(day["edition-en.epub"]) == [("World", ["yesterday"])]
    files, diags = run(stories, site_config, edition_day="2020-01-01")
    assert not [f for f in files if "edition-" in f.path]
    assert [d.code for d in diags.warnings] == ["epub.edition"]
    latest = edition_files(stories, site_config, edition="latest", edition_size=2)
    assert toc(latest["edition-en.epub"]) == [("Politics", ["sample"]), ("World", ["world-1"])]


def test_a_section_order_naming_no_section_and_an_empty_title_are_said(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """`section_order: [sprot]` ordered nothing, unsaid (feeds.sections says its typo), and
    `edition_title: ""` gave the default title silently."""
    stories = several_stories(sample_story)
    _, diags = run(stories, site_config, section_order=["wrld", "politics"])
    assert [(d.code, d.message) for d in diags] == [
        (
            "epub.section",
            "epub.section_order: no story is in the section 'wrld', so it orders nothing;"
            " did you mean 'world'?",
        )
    ]
    files, diags = run(stories, site_config, edition_title=" ")
    assert files == [] and [d.code for d in diags] == ["config.option"]
    assert "edition_title: is empty, which gave the default title" in diags.errors[0].message


def test_edition_title_date_and_identifier(sample_story: Story, site_config: SiteConfig) -> None:
    stories = several_stories(sample_story)
    books = edition_files(
        stories, site_config, langs=("en", "fr"), edition_title="{publisher} daily, {date}"
    )
    meta = member(books["edition-fr.epub"], "content.opf").find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "YCPress daily, 18 février 2021"
    # when it reached the public: its newest story's publication (test_an_edition_s_date_...)
    assert meta.findtext("dc:date", namespaces=NS) == "2021-02-18T19:30:00+01:00"
    identifier = meta.findtext("dc:identifier", namespaces=NS)
    assert identifier.startswith("urn:uuid:")
    again = edition_files(stories, site_config, langs=("fr",))
    assert (
        member(again["edition-fr.epub"], "content.opf").findtext(
            "opf:metadata/dc:identifier", namespaces=NS
        )
        == identifier
    )


def test_an_edition_s_date_is_when_it_reached_the_public_as_its_catalog_entry_says(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """An edition's `dc:date` was its day at 10:00 UTC, an instant made up for calibre's
    library: the sample's edition said 10:00 UTC though its one story came out at 18:30 UTC
    (its `dcterms:modified` earlier than its `dc:date`, an edition built that morning dated
    hours ahead), and an edition of a story out of an embargo at 19:30 said it was published
    hours before the embargo ended, while its OPDS entry said 19:30. It is when its newest
    story reached the public, the OPDS entry's `published`, never after `dcterms:modified`."""
    ended = sample_story.published + timedelta(hours=1)  # 20:30 in Brussels, 19:30 UTC
    late = variant_story(sample_story, "late", "world", 10, embargo_until=ended)
    files, diags = run([sample_story, late], site_config)
    assert not list(diags), [d.format_text() for d in diags]
    data = {f.path: f.data for f in files}
    meta = member(data["epub/edition-en.epub"], "content.opf").find("opf:metadata", NS)
    date = datetime.fromisoformat(meta.findtext("dc:date", namespaces=NS))
    modified = meta.findtext("opf:meta[@property='dcterms:modified']", namespaces=NS)
    entry = etree.fromstring(data["opds/en.xml"]).xpath(
        "//a:entry[a:link[@rel='http://opds-spec.org/acquisition']"
        "[contains(@href, 'epub/edition-en.epub')]]",
        namespaces={"a": "http://www.w3.org/2005/Atom"},
    )
    assert len(entry) == 1
    published = entry[0].findtext("{http://www.w3.org/2005/Atom}published")
    assert date == ended
    assert date == datetime.fromisoformat(published)
    assert datetime.fromisoformat(modified) >= date


def test_invisible_stories_get_no_book(sample_story: Story, site_config: SiteConfig) -> None:
    files, _ = run(several_stories(sample_story), site_config)
    books = {f.path for f in files if f.path.endswith(".epub")}
    assert "epub/world-1.en.epub" in books and "epub/yesterday.en.epub" in books
    assert not {"epub/withheld.en.epub", "epub/embargoed.en.epub"} & books


def test_no_conformance_claim_without_text_alternatives(
    sample_story: Story, site_config: SiteConfig
) -> None:
    image = dataclasses.replace(sample_story.images[0], alt=Localized.same(""))
    files, diags = run([dataclasses.replace(sample_story, images=(image,))], site_config)
    assert [d.code for d in diags] == ["epub.alt"] and diags.warnings[0].line > 1
    package = member(next(f.data for f in files if f.path.endswith(".en.epub")), "content.opf")
    props = {(m.get("property"), m.text) for m in package.iter("{*}meta") if m.get("property")}
    assert ("schema:accessModeSufficient", "textual,visual") in props
    assert not {p for p, _ in props} & {"dcterms:conformsTo", "a11y:certifiedBy"}
    assert ("schema:accessibilityFeature", "alternativeText") not in props


def test_a_text_alternative_in_another_language_is_no_claim_and_says_its_language(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A reader of the French book gets the English alt (the original's): its book claims no
    WCAG conformance (it did, the fallback counting as French), and the image says the alt's
    language, so that a screen reader does not speak English with a French voice."""
    english = Localized((("en", "Soldiers at a NATO training site"),))
    image = dataclasses.replace(sample_story.images[0], alt=english)
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config, langs=("en", "fr"))
    assert [d.code for d in diags] == ["epub.alt"], [d.format_text() for d in diags]
    assert "no text alternative in fr" in diags.warnings[0].message
    books = {f.path: f.data for f in files}
    claims = {}
    for lang in ("en", "fr"):
        package = member(books[f"epub/{story.slug}.{lang}.epub"], "content.opf")
        claims[lang] = {m.get("property") for m in package.iter("{*}meta")}
    assert "dcterms:conformsTo" in claims["en"] and "dcterms:conformsTo" not in claims["fr"]
    with zipfile.ZipFile(io.BytesIO(books[f"epub/{story.slug}.fr.epub"])) as zf:
        pages = [zf.read(n) for n in zf.namelist() if n.endswith(".xhtml")]
    imgs = [img for page in pages for img in etree.fromstring(page).iter("{*}img")]
    assert [(img.get("alt"), img.get("lang")) for img in imgs if img.get("lang")] == [
        ("Soldiers at a NATO training site", "en")
    ], "the cover's alt is in the book's language: it says none of its own"


def test_bad_options_point_at_the_config(sample_story: Story, site_config: SiteConfig) -> None:
    files, diags = run([sample_story], site_config, edition="weekly")
    assert files == []
    assert [(d.code, d.path) for d in diags] == [("config.option", "syndicate.yaml")]
    assert "`day` or `latest`" in diags.errors[0].message
    config = dataclasses.replace(site_config, lines={**site_config.lines, ("epub",): 12})
    _, diags = run([sample_story], config, edition_size=0)
    assert [(d.path, d.line) for d in diags] == [("syndicate.yaml", 12)]


def test_empty_body_is_reported_at_its_file_and_gets_no_book(
    sample_story: Story, site_config: SiteConfig
) -> None:
    empty = dataclasses.replace(sample_story.variant("en"), body=())
    story = dataclasses.replace(sample_story, variants=(empty,))
    files, diags = run([story], site_config)
    assert not [f for f in files if f.path.startswith("epub/")]
    (error,) = diags.errors
    assert error.code == "epub.empty" and error.path.endswith("en.md") and error.line >= 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"path": "/nonexistent/chart.png"}, "cannot read image"),
        ({"media_type": "image/tiff"}, "not an EPUB core image type"),
        ({"path": str(Path(__file__))}, "its content is not image/png"),
        (
            {"path": str(Path(__file__)), "media_type": "image/webp"},
            "its content is not image/webp",
        ),
        ({"file": "https://example.org/chart.png"}, "remote images cannot be packaged"),
    ],
)
def test_unusable_image_is_reported_at_the_story_file(
    sample_story: Story, site_config: SiteConfig, change: dict[str, str], message: str
) -> None:
    image = dataclasses.replace(sample_story.images[0], **change)
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config)
    assert not [f for f in files if f.path.startswith("epub/")]
    (error,) = diags.errors
    assert error.code == "epub.image" and message in error.message
    assert error.path.endswith("story.yaml") and error.line > 1


def test_no_partial_epub_reaches_out(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    empty = dataclasses.replace(sample_story.variant("fr"), body=())
    variants = tuple(empty if v.lang == "fr" else v for v in sample_story.variants)
    story = dataclasses.replace(sample_story, variants=variants)
    result = export(
        formats=["epub"],
        stories=[story],
        config=site_config,
        out=tmp_path / "out",
        now=NOW,
        languages=("en", "fr"),
    )
    diags = result.diagnostics
    assert result.status == "failed" and [d.code for d in diags.errors] == ["epub.empty"]
    assert not list((tmp_path / "out").rglob("*.epub"))


def test_missing_font_names_the_package_to_install(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """A font folder without the fonts (a folder that does not exist is refused with the
    options: test_covers)."""
    files, diags = run([sample_story], site_config, langs=("zh-Hans",), font_dirs=[str(tmp_path)])
    assert files == []
    (error,) = diags.errors
    assert error.code == "epub.cover"
    for font, package in (
        ("NotoSansCJK-Bold.ttc", "fonts-noto-cjk"),
        ("NotoSerif-Bold.ttf", "fonts-noto-core"),
    ):
        assert f"{font} (" in error.message and f"package {package}" in error.message


def test_cover_is_deterministic_and_uses_the_script_fonts() -> None:
    from syndicate.formats.epub.fonts import primary

    text = CoverText("ar", "YCPress", "سياسة", "حلف الناتو يعتزم زيادة انتشاره", "18 فبراير 2021")
    assert draw_cover(text) == draw_cover(text)
    assert primary("ar", True).family == "Noto Naskh Arabic"
    assert primary("zh-Hans", True).family == "Noto Sans CJK SC"
    assert primary("de", True).family == "Noto Serif"


def test_editions_alone_without_story_books(sample_story: Story, site_config: SiteConfig) -> None:
    """`story_books: false`: the editions are the only books, and the only catalog entries."""
    files, diags = run(several_stories(sample_story), site_config, story_books=False)
    assert not diags.errors, [d.format_text() for d in diags]
    paths = {f.path for f in files}
    assert {p for p in paths if p.startswith("epub/")} == {"epub/edition-en.epub"}
    assert {p for p in paths if p.startswith("opds/covers/")} == {"opds/covers/edition-en.png"}
    shelf = next(f.data for f in files if f.path == "opds/en.xml")
    assert shelf.count(b"<entry") == 1 and b"edition-en.epub" in shelf


def test_an_edition_alone_tells_why_it_makes_no_conformance_claim(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """With `story_books: false` the edition dropped its WCAG claim for a photo without a text
    alternative without a word: `epub.alt` came from the story books alone."""
    image = dataclasses.replace(sample_story.images[0], alt=Localized.same(""))
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config, story_books=False)
    assert [d.code for d in diags] == ["epub.alt"], [d.format_text() for d in diags]
    assert "an edition holding it makes no WCAG conformance claim" in diags.warnings[0].message
    package = member(next(f.data for f in files if f.path == "epub/edition-en.epub"), "content.opf")
    assert "dcterms:conformsTo" not in {m.get("property") for m in package.iter("{*}meta")}


@pytest.mark.parametrize("story_books", [True, False])
def test_an_animated_image_that_takes_the_claim_away_is_said(
    tmp_path: Path, sample_story: Story, site_config: SiteConfig, story_books: bool
) -> None:
    """An animated GIF made the books say their hazards are unknown and claim no WCAG
    conformance without a word, where a missing text alternative is an `epub.alt` warning:
    `epub.animated` says why and what to do, once, at the image's entry in story.yaml."""
    from PIL import Image as Picture

    frames = [Picture.new("RGB", (16, 9), colour) for colour in ("white", "black") * 3]
    gif = tmp_path / "flash.gif"
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = dataclasses.replace(
        sample_story.images[0], path=str(gif), media_type="image/gif", size=gif.stat().st_size
    )
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config, langs=("en", "fr"), story_books=story_books)
    assert [(d.code, d.line) for d in diags] == [("epub.animated", image.source.line)]
    said = diags.warnings[0].message
    books = "its books say their" if story_books else "an edition holding it says its"
    assert f"{books} hazards are unknown" in said and "no WCAG conformance claim" in said
    assert "publish a still image" in said
    package = member(next(f.data for f in files if f.path == "epub/edition-en.epub"), "content.opf")
    assert "dcterms:conformsTo" not in {m.get("property") for m in package.iter("{*}meta")}
    still = dataclasses.replace(sample_story, images=(sample_story.images[0],))
    assert not list(run([still], site_config, story_books=story_books)[1])


@pytest.mark.parametrize("story_books", [True, False])
def test_a_decorative_image_has_an_empty_alt_and_keeps_the_books_claims(
    tmp_path: Path, sample_story: Story, site_config: SiteConfig, story_books: bool
) -> None:
    """A picture that says nothing (an ornament) had no way to be said so: without a text
    alternative in every language it was an `epub.alt` warning and its books claimed no WCAG
    conformance, so the site could never pass `--strict`. `decorative: true` in its entry
    gives it the empty one WCAG asks of a decorative image (`alt=""`, H67): no warning, and
    the books claim conformance and alternative text. The story file's word is read, and a
    decorative image given a text alternative too is an error at its line."""
    image = dataclasses.replace(sample_story.images[0], alt=Localized.same(""), decorative=True)
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config, langs=("en", "fr"), story_books=story_books)
    assert not list(diags), [d.format_text() for d in diags]
    books = {f.path: f.data for f in files if f.path.endswith(".epub")}
    assert books and (len(books) > 2) == story_books
    for data in books.values():
        claims = {(m.get("property"), m.text) for m in member(data, "content.opf").iter("{*}meta")}
        assert "dcterms:conformsTo" in {p for p, _ in claims}
        assert ("schema:accessibilityFeature", "alternativeText") in claims
        assert ("schema:accessModeSufficient", "textual") in claims
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            chapters = [n for n in zf.namelist() if "/story-" in n]
            imgs = [i for n in chapters for i in etree.fromstring(zf.read(n)).iter("{*}img")]
        assert imgs and all(i.get("alt") == "" and i.get("lang") is None for i in imgs)
    if story_books:  # (the reading, once)
        from test_reader import STORY, read, write_story

        for entry, problem in (
            ("images:\n  - file: images/rule.png\n    decorative: true\n", None),
            ("images:\n  - file: images/rule.png\n    alt: A rule\n    decorative: true\n", 12),
            ("images:\n  - file: images/rule.png\n    decorative: false\n", 10),
        ):
            where = tmp_path / str(problem) / "articles"
            folder = write_story(where, "ornament", STORY + entry)
            (folder / "images").mkdir()
            shutil.copy(sample_story.images[0].path, folder / "images" / "rule.png")
            stories, found = read(where, site_config)
            if problem is None:
                assert not list(found), [d.format_text() for d in found]
                (read_image,) = stories[0].images
                assert read_image.decorative is True and read_image.alt.get("fr") == ""
            else:
                assert not stories
                (error,) = found.errors
                assert error.line == problem, error.format_text()
                said = "'alt' is required" if problem == 10 else "decorative: true, and a text"
                assert said in error.message, error.format_text()


@pytest.mark.parametrize("story_books", [True, False])
def test_an_animation_an_editor_checked_keeps_the_books_claims(
    tmp_path: Path, sample_story: Story, site_config: SiteConfig, story_books: bool
) -> None:
    """An animated image had no per-image way to be accepted (as `gps: keep` accepts a
    photo's place): a story with one could never pass `--strict`. `animation: checked` in its
    entry is an editor's word that it flashes no more than three times a second (WCAG 2.3.1)
    and stops within five seconds (2.2.2): no warning, and the books (story books and
    edition) say and claim what they say of a still image, their summary too. The story
    file's `animation: checked` is read into the model, and `warn` is the warning."""
    from PIL import Image as Picture

    from syndicate.i18n.terms import term

    frames = [Picture.new("RGB", (16, 9), colour) for colour in ("white", "black") * 3]
    gif = tmp_path / "calm.gif"
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=400, loop=1)
    image = dataclasses.replace(
        sample_story.images[0],
        path=str(gif),
        media_type="image/gif",
        size=gif.stat().st_size,
        animation="checked",
    )
    story = dataclasses.replace(sample_story, images=(image,))
    files, diags = run([story], site_config, langs=("en", "fr"), story_books=story_books)
    assert not list(diags), [d.format_text() for d in diags]
    books = {f.path: f.data for f in files if f.path.endswith(".epub")}
    assert books and (len(books) > 2) == story_books
    for data in books.values():
        claims = {(m.get("property"), m.text) for m in member(data, "content.opf").iter("{*}meta")}
        assert ("schema:accessibilityHazard", "none") in claims
        assert "dcterms:conformsTo" in {p for p, _ in claims}
        summaries = {t for p, t in claims if p == "schema:accessibilitySummary"}
        assert summaries <= {term("accessibility_summary", lang) for lang in ("en", "fr")}
    unchecked = dataclasses.replace(story, images=(dataclasses.replace(image, animation=None),))
    assert [d.code for d in run([unchecked], site_config, story_books=story_books)[1]] == [
        "epub.animated"
    ]
    if story_books:  # (the reading, once)
        from test_reader import STORY, read, write_story

        entry = "images:\n  - file: images/calm.gif\n    alt: A picture\n    animation: {0}\n"
        for said, read_as in (("checked", "checked"), ("warn", None)):
            folder = write_story(tmp_path / said / "articles", "calm", STORY + entry.format(said))
            (folder / "images").mkdir()
            (folder / "images" / "calm.gif").write_bytes(gif.read_bytes())
            stories, found = read(tmp_path / said / "articles", site_config)
            assert not list(found), [d.format_text() for d in found]
            assert stories[0].images[0].animation == read_as


def test_no_conformance_claim_with_a_skipped_heading_level(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A body whose `####` comes under a `##` (a `body.heading-level` warning) broke the
    outline screen readers move through, and its book still claimed WCAG 2.1 AA and
    `structuralNavigation`."""
    from syndicate.model import Heading, Text

    variant = sample_story.variant("en")
    skipped = Heading(4, (Text("Too deep"),), variant.body[0].source)  # type: ignore[attr-defined]
    body = (*variant.body, skipped)
    variants = tuple(
        dataclasses.replace(v, body=body) if v.lang == "en" else v for v in sample_story.variants
    )
    story = dataclasses.replace(sample_story, variants=variants)
    files, _ = run([story], site_config, langs=("en", "fr"))
    books = {f.path: f.data for f in files}
    claims = {}
    for lang in ("en", "fr"):
        package = member(books[f"epub/{story.slug}.{lang}.epub"], "content.opf")
        claims[lang] = {(m.get("property"), m.text) for m in package.iter("{*}meta")}
    assert ("schema:accessibilityFeature", "structuralNavigation") not in claims["en"]
    assert not {p for p, _ in claims["en"]} & {"dcterms:conformsTo", "a11y:certifiedBy"}
    assert ("schema:accessibilityFeature", "structuralNavigation") in claims["fr"]
    assert "dcterms:conformsTo" in {p for p, _ in claims["fr"]}


def test_a_story_killed_out_of_the_edition_moves_its_modified_forward(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """Killing the edition's newest story dated the book by the newest story left: its
    `dcterms:modified` went back, though the book had changed (a story left it), and a
    reader app comparing dates kept the copy with the killed story."""

    def modified(stories: list[Story], **options: Any) -> str:
        books = edition_files(stories, site_config, **options)
        meta = member(books["edition-en.epub"], "content.opf")
        return str(meta.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS)[0])

    stories = several_stories(sample_story)
    assert modified(stories) == "2021-02-18T18:30:00Z"  # the sample, the day's newest
    killed_at = sample_story.published + timedelta(days=2)
    kill = dataclasses.replace(
        sample_story, status="canceled", version=sample_story.version + 1, updated=killed_at
    )
    left = [kill, *stories[1:]]
    assert modified(left) == "2021-02-20T18:30:00Z", "the kill, not the story before it"
    assert modified(left, edition="latest", edition_size=2) == "2021-02-20T18:30:00Z"
    # A story the edition would not hold (older than a full latest edition's oldest) leaves
    # its date alone.
    old = dataclasses.replace(
        stories[3],
        status="canceled",
        version=2,
        updated=killed_at,  # "yesterday"
    )
    latest = [*stories[:3], old, *stories[4:]]
    assert modified(latest, edition="latest", edition_size=2) == modified(
        stories, edition="latest", edition_size=2
    )


def test_a_thai_title_without_icu_is_said_once(
    sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ICU, a Thai title breaks only at spaces (or inside a word): said, once a run,
    with what to install, as a missing font is."""
    from syndicate.formats.epub import icu_adapter

    monkeypatch.setattr(icu_adapter, "available", lambda: False)
    thai = "การประชุมสุดยอดผู้นำแห่งปีณกรุงเทพมหานครเริ่มขึ้นแล้ว"
    variants = tuple(
        dataclasses.replace(v, headline=thai) if v.lang == "en" else v
        for v in sample_story.variants
    )
    story = dataclasses.replace(sample_story, variants=variants)
    _, diags = run([story, variant_story(story, "world-1", "world", 1)], site_config)
    said = [d for d in diags.warnings if d.code == "epub.cover"]
    assert len(said) == 1 and said[0].message.startswith("ICU (libicuuc) is not installed")
    monkeypatch.undo()
    _, diags = run([story], site_config)
    assert not [d for d in diags.warnings if d.code == "epub.cover"]


def test_the_opds_titles_of_a_right_to_left_catalog_keep_the_publishers_name_whole(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The Arabic acquisition feed's title, "YCPress Ltd.: كتب إلكترونية", and its
    edition's entry title, "YCPress Ltd.: " and its date, plain text a catalog shows in the
    feed's direction, showed the name's full stop before it (".YCPress Ltd"): the name is a
    bidi isolate (U+2068...U+2069) there, as FriBiDi tells, as the cover isolates it; not in
    English, and not in the book's own `dc:title`."""
    import feedparser

    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = dataclasses.replace(
        site_config, publisher=dataclasses.replace(site_config.publisher, name=name)
    )
    files, diags = run([sample_story], config, ("ar", "en"))
    assert not diags.errors, [d.format_text() for d in diags]
    data = {f.path: f.data for f in files}
    said = {}
    for lang in ("ar", "en"):
        parsed = feedparser.parse(data[f"opds/{lang}.xml"])
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        titles = [parsed.feed.title, *(e.title for e in parsed.entries if name in e.title)]
        assert len(titles) == 2 and all(name in title for title in titles), titles
        said[lang] = titles
    for text in said["ar"]:
        levels = embedding_levels(text, "rtl")
        at = text.index(name)
        assert levels[at] == levels[at + len(name) - 1], text
    assert all("\u2068" not in text for text in said["en"])
    book = member(data["epub/edition-ar.epub"], "content.opf")
    assert "\u2068" not in book.findtext("opf:metadata/dc:title", namespaces=NS)


def test_an_edition_s_date_is_written_at_the_site_s_offset(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """An edition's `dc:date` is written at the site's offset then, so its day is the
    edition's (`2021-02-19`): it was the newest story's time as its file wrote it, and a story
    out of an embargo ending at 23:30 UTC, or written by a correspondent in UTC, made the
    Brussels edition of the 19th say `2021-02-18T23:30:00Z`, the 18th to every reading system
    that shows the date as written (and to the OPDS entry's `dc:issued` beside it)."""
    late = variant_story(sample_story, "late", "world", -5)  # 00:30 on the 19th in Brussels
    at_utc = {f: getattr(late, f).astimezone(UTC) for f in ("published", "updated")}
    late = dataclasses.replace(late, **at_utc)
    assert site_config.timezone == "Europe/Brussels"
    files, diags = run([sample_story, late], site_config)
    assert not list(diags), [d.format_text() for d in diags]
    data = {f.path: f.data for f in files}
    meta = member(data["epub/edition-en.epub"], "content.opf").find("opf:metadata", NS)
    date = meta.findtext("dc:date", namespaces=NS)
    assert date == "2021-02-19T00:30:00+01:00"
    assert datetime.fromisoformat(date) == late.published
    # the story's own book, at its zone's offset, as its cover and chapter say the day
    book = next(p for p in data if p.startswith("epub/") and "late" in p and p.endswith(".epub"))
    meta = member(data[book], "content.opf").find("opf:metadata", NS)
    assert meta.findtext("dc:date", namespaces=NS) == "2021-02-19T00:30:00+01:00"
