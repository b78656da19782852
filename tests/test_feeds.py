"""Atom and RSS feeds of the sample story, exported through the CLI: official schema, feedparser
as a real client, RFC 822 dates, goldens and byte-identical re-export."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from conftest import ICON_V, LOGO_V, export_stories
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.feedoptions import FeedOptions
from syndicate.formats.feeds.atom import AtomWriter
from syndicate.formats.feeds.rss import RssWriter
from syndicate.formats.feeds.validate import ATOM_RNG_ENV, atom_problems, rss_problems
from syndicate.model import Localized, SiteConfig, Story
from syndicate.render.text import body_text
from syndicate.xmlbase import XML_LANG, safe_parser

LANGS = ("en", "fr", "ar", "zh-Hans", "de", "es")
ATOM = "{http://www.w3.org/2005/Atom}"
RFC822_EN = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d\d:\d\d:\d\d \+0000$"
)


@pytest.fixture
def feeds_out(export_sample: Callable[..., Path]) -> Path:
    return export_sample("atom", "rss")


def feed_files(out: Path, fmt: str) -> list[Path]:
    return sorted((out / fmt).rglob("*.xml"))


def utc_tuple(dt: datetime) -> tuple[int, ...]:
    return tuple(dt.astimezone(UTC).timetuple())[:6]


def words(text: str) -> str:
    return " ".join(text.split())


def test_one_feed_per_language_and_per_section(feeds_out: Path) -> None:
    for fmt in ("atom", "rss"):
        got = {p.relative_to(feeds_out / fmt).as_posix() for p in feed_files(feeds_out, fmt)}
        assert got == {f"{lang}.xml" for lang in LANGS} | {f"{lang}/politics.xml" for lang in LANGS}


def test_every_atom_file_is_valid_against_the_official_schema(
    feeds_out: Path, shared_dir: Path
) -> None:
    schema = etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))
    for path in feed_files(feeds_out, "atom"):
        tree = etree.parse(str(path))
        assert schema.validate(tree), (path, schema.error_log)
        # The two rules RELAX NG cannot express (author somewhere; alternate link or content).
        assert list(atom_problems(tree.getroot())) == [], path


def test_every_rss_file_is_structurally_valid(feeds_out: Path) -> None:
    for path in feed_files(feeds_out, "rss"):
        assert list(rss_problems(etree.parse(str(path)).getroot())) == [], path


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feedparser_recovers_every_entry_field(
    feeds_out: Path, fmt: str, sample_story: Story, site_config: SiteConfig
) -> None:
    for lang in LANGS:
        for path in (feeds_out / fmt / f"{lang}.xml", feeds_out / fmt / lang / "politics.xml"):
            parsed = feedparser.parse(path.read_bytes())
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
            assert parsed.feed.language == lang
            assert len(parsed.entries) == 1
            assert_entry(parsed.entries[0], sample_story, lang, fmt, site_config)


def assert_entry(entry: Any, story: Story, lang: str, fmt: str, config: SiteConfig) -> None:
    variant = story.variant(lang)
    assert entry.id == story.variant_id(lang)
    assert entry.title == variant.headline
    assert entry.link == config.article_url.format(
        base_url=config.base_url, slug=story.slug, lang=lang
    )
    summary = entry.summary if fmt == "atom" else html.unescape(entry.summary)
    assert summary == variant.summary
    content = entry.content[0].value
    text = words(lxml_html.fromstring(content).text_content())
    for paragraph in body_text(variant).split("\n\n"):
        assert words(paragraph) in text
    image = story.images[0]
    image_url = f"{config.base_url}html/media/{story.slug}/{image.name}?v={image.digest}"
    assert f'src="{image_url}"' in content
    assert [a["name"] for a in entry.authors] == list(variant.byline.names)
    assert utc_tuple(story.published) == tuple(entry.published_parsed)[:6]
    assert utc_tuple(story.updated) == tuple(entry.updated_parsed)[:6]
    tags = {(t["term"], t["scheme"]) for t in entry.tags}
    names = [s.name.get(lang) for s in story.subjects]
    codes = {s.code.removeprefix("medtop:") for s in story.subjects}
    # Media Topics keep their codes and scheme in both formats (RSS: the code, the domain).
    assert {t for t, s in tags if s} == codes
    if fmt == "atom":
        assert entry.title_detail.language == lang
        assert ("politics", None) in tags
        assert {t["label"] for t in entry.tags if t["scheme"]} == set(names)
    else:
        assert entry.language == lang


def test_rss_dates_are_english_rfc822_in_every_language(feeds_out: Path) -> None:
    for lang in ("ar", "zh-Hans", "fr", "de"):
        root = etree.parse(str(feeds_out / "rss" / f"{lang}.xml")).getroot()
        dates = root.xpath("//pubDate/text() | //lastBuildDate/text()")
        assert len(dates) == 2
        for text in dates:
            assert RFC822_EN.match(text), (lang, text)
        assert dates == ["Thu, 18 Feb 2021 18:30:00 +0000"] * 2


def test_atom_feed_metadata(feeds_out: Path, sample_story: Story, site_config: SiteConfig) -> None:
    base = site_config.base_url
    for lang in LANGS:
        root = etree.parse(str(feeds_out / "atom" / f"{lang}.xml")).getroot()
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        links = root.findall(f"{ATOM}link")
        assert (links[0].get("rel"), links[0].get("href")) == ("self", f"{base}atom/{lang}.xml")
        # the site of the feed: its language's story list, in that language
        assert links[1].get("rel") == "alternate"
        assert links[1].get("href") == f"{base}html/index.{lang}.html"
        assert links[1].get("hreflang") == lang
        generator = root.find(f"{ATOM}generator")
        assert generator.text == "syndicate"
        assert generator.get("version") is None
        assert root.findtext(f"{ATOM}updated") == "2021-02-18T18:30:00Z"
        # 2:1 (RFC 4287), drawn from the logo, whose digest it carries
        assert root.findtext(f"{ATOM}logo") == f"{base}atom/logo.png{LOGO_V}"
        with Image.open(feeds_out / "atom" / "logo.png") as logo:
            assert logo.size == (240, 120)
        assert root.findtext(f"{ATOM}icon") == f"{base}html/media/site/icon.png{ICON_V}"
        assert root.findtext(f"{ATOM}rights")
        assert root.findtext(f"{ATOM}author/{ATOM}name") == site_config.publisher.name


def test_atom_entry_links_keep_rel_type_and_hreflang(feeds_out: Path, sample_story: Story) -> None:
    for lang in LANGS:
        root = etree.parse(str(feeds_out / "atom" / f"{lang}.xml")).getroot()
        links = root.findall(f"{ATOM}entry/{ATOM}link")
        alternates = [link for link in links if link.get("rel") == "alternate"]
        assert all(link.get("type") == "text/html" for link in alternates)
        own = alternates[0].get("href")
        assert own.endswith(f".{lang}.html")
        assert alternates[-1].get("href") == own
        assert {link.get("hreflang") for link in alternates[1:]} == set(sample_story.languages)
        pairs = [(link.get("type"), link.get("hreflang")) for link in alternates]
        assert len(pairs) == len(set(pairs))
        (enclosure,) = [link for link in links if link.get("rel") == "enclosure"]
        image = sample_story.images[0]
        assert (enclosure.get("type"), enclosure.get("length")) == (
            image.media_type,
            str(image.size),
        )


def test_an_atom_entry_s_borrowed_rights_say_their_language(
    sample_story: Story, site_config: SiteConfig, shared_dir: Path
) -> None:
    """A copyright notice written in English only was the `<rights>` of every entry, in the
    Arabic feed too, whose `xml:lang="ar"` it inherited: feed readers took English for
    Arabic. It says its language, as the page does; a notice of the entry's own says none."""
    rights = dataclasses.replace(sample_story.rights, notice=Localized((("en", "© YCPress"),)))
    story = dataclasses.replace(sample_story, rights=rights)
    files, _ = export_stories([story], site_config, "atom")
    for lang in ("ar", "de"):
        root = etree.fromstring(files[f"atom/{lang}.xml"], safe_parser())
        (notice,) = root.iterfind(f"{ATOM}entry/{ATOM}rights")
        assert (notice.text, notice.get(XML_LANG)) == ("© YCPress", "en")
    english = etree.fromstring(files["atom/en.xml"], safe_parser())
    (own,) = english.iterfind(f"{ATOM}entry/{ATOM}rights")
    assert (own.text, own.get(XML_LANG)) == ("© YCPress", None)
    schema = etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))
    arabic = etree.fromstring(files["atom/ar.xml"], safe_parser())
    assert schema.validate(arabic), schema.error_log
    assert list(atom_problems(arabic)) == []


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_images_as_media_rss_with_caption_and_credit(
    feeds_out: Path, fmt: str, sample_story: Story
) -> None:
    image = sample_story.images[0]
    root = etree.parse(str(feeds_out / fmt / "zh-Hans.xml")).getroot()
    ns = {"media": "http://search.yahoo.com/mrss/"}
    (content,) = root.xpath("//media:content", namespaces=ns)
    assert content.get("type") == image.media_type
    assert content.get("fileSize") == str(image.size)
    assert (content.get("width"), content.get("height")) == (str(image.width), str(image.height))
    assert image.caption is not None
    assert content.findtext("media:description", namespaces=ns) == image.caption.get("zh-Hans")
    assert content.findtext("media:credit", namespaces=ns) == image.credit


def test_rss_guid_is_not_a_permalink(feeds_out: Path, sample_story: Story) -> None:
    root = etree.parse(str(feeds_out / "rss" / "ar.xml")).getroot()
    (guid,) = root.iter("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == sample_story.variant_id("ar")


def test_goldens(feeds_out: Path, golden: Callable[[Path, str], None]) -> None:
    golden(feeds_out / "atom", "atom")
    golden(feeds_out / "rss", "rss")


def test_two_exports_are_byte_identical(export_sample: Callable[..., Path]) -> None:
    first, second = export_sample("atom", "rss"), export_sample("atom", "rss")
    for fmt in ("atom", "rss"):
        names = [p.relative_to(first) for p in feed_files(first, fmt)]
        assert names == [p.relative_to(second) for p in feed_files(second, fmt)]
        for name in names:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name


def validate(out: Path, config: SiteConfig) -> Diagnostics:
    diags = Diagnostics()
    for writer in (AtomWriter(), RssWriter()):
        ctx = Context(config, datetime.now(UTC), config.languages, FeedOptions(), diags)
        writer.validate_outputs(out, ctx)
    return diags


def test_validate_outputs_passes_on_the_export(
    feeds_out: Path, site_config: SiteConfig, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ATOM_RNG_ENV, str(shared_dir / "schemas-official/atom/atom.rng"))
    assert [d.format_text() for d in validate(feeds_out, site_config)] == []


def test_validate_outputs_reports_broken_feeds(
    feeds_out: Path, site_config: SiteConfig, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ATOM_RNG_ENV, str(shared_dir / "schemas-official/atom/atom.rng"))
    atom = feeds_out / "atom" / "fr.xml"
    text = atom.read_text(encoding="utf-8")
    text = re.sub(r"<author>.*?</author>", "", text, flags=re.S)
    text = re.sub(r"<content .*?</content>", "", text, flags=re.S)
    text = re.sub(r'<link [^>]*rel="alternate"[^>]*/>', "", text)
    text = re.sub(r"(</?)published>", r"\1issued>", text)  # not an Atom element: schema error
    atom.write_text(text, encoding="utf-8")
    rss = feeds_out / "rss" / "ar.xml"
    rss.write_text(
        rss.read_text(encoding="utf-8").replace("Thu, 18 Feb", "jeu., 18 févr."), encoding="utf-8"
    )
    codes = {
        (d.code, Path(d.path or "").name.split(":")[0]) for d in validate(feeds_out, site_config)
    }
    assert ("atom.author", "fr.xml") in codes
    assert ("atom.alternate", "fr.xml") in codes
    assert ("atom.rng", "fr.xml") in codes
    assert ("rss.date", "ar.xml") in codes


def _picture(size: tuple[int, int], fmt: str, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 255)).save(
        buffer, format=fmt
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("logo", "icon"),
    [
        ((600, 120), (256, 256)),  # a banner: 144x29 at 144 wide, under 31 px: the icon
        ((1200, 90), (256, 256)),  # too flat at 144 wide: the icon instead
        ((1200, 90), None),  # too flat, and no icon: the flat logo
        ((100, 900), (64, 64)),  # tall: 400 high at most
        ((40, 20), (64, 64)),  # small: never scaled up
    ],
)
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_a_feed_image_s_size_is_known_before_it_is_made(
    logo: tuple[int, int], icon: tuple[int, int] | None, fmt: str
) -> None:
    """The size a feed announces for its image (RSS `<image>` width and height) is read off
    the logo's and icon's headers (a PNG's without Pillow, `image_size`), and is the size of
    the PNG made when the file is (`FeedImage.make`): the file is made only when the
    configuration changed."""
    from syndicate.formats.feeds.images import atom_logo, rss_image
    from syndicate.readers.images import image_size

    mode = "RGB" if fmt == "JPEG" else "RGBA"
    logo_data = _picture(logo, fmt, mode)
    icon_data = _picture(icon, "PNG") if icon else None
    assert image_size(logo_data) == logo
    for image in (rss_image(logo_data, icon_data), atom_logo(logo_data, icon_data)):
        made = image.make()
        with Image.open(io.BytesIO(made)) as drawn:
            assert drawn.format == "PNG" and drawn.size == (image.width, image.height)
    expected = rss_image(logo_data, icon_data)
    assert expected.width <= 144 and expected.height <= 400
    if icon and logo == (1200, 90):
        assert (expected.width, expected.height) == (144, 144)  # the icon
    # the one it is drawn from, whose digest its URL carries (`feed_logo`): the icon when
    # the logo fitted to 144 wide is under 31 px high (a banner of 600x120 too: 144x29)
    flat = round(logo[1] * min(144 / logo[0], 400 / logo[1], 1.0)) < 31
    assert expected.from_icon is bool(icon and flat)
    assert not atom_logo(logo_data, icon_data).from_icon


def _site_links(files: dict[str, bytes], name: str) -> dict[str, tuple[str, str | None]]:
    """Each feed's site as readers see it: Atom's and RSS's `feed.link` (feedparser) with the
    Atom link's `hreflang`, JSON Feed's `home_page_url`."""
    found: dict[str, tuple[str, str | None]] = {}
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(files[f"{fmt}/{name}.xml"])
        assert not parsed.bozo, (fmt, name)
        alternate = [link for link in parsed.feed.links if link.get("type") == "text/html"]
        found[fmt] = (parsed.feed.link, alternate[0].get("hreflang") if fmt == "atom" else None)
    home = json.loads(files[f"jsonfeed/{name}.json"])["home_page_url"]
    found["jsonfeed"] = (home, None)
    return found


def _fed(path: str) -> bool:
    """An RSS feed document (not the logo, not an archive page)."""
    return path.startswith("rss/") and path.endswith(".xml") and "/archive/" not in path


def _with_a_killed_section(sample_story: Story) -> list[Story]:
    """The sample (politics, six languages) and a story of `sport` killed after it was
    public: the sport feeds stay (for its notice), the HTML format makes no sport list."""
    killed = dataclasses.replace(
        sample_story,
        id="tag:ycpress.example,2021:sport",
        slug="sport-story",
        section="sport",
        status="canceled",
        version=2,
        updated=datetime(2021, 2, 20, 8, 0, tzinfo=UTC),
    )
    return [sample_story, killed]


def test_a_feed_s_site_is_its_story_list(sample_story: Story, site_config: SiteConfig) -> None:
    """A reader's "visit website" on the French politics feed opens the French politics list,
    not the publisher's home page: every feed's HTML alternate (Atom, with `hreflang`; RSS's
    channel link; JSON Feed's home page) is the first page of the story list it follows. A
    section with no list (its stories killed) gets its language's; a language no story has
    yet, the publisher's site. The feeds do not depend on whether the run makes the pages."""
    base = site_config.base_url
    stories = _with_a_killed_section(sample_story)
    english_only = dataclasses.replace(stories[0], variants=(stories[0].original,))
    files, diags = export_stories(stories, site_config, "atom", "rss", "jsonfeed")
    assert not diags.errors
    for fmt, link in _site_links(files, "fr/politics").items():
        assert link == (f"{base}html/fr/politics.html", "fr" if fmt == "atom" else None)
    for fmt, link in _site_links(files, "ar").items():
        assert link == (f"{base}html/index.ar.html", "ar" if fmt == "atom" else None)
    for fmt, link in _site_links(files, "fr/sport").items():
        assert link == (f"{base}html/index.fr.html", "fr" if fmt == "atom" else None)
    with_pages, _ = export_stories(stories, site_config, "atom", "rss", "jsonfeed", "html")
    assert {p: d for p, d in with_pages.items() if not p.startswith("html/")} == files
    for name in (p.removeprefix("rss/").removesuffix(".xml") for p in files if _fed(p)):
        site = _site_links(with_pages, name)["rss"][0]
        assert site.removeprefix(base) in with_pages, (name, site)  # a page the HTML makes
    alone, _ = export_stories([english_only], site_config, "atom", "rss", "jsonfeed")
    assert set(_site_links(alone, "fr").values()) == {(site_config.publisher.url, None)}
    assert _site_links(alone, "en")["rss"] == (f"{base}html/index.en.html", None)


def test_a_run_s_feeds_tell_their_story_lists_once(
    sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atom, RSS and JSON Feed (and each partner profile in each language) link the same
    lists of the same stories: a run works them out once, as it plans the feeds once. Made
    for each, the lists of a 20,000-story archive cost an edit about 0.13 s two dozen times.
    Another time, at which other stories are public, gets its own."""
    from syndicate.formats import lists

    made: list[int] = []

    class Counted(lists.StoryLists):
        def __init__(self, *args: Any) -> None:
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(lists, "StoryLists", Counted)
    lists._kept.clear()
    stories = _with_a_killed_section(sample_story)
    alone = {
        name: export_stories(stories, site_config, name)[0] for name in ("atom", "rss", "jsonfeed")
    }
    made.clear()
    together, diags = export_stories(stories, site_config, "atom", "rss", "jsonfeed")
    assert not diags.errors and len(made) == 1
    assert together == {**alone["atom"], **alone["rss"], **alone["jsonfeed"]}
    later = datetime(2031, 1, 1, tzinfo=UTC)
    export_stories(stories, site_config, "atom", "rss", "jsonfeed", now=later)
    assert len(made) == 2


def test_a_feed_s_site_without_the_html_lists(sample_story: Story, site_config: SiteConfig) -> None:
    """Without section lists (`html.section_pages: false`) a section's feed links its
    language's list; with the stories' pages on the newsroom's CMS (`links.article`), every
    feed links the publisher's site, as syndicate's lists are not the pages readers browse."""
    base = site_config.base_url
    stories = _with_a_killed_section(sample_story)
    options = {"html": {"section_pages": False}}
    files, _ = export_stories(stories, site_config, "atom", "rss", "jsonfeed", options=options)
    assert _site_links(files, "de/politics")["atom"] == (f"{base}html/index.de.html", "de")
    cms = dataclasses.replace(site_config, article_url="https://cms.example/{lang}/{slug}")
    files, _ = export_stories(stories, cms, "atom", "rss", "jsonfeed")
    for name in ("de", "de/politics", "de/sport"):
        assert set(_site_links(files, name).values()) == {(site_config.publisher.url, None)}


@pytest.mark.parametrize("run", [None, ("ar",)], ids=["every-language", "lang-ar"])
def test_a_storys_languages_follow_the_sites_order_in_every_format(
    sample_story: Story, site_config: SiteConfig, run: tuple[str, ...] | None
) -> None:
    """The feeds (Atom, RSS, the partner profiles') listed an entry's translations in the
    story's order (its original, then its files' alphabetically), NewsML-G2 its items' links
    and its package's itemRefs, ninjs its associations, while the pages, the books and the
    sitemap list them in syndicate.yaml's order: a partner comparing the Atom feed with the
    sitemap found one story's languages in two orders. Every format follows the site's, in
    a partial run (`--lang ar`) too, whose files link to every language the site publishes."""
    order = [lang for lang in site_config.languages if sample_story.has(lang)]
    assert order != list(sample_story.languages)  # (the sample's two orders differ)
    formats = ("atom", "rss", "flipboard", "newsml", "ninjs", "sitemap")
    files, diags = export_stories([sample_story], site_config, *formats, languages=run)
    assert not diags.errors, [d.format_text() for d in diags]
    atom = "{http://www.w3.org/2005/Atom}"
    slug = sample_story.slug
    for lang in run or order:
        want = [other for other in order if other != lang]
        for path in (f"atom/{lang}.xml", f"rss/{lang}.xml", f"partners/flipboard/{lang}.xml"):
            feed = etree.fromstring(files[path])
            (entry,) = [e for e in feed.iter(f"{atom}entry", "item")]
            tags = [link.get("hreflang") for link in entry.iter(f"{atom}link")]
            assert [t for t in tags if t and t != lang] == want, path
        item = etree.fromstring(files[f"newsml/{slug}.{lang}.xml"])
        links = item.xpath("//g:link[starts-with(@rel, 'synrel:')]", namespaces=G)
        assert [link.get(XML_LANG) for link in links] == want, lang
        ninjs = json.loads(files[f"ninjs/{slug}.{lang}.json"])
        texts = [a["language"] for a in ninjs["associations"] if a["type"] == "text"]
        assert texts == want, lang
    package = etree.fromstring(files[f"newsml/{slug}.package.xml"])
    refs = package.xpath("//g:itemRef", namespaces=G)
    assert [ref.get(XML_LANG) for ref in refs] == order
    sitemap = etree.fromstring(files["sitemaps/pages.xml"])
    for url in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}url"):
        tags = [link.get("hreflang") for link in url.iter("{http://www.w3.org/1999/xhtml}link")]
        assert [t for t in tags if t != "x-default"] == order


G = {"g": "http://iptc.org/std/nar/2006-10-01/"}
