"""RFC 5005 paging with many stories: subscription feed, stable archive pages, their links,
WebSub hub, and the `feeds` options (languages, sections, limit, archive_size, hub)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import export_stories
from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.feeds.atom import AtomWriter
from syndicate.formats.feeds.documents import FeedWriter
from syndicate.formats.feeds.rss import RssWriter
from syndicate.formats.feeds.validate import atom_problems, rss_problems
from syndicate.model import SiteConfig, Story

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY0 = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
BASE = "https://ycpress.example/syndicate/"
A = "{http://www.w3.org/2005/Atom}"
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"
OPTIONS = {"feeds": {"limit": 3, "archive_size": 5}}


def export(
    writer: FeedWriter, stories: list[Story], config: SiteConfig, **options: object
) -> tuple[dict[str, bytes], Diagnostics]:
    """The feed documents the engine publishes (not the feed image beside them)."""
    files, diags = export_stories(stories, config, writer, now=NOW, options={"feeds": options})
    return {path: data for path, data in files.items() if path.endswith(".xml")}, diags


def atom(stories: list[Story], config: SiteConfig, **options: object) -> dict[str, bytes]:
    files, diags = export(AtomWriter(), stories, config, **options)
    assert not diags.errors
    return files


def many(sample: Story, count: int, start: int = 0) -> list[Story]:
    """`count` stories published a day apart, oldest first."""
    return [
        replace(
            sample,
            id=f"tag:ycpress.example,2021:story-{n}",
            slug=f"story-{n}",
            published=DAY0 + timedelta(days=n),
            updated=DAY0 + timedelta(days=n),
        )
        for n in range(start, start + count)
    ]


def entry_ids(data: bytes) -> list[str]:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    return [e.id for e in parsed.entries]


def links(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data)
    return {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}


def en(story: Story) -> str:
    return story.variant_id("en")


def test_subscription_feed_and_full_archive_pages(
    sample_story: Story, site_config: SiteConfig, shared_dir: Path
) -> None:
    stories = many(sample_story, 12)
    files = atom(stories, site_config, limit=3, archive_size=5)
    assert {p for p in files if p.startswith("atom/en")} == {
        "atom/en.xml",
        "atom/en/archive/1.xml",
        "atom/en/archive/2.xml",
        "atom/en/politics.xml",
        "atom/en/politics/archive/1.xml",
        "atom/en/politics/archive/2.xml",
    }
    # Newest first: the two stories not yet in a full page, then the newest archived one.
    assert entry_ids(files["atom/en.xml"]) == [en(s) for s in reversed(stories[9:])]
    assert set(entry_ids(files["atom/en/archive/1.xml"])) == {en(s) for s in stories[:5]}
    assert set(entry_ids(files["atom/en/archive/2.xml"])) == {en(s) for s in stories[5:10]}

    subscription = links(files["atom/en.xml"])
    assert subscription["self"] == f"{BASE}atom/en.xml"
    assert subscription["prev-archive"] == f"{BASE}atom/en/archive/2.xml"
    assert "current" not in subscription
    newest, oldest = links(files["atom/en/archive/2.xml"]), links(files["atom/en/archive/1.xml"])
    assert newest["self"] == f"{BASE}atom/en/archive/2.xml"
    assert newest["current"] == oldest["current"] == f"{BASE}atom/en.xml"
    assert newest["prev-archive"] == f"{BASE}atom/en/archive/1.xml"
    assert oldest["next-archive"] == f"{BASE}atom/en/archive/2.xml"
    assert "next-archive" not in newest and "prev-archive" not in oldest

    assert etree.fromstring(files["atom/en.xml"]).find(FH_ARCHIVE) is None
    schema = etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))
    for path, data in files.items():
        root = etree.fromstring(data)
        assert (root.find(FH_ARCHIVE) is not None) == ("/archive/" in path)
        assert schema.validate(root.getroottree()), (path, schema.error_log)
        assert list(atom_problems(root)) == []


def test_a_client_recovers_every_entry_by_walking_prev_archive(
    sample_story: Story, site_config: SiteConfig
) -> None:
    stories = many(sample_story, 23)
    files = atom(stories, site_config, limit=4, archive_size=5)
    seen: set[str] = set()
    url: str | None = f"{BASE}atom/fr.xml"
    while url:
        data = files[url.removeprefix(BASE)]
        seen.update(entry_ids(data))
        url = links(data).get("prev-archive")
    assert seen == {s.variant_id("fr") for s in stories}


def test_full_archive_pages_never_change(sample_story: Story, site_config: SiteConfig) -> None:
    stories = many(sample_story, 10)
    before = atom(stories, site_config, limit=3, archive_size=5)
    # Later stories, and one published early but under embargo until after all of them.
    late = replace(
        many(sample_story, 1, start=40)[0],
        published=DAY0 + timedelta(days=1, hours=1),
        embargo_until=DAY0 + timedelta(days=30),
    )
    after = atom(
        [*stories, *many(sample_story, 4, start=10), late], site_config, limit=3, archive_size=5
    )
    assert after["atom/en/archive/1.xml"] == before["atom/en/archive/1.xml"]
    old, new = before["atom/en/archive/2.xml"], after["atom/en/archive/2.xml"]
    assert entry_ids(old) == entry_ids(new)
    assert links(new)["next-archive"] == f"{BASE}atom/en/archive/3.xml"
    assert en(late) in entry_ids(after["atom/en/archive/3.xml"])


def test_a_kill_keeps_its_place_in_the_archive_pages(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A story killed after it was archived kept no place: every later story moved down a
    slot, and each full page changed its set of entries (a partner caching pages, as RFC 5005
    invites, kept the killed story's text). Its page now shows its deleted entry (RFC 6721),
    and every other page keeps its entries."""
    stories = many(sample_story, 12)
    before = atom(stories, site_config, limit=3, archive_size=5)
    stories[1] = replace(
        stories[1], status="canceled", version=2, updated=DAY0 + timedelta(days=30)
    )
    after = atom(stories, site_config, limit=3, archive_size=5)
    assert entry_ids(after["atom/en/archive/2.xml"]) == entry_ids(before["atom/en/archive/2.xml"])
    page = after["atom/en/archive/1.xml"]
    assert entry_ids(page) == [
        e for e in entry_ids(before["atom/en/archive/1.xml"]) if e != en(stories[1])
    ]
    deleted = etree.fromstring(page).findall(
        "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
    )
    assert [d.get("ref") for d in deleted] == [en(stories[1])]
    assert not list(atom_problems(etree.fromstring(page)))


def test_a_correction_to_an_archived_story_reaches_the_subscription_feed(
    sample_story: Story, site_config: SiteConfig
) -> None:
    stories = many(sample_story, 10)
    stories[0] = replace(stories[0], updated=DAY0 + timedelta(days=20), version=2)
    files = atom(stories, site_config, limit=3, archive_size=5)
    assert entry_ids(files["atom/en.xml"])[0] == en(stories[0])
    assert en(stories[0]) in entry_ids(files["atom/en/archive/1.xml"])


def test_archives_off_keeps_only_the_newest(sample_story: Story, site_config: SiteConfig) -> None:
    stories = many(sample_story, 8)
    files = atom(stories, site_config, limit=3, archive_size=0, sections=[])
    assert sorted(p for p in files if p.startswith("atom/en")) == ["atom/en.xml"]
    assert entry_ids(files["atom/en.xml"]) == [en(s) for s in reversed(stories[5:])]
    assert "prev-archive" not in links(files["atom/en.xml"])


def test_websub_hub_in_subscription_feeds_only(
    sample_story: Story, site_config: SiteConfig
) -> None:
    hub = "https://hub.example/"
    files = atom(many(sample_story, 6), site_config, archive_size=5, hub=hub)
    assert links(files["atom/de.xml"])["hub"] == hub
    assert "hub" not in links(files["atom/de/archive/1.xml"])
    rss, _ = export(RssWriter(), many(sample_story, 6), site_config, archive_size=5, hub=hub)
    channel = etree.fromstring(rss["rss/de.xml"]).find("channel")
    rels = {link.get("rel"): link.get("href") for link in channel.findall(f"{A}link")}
    assert rels == {
        "self": f"{BASE}rss/de.xml",
        "hub": hub,
        "prev-archive": f"{BASE}rss/de/archive/1.xml",
    }


def test_rss_archives_are_marked_and_linked(sample_story: Story, site_config: SiteConfig) -> None:
    stories = many(sample_story, 7)
    files, diags = export(RssWriter(), stories, site_config, limit=2, archive_size=5)
    assert not diags.errors
    channel = etree.fromstring(files["rss/es/archive/1.xml"]).find("channel")
    assert channel.find(FH_ARCHIVE) is not None
    rels = {link.get("rel"): link.get("href") for link in channel.findall(f"{A}link")}
    assert rels == {"self": f"{BASE}rss/es/archive/1.xml", "current": f"{BASE}rss/es.xml"}
    for path in ("rss/es.xml", "rss/es/archive/1.xml"):
        channel_link = etree.fromstring(files[path]).find("channel").findtext("link")
        assert channel_link == f"{BASE}html/index.es.html"  # every page: the list's first
    for data in files.values():
        assert list(rss_problems(etree.fromstring(data))) == []
    assert len(entry_ids(files["rss/es.xml"])) == 2


def test_languages_and_sections_options(sample_story: Story, site_config: SiteConfig) -> None:
    files = atom([sample_story], site_config, languages=["fr", "ar"], sections=["world"])
    assert sorted(files) == ["atom/ar.xml", "atom/ar/world.xml", "atom/fr.xml", "atom/fr/world.xml"]
    assert entry_ids(files["atom/fr/world.xml"]) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"limit": 0}, "limit"),
        ({"archive_size": -1}, "archive_size"),
        ({"hub": "ftp://hub.example/"}, "hub"),
        ({"languages": ["xx"]}, "languages"),
        ({"sections": "politics"}, "sections"),
        # listed twice: validate passed, and export stopped with "'atom/en.xml' is written
        # twice, by atom and atom", at no line
        ({"languages": ["en", "en"]}, "languages"),
        ({"sections": ["politics", "politics"]}, "sections"),
    ],
)
def test_invalid_options_are_reported(
    options: dict[str, object], message: str, sample_story: Story, site_config: SiteConfig
) -> None:
    files, diags = export(AtomWriter(), [sample_story], site_config, **options)
    assert files == {}
    assert [d.code for d in diags.errors] == ["config.option"]
    assert diags.errors[0].message.startswith(f"feeds: {message}:")


def test_a_word_where_a_list_or_all_goes_is_told_both(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """`languages: en` said "invalid enum value 'en'"."""
    for given, said in [
        ("en", "expected `all`, or a list, such as [en]"),
        ("en fr", "expected `all`, or a list, such as [en, fr]"),  # two lines YAML folded
        ("ALL", "write `all`, in lowercase"),
    ]:
        _, diags = export(AtomWriter(), [sample_story], site_config, languages=given)
        assert diags.errors[0].message == f"feeds: languages: {given!r} is not valid; {said}"
    _, diags = export(AtomWriter(), [sample_story], site_config, sections="none")
    assert diags.errors[0].message.endswith("expected `all`, or a list, such as []")


def test_a_section_no_story_has_is_said_with_the_nearest(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """`sections: [Politics]` wrote feeds that stayed empty, without a word."""
    files, diags = export_stories(
        [sample_story],
        site_config,
        "atom",
        "rss",
        options={"feeds": {"sections": ["nosuch", "Politics"]}},
    )
    said = [d.message for d in diags.warnings if d.code == "feeds.section"]
    assert len(said) == 2, said  # once each, for every feed format
    assert (
        "no story is in the section 'Politics', so its feeds stay empty; did you mean" in (said[1])
    )
    assert "atom/en/nosuch.xml" in files


def test_the_feed_formats_of_a_run_order_and_page_the_stories_once(
    sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atom, RSS and JSON Feed hold the same stories in the same documents: the engine's run
    orders and pages them once for the three, and each format's files are those it makes
    alone."""
    from syndicate.formats.feeds import documents

    stories = many(sample_story, 12)
    alone = {
        name: export_stories(stories, site_config, name, now=NOW, options=OPTIONS)[0]
        for name in ("atom", "rss", "jsonfeed")
    }
    planned = []
    real = documents._story_sets
    monkeypatch.setattr(documents, "_story_sets", lambda *args: planned.append(args) or real(*args))
    documents._sets.clear()
    together, diags = export_stories(
        stories, site_config, "atom", "rss", "jsonfeed", now=NOW, options=OPTIONS
    )
    assert not diags.errors
    assert len(planned) == 1
    assert together == {**alone["atom"], **alone["rss"], **alone["jsonfeed"]}
    assert {p for p in together if p.startswith("jsonfeed/en")} >= {
        "jsonfeed/en.json",
        "jsonfeed/en/archive/1.json",
        "jsonfeed/en/archive/2.json",
    }


def test_feeds_of_other_options_or_another_time_are_planned_again(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A plan kept from an earlier run is not given to a run whose stories page otherwise:
    other options, or a later time at which an embargo has ended."""
    stories = many(sample_story, 12)
    embargoed = replace(stories[-1], embargo_until=NOW + timedelta(hours=12))
    stories = [*stories[:-1], embargoed]
    five = atom(stories, site_config, limit=3, archive_size=5)
    four = atom(stories, site_config, limit=3, archive_size=4)
    assert sorted(p for p in five if p.startswith("atom/en/archive")) == [
        "atom/en/archive/1.xml",
        "atom/en/archive/2.xml",
    ]
    assert len([p for p in four if p.startswith("atom/en/archive")]) == 2  # 11 public: 4 + 4
    assert len(entry_ids(five["atom/en/archive/1.xml"])) == 5
    assert len(entry_ids(four["atom/en/archive/1.xml"])) == 4
    assert en(embargoed) not in entry_ids(five["atom/en.xml"])
    later, _ = export_stories(
        stories,
        site_config,
        AtomWriter(),
        now=NOW + timedelta(days=1),
        options={"feeds": {"limit": 3, "archive_size": 5}},
    )
    assert en(embargoed) in entry_ids(later["atom/en.xml"])
    assert sorted(p for p in later if p.startswith("atom/en/archive")) == [
        "atom/en/archive/1.xml",
        "atom/en/archive/2.xml",
    ]


def test_a_translation_added_later_lands_at_the_end_of_its_archive(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A French text added to the oldest story after the others came out is new in the French
    feed (its own `published`): the full French archive pages keep their set."""
    stories = many(sample_story, 12)
    oldest = stories[0]
    without = replace(oldest, variants=tuple(v for v in oldest.variants if v.lang != "fr"))
    before = atom([without, *stories[1:]], site_config, limit=3, archive_size=5)
    later = DAY0 + timedelta(days=20)
    french = replace(oldest.variant("fr"), published=later)
    added = replace(
        oldest,
        version=2,
        updated=later,
        variants=tuple(french if v.lang == "fr" else v for v in oldest.variants),
    )
    after = atom([added, *stories[1:]], site_config, limit=3, archive_size=5)
    pages = ["atom/fr/archive/1.xml", "atom/fr/archive/2.xml"]
    assert all(after[page] == before[page] for page in pages), "the archive pages kept"
    assert added.variant_id("fr") in entry_ids(after["atom/fr.xml"])
    entry = next(e for e in feedparser.parse(after["atom/fr.xml"]).entries if "story-0" in e.id)
    assert entry.published == "2021-03-21T09:00:00Z"
