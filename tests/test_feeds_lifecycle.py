"""Feeds over variants of the sample story: embargo, withheld, canceled, corrections, missing
languages, empty feeds and text that needs escaping, checked with the schema and feedparser."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import SAMPLE_SLUG, export_stories
from lxml import etree
from lxml import html as lxml_html

from syndicate.diagnostics import Diagnostics
from syndicate.formats.feeds.atom import AtomWriter
from syndicate.formats.feeds.documents import FeedWriter
from syndicate.formats.feeds.feedgen_adapter import Entry, atom_entry
from syndicate.formats.feeds.rss import RssWriter
from syndicate.formats.feeds.validate import atom_problems, rss_problems
from syndicate.formats.partners.profiles import SmartNewsOptions
from syndicate.formats.partners.rules import Rules
from syndicate.formats.partners.validate import check_feed
from syndicate.i18n.terms import term
from syndicate.model import (
    Byline,
    Correction,
    Emphasis,
    Localized,
    Paragraph,
    Person,
    SiteConfig,
    Story,
    Strong,
    Text,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
WRITERS = [AtomWriter(), RssWriter()]


def export(
    writer: FeedWriter,
    stories: list[Story],
    config: SiteConfig,
    now: datetime = NOW,
    **options: object,
) -> dict[str, bytes]:
    """The feed documents the engine publishes (not the feed image beside them)."""
    files, diags = export_stories(stories, config, writer, now=now, options={"feeds": options})
    assert not diags.errors, [d.format_text() for d in diags]
    assert f"{writer.name}/logo.png" in files
    return {path: data for path, data in files.items() if path.endswith(".xml")}


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def ids(data: bytes) -> list[str]:
    return [e.id for e in parse(data).entries]


@pytest.fixture(scope="module")
def atom_schema(shared_dir: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))


def assert_valid(files: dict[str, bytes], schema: etree.RelaxNG) -> None:
    for path, data in files.items():
        root = etree.fromstring(data)
        if path.startswith("atom/"):
            assert schema.validate(root.getroottree()), (path, schema.error_log)
            assert list(atom_problems(root)) == [], path
        else:
            assert list(rss_problems(root)) == [], path
        parse(data)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_embargoed_story_appears_only_after_its_embargo(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig
) -> None:
    embargoed = replace(sample_story, embargo_until=NOW + timedelta(hours=1))
    before = export(writer, [embargoed], site_config)
    after = export(writer, [embargoed], site_config, now=NOW + timedelta(hours=1))
    assert ids(before[f"{writer.name}/fr.xml"]) == []
    assert ids(after[f"{writer.name}/fr.xml"]) == [sample_story.variant_id("fr")]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_withheld_and_canceled_stories_are_not_in_feeds(
    writer: FeedWriter, status: str, sample_story: Story, site_config: SiteConfig
) -> None:
    other = replace(sample_story, id="tag:ycpress.example,2021:other", slug="other")
    hidden = replace(sample_story, status=status)
    files = export(writer, [hidden, other], site_config)
    for path in (f"{writer.name}/en.xml", f"{writer.name}/en/politics.xml"):
        assert ids(files[path]) == [other.variant_id("en")]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_correction_bumps_updated_and_keeps_the_id(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig
) -> None:
    later = datetime(2021, 2, 19, 9, 15, tzinfo=UTC)
    corrected = replace(
        sample_story,
        updated=later,
        version=2,
        correction=Correction(Localized.same("A figure was corrected."), sample_story.source),
    )
    before = parse(export(writer, [sample_story], site_config)[f"{writer.name}/ar.xml"])
    after = parse(export(writer, [corrected], site_config)[f"{writer.name}/ar.xml"])
    assert before.entries[0].id == after.entries[0].id == sample_story.variant_id("ar")
    assert tuple(after.entries[0].updated_parsed)[:6] == (2021, 2, 19, 9, 15, 0)
    assert tuple(after.entries[0].published_parsed)[:6] == (2021, 2, 18, 18, 30, 0)
    assert tuple(after.feed.updated_parsed)[:6] == (2021, 2, 19, 9, 15, 0)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_story_without_a_language_is_not_in_that_feed(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig, atom_schema: etree.RelaxNG
) -> None:
    english_only = replace(sample_story, variants=(sample_story.original,))
    files = export(writer, [english_only], site_config)
    assert ids(files[f"{writer.name}/en.xml"]) == [sample_story.variant_id("en")]
    assert ids(files[f"{writer.name}/fr.xml"]) == []
    assert_valid(files, atom_schema)
    # Translations are linked only where they exist.
    entry = parse(files[f"{writer.name}/en.xml"]).entries[0]
    assert {link.get("hreflang") for link in entry.links if link.get("hreflang")} <= {"en"}


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_empty_feed_is_valid_with_a_fixed_date(
    writer: FeedWriter, site_config: SiteConfig, atom_schema: etree.RelaxNG
) -> None:
    files = export(writer, [], site_config)
    assert sorted(files) == sorted(f"{writer.name}/{lang}.xml" for lang in site_config.languages)
    assert_valid(files, atom_schema)
    for data in files.values():
        parsed = parse(data)
        assert parsed.entries == []
        assert tuple(parsed.feed.updated_parsed)[:6] == (1970, 1, 1, 0, 0, 0)
    assert files == export(writer, [], site_config, now=NOW + timedelta(days=400))


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_an_empty_feed_is_dated_by_the_site_not_1970(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig, atom_schema: etree.RelaxNG
) -> None:
    """A feed with nothing in it (a language no story has yet, or a partner's whose rules
    leave every story out) said 1970, which the W3C validator refuses as implausible and
    which looked like time going back for a feed that had entries: it says when the newest
    story of its language changed, else the site's newest."""
    english_only = replace(sample_story, variants=(sample_story.original,))
    files = export(writer, [english_only], site_config)
    assert_valid(files, atom_schema)
    english = parse(files[f"{writer.name}/en.xml"]).feed.updated_parsed
    french = parse(files[f"{writer.name}/fr.xml"])
    assert french.entries == [] and french.feed.updated_parsed == english
    assert tuple(english)[:3] == (2021, 2, 18)
    assert files == export(writer, [english_only], site_config, now=NOW + timedelta(days=400))


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_a_kill_without_a_notice_still_dates_the_feed(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig
) -> None:
    """With `tombstone_days: 0` a killed story leaves its feeds with no notice: they then
    said they last changed when the newest story left did, before the version readers
    already had (Atom's `updated`, RSS's `lastBuildDate` went back in time). The kill is
    the feed's newest change: it dates the feed, as a notice would."""
    older = replace(sample_story, id="tag:ycpress.example,2021:older", slug="older")
    killed_at = datetime(2021, 2, 20, 8, 0, tzinfo=UTC)
    killed = replace(sample_story, status="canceled", version=2, updated=killed_at)
    older = replace(
        older,
        published=sample_story.published - timedelta(days=1),
        updated=sample_story.published - timedelta(days=1),
        first_created=sample_story.published - timedelta(days=2),
    )
    files = export(writer, [older, killed], site_config, tombstone_days=0)
    for path in (f"{writer.name}/en.xml", f"{writer.name}/en/politics.xml"):
        parsed = parse(files[path])
        assert [e.id for e in parsed.entries] == [older.variant_id("en")]
        assert tuple(parsed.feed.updated_parsed)[:6] == (2021, 2, 20, 8, 0, 0), path


TRICKY = {
    "en": 'Budget <draft> & "quotes" 5 < 6 — ' + " ".join(["a very long headline"] * 40),
    "ar": "الناتو <مسودة> & العراق 🚀",
    "zh-Hans": "北约 <草案> & 伊拉克 🎉😀",
}


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_special_characters_come_through_intact(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig, atom_schema: etree.RelaxNG
) -> None:
    extra = Paragraph((Text("x < y && z > 0 🚀 «ok»"),), sample_story.source)
    variants = tuple(
        replace(
            v,
            headline=TRICKY.get(v.lang, v.headline),
            summary=f"<b>not bold</b> & AT&T {TRICKY.get(v.lang, '')}",
            body=(*v.body, extra),
        )
        for v in sample_story.variants
    )
    files = export(writer, [replace(sample_story, variants=variants)], site_config)
    assert_valid(files, atom_schema)
    for lang, headline in TRICKY.items():
        entry = parse(files[f"{writer.name}/{lang}.xml"]).entries[0]
        assert entry.title == headline
        summary = entry.summary if writer.name == "atom" else html.unescape(entry.summary)
        assert summary == f"<b>not bold</b> & AT&T {headline}"
        content = lxml_html.fromstring(entry.content[0].value).text_content()
        assert "x < y && z > 0 🚀 «ok»" in content


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_contributors_are_not_credited_as_authors(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig, atom_schema: etree.RelaxNG
) -> None:
    """A translator or a photographer is a contributor, not an author (docs/sources.md):
    Atom's `contributor` and RSS's `dc:contributor`, as JSON Feed and JSON-LD leave them out
    of the authors; both were listed as `author` and `dc:creator`."""
    people = (
        Person("Jane Martin", "correspondent"),
        Person("Li Wei", "translator", "https://ycpress.example/lw"),
        Person("Omar & Haddad", "photographer"),
    )
    byline = Byline(people, "YCPress")
    variants = tuple(replace(v, byline=byline) for v in sample_story.variants)
    files = export(writer, [replace(sample_story, variants=variants)], site_config)
    assert_valid(files, atom_schema)
    entry = parse(files[f"{writer.name}/en.xml"]).entries[0]
    assert [a.get("name") for a in entry.authors] == ["Jane Martin", "YCPress"]
    assert [c.get("name") for c in entry.contributors] == ["Li Wei", "Omar & Haddad"]
    item = etree.fromstring(files[f"{writer.name}/en.xml"])
    if writer.name == "atom":
        (found,) = item.iterfind(".//{*}entry/{*}contributor/{*}uri")
        assert found.text == "https://ycpress.example/lw"
    else:
        creators = item.xpath("//*[local-name()='creator']/text()")
        assert creators == ["Jane Martin", "YCPress"]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_the_space_between_two_inline_elements_is_kept(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig
) -> None:
    """`*one* **two**`: the space between the two is a word space, not formatting white space
    a parser may drop (Atom entries once lost it, reparsing the rendered body)."""
    extra = Paragraph(
        (Emphasis((Text("one"),)), Text(" "), Strong((Text("two"),))), sample_story.source
    )
    variants = tuple(replace(v, body=(*v.body, extra)) for v in sample_story.variants)
    files = export(writer, [replace(sample_story, variants=variants)], site_config)
    content = parse(files[f"{writer.name}/en.xml"]).entries[0].content[0].value
    assert "one two" in lxml_html.fromstring(content).text_content()


def test_an_entry_made_without_its_tree_parses_its_content_keeping_spaces() -> None:
    """An `Entry` built by hand (content only) gives the same entry as one made from a story."""
    body = etree.fromstring(
        '<div xmlns="http://www.w3.org/1999/xhtml" lang="en"><p><em>one</em> <b>two</b></p></div>'
    )
    made = Entry(
        id="urn:x",
        lang="en",
        title="t",
        link="https://example.org/t",
        translations=(),
        published=NOW,
        updated=NOW,
        summary="s",
        content=etree.tostring(body, encoding="unicode"),
        authors=(),
        categories=(),
        media=(),
        rights=None,
    )
    assert atom_entry(made) == atom_entry(replace(made, body=body))
    assert b"<em>one</em> <b>two</b>" in atom_entry(made)


def test_rtl_content_keeps_its_direction(sample_story: Story, site_config: SiteConfig) -> None:
    files = export(AtomWriter(), [sample_story], site_config)
    root = etree.fromstring(files["atom/ar.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom", "x": "http://www.w3.org/1999/xhtml"}
    (div,) = root.xpath("//a:entry/a:content/x:div/x:div", namespaces=ns)
    assert (div.get("dir"), div.get("lang")) == ("rtl", "ar")


MARKED_UP = "Tom & Jerry <i>News</i>"


def test_the_rss_channel_description_is_text_a_reader_shows_as_written(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """RSS 2.0's description is HTML: the channel's was escaped once, so `<i>` in the
    publisher's name was markup to feedparser (as text/html), rendered as italics. Escaped
    like the items' descriptions, it reads back as the text written; the title stays the
    plain text RSS titles are (as the items' are). MSN's plain descriptions stay escaped once
    (its items' are plain text too), and SmartNews' cap counts the text, not its escapes."""
    config = replace(site_config, publisher=replace(site_config.publisher, name=MARKED_UP))
    names = ("rss", "google-news", "msn", "smartnews")
    files, diags = export_stories([sample_story], config, *names, now=NOW)
    assert not [d for d in diags if d.code.startswith("partner.") and "description" in d.message]
    for path in ("rss/en.xml", "partners/google-news/en.xml"):
        feed = parse(files[path]).feed
        assert feed.subtitle_detail.type == "text/html"
        shown = lxml_html.fragment_fromstring(feed.subtitle, create_parent="p").text_content()
        assert shown == f"Latest stories from {MARKED_UP}", path
        channel = etree.fromstring(files[path]).find("channel")
        assert channel.findtext("title") == f"{MARKED_UP}: Latest news"
    msn = etree.fromstring(files["partners/msn/en.xml"]).find("channel")
    assert msn.findtext("description") == f"Latest stories from {MARKED_UP}"
    smartnews = etree.fromstring(files["partners/smartnews/en.xml"]).find("channel")
    assert html.unescape(smartnews.findtext("description")) == MARKED_UP
    (tmp_path / "en.xml").write_bytes(files["partners/smartnews/en.xml"])
    checked = Diagnostics()
    check_feed(tmp_path / "en.xml", Rules("smartnews", SmartNewsOptions()), checked)
    assert not [d for d in checked if "channel description" in d.message], checked.sorted()


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_a_kill_notice_keeps_the_publishers_name_whole_in_a_right_to_left_feed(
    writer: FeedWriter, sample_story: Story, site_config: SiteConfig
) -> None:
    """The notice an Arabic feed gives of a killed story, "حذفت YCPress Ltd. هذا الخبر.",
    showed the Latin name's full stop before it (".YCPress Ltd"), as the page's notice did
    before its fix: the name is a bidi isolate (U+2068...U+2069) in a feed of the other
    direction, as FriBiDi tells (its full stop at the level of its letters), and as it is
    in an English feed."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = replace(site_config, publisher=replace(site_config.publisher, name=name))
    killed_at = datetime(2021, 2, 20, 8, 0, tzinfo=UTC)
    killed = replace(sample_story, status="canceled", version=2, updated=killed_at)
    files = export(writer, [killed], config)
    said = {}
    for lang in ("ar", "en"):
        notice = term("notice_killed", lang, publisher="\0")  # its words around the name
        words = [w for w in notice.split("\0") if w.strip()]
        root = etree.fromstring(files[f"{writer.name}/{lang}.xml"])
        texts = [t for t in root.itertext() if name in t and all(w in t for w in words)]
        assert texts, lang
        said[lang] = texts
    for text in said["ar"]:
        plain = html.unescape(text)
        levels = embedding_levels(plain, "rtl")
        at = plain.index(name)
        assert levels[at] == levels[at + len(name) - 1], plain
    assert all("\u2068" not in text for text in said["en"])


def test_the_titles_of_a_right_to_left_feed_keep_the_publishers_name_whole(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """An Arabic feed's title, "YCPress Ltd.: آخر الأخبار" (Atom's `title`, RSS's channel
    `title`, JSON Feed's `title`), its subtitle and its rights notice showed the Latin name's
    full stop before it (".YCPress Ltd"), and so did the title of the page's `<link
    rel="alternate">` to it, which a browser shows in the page's direction: the name is a bidi
    isolate (U+2068...U+2069) in a text of the other direction, as FriBiDi tells (its full stop
    at the level of its letters), as in the pages' titles and the feeds' notices; not in an
    English feed, and never in the feed's author, a name alone."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = replace(site_config, publisher=replace(site_config.publisher, name=name))
    files, diags = export_stories([sample_story], config, "atom", "rss", "jsonfeed", "html")
    assert not diags.errors, [d.format_text() for d in diags]
    said: dict[str, list[str]] = {}
    for lang in ("ar", "en"):
        texts = []
        for path in (f"atom/{lang}.xml", f"rss/{lang}.xml", f"atom/{lang}/politics.xml"):
            feed = parse(files[path]).feed
            texts += [feed.title, feed.subtitle, feed.rights]
            assert not path.startswith("atom/") or feed.author == name, path
        jsonfeed = json.loads(files[f"jsonfeed/{lang}.json"])
        texts += [jsonfeed["title"], jsonfeed["description"]]
        for page in (f"html/{SAMPLE_SLUG}.{lang}.html", f"html/{lang}/politics.html"):
            doc = lxml_html.fromstring(files[page])
            linked = doc.xpath("//head/link[@rel='alternate' and contains(@type, 'xml')]/@title")
            assert len(linked) == 2, page
            texts += linked
        assert all(name in text for text in texts), texts
        said[lang] = texts
    for text in said["ar"]:
        levels = embedding_levels(text, "rtl")
        at = text.index(name)
        assert levels[at] == levels[at + len(name) - 1], text
    assert all("\u2068" not in text for text in said["en"])


def test_a_partners_kill_item_title_keeps_the_publishers_name_whole_in_arabic(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """MSN takes titles of more than 20 characters: an Arabic kill item's notice, "الخبر لم
    يعد متاحًا" (19), takes the publisher's name after it, and "... — YCPress Ltd." showed the
    Latin name's full stop before it (".YCPress Ltd"), while the item's description, the
    notice, isolated it: the name is a bidi isolate there too, as FriBiDi tells; not in
    English, whose notice needs no name."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = replace(site_config, publisher=replace(site_config.publisher, name=name))
    killed_at = datetime(2021, 2, 20, 8, 0, tzinfo=UTC)
    killed = replace(sample_story, status="canceled", version=2, updated=killed_at)
    files, diags = export_stories([killed], config, "msn", "google-news")
    assert not diags.errors, [d.format_text() for d in diags]
    notice = term("notice_title", "ar")
    for profile in ("msn", "google-news"):
        (item,) = etree.fromstring(files[f"partners/{profile}/ar.xml"]).iter("item")
        title = item.findtext("title") or ""
        assert title.startswith(notice), title
        if profile == "google-news":  # no least length: the notice alone
            assert title == notice
            continue
        assert name in title and len(title) > 20, title
        levels = embedding_levels(title, "rtl")
        at = title.index(name)
        assert levels[at] == levels[at + len(name) - 1], title
    (english,) = etree.fromstring(files["partners/msn/en.xml"]).iter("item")
    assert english.findtext("title") == term("notice_title", "en")
