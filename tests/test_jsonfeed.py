"""The jsonfeed writer: the JSON Feed 1.1 schema on every file, the fields against the model, the
same stories, order and pages as the Atom feeds, the lifecycle, the validator, goldens."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ICON_V, MIXED_BYLINE, REPO, SAMPLE_SLUG, Exporter, export_stories, with_byline
from jsonschema import Draft7Validator, FormatChecker
from lxml import etree

from syndicate.cli import main
from syndicate.model import SiteConfig, Story

BASE = "https://ycpress.example/syndicate/"
ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def out(export_sample: Exporter) -> Path:
    result: Path = export_sample("jsonfeed")
    return result


def feeds(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {
        name.removeprefix("jsonfeed/"): json.loads(data)
        for name, data in files.items()
        if name.startswith("jsonfeed/")
    }


def validator(shared: Path) -> Draft7Validator:
    schema = json.loads((shared / "schemas-community/jsonfeed/schema-v1.1.json").read_bytes())
    return Draft7Validator(schema, format_checker=FormatChecker())


def story_at(sample: Story, n: int, published: datetime, **changes: Any) -> Story:
    return dataclasses.replace(
        sample,
        slug=f"story-{n:03d}",
        id=f"tag:ycpress.example,2026:story-{n:03d}",
        section="world" if n % 2 else "politics",
        first_created=published,
        published=published,
        updated=published,
        **changes,
    )


def test_every_file_is_valid_json_feed(out: Path, shared_dir: Path) -> None:
    files = sorted((out / "jsonfeed").rglob("*.json"))
    langs = ("ar", "de", "en", "es", "fr", "zh-Hans")
    expected = {f"{lang}.json" for lang in langs} | {f"{lang}/politics.json" for lang in langs}
    assert {f.relative_to(out / "jsonfeed").as_posix() for f in files} == expected
    check = validator(shared_dir)
    for path in files:
        errors = [e.message for e in check.iter_errors(json.loads(path.read_bytes()))]
        assert errors == [], path


def test_golden(out: Path, golden: Callable[[Path, str], None]) -> None:
    golden(out / "jsonfeed", "jsonfeed")


def test_feed_and_items_follow_the_model(out: Path, sample_story: Story) -> None:
    feed = json.loads((out / "jsonfeed" / "zh-Hans.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{BASE}jsonfeed/zh-Hans.json"
    assert feed["language"] == "zh-Hans" and feed["title"].startswith("YCPress")
    assert feed["icon"] == feed["favicon"] == f"{BASE}html/media/site/icon.png{ICON_V}"
    assert "next_url" not in feed and "hubs" not in feed
    (item,) = feed["items"]
    variant, image = sample_story.variant("zh-Hans"), sample_story.images[0]
    image_url = f"{BASE}html/media/{SAMPLE_SLUG}/{image.name}?v={image.digest}"
    assert item["id"] == sample_story.variant_id("zh-Hans")
    assert item["url"] == f"{BASE}html/{SAMPLE_SLUG}.zh-Hans.html"
    assert item["title"] == variant.headline and item["summary"] == variant.summary
    assert datetime.fromisoformat(item["date_published"]) == sample_story.published
    assert datetime.fromisoformat(item["date_modified"]) == sample_story.updated
    assert item["date_published"] == "2021-02-18T19:30:00+01:00"
    assert item["authors"] == [{"name": "YCPress"}]
    subjects = [s.name.get("zh-Hans") for s in sample_story.subjects]
    assert subjects[0] == "政治" and item["tags"] == ["政治", *subjects[1:]]  # once, not twice
    assert item["language"] == "zh-Hans"
    assert item["image"] == image_url
    assert item["attachments"] == [
        {
            "url": image_url,
            "mime_type": image.media_type,
            "size_in_bytes": image.size,
            "title": image.caption.get("zh-Hans") if image.caption else None,
        }
    ]
    body = etree.fromstring(item["content_html"])
    assert body.get("lang") == "zh-Hans"
    assert [img.get("src") for img in body.iter("{*}img")] == [image_url]
    assert len(body) > 5  # the whole body, not an excerpt
    arabic = json.loads((out / "jsonfeed" / "ar.json").read_bytes())["items"][0]
    assert etree.fromstring(arabic["content_html"]).get("dir") == "rtl"


def test_authors_are_the_byline_s_authors(sample_story: Story, site_config: SiteConfig) -> None:
    """JSON Feed has no contributors: a photographer is no author (before: listed as one)."""
    story = with_byline(sample_story, MIXED_BYLINE)
    files, _ = export_stories([story], site_config, "jsonfeed")
    item = json.loads(files["jsonfeed/en.json"])["items"][0]
    assert item["authors"] == [{"name": "Marie Curie"}]


def test_no_two_attachments_of_an_item_share_a_title(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """JSON Feed reads attachments of one title as one thing in two files: two photos under
    one caption were told as one picture (before: both titled with the caption)."""
    from syndicate.model import Localized

    image = sample_story.images[0]
    caption = Localized.same("Protesters in Porto on Monday.")
    red = dataclasses.replace(
        image, file="images/red.png", caption=caption, alt=Localized.same("Red")
    )
    blue = dataclasses.replace(red, file="images/blue.png", alt=Localized.same("Blue"))
    third = dataclasses.replace(red, file="images/third.png", alt=Localized.same("Red"))
    story = dataclasses.replace(sample_story, images=(image, red, blue, third))
    files, _ = export_stories([story], site_config, "jsonfeed")
    item = json.loads(files["jsonfeed/en.json"])["items"][0]
    titles = [attachment.get("title") for attachment in item["attachments"]]
    # red, placed in no body, is the story's lead image: the item's picture, first
    # (`Story.images_for`); the chart its body places follows
    assert story.main_image("en") == red
    assert titles == [
        caption.get("en"),
        image.caption.get("en") if image.caption else None,
        "Blue",
        "Red",
    ]
    red_again = [a for a in item["attachments"] if "/third.png?v=" in a["url"]]
    assert len(item["attachments"]) == 4 and red_again


def test_the_same_stories_order_and_pages_as_the_atom_feeds(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """JSON Feed imports the feeds' rules: with the same options it lists, in each document,
    the entries of the Atom document of the same name, in the same order."""
    stories = [story_at(sample_story, n, NOW - timedelta(hours=n)) for n in range(1, 8)]
    stories[5] = dataclasses.replace(stories[5], updated=NOW)  # a correction counts as new
    options = {"feeds": {"limit": 2, "archive_size": 2, "languages": ["en", "fr"]}}
    files, diags = export_stories(
        stories, site_config, "jsonfeed", "atom", options=options, now=NOW
    )
    assert not diags.errors
    json_feeds = feeds(files)
    atom = {
        name.removeprefix("atom/").removesuffix(".xml"): etree.fromstring(data)
        for name, data in files.items()
        if name.startswith("atom/") and name.endswith(".xml")
    }
    assert sorted(json_feeds) == sorted(f"{name}.json" for name in atom)
    for name, feed in atom.items():
        ids = [entry.findtext(f"{ATOM}id") for entry in feed.iter(f"{ATOM}entry")]
        assert [item["id"] for item in json_feeds[f"{name}.json"]["items"]] == ids, name
    english = json_feeds["en.json"]
    assert english["next_url"] == f"{BASE}jsonfeed/en/archive/3.json"
    assert json_feeds["en/archive/3.json"]["next_url"] == f"{BASE}jsonfeed/en/archive/2.json"
    assert "next_url" not in json_feeds["en/archive/1.json"]
    assert english["items"][0]["id"] == stories[5].variant_id("en")


def test_lifecycle_follows_the_feeds(sample_story: Story, site_config: SiteConfig) -> None:
    """Embargoed stories appear once the embargo ends, withheld and canceled ones never, and a
    correction keeps the item's id and moves its date_modified."""
    public = story_at(sample_story, 1, NOW - timedelta(days=1))
    embargoed = story_at(sample_story, 2, NOW - timedelta(hours=2), embargo_until=NOW)
    killed = story_at(sample_story, 3, NOW - timedelta(hours=1), status="canceled")
    withheld = story_at(sample_story, 4, NOW - timedelta(hours=1), status="withheld")
    stories = [public, embargoed, killed, withheld]

    def items(now: datetime, *chosen: Story) -> list[dict[str, Any]]:
        files, _ = export_stories(list(chosen), site_config, "jsonfeed", now=now)
        found: list[dict[str, Any]] = feeds(files)["en.json"]["items"]
        return found

    before = items(NOW - timedelta(minutes=1), *stories)
    assert [i["id"] for i in before] == [public.variant_id("en")]
    after = items(NOW, *stories)
    assert [i["id"] for i in after] == [embargoed.variant_id("en"), public.variant_id("en")]
    fixed = dataclasses.replace(public, updated=NOW, version=2)
    (corrected,) = items(NOW, fixed)
    assert corrected["id"] == public.variant_id("en")
    assert corrected["date_modified"] == "2026-03-10T12:00:00Z"
    assert corrected["date_published"] == after[1]["date_published"]


def test_a_hub_is_announced_by_subscription_feeds(
    sample_story: Story, site_config: SiteConfig
) -> None:
    hub = "https://pubsubhubbub.appspot.com/"
    files, _ = export_stories(
        [sample_story], site_config, "jsonfeed", options={"feeds": {"hub": hub}}
    )
    for name, feed in feeds(files).items():
        assert feed["hubs"] == [{"type": "WebSub", "url": hub}], name


def test_validate_outputs_checks_feeds(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    path = out / "jsonfeed" / "en.json"
    feed = json.loads(path.read_bytes())
    item = feed["items"][0]
    del item["content_html"]
    item["date_modified"] = "18 February 2021"
    feed["items"].append(dict(item))
    feed["language"] = "en_US"
    path.write_text(json.dumps(feed), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) == 1
    err = capsys.readouterr().err
    for problem in (
        "language 'en_US' is not a BCP 47 tag",
        "item 1: neither content_html nor content_text",
        "item 1: date_modified '18 February 2021' is not an RFC 3339 date-time",
        f"item 2: id '{item['id']}' used twice",
    ):
        assert f"{path}: error: {problem} [jsonfeed.rule]" in err


@pytest.mark.parametrize(
    "date",
    [
        # ISO 8601 forms Python's fromisoformat reads and RFC 3339, which JSON Feed 1.1
        # requires, does not: validate --outputs took them
        "20210218T193000Z",
        "2021-W07-4T19:30:00Z",
        "2021-02-18T19:30+01:00",
        "2021-02-18T19Z",
        "2021-02-18T19:30:00+01",
        "2021-02-30T19:30:00Z",
    ],
)
def test_validate_outputs_holds_dates_to_rfc3339(date: str) -> None:
    from syndicate.formats.jsonfeed.validate import feed_problems

    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "feed_url": "https://x.example/f.json",
        "home_page_url": "https://x.example/",
        "items": [{"id": "a", "content_text": "x", "date_published": date}],
    }
    assert feed_problems(feed) == [f"item 1: date_published {date!r} is not an RFC 3339 date-time"]
    for good in ("2021-02-18t19:30:00z", "2021-02-18T19:30:00.25-03:30"):
        feed["items"][0]["date_published"] = good
        assert feed_problems(feed) == [], good
