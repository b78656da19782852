"""Partner feed profiles: each built-in profile's rules applied to a site made to break them
(stories left out with a warning naming the rule, images cropped and scaled, kills in each
partner's idiom), the profile lint firing on feeds that break them, the site's own profiles,
the registry and configuration, goldens on the sample, incremental rebuilds."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
from conftest import PLAIN_COVERS, REPO, Exporter, export_stories
from lxml import etree
from partner_sites import BASE, DELIVERED, NOW, SENTENCES, Picture, Spec, make_site, rules_site
from PIL import Image

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.partners.dialect import plain_title
from syndicate.formats.partners.profiles import BUILTIN, ProfileOptions
from syndicate.formats.partners.writer import ProfileWriter
from syndicate.formats.registry import default_registry
from syndicate.model import Byline, SiteConfig, Story
from syndicate.readers.config import load_config

RECENT_NOW = "2021-02-19T12:00:00Z"
"""A day after the sample story: inside every profile's window."""
PROFILES = sorted(BUILTIN)
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
MEDIA = "{http://search.yahoo.com/mrss/}"
DCTERMS = "{http://purl.org/dc/terms/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
SNF = "{http://www.smartnews.be/snf}"


def export(site: Path, *formats: str, out: str = "out", now: str = NOW) -> tuple[int, Path]:
    """`syndicate export` of a test site; (exit status, out folder)."""
    args = ["export", "-q", "--now", now, "--out", str(site / out), "-j", "1"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    for fmt in formats:
        args += ["--format", fmt]
    return main(args, registry=PLAIN_COVERS), site / out


def items(feed: Path) -> dict[str, etree._Element]:
    """The items of a feed by the slug of their link."""
    channel = etree.parse(str(feed)).getroot().find("channel")
    assert channel is not None
    found = {}
    for item in channel.iterfind("item"):
        link = item.findtext("link") or ""
        found[link.rsplit("/", 1)[-1].split(".")[0]] = item
    return found


def published_url(out: Path, path: str) -> str:
    """The URL items give a file of out/: with the digest of its bytes, `?v=<12 hex digits>`."""
    return f"{BASE}{path}?v={hashlib.sha256((out / path).read_bytes()).hexdigest()[:12]}"


def file_name(content: etree._Element) -> str:
    """The name of the file a `media:content` links to (its URL's path ends in it)."""
    return urlsplit(content.get("url", "")).path.rsplit("/")[-1]


def reported(err: str, code: str) -> list[str]:
    return [line for line in err.splitlines() if line.endswith(f"[{code}]")]


@pytest.fixture(scope="module")
def rules_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The four built-in profiles on the rules site: out/ and what the export reported."""
    site = rules_site(tmp_path_factory.mktemp("rules") / "site")
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        status, out = export(site, *PROFILES)
    assert status == 0, stream.getvalue()
    return out, stream.getvalue()


# Goldens and the sample ---------------------------------------------------------------------


@pytest.fixture
def sample_config(tmp_path: Path) -> tuple[str, ...]:
    """`--config` naming the sample's configuration with `DELIVERED` added (and its logo and
    icon named from anywhere): the sample through the profiles, pinging no hub."""
    text = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    text = text.replace(" articles/_site/", f" {(REPO / 'articles/_site').as_posix()}/")
    config = tmp_path / "sample.yaml"
    config.write_text(text + DELIVERED, encoding="utf-8")
    return ("--config", str(config))


@pytest.mark.parametrize("profile", PROFILES)
def test_golden(
    profile: str,
    export_sample: Exporter,
    sample_config: tuple[str, ...],
    golden: Callable[[Path, str], None],
) -> None:
    out = export_sample(profile, now=RECENT_NOW, extra=sample_config)
    assert [p.name for p in out.iterdir() if p.name[0] != "."] == ["partners"]
    golden(out / "partners" / profile, f"partners/{profile}")


def test_exports_are_byte_identical(
    export_sample: Exporter, sample_config: tuple[str, ...]
) -> None:
    first, second = (
        export_sample(*PROFILES, now=RECENT_NOW, extra=sample_config) for _ in range(2)
    )
    files = sorted(p.relative_to(first) for p in (first / "partners").rglob("*") if p.is_file())
    assert files and all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


# MSN ------------------------------------------------------------------------------------------


def test_msn_rules(rules_out: tuple[Path, str]) -> None:
    out, err = rules_out
    feed = items(out / "partners/msn/en.xml")
    assert sorted(feed) == [
        "2026-01-20-quay", "2026-01-22-wide", "2026-01-23-small", "2026-01-24-bare",
        "2026-01-25-killed",
    ]  # fmt: skip
    # Titles of more than 20, at most 150 characters: the short one is left out, rule named.
    (short,) = [line for line in reported(err, "partner.msn.title-length") if "/en.md" in line]
    assert "articles/2026-01-21-short/en.md:2: warning: left out of the msn feed in en" in short
    assert "title is 9 characters; MSN requires 21-150" in short
    # Under a year old: the 2024 story is simply not listed (it aged out; no warning).
    # (The profiles alone link to pages this run does not make: export.dead-link, not a rule.)
    assert not [
        line for line in err.splitlines() if "2024-12-01-old" in line and "[partner." in line
    ]
    # Images at least 720 px wide, a ratio of 0.5-1.89: the 3:1 one is cropped, beside the feed.
    (content,) = feed["2026-01-22-wide"].iterfind(f"{MEDIA}content")
    rendition = "partners/msn/media/2026-01-22-wide/wide-1890x1000.png"
    assert content.get("url") == published_url(out, rendition)
    assert (content.get("width"), content.get("height")) == ("1890", "1000")
    with Image.open(out / rendition) as image:
        assert image.size == (1890, 1000)
    assert content.get("fileSize") == str((out / rendition).stat().st_size)
    # The 400x300 one misses MSN's recommendation (720 px in width or height): kept, since
    # only articles with an image are auto-published, with a warning.
    (small_image,) = feed["2026-01-23-small"].iterfind(f"{MEDIA}content")
    assert (small_image.get("width"), small_image.get("height")) == ("400", "300")
    (small,) = reported(err, "partner.msn.image-size")
    assert "images/small.png kept in the msn items: image is 400x300 px" in small
    assert "MSN recommends at least 720 px in width or height" in small
    # English UTC dates, and the updated date MSN reads.
    quay = feed["2026-01-20-quay"]
    assert quay.findtext("pubDate") == "Tue, 20 Jan 2026 09:00:00 GMT"
    assert quay.findtext(f"{DCTERMS}modified") == "2026-01-20T09:00:00Z"


def test_msn_kills_by_expiry(rules_out: tuple[Path, str]) -> None:
    out, _ = rules_out
    kill = items(out / "partners/msn/fr.xml")["2026-01-25-killed"]
    assert kill.findtext("guid") == "tag:harbour.example,2026:2026-01-25-killed:fr"
    # "Article indisponible" is 20 characters, under MSN's "more than 20": the publisher's
    # name makes the one item MSN must not refuse long enough
    assert kill.findtext("title") == "Article indisponible — Harbour Times"
    assert kill.findtext(f"{DCTERMS}valid") == "2026-01-27T09:45:00Z"
    assert kill.findtext(f"{DCTERMS}modified") == "2026-01-27T09:45:00Z"
    # MSN's pubDate is the publication (`pubdate: published`), the kill item's too: a story
    # put back after a withdrawal had its pubDate go back from the kill to the publication
    assert kill.findtext("pubDate") == "Sun, 25 Jan 2026 09:00:00 GMT"
    assert kill.find(CONTENT) is None and kill.find(f"{MEDIA}content") is None


def test_msn_takes_the_kill_of_a_story_a_year_old(tmp_path: Path) -> None:
    """MSN refuses items 365 days old or older: the kill of a story published more than a
    year before (a court's takedown of an old story) kept its publication as pubDate and
    never reached MSN, while `validate --outputs` skipped kill items' age. It is dated at the
    kill once the publication would be too old while the kill is in the feed."""
    killed = {"updated": "2026-02-01T09:00:00Z", "status": "canceled", "version": 2}
    specs = [
        Spec("2025-01-10-old", published="2025-01-10T09:00:00Z", **killed),
        Spec("2025-06-10-recent", published="2025-06-10T09:00:00Z", **killed),
        Spec("2026-01-30-live"),
    ]
    site = make_site(tmp_path / "site", specs)
    status, out = export(site, "msn", now="2026-02-01T10:00:00Z")
    assert status == 0
    msn = items(out / "partners/msn/en.xml")
    assert msn["2025-01-10-old"].findtext("pubDate") == "Sun, 01 Feb 2026 09:00:00 GMT"
    assert msn["2025-01-10-old"].findtext(f"{DCTERMS}modified") == "2026-02-01T09:00:00Z"
    # still young enough for the kill's days in the feed: the publication, as before
    assert msn["2025-06-10-recent"].findtext("pubDate") == "Tue, 10 Jun 2025 09:00:00 GMT"
    # a kill item too old to take (as an earlier syndicate wrote it) is said by the check
    feed = out / "partners/msn/en.xml"
    tree = etree.parse(str(feed))
    for item in tree.iter("item"):
        if "2025-01-10-old" in (item.findtext("guid") or ""):
            item.find("pubDate").text = "Fri, 10 Jan 2025 09:00:00 GMT"
    tree.write(str(feed), encoding="UTF-8", xml_declaration=True)
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        checked = main(
            ["validate", "--outputs", str(out), "--config", str(site / "syndicate.yaml")]
        )
    assert checked == 1 and "partner.msn.max-age" in stream.getvalue(), stream.getvalue()


def test_msn_titles_hold_no_tags_and_the_check_says_one_that_does(tmp_path: Path) -> None:
    """MSN allows no HTML tags in a title, as in the abstract: a headline pasted with `<i>`
    reached MSN with it (only the description was made plain), and the check said nothing."""
    specs = [
        Spec("2026-01-20-a", headline="Minister <i>resigns</i> after the harbour vote"),
        # words between angle brackets are no tag: kept, as written (review)
        Spec("2026-01-21-b", headline="Why NATO<EU and US>Russia in Iraq: AT&amp;T numbers"),
    ]
    site = make_site(tmp_path / "site", specs)
    status, out = export(site, "msn")
    assert status == 0
    feed = out / "partners/msn/en.xml"
    item = items(feed)["2026-01-20-a"]
    assert item.findtext("title") == "Minister resigns after the harbour vote"
    other = items(feed)["2026-01-21-b"].findtext("title")
    assert other == "Why NATO<EU and US>Russia in Iraq: AT&amp;T numbers"
    tree = etree.parse(str(feed))
    for title in tree.iter("title"):
        if title.text == "Minister resigns after the harbour vote":
            title.text = "Minister <i>resigns</i> after the harbour vote"
    tree.write(str(feed), encoding="UTF-8", xml_declaration=True)
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        checked = main(
            ["validate", "--outputs", str(out), "--config", str(site / "syndicate.yaml")]
        )
    assert checked == 1 and "the title holds markup; MSN allows none" in stream.getvalue()


def test_a_kill_reaches_every_profile_whatever_the_killed_text(tmp_path: Path) -> None:
    """A kill often changes the title or takes the photo out, which a profile's rules judge:
    MSN (titles over 20 characters) and a profile requiring an image lost the kill of a story
    they had listed, the killed text deciding whether they "had" it. The sources cannot say
    what a partner had: every profile's feed of the language carries the kill."""
    picture = Picture("q.png", 1600, 900)
    killed = {"updated": "2026-01-27T09:45:00Z", "status": "canceled", "version": 2}
    specs = [
        Spec("2026-01-20-quay", pictures=(picture,)),
        Spec("2026-01-21-retitled", headline="Story withdrawn", pictures=(picture,), **killed),
        Spec("2026-01-22-unpictured", **killed),  # its photo taken out at the kill
    ]
    pics = "    base: flipboard\n    image_required: true\n    kill: notice\n"
    profiles = f"profiles:\n  pics:\n{pics}"
    site = make_site(tmp_path / "site", specs, profiles)
    status, out = export(site, "msn", "pics")
    assert status == 0
    msn = items(out / "partners/msn/en.xml")
    assert msn["2026-01-21-retitled"].findtext(f"{DCTERMS}valid") == "2026-01-27T09:45:00Z"
    assert msn["2026-01-22-unpictured"].findtext(f"{DCTERMS}valid") == "2026-01-27T09:45:00Z"
    listed = items(out / "partners/pics/en.xml")
    assert {"2026-01-20-quay", "2026-01-21-retitled", "2026-01-22-unpictured"} <= set(listed)


def test_a_site_profile_on_a_base_names_itself_in_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsbreak: {base: google-news, title_max: 20}` said "Google News requires at most 20",
    a rule Google News does not have: a profile's label is its name unless it gives one."""
    specs = [Spec("2026-01-20-quay", languages=("en",))]
    profiles = "profiles:\n  newsbreak:\n    base: google-news\n    title_max: 20\n"
    site = make_site(tmp_path / "site", specs, profiles)
    capsys.readouterr()
    assert export(site, "newsbreak")[0] == 0
    (said,) = reported(capsys.readouterr().err, "partner.newsbreak.title-length")
    assert "newsbreak requires at most 20" in said and "Google News" not in said
    # A label it gives is its own, the base's included (it was taken for the default).
    site = make_site(tmp_path / "labelled", specs, profiles + "    label: Google News\n")
    assert export(site, "newsbreak")[0] == 0
    (said,) = reported(capsys.readouterr().err, "partner.newsbreak.title-length")
    assert "Google News requires at most 20" in said


def test_msn_titles_need_more_than_20_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MSN: a title of "more than 20 characters but not exceed 150"."""
    specs = [
        Spec("2026-01-20-twenty", headline="A" * 20, languages=("en",)),
        Spec("2026-01-21-more", headline="B" * 21, languages=("en",)),
        Spec("2026-01-22-most", headline="C" * 150, languages=("en",)),
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    assert export(site, "msn")[0] == 0
    assert sorted(items(site / "out/partners/msn/en.xml")) == ["2026-01-21-more", "2026-01-22-most"]
    (line,) = reported(capsys.readouterr().err, "partner.msn.title-length")
    assert "2026-01-20-twenty/en.md:2" in line
    assert "title is 20 characters; MSN requires 21-150" in line


def test_msn_takes_stories_less_than_365_days_old(tmp_path: Path) -> None:
    """MSN: "The date must be in the past and less than 365 days old". A story published
    exactly 365 days before --now is out of the feed, one a second younger in, and the feed
    passes `validate --outputs` (which judges ages by the feed's newest change)."""
    specs = [
        Spec("2025-02-01-year", published="2025-02-01T12:00:00Z", languages=("en",)),
        Spec("2025-02-01-younger", published="2025-02-01T12:00:01Z", languages=("en",)),
        Spec("2026-02-01-today", published="2026-02-01T11:00:00Z", languages=("en",)),
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    assert export(site, "msn", now="2026-02-01T11:59:59Z")[0] == 0
    assert "2025-02-01-year" in items(site / "out/partners/msn/en.xml")
    # A second later no story changed, but the oldest is 365 days old: the feed is made again.
    assert export(site, "msn", now="2026-02-01T12:00:00Z")[0] == 0
    feed = items(site / "out/partners/msn/en.xml")
    assert sorted(feed) == ["2025-02-01-younger", "2026-02-01-today"]
    out = site / "out"
    assert not [p for p in lint(out, "msn") if "max-age" in p]
    assert_as_full(site, tmp_path / "full", now="2026-02-01T12:00:00Z", formats=("msn",))


@pytest.mark.parametrize("fmt", ["msn", "all"])
def test_msn_age_counts_from_the_release_of_an_embargoed_story(fmt: str, tmp_path: Path) -> None:
    """The age MSN judges is the pubDate's, which for a story out of an embargo is the
    embargo's end (lifecycle.md, "Dates"): an incremental export drops the story when that
    date is 365 days old, not before (the engine keys the feed on the profile's own window,
    its last instant excluded; a run of `--format all` that finds nothing changed does not
    skip that moment either)."""
    specs = [
        Spec(
            "2025-01-20-embargoed",
            published="2025-01-20T09:00:00Z",
            embargo_until="2025-01-25T09:00:00Z",
            languages=("en",),
        ),
        Spec("2026-01-10-recent", languages=("en",)),
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    assert export(site, fmt, now="2026-01-21T00:00:00Z")[0] == 0
    assert "2025-01-20-embargoed" in items(site / "out/partners/msn/en.xml")
    assert export(site, fmt, now="2026-01-25T08:59:59Z")[0] == 0
    assert "2025-01-20-embargoed" in items(site / "out/partners/msn/en.xml")
    assert export(site, fmt, now="2026-01-25T09:00:00Z")[0] == 0  # 365 days: not "less than"
    assert sorted(items(site / "out/partners/msn/en.xml")) == ["2026-01-10-recent"]
    assert_as_full(site, tmp_path / "full", now="2026-01-25T09:00:00Z", formats=(fmt,))


def test_msn_recommends_720_px_in_width_or_height(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MSN: "It is recommended that images be at least 720px in height or width", and only
    articles with images are auto-published: an image under it is kept, with a warning; a
    portrait 900 px high meets it."""
    specs = [
        Spec("2026-01-20-w719", pictures=(Picture("w719.png", 719, 500),), languages=("en",)),
        Spec("2026-01-21-tall", pictures=(Picture("tall.png", 600, 900),), languages=("en",)),
        Spec("2026-01-22-tiny", pictures=(Picture("tiny.png", 100, 80),), languages=("en",)),
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    assert export(site, "msn")[0] == 0
    feed = items(site / "out/partners/msn/en.xml")
    sizes = {
        slug: [(m.get("width"), m.get("height")) for m in item.iterfind(f"{MEDIA}content")]
        for slug, item in feed.items()
    }
    assert sizes == {
        "2026-01-20-w719": [("719", "500")],
        "2026-01-21-tall": [("600", "900")],
        "2026-01-22-tiny": [("100", "80")],
    }
    warned = reported(capsys.readouterr().err, "partner.msn.image-size")
    assert len(warned) == 2 and not [line for line in warned if "tall.png" in line]
    (w719,) = [line for line in warned if "w719.png" in line]
    assert "images/w719.png kept in the msn items: image is 719x500 px" in w719
    assert "MSN recommends at least 720 px in width or height" in w719
    # validate --outputs: a recommendation missed is a warning, not an error
    problems = [p for p in lint(site / "out", "msn") if "image-size" in p]
    assert len(problems) == 2 and all(": warning: " in p for p in problems)


MARKED_UP = "Summary with <i>markup</i> & an ampersand, from AT&T."


def test_msn_abstract_is_plain_text_escaped_once(tmp_path: Path) -> None:
    """MSN: the abstract "must be in plain text, no HTML": the summary without its tags,
    escaped once, where RSS 2.0's description (Google News') is HTML, escaped twice."""
    specs = [Spec("2026-01-20-markup", summary=MARKED_UP, languages=("en",))]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n  google-news:\n")
    assert export(site, "msn", "google-news")[0] == 0
    path = site / "out/partners/msn/en.xml"
    msn = items(path)["2026-01-20-markup"]
    assert msn.findtext("description") == "Summary with markup & an ampersand, from AT&T."
    raw = path.read_text(encoding="utf-8")
    assert (
        "<description>Summary with markup &amp; an ampersand, from AT&amp;T.</description>" in raw
    )
    google = items(site / "out/partners/google-news/en.xml")["2026-01-20-markup"]
    assert google.findtext("description") == (
        "Summary with &lt;i&gt;markup&lt;/i&gt; &amp; an ampersand, from AT&amp;T."
    )
    assert not [p for p in lint(site / "out", "msn") if "summary-plain" in p]
    # The description as it was written before (RSS 2.0's HTML, escaped twice), and as markup
    # escaped once: validate reports both.
    for written in ("&amp;lt;i&amp;gt;markup&amp;lt;/i&amp;gt; &amp;amp;", "&lt;i&gt;markup"):
        path.write_text(
            raw.replace("<description>Summary with markup &amp;", f"<description>{written}", 1),
            encoding="utf-8",
        )
        (problem,) = [p for p in lint(site / "out", "msn") if "summary-plain" in p]
        assert ": error: " in problem, written


# Google News ----------------------------------------------------------------------------------


def test_google_news_rules(rules_out: tuple[Path, str]) -> None:
    out, err = rules_out
    feed = items(out / "partners/google-news/en.xml")
    assert len(feed) == 7  # every story, the killed one as a notice under its guid
    # newest first, the notice at its kill's time (not after every story)
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in feed.values()]
    assert dates == sorted(dates, reverse=True) and next(iter(feed)) == "2026-01-25-killed"
    for item in feed.values():
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
    assert feed["2026-01-20-quay"].find(CONTENT) is not None
    notice = feed["2026-01-25-killed"]
    assert notice.findtext("title") == "Story no longer available"
    assert notice.findtext("pubDate") == "Tue, 27 Jan 2026 09:45:00 +0000"
    assert (out / "partners/google-news/en.xml").stat().st_size < 2_000_000
    assert "partner.google-news" not in err


def test_google_news_size_caps(tmp_path: Path) -> None:
    """1 MB an article, 2 MB a feed, as options: a story over the item cap is left out, the
    oldest items go when the feed is over its cap (kill items stay)."""
    site = rules_site(tmp_path / "site", "profiles:\n  google-news:\n    max_bytes: 9000\n")
    status, out = export(site, "google-news")
    assert status == 0
    feed = out / "partners/google-news/en.xml"
    assert feed.stat().st_size <= 9000
    listed = items(feed)
    assert "2026-01-25-killed" in listed and "2024-12-01-old" not in listed
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in listed.values()]
    assert dates == sorted(dates, reverse=True)
    site = rules_site(tmp_path / "site2", "profiles:\n  google-news:\n    max_item_bytes: 1000\n")
    args = ["export", "-q", "-f", "google-news", "--now", NOW, "--out", str(site / "out")]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main(args, registry=PLAIN_COVERS) == 0
    assert items(site / "out/partners/google-news/en.xml").keys() == {"2026-01-25-killed"}


def test_feed_cap_warning_names_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = rules_site(tmp_path / "site", "profiles:\n  google-news:\n    max_bytes: 9000\n")
    assert export(site, "google-news")[0] == 0
    (line,) = [
        line
        for line in reported(capsys.readouterr().err, "partner.google-news.feed-bytes")
        if "partners/google-news/en.xml:" in line
    ]
    # At the line of syndicate.yaml that sets the cap, naming the file in out/:
    config = (site / "syndicate.yaml").read_text(encoding="utf-8").splitlines()
    cap_line = next(n for n, text in enumerate(config, 1) if "max_bytes: 9000" in text)
    assert line.split(": warning: ")[0].endswith(f"syndicate.yaml:{cap_line}")
    assert "Google News takes 9,000" in line
    # Naming the stories left out, the oldest first (the rules site's oldest is from 2024):
    left = re.search(r"(\d+) oldest items? left out \(([^)]*)\): feed is", line)
    assert left is not None, line
    assert left[2].split(", ")[0] == "2024-12-01-old"


def test_a_cap_the_kill_items_alone_pass_is_told_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cap so low that the feed's head and its kill item (which stay: a partner must learn
    of a kill) pass it: every story item goes. Each was warned of as "more than the feed can
    hold", and the feed as "0 oldest items left out" as if it were then under the cap; one
    warning says what is over, which items it left out, and the two fixes."""
    site = rules_site(tmp_path / "site", "profiles:\n  google-news:\n    max_bytes: 1200\n")
    assert export(site, "google-news")[0] == 0
    feed = site / "out/partners/google-news/en.xml"
    assert list(items(feed)) == ["2026-01-25-killed"]
    warned = reported(capsys.readouterr().err, "partner.google-news.feed-bytes")
    (line,) = [line for line in warned if "partners/google-news/en.xml:" in line]
    assert "more than the feed can hold" not in "".join(warned)
    assert re.search(
        r"partners/google-news/en.xml: every item left out \(2024-12-01-old, [^)]* and 1"
        r" more\), the feed's head and 1 kill item alone being over the cap: feed is [\d,]+"
        r" bytes; Google News takes 1,200; raise max_bytes or lower tombstone_days \(kill"
        r" items stay until then\)",
        line,
    ), line


def test_a_story_left_out_for_the_kill_items_room_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cap the head and the kill item leave no story item room under, though each would fit
    beside the head alone: each story was warned of as "more than the feed can hold", and the
    kill item that takes the room, and `tombstone_days`, went unnamed (review)."""
    site = rules_site(tmp_path / "a", "profiles:\n  google-news:\n    max_bytes: 10000000\n")
    export(site, "google-news")
    raw = (site / "out/partners/google-news/en.xml").read_bytes()
    sizes = [len(x) for x in re.findall(rb"<item>.*?</item>", raw, re.S) if b"-killed" not in x]
    cap = len(raw) - sum(sizes) + min(sizes) - 40  # head and kill item and any one item: over
    site = rules_site(tmp_path / "b", f"profiles:\n  google-news:\n    max_bytes: {cap}\n")
    capsys.readouterr()
    assert export(site, "google-news")[0] == 0
    warned = reported(capsys.readouterr().err, "partner.google-news.feed-bytes")
    blamed = [line for line in warned if "more than the feed can hold" in line]
    assert blamed and all(
        "with it alone and the feed's 1 kill item, which stays (lower tombstone_days, or"
        " raise max_bytes), feed is" in line
        for line in blamed
    ), blamed


def test_a_story_too_large_without_the_kill_items_does_not_blame_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An item that would not fit beside the head even with no kill item: lowering
    `tombstone_days` cannot help, and the warning said to (review)."""
    site = rules_site(tmp_path / "a", "profiles:\n  google-news:\n    max_bytes: 10000000\n")
    export(site, "google-news")
    raw = (site / "out/partners/google-news/en.xml").read_bytes()
    items = re.findall(rb"<item>.*?</item>", raw, re.S)
    kill = sum(len(x) for x in items if b"-killed" in x)
    sizes = [len(x) for x in items if b"-killed" not in x]
    head = len(raw) - sum(len(x) for x in items)
    cap = head + min(sizes) - 200  # no story item fits beside the head alone
    assert cap > head + kill
    site = rules_site(tmp_path / "b", f"profiles:\n  google-news:\n    max_bytes: {cap}\n")
    capsys.readouterr()
    assert export(site, "google-news")[0] == 0
    warned = reported(capsys.readouterr().err, "partner.google-news.feed-bytes")
    blamed = [line for line in warned if "more than the feed can hold" in line]
    assert blamed and not any("tombstone_days" in line for line in blamed), blamed


@pytest.mark.parametrize("profile", ["smartnews", "google-news"])
def test_a_story_too_large_for_the_feed_is_left_out_by_itself(
    profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SmartNews takes 1,000,000 bytes a feed: a story over it alone (1.2 MB among 30 of
    45 KB) is left out by itself, named, and the others stay; the oldest go only when the
    rest is still over the cap. Every profile with a feed cap (here scaled down)."""
    specs = [Spec(f"2026-01-{day:02d}-story", languages=("en",)) for day in range(10, 18)]
    specs.append(Spec("2026-01-20-huge", paragraphs=300, languages=("en",)))
    site = make_site(tmp_path / "site", specs, f"profiles:\n  {profile}:\n    max_bytes: 30000\n")
    assert export(site, profile)[0] == 0
    feed = site / f"out/partners/{profile}/en.xml"
    listed = items(feed)
    assert sorted(listed) == [spec.slug for spec in specs[:-1]]
    assert feed.stat().st_size <= 30_000
    err = capsys.readouterr().err
    (huge,) = reported(err, f"partner.{profile}.feed-bytes")
    assert "2026-01-20-huge/story.yaml" in huge
    assert (
        f"left out of partners/{profile}/en.xml: its item ({BASE}html/2026-01-20-huge.en.html)"
        in huge
    )
    assert "more than the feed can hold: with it alone, feed is" in huge
    # A smaller cap: the huge story by itself, then the oldest as many as the cap needs.
    site = make_site(tmp_path / "site2", specs, f"profiles:\n  {profile}:\n    max_bytes: 6000\n")
    assert export(site, profile)[0] == 0
    feed = site / f"out/partners/{profile}/en.xml"
    listed = items(feed)
    assert 0 < len(listed) < 8 and "2026-01-20-huge" not in listed
    assert sorted(listed) == [spec.slug for spec in specs[8 - len(listed) : 8]]  # the newest
    assert feed.stat().st_size <= 6_000
    warned = reported(capsys.readouterr().err, f"partner.{profile}.feed-bytes")
    assert len(warned) == 2 and any("2026-01-20-huge" in line for line in warned)
    (oldest,) = [line for line in warned if "oldest items left out" in line]
    dropped = [spec.slug for spec in specs[: 8 - len(listed)]]  # the oldest first
    items_said = "items" if len(dropped) > 1 else "item"
    said = f"{len(dropped)} oldest {items_said} left out ({', '.join(dropped)}): feed is"
    assert f"partners/{profile}/en.xml: {said}" in oldest


# SmartNews ------------------------------------------------------------------------------------


def test_smartnews_rules(rules_out: tuple[Path, str]) -> None:
    out, _ = rules_out
    root = etree.parse(str(out / "partners/smartnews/fr.xml")).getroot()
    channel = root.find("channel")
    assert channel is not None
    # "Les derniers articles de Harbour Times" is over 30 characters: the publisher's name.
    assert channel.findtext("description") == "Harbour Times"
    logo = channel.findtext(f"{SNF}logo/url")
    assert logo == published_url(out, "partners/smartnews/brand.png")
    assert (out / "partners/smartnews/brand.png").read_bytes() == (
        REPO / "articles/_site/logo.png"
    ).read_bytes()
    assert channel.findtext("pubDate") == channel.findtext("lastBuildDate")
    quay = items(out / "partners/smartnews/fr.xml")["2026-01-20-quay"]
    thumbnail = quay.find(f"{MEDIA}thumbnail")
    assert thumbnail is not None and thumbnail.get("width") == "1600"
    assert (out / "partners/smartnews/fr.xml").stat().st_size < 1_000_000


def test_smartnews_kills_by_media_status_and_a_new_date(rules_out: tuple[Path, str]) -> None:
    out, _ = rules_out
    kill = items(out / "partners/smartnews/en.xml")["2026-01-25-killed"]
    status = kill.find(f"{MEDIA}status")
    assert status is not None and status.get("state") == "deleted"
    assert kill.findtext("pubDate") == "Tue, 27 Jan 2026 09:45:00 GMT"  # the kill's time


# Flipboard ------------------------------------------------------------------------------------


def test_flipboard_rules(rules_out: tuple[Path, str]) -> None:
    out, err = rules_out
    path = out / "partners/flipboard/en.xml"
    feed = items(path)
    # An image of at least 500 px on its shorter side is required; kills leave the feed.
    assert sorted(feed) == [
        "2024-12-01-old",
        "2026-01-20-quay",
        "2026-01-21-short",
        "2026-01-22-wide",
    ]
    (bare,) = [x for x in reported(err, "partner.flipboard.image-missing") if "/en.md" in x]
    assert "left out of the flipboard feed in en: Flipboard requires an image" in bare
    (small,) = [x for x in reported(err, "partner.flipboard.image-size") if "/en.md" in x]
    assert "2026-01-23-small/en.md" in small and "requires at least 500x500 px" in small
    quay = feed["2026-01-20-quay"]
    # 300 characters of description: the summary goes on with the body.
    description = quay.findtext("description") or ""
    assert len(description) >= 300 and description.endswith(" …")
    assert description.startswith("The northern quay closes for repairs until the spring")
    assert "The harbour authority said on Monday" in description
    assert quay.find(CONTENT) is not None and quay.findtext(f"{DC}creator") == "Harbour Times"
    channel = etree.parse(str(path)).getroot().find("channel")
    assert channel is not None
    hubs = [x.get("href") for x in channel.iterfind(f"{ATOM}link") if x.get("rel") == "hub"]
    assert hubs == ["https://pubsubhubbub.appspot.com/"]


def test_a_kill_that_leaves_no_item_still_dates_the_feed(tmp_path: Path) -> None:
    """Flipboard's profile drops a killed story (`kill: drop`): its feed then said it last
    changed when the newest story left in it did, before the version partners already had
    (its lastBuildDate went back in time), so a partner that rereads a feed only when its
    date moves forward kept the killed story. The kill is a change of the feed: it dates it."""
    picture = Picture("q.png", 1600, 900)
    specs = [
        Spec("2026-01-20-quay", pictures=(picture,)),
        Spec("2026-01-22-pier", pictures=(picture,)),
    ]
    site = make_site(tmp_path / "site", specs)
    status, out = export(site, "flipboard", now="2026-01-23T12:00:00Z")
    assert status == 0
    channel = etree.parse(str(out / "partners/flipboard/en.xml")).getroot().find("channel")
    assert channel is not None
    assert channel.findtext("lastBuildDate") == "Thu, 22 Jan 2026 09:00:00 +0000"
    story = site / "articles/2026-01-22-pier/story.yaml"
    text = story.read_text(encoding="utf-8")
    text = text.replace("updated: 2026-01-22T09:00:00Z", "updated: 2026-01-24T08:00:00Z")
    text = text.replace("status: usable", "status: canceled").replace("version: 1", "version: 2")
    story.write_text(text, encoding="utf-8")
    status, out = export(site, "flipboard", now="2026-01-24T12:00:00Z")
    assert status == 0
    feed = out / "partners/flipboard/en.xml"
    assert sorted(items(feed)) == ["2026-01-20-quay"]
    channel = etree.parse(str(feed)).getroot().find("channel")
    assert channel is not None
    for date in ("lastBuildDate", "pubDate"):
        assert channel.findtext(date) == "Sat, 24 Jan 2026 08:00:00 +0000", date


def test_a_feed_whose_items_aged_out_is_not_dated_back_to_an_older_kill(tmp_path: Path) -> None:
    """A profile that drops killed stories (`kill: drop`) with a window: once its newest
    story aged out of it, the empty feed was dated by an older kill (the kill dates a feed
    it leaves no item in), before the date it gave while it had the story: it went back in
    time. An empty feed is dated as before, by the newest story it may carry, or the kill
    when that is newer."""
    specs = [
        Spec("2026-01-10-quay", status="canceled", version=2, updated="2026-01-15T09:00:00Z"),
        Spec("2026-01-20-pier"),
    ]
    profile = "profiles:\n  mine:\n    kill: drop\n    max_age_days: 3\n"
    site = make_site(tmp_path / "site", specs, profile)
    dates = []
    for now in ("2026-01-21T12:00:00Z", "2026-01-30T12:00:00Z"):
        status, out = export(site, "mine", now=now)
        assert status == 0
        channel = etree.parse(str(out / "partners/mine/en.xml")).getroot().find("channel")
        assert channel is not None
        dates.append(channel.findtext("lastBuildDate"))
    assert dates == ["Tue, 20 Jan 2026 09:00:00 +0000"] * 2


def test_flipboard_names_the_publisher_when_a_story_has_no_byline(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A story built by a CMS may have no byline: Flipboard still gets a dc:creator."""
    bare = dataclasses.replace(
        sample_story,
        variants=tuple(dataclasses.replace(v, byline=Byline()) for v in sample_story.variants),
    )
    files, diags = export_stories([bare], site_config, "flipboard", now=RECENT_NOW)
    assert not diags.errors
    item = etree.fromstring(files["partners/flipboard/en.xml"]).find("channel/item")
    assert item is not None and item.findtext(f"{DC}creator") == "YCPress"


def test_flipboard_keeps_a_story_shorter_than_its_recommended_description(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flipboard: a description "should generally contain 300 or more characters", a
    recommendation: the description takes all the body's text there is, and the story is
    kept, with a warning."""
    specs = [
        Spec(
            "2026-01-20-brief",
            summary="Quay shut.",
            paragraphs=1,
            pictures=(Picture("quay.png", 1600, 900),),
            languages=("en",),
        )
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  flipboard:\n")
    assert export(site, "flipboard")[0] == 0
    brief = items(site / "out/partners/flipboard/en.xml")["2026-01-20-brief"]
    assert brief.findtext("description") == f"Quay shut. {SENTENCES[0]}"
    (line,) = reported(capsys.readouterr().err, "partner.flipboard.summary-length")
    assert "2026-01-20-brief/en.md:1: warning: kept in the flipboard feed in en" in line
    length = len(f"Quay shut. {SENTENCES[0]}")
    assert f"description is {length} characters; Flipboard recommends at least 300" in line
    (problem,) = [p for p in lint(site / "out", "flipboard") if "summary-length" in p]
    assert ": warning: " in problem


# The site's own profiles ----------------------------------------------------------------------

OWN = """profiles:
  newsbreak:
    base: google-news
    label: NewsBreak
    languages: [en]
    sections: all
    content: summary
    summary_max: 40
    image_width: 800
    namespaces:
      nb: https://newsbreak.example/ns/1.0
    channel_elements:
      nb:partner: harbour-times
    item_elements:
      nb:section: "{section}"
      dcterms:created: "{published}"
  off:
    enabled: false
  msn:
"""


def test_a_site_profile_of_its_own(tmp_path: Path) -> None:
    site = rules_site(tmp_path / "site", OWN)
    status, out = export(site, "all")
    assert status == 0
    partners = sorted(p.name for p in (out / "partners").iterdir())
    assert partners == ["msn", "newsbreak"]  # configured: in `all`; `off` and the others: not
    assert sorted(p.name for p in (out / "partners/newsbreak").iterdir()) == [
        "en", "en.xml", "logo.png", "media",
    ]  # fmt: skip
    quay = items(out / "partners/newsbreak/en/politics.xml")["2026-01-20-quay"]
    assert quay.find(CONTENT) is None
    assert len(quay.findtext("description") or "") <= 40
    assert quay.findtext("{https://newsbreak.example/ns/1.0}section") == "politics"
    assert quay.findtext(f"{DCTERMS}created") == "2026-01-20T09:00:00Z"
    (content,) = quay.iterfind(f"{MEDIA}content")
    rendition = "partners/newsbreak/media/2026-01-20-quay/quay-800x450.png"
    assert content.get("url") == published_url(out, rendition)
    channel = etree.parse(str(out / "partners/newsbreak/en.xml")).getroot().find("channel")
    assert channel is not None
    assert channel.findtext("{https://newsbreak.example/ns/1.0}partner") == "harbour-times"
    status, out = export(site, "off", out="off")
    assert status == 0 and (out / "partners/off/en.xml").is_file()
    # named beside `all`, a profile left out of it is written too (it was ignored, exit 0)
    status, out = export(site, "all", "off", "google-news", out="both")
    assert status == 0
    assert sorted(p.name for p in (out / "partners").iterdir()) == [
        "google-news", "msn", "newsbreak", "off",
    ]  # fmt: skip


def test_a_site_s_elements_add_to_the_profile_s_own(tmp_path: Path) -> None:
    """An element of the site's own in the `msn` profile replaced MSN's `dcterms:modified`,
    unsaid: MSN skipped every correction after it (its pubDate stays the first one)."""
    extra = (
        "profiles:\n  msn:\n    namespaces: {nb: 'https://newsbreak.example/ns/1.0'}\n"
        "    item_elements: {nb:ref: '{{{id}}}'}\n"
    )
    site = rules_site(tmp_path / "site", extra)
    status, out = export(site, "msn")
    assert status == 0
    quay = items(out / "partners/msn/en.xml")["2026-01-20-quay"]
    ref = quay.findtext("{https://newsbreak.example/ns/1.0}ref", "")
    assert ref.startswith("{") and ref.endswith(":en}")  # `{{` and `}}` are braces
    assert quay.findtext(f"{DCTERMS}modified") == "2026-01-20T09:00:00Z"


def test_images_over_the_byte_limit_are_scaled_down(tmp_path: Path) -> None:
    noisy = Picture("noise.png", 1200, 800, noisy=True)
    profiles = "profiles:\n  lean:\n    image_max_bytes: 600000\n    image_min_width: 500\n"
    site = make_site(tmp_path / "site", [Spec("2026-01-20-noise", pictures=(noisy,))], profiles)
    status, out = export(site, "lean")
    assert status == 0
    (content,) = items(out / "partners/lean/en.xml")["2026-01-20-noise"].iterfind(f"{MEDIA}content")
    rendition = out / "partners/lean/media/2026-01-20-noise" / file_name(content)
    assert rendition.stat().st_size <= 600_000 and int(content.get("width", 0)) >= 500


def test_an_image_that_cannot_fit_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noisy = Picture("noise.png", 600, 600, noisy=True)
    profiles = "profiles:\n  lean:\n    image_max_bytes: 10000\n    image_min_width: 500\n"
    site = make_site(tmp_path / "site", [Spec("2026-01-20-noise", pictures=(noisy,))], profiles)
    assert export(site, "lean")[0] == 0
    (line,) = reported(capsys.readouterr().err, "partner.lean.image-bytes")
    assert "images/noise.png left out of the lean items" in line
    assert not (site / "out/partners/lean/media").exists()


def test_a_rendition_of_a_photo_turned_by_exif_is_upright(tmp_path: Path) -> None:
    """A phone's photo is stored sideways with an EXIF orientation: this one is stored
    3000x1000 and shown 1000x3000, under MSN's 0.5 ratio. Its rendition was cut from the
    stored pixels with the box of the picture as shown, and saved without the EXIF: the item
    said 1000x2000, the file was sideways, three quarters of it black outside the image."""
    site = make_site(
        tmp_path / "site",
        [Spec("2026-01-20-tall", pictures=(Picture("tall.jpg", 10, 10),))],
        "profiles:\n  msn:\n",
    )
    stored = Image.new("RGB", (3000, 1000), (200, 30, 30))
    stored.paste((0, 160, 0), (0, 0, 1000, 1000))  # the left third: the top, as shown
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter clockwise to show it
    stored.save(site / "articles/2026-01-20-tall/images/tall.jpg", exif=exif, quality=95)
    status, out = export(site, "msn")
    assert status == 0
    (content,) = items(out / "partners/msn/en.xml")["2026-01-20-tall"].iterfind(f"{MEDIA}content")
    assert (content.get("width"), content.get("height")) == ("1000", "2000")
    name = file_name(content)
    with Image.open(out / "partners/msn/media/2026-01-20-tall" / name) as rendition:
        assert not rendition.getexif().get(0x0112)  # shown as stored
        assert rendition.size == (1000, 2000)
        pixels = rendition.convert("RGB")
        top, bottom = pixels.getpixel((500, 10)), pixels.getpixel((500, 1990))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[1] > 120 and top[0] < 60, top  # the green third, on top
    assert bottom[0] > 150 and bottom[1] < 80, bottom  # red to the bottom: no black edge


def test_a_rendition_of_a_transparent_webp_stays_transparent(tmp_path: Path) -> None:
    """A WebP chart (a dark bar on a clear background) that MSN's ratio crops got a JPEG
    rendition: its clear pixels took the colour stored under them, black, and the bar
    vanished into a black picture. It is a PNG, clear where the original is; a WebP without
    transparency still gets a JPEG."""
    specs = [
        Spec(f"2026-01-2{n}-{name}", pictures=(Picture(f"{name}.webp", 10, 10),))
        for n, name in ((0, "chart"), (1, "photo"))
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    chart = Image.new("RGBA", (3000, 1000), (0, 0, 0, 0))
    chart.paste((20, 20, 20, 255), (1400, 400, 1600, 600))
    chart.save(site / "articles/2026-01-20-chart/images/chart.webp", lossless=True)
    photo = Image.new("RGB", (3000, 1000), (200, 30, 30))
    photo.save(site / "articles/2026-01-21-photo/images/photo.webp", quality=90)
    status, out = export(site, "msn")
    assert status == 0
    feed = items(out / "partners/msn/en.xml")
    (content,) = feed["2026-01-20-chart"].iterfind(f"{MEDIA}content")
    assert file_name(content) == "chart-1890x1000.png"
    assert content.get("type") == "image/png"
    with Image.open(out / "partners/msn/media/2026-01-20-chart/chart-1890x1000.png") as made:
        pixels = made.convert("RGBA")
        assert pixels.getpixel((5, 5)) == (0, 0, 0, 0)  # clear, as the original
        assert pixels.getpixel((945, 500)) == (20, 20, 20, 255)  # the bar
    (content,) = feed["2026-01-21-photo"].iterfind(f"{MEDIA}content")
    assert (file_name(content), content.get("type")) == (
        "photo-1890x1000.jpg",
        "image/jpeg",
    )


def test_a_rendition_keeps_the_rgb_colour_profile_of_its_original(tmp_path: Path) -> None:
    """A photo in Adobe RGB or Display P3 (a camera's, a phone's) that MSN's ratio crops got
    a rendition without its ICC profile: partners showed its pixels as sRGB, the colours dull
    or off. The rendition keeps an RGB profile; a CMYK one, which cannot describe the RGB
    pixels made of it, is not kept."""
    from PIL import ImageCms

    specs = [
        Spec("2026-01-20-rgb", pictures=(Picture("rgb.jpg", 10, 10),)),
        Spec("2026-01-21-cmyk", pictures=(Picture("cmyk.jpg", 10, 10),)),
    ]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    rgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert rgb[16:20] == b"RGB "
    cmyk = rgb[:16] + b"CMYK" + rgb[20:]  # a profile's colour space is in its header
    images = site / "articles"
    Image.new("RGB", (3000, 1000), (200, 30, 30)).save(
        images / "2026-01-20-rgb/images/rgb.jpg", quality=90, icc_profile=rgb
    )
    Image.new("CMYK", (3000, 1000), (0, 200, 200, 0)).save(
        images / "2026-01-21-cmyk/images/cmyk.jpg", quality=90, icc_profile=cmyk
    )
    status, out = export(site, "msn")
    assert status == 0
    media = out / "partners/msn/media"
    with Image.open(media / "2026-01-20-rgb/rgb-1890x1000.jpg") as made:
        assert made.info.get("icc_profile") == rgb
    with Image.open(media / "2026-01-21-cmyk/cmyk-1890x1000.jpg") as made:
        assert made.mode == "RGB" and not made.info.get("icc_profile")


def test_a_rendition_of_a_16_bit_grey_png_keeps_its_greys(tmp_path: Path) -> None:
    """A 16-bit greyscale PNG (a scan, a chart saved at 16 bits a sample) that MSN's ratio
    crops got a rendition almost all white: converting it to RGB clipped its values at 255
    instead of scaling them."""
    spec = Spec("2026-01-20-grey", pictures=(Picture("grey.png", 10, 10),))
    site = make_site(tmp_path / "site", [spec], "profiles:\n  msn:\n")
    width = 3000
    ramp = Image.new("I;16", (width, 1000))
    ramp.putdata([x * 65535 // (width - 1) for _ in range(1000) for x in range(width)])
    ramp.save(site / "articles/2026-01-20-grey/images/grey.png")
    status, out = export(site, "msn")
    assert status == 0
    with Image.open(out / "partners/msn/media/2026-01-20-grey/grey-1890x1000.png") as made:
        grey = made.convert("L")
        left, middle, right = (grey.getpixel((x, 500)) for x in (0, 945, 1889))
    assert isinstance(middle, int) and isinstance(left, int) and isinstance(right, int)
    assert 120 <= middle <= 136  # the ramp's middle grey (it was 255: white)
    assert left < middle < right


def test_two_pictures_of_one_stem_get_renditions_of_their_own(tmp_path: Path) -> None:
    """`port.jpg` and `port.webp`, two photos of one size that MSN's ratio crops, made the
    same rendition file, `port-1890x1000.jpg` (a stem and a size): the whole export failed,
    "written twice" (`writer.conflict`), with nothing the newsroom could rename. The later
    one takes `-2`, and each item shows its own photo."""
    pictures = (Picture("port.jpg", 10, 10), Picture("port.webp", 10, 10))
    site = make_site(
        tmp_path / "site", [Spec("2026-01-20-two", pictures=pictures)], "profiles:\n  msn:\n"
    )
    folder = site / "articles/2026-01-20-two/images"
    Image.new("RGB", (3000, 1000), (200, 30, 30)).save(folder / "port.jpg", quality=90)
    Image.new("RGB", (3000, 1000), (30, 30, 200)).save(folder / "port.webp", quality=90)
    status, out = export(site, "msn")
    assert status == 0
    contents = items(out / "partners/msn/en.xml")["2026-01-20-two"].iterfind(f"{MEDIA}content")
    names = [file_name(c) for c in contents]
    assert names == ["port-1890x1000.jpg", "port-1890x1000-2.jpg"]
    media = out / "partners/msn/media/2026-01-20-two"
    colours = []
    for name in names:
        with Image.open(media / name) as made:
            colours.append(made.convert("RGB").getpixel((10, 10)))
    (red, blue) = colours
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 150 and blue[2] > 150


def test_a_run_of_other_languages_says_nothing_of_a_story_s_images(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An English story's picture too small for MSN is said by the runs that make its English
    item, not by a `--lang fr` run, whose feeds never hold it."""
    small = Picture("small.png", 400, 300)
    spec = Spec("2026-01-23-small", pictures=(small,), languages=("en",))
    site = make_site(tmp_path / "site", [spec, Spec("2026-01-20-quay")])
    args = ["export", "-q", "--now", NOW, "--out", str(site / "out"), "-j", "1", "-f", "msn"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, "--lang", "fr"], registry=PLAIN_COVERS) == 0
    assert "small.png" not in capsys.readouterr().err
    assert main([*args, "--lang", "en"], registry=PLAIN_COVERS) == 0
    assert "images/small.png kept in the msn items" in capsys.readouterr().err


# Registry and configuration -------------------------------------------------------------------


def test_the_registry_learns_the_sites_profiles(tmp_path: Path) -> None:
    site = rules_site(tmp_path / "site", OWN)
    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None
    registry = default_registry().for_site(config, diags)
    assert not diags.errors
    assert {"newsbreak", "off", "msn", "flipboard"} <= set(registry.names)
    assert "newsbreak" in registry.defaults and "msn" in registry.defaults
    assert "off" not in registry.defaults and "flipboard" not in registry.defaults
    writer = registry.get("newsbreak")
    assert writer.owned_folders() == ("partners/newsbreak",)
    assert writer.section() == "profiles.newsbreak"


def test_formats_lists_the_profiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = rules_site(tmp_path / "site", OWN)
    monkeypatch.chdir(site)
    assert main(["formats"]) == 0
    listed = capsys.readouterr().out
    for name in ("google-news", "msn", "smartnews", "flipboard", "newsbreak"):
        assert any(line.startswith(f"{name} ") for line in listed.splitlines()), name
    assert "profiles.msn.title_min = 21:" in listed
    assert "profiles.newsbreak.summary_max = null:" in listed  # the record of its base
    assert "profiles.newsbreak.max_bytes = 2000000:" in listed


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [
        (
            "profiles:\n  msn:\n    titel_min: 30\n",
            # an option, as a format's or a delivery target's misspelt one is (it said field)
            (
                "syndicate.yaml:11: error: unknown option 'titel_min'; did you mean 'title_min'?"
                " [config.schema]",
            ),
        ),
        (
            "profiles:\n  msn:\n    limit: many\n",
            ("syndicate.yaml:11: error: profiles.msn.limit: ", "'many'"),
        ),
        (
            "profiles:\n  rss:\n    limit: 5\n",
            ("syndicate.yaml:10: error: profiles: rss: a format is already named 'rss'",),
        ),
        (
            "profiles:\n  msn:\n    base: flipboard\n",
            ("syndicate.yaml:11: error: profiles: msn: base: msn is built in and has no base",),
        ),
        (
            "profiles:\n  mine:\n    title_min: 50\n    title_max: 20\n",
            ("syndicate.yaml:11: error: profiles.mine: title_min: is above title_max (20)",),
        ),
        # The forms a value may take, by their kinds (the option's description was said as
        # its type: "expected most characters in the description: ..., found 'ten'")
        (
            "profiles:\n  mine:\n    summary_max: ten\n",
            (
                "syndicate.yaml:11: error: profiles.mine.summary_max: expected a whole number or"
                " null, found 'ten'",
            ),
        ),
        (
            "profiles:\n  mine:\n    languages: en\n",
            (
                "syndicate.yaml:11: error: profiles.mine.languages: 'en' is not allowed; write"
                " all, or a list: [en]",
            ),
        ),
        (
            "profiles:\n  mine:\n    hub: ftp://hub.example/\n",
            (
                "syndicate.yaml:11: error: profiles.mine.hub: 'ftp://hub.example/' is not the"
                " hub's http(s) URL (https://...)",
            ),
        ),
        (
            "profiles:\n  mine:\n    languages: []\n",
            ("syndicate.yaml:11: error: profiles.mine: languages: is empty: the profile would",),
        ),
        (
            'profiles:\n  mine:\n    label: " "\n',
            ("syndicate.yaml:11: error: profiles.mine: label: is empty: give the partner's name",),
        ),
        (  # an empty text replaced MSN's own correction date, unsaid
            'profiles:\n  msn:\n    item_elements: {dcterms:modified: ""}\n',
            (
                "syndicate.yaml:11: error: profiles.msn: item_elements: dcterms:modified: the"
                " text is empty; give it one, or take the line out",
            ),
        ),
        (  # any text went into a date element
            'profiles:\n  mine:\n    item_elements: {dc:date: "yesterday"}\n',
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:date: 'yesterday' is"
                " not a date; write {published} or {updated}",
            ),
        ),
        (  # passed validate; export stopped with "written twice, by mine and mine"
            "profiles:\n  mine:\n    languages: [en, fr, en]\n",
            ("syndicate.yaml:11: error: profiles.mine: languages: an item is listed twice ('en')",),
        ),
        (
            "profiles:\n  mine:\n    sections: [politics, politics]\n",
            (
                "syndicate.yaml:11: error: profiles.mine: sections: an item is listed twice"
                " ('politics')",
            ),
        ),
        (  # a date of W3CDTF's shape but not of the calendar: W3C's InvalidW3CDTFDate
            'profiles:\n  mine:\n    item_elements: {dcterms:valid: "2026-02-30"}\n',
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dcterms:valid:"
                " '2026-02-30' is not a date; write {published} or {updated}",
            ),
        ),
        (
            'profiles:\n  mine:\n    channel_elements: {dc:date: "2026-01-20T25:00:00Z"}\n',
            (
                "syndicate.yaml:11: error: profiles.mine: channel_elements: dc:date:"
                " '2026-01-20T25:00:00Z' is not a date",
            ),
        ),
        (
            'profiles:\n  mine:\n    item_elements: {dc:date: "2026-13"}\n',
            ("syndicate.yaml:11: error: profiles.mine: item_elements: dc:date: '2026-13' is not",),
        ),
        (  # a year in another script's digits: `\d` took them
            'profiles:\n  mine:\n    item_elements: {dc:date: "\u0662\u0660\u0662\u0666"}\n',
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:date:"
                " '\u0662\u0660\u0662\u0666' is not",
            ),
        ),
        (  # a placeholder in a channel's element was written as it is
            'profiles:\n  mine:\n    channel_elements: {dc:rights: "{lang} rights"}\n',
            (
                "syndicate.yaml:11: error: profiles.mine: channel_elements: dc:rights:"
                " placeholders ({lang}) are filled in item_elements only",
            ),
        ),
        (  # a case slip got past the check that refuses a second dc:creator, unsaid
            "profiles:\n  mine:\n    item_elements: {dc:Creator: x}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:Creator: Dublin Core"
                " has no element 'Creator'; did you mean 'creator'?",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {atom:author: y}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: atom:author: Atom's"
                " author holds elements or attributes, not a text alone",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {media:player: x}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: media:player: Media"
                " RSS's player holds elements or attributes, not a text alone",
            ),
        ),
        (  # renditions narrower than the partner takes: accepted, and made wider, before
            "profiles:\n  mine:\n    image_min_width: 600\n    image_width: 500\n",
            (
                "syndicate.yaml:12: error: profiles.mine: image_width: is below image_min_width"
                " (600): the partner refuses images that narrow; give at least 600",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {x:id: '{id}'}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: x:id: no namespace is"
                " declared for 'x'",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {dc:source: '{url}'}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:source: unknown"
                " placeholder {url}",
            ),
        ),
        # a format spec or conversion was applied by str.format: validate said OK, and export
        # failed with the exception's repr (writer.failed), built 100 MB items or wrote a repr
        (
            "profiles:\n  mine:\n    item_elements: {dc:source: '{published:%Y}'}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:source: write"
                " {published} without a format or conversion [config.option]",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {dc:source: 'x{id:>99999999999999}'}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: dc:source: write {id}"
                " without a format or conversion [config.option]",
            ),
        ),
        (
            "profiles:\n  msn:\n    item_elements: {dcterms:modified: '{updated!r}'}\n",
            (
                "syndicate.yaml:11: error: profiles.msn: item_elements: dcterms:modified: write"
                " {updated} without a format or conversion [config.option]",
            ),
        ),
        (
            "profiles:\n  mine:\n    channel_elements: {dc:rights: '{lang:>9}'}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: channel_elements: dc:rights:"
                " placeholders ({lang}) are filled in item_elements only",
            ),
        ),
        (
            "profiles:\n  mine:\n    item_elements: {content:encoded: more}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: item_elements: content:encoded: the"
                " profile writes content:encoded itself (from the story); a second one makes"
                " the feed invalid",
            ),
        ),
        (
            "profiles:\n  mine:\n    namespaces: {md: 'http://search.yahoo.com/mrss/'}\n"
            "    item_elements: {md:content: x}\n",
            ("syndicate.yaml:12: error: profiles.mine: item_elements: md:content: the profile",),
        ),
        (
            "profiles:\n  mine:\n    channel_elements: {atom:link: x}\n",
            ("syndicate.yaml:11: error: profiles.mine: channel_elements: atom:link: the profile",),
        ),
        (
            "profiles:\n  mine:\n    base: flipbord\n",
            ("syndicate.yaml:11: error: profiles.mine.base: ", "'flipbord'"),
        ),
        (
            "profiles:\n  flipboard:\n    hub: null\n",
            ("syndicate.yaml:11: error: profiles.flipboard: hub: Flipboard wants a WebSub hub",),
        ),
        # `--format all` could never write a profile named all
        (
            "profiles:\n  all:\n    base: msn\n",
            ("syndicate.yaml:10: error: profiles: all: `--format all` names every format",),
        ),
        # feeds published not well-formed (xmlns), or the element in XML's namespace (xml)
        (
            "profiles:\n  mine:\n    namespaces: {xmlns: 'https://p.example/ns'}\n",
            ("syndicate.yaml:11: error: profiles.mine: namespaces: 'xmlns': XML reserves",),
        ),
        (
            "profiles:\n  mine:\n    namespaces: {xml: 'https://p.example/ns'}\n"
            "    item_elements: {xml:a: x}\n",
            ("syndicate.yaml:11: error: profiles.mine: namespaces: 'xml': XML reserves",),
        ),
        # XML's own namespace names under a prefix of the profile's: exit 0, feeds not
        # well-formed ("reuse of the xmlns namespace name is forbidden")
        (
            "profiles:\n  mine:\n    namespaces: {y: 'http://www.w3.org/2000/xmlns/'}\n"
            "    item_elements: {y:b: w}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: namespaces: 'y':"
                " http://www.w3.org/2000/xmlns/ is XML's own namespace name, which no prefix may"
                " be bound to",
                "[config.option]",
            ),
        ),
        (
            "profiles:\n  mine:\n    namespaces: {x: 'http://www.w3.org/XML/1998/namespace'}\n"
            "    item_elements: {x:b: w}\n",
            (
                "syndicate.yaml:11: error: profiles.mine: namespaces: 'x':"
                " http://www.w3.org/XML/1998/namespace is XML's own namespace name, bound to the"
                " prefix xml alone",
                "[config.option]",
            ),
        ),
        # a kill then made every feed fail with an OverflowError
        (
            "profiles:\n  mine:\n    tombstone_days: 1000000000\n",
            (
                "syndicate.yaml:11: error: profiles.mine.tombstone_days: ",
                "expected a whole number from 0 to 36525",
            ),
        ),
        (
            "feeds:\n  tombstone_days: 1000000000\n",
            (
                "syndicate.yaml:10: error: feeds: tombstone_days: ",
                "expected a whole number from 0 to 36525",
            ),
        ),
    ],
)
def test_profile_settings_are_checked_at_their_line(
    profiles: str,
    expected: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = rules_site(tmp_path / "site", profiles)
    monkeypatch.chdir(site)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    # One line, at the line of the setting, starting with where and naming what is wrong (the
    # schema's own wording is the configuration reader's).
    assert any(line.startswith(expected[0]) and all(part in line for part in expected)
               for line in err.splitlines()), err  # fmt: skip
    assert main(["export", "-q", "-f", "all", "--now", NOW]) == 2
    assert not (site / "out").exists()


# Lint: validate --outputs fires on feeds that break a rule ------------------------------------


def lint(out: Path, name: str, **changes: object) -> list[str]:
    """The profile's checks on its feeds in `out`, with its settings (`changes` over its
    defaults): the problems as text."""
    record = BUILTIN.get(name, ProfileOptions)
    diags = Diagnostics()
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None
    options = record(**changes)  # type: ignore[arg-type]
    ctx = Context(config, datetime.fromisoformat(NOW), ("en", "fr"), options, diags, name)
    ProfileWriter(name, record).validate_outputs(out, ctx)
    return [d.format_text() for d in diags]


def relaxed(tmp_path: Path, name: str, settings: str) -> Path:
    """The rules site exported through profile `name` with some of its rules off."""
    site = rules_site(tmp_path / "site", f"profiles:\n  {name}:\n{settings}")
    status, out = export(site, name)
    assert status == 0
    return out


def codes(problems: list[str]) -> set[str]:
    return {line.rsplit("[", 1)[1].rstrip("]") for line in problems}


def test_the_built_in_profiles_pass_their_own_lint(rules_out: tuple[Path, str]) -> None:
    out, _ = rules_out
    for name in PROFILES:
        problems = [p for p in lint(out, name) if ": error: " in p]
        assert problems == [], name
    assert codes(lint(out, "flipboard")) == {"partner.flipboard.item-count"}


def test_the_stories_a_feed_cap_left_out_are_named() -> None:
    from syndicate.formats.partners.writer import _oldest_left_out

    assert _oldest_left_out(["a"]) == "1 oldest item left out (a)"
    slugs = [f"s{n}" for n in range(8)]
    assert _oldest_left_out(slugs) == "8 oldest items left out (s0, s1, s2, s3, s4 and 3 more)"


def test_an_item_count_is_said_in_good_english() -> None:
    from syndicate.formats.partners.rules import Rules

    rules = Rules("flipboard", BUILTIN["flipboard"]())
    one, four = rules.item_count(1), rules.item_count(4)
    assert one is not None and one.message.startswith("feed has 1 item;")
    assert four is not None and four.message.startswith("feed has 4 items;")


def test_lint_titles(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "msn", "    title_min: null\n")
    problems = [p for p in lint(out, "msn") if "title-length" in p and "/en.xml" in p]
    assert problems == [
        f"{out}/partners/msn/en.xml:{line}: error: title is 9 characters; MSN requires 21-150"
        " [partner.msn.title-length]"
        for line in [_line(out / "partners/msn/en.xml", "Quay shut")]
    ]


def test_lint_descriptions(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "flipboard", "    summary_min: null\n")
    assert "partner.flipboard.summary-length" in codes(lint(out, "flipboard"))
    feed = out / "partners/flipboard/en.xml"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace(
            "<description>The northern", "<description>&lt;b&gt;The northern", 1
        ),
        encoding="utf-8",
    )
    assert "partner.flipboard.summary-plain" in codes(lint(out, "flipboard"))


def test_lint_images(tmp_path: Path) -> None:
    settings = "    image_min_width: null\n    image_ratio_min: null\n    image_ratio_max: null\n"
    out = relaxed(tmp_path, "msn", settings)
    problems = lint(out, "msn")
    assert "partner.msn.image-size" in codes(problems) and "partner.msn.image-ratio" in codes(
        problems
    )
    assert any(
        "image ratio is 3.00; MSN requires a width/height of 0.5-1.89" in p for p in problems
    )
    settings = "    image_required: false\n    image_min_width: null\n    image_min_height: null\n"
    out = relaxed(tmp_path / "f", "flipboard", settings)
    assert {"partner.flipboard.image-missing", "partner.flipboard.image-size"} <= codes(
        lint(out, "flipboard")
    )


def test_lint_age(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "msn", "    max_age_days: null\n")
    (problem,) = [p for p in lint(out, "msn") if "max-age" in p and "/en.xml" in p]
    assert "published 422 days before the feed's newest change" in problem


def test_lint_sizes(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "google-news", "    limit: 60\n")
    problems = codes(lint(out, "google-news", max_item_bytes=1000, max_bytes=9000))
    assert {"partner.google-news.item-bytes", "partner.google-news.feed-bytes"} <= problems


def test_lint_channels(tmp_path: Path) -> None:
    settings = "    channel_description_max: null\n    snf_logo: false\n"
    out = relaxed(tmp_path, "smartnews", settings)
    problems = lint(out, "smartnews")
    assert {"partner.smartnews.channel-description", "partner.smartnews.logo"} <= codes(problems)
    out = relaxed(tmp_path / "f", "flipboard", "    hub: null\n    require_hub: false\n")
    assert "partner.flipboard.hub" in codes(lint(out, "flipboard"))


def test_lint_kill_signals(tmp_path: Path) -> None:
    for name in ("msn", "smartnews", "flipboard"):
        out = relaxed(tmp_path / name, name, "    kill: notice\n")
        assert f"partner.{name}.kill-signal" in codes(lint(out, name)), name


def test_lint_full_text_and_authors(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "flipboard", "    content: summary\n")
    feed = out / "partners/flipboard/en.xml"
    text = feed.read_text(encoding="utf-8")
    feed.write_text(text.replace("<dc:creator>Harbour Times</dc:creator>", "", 1), encoding="utf-8")
    assert {"partner.flipboard.full-text", "partner.flipboard.creator"} <= codes(
        lint(out, "flipboard")
    )


def test_lint_identity_and_dates(tmp_path: Path) -> None:
    out = relaxed(tmp_path, "google-news", "    limit: 60\n")
    feed = out / "partners/google-news/en.xml"
    text = feed.read_text(encoding="utf-8").replace(' isPermaLink="false"', "", 1)
    feed.write_text(text.replace("09:00:00 +0000", "10:00:00 +0100", 1), encoding="utf-8")
    assert {"partner.google-news.guid", "partner.google-news.dates"} <= codes(
        lint(out, "google-news")
    )


def test_validate_outputs_names_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line: the relaxed export, then `validate --outputs` under MSN's rules."""
    out = relaxed(tmp_path, "msn", "    title_min: null\n")
    site = tmp_path / "site"
    (site / "syndicate.yaml").write_text(
        (site / "syndicate.yaml").read_text(encoding="utf-8").replace("    title_min: null\n", ""),
        encoding="utf-8",
    )
    monkeypatch.chdir(site)
    capsys.readouterr()
    assert main(["validate", "--outputs"]) == 1
    line = _line(out / "partners/msn/en.xml", "Quay shut")
    expected = (
        f"out/partners/msn/en.xml:{line}: error: title is 9 characters; MSN requires 21-150"
        " [partner.msn.title-length]"
    )
    assert expected in capsys.readouterr().err.splitlines()


def _line(feed: Path, title: str) -> int:
    """The line of the item whose title is `title`."""
    for item in etree.parse(str(feed)).getroot().iter("item"):
        if item.findtext("title") == title:
            return item.sourceline or 0
    raise AssertionError(f"no item {title!r} in {feed}")


# Incremental ----------------------------------------------------------------------------------


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".syndicate" not in p.name
    }


def assert_as_full(
    site: Path, full: Path, now: str = NOW, formats: tuple[str, ...] = ("all",)
) -> None:
    """The site's out/ is what a full export (`--force`, into `full`) gives."""
    args = ["export", "-q", "--force", "--now", now, "--out", str(full)]
    for fmt in formats:
        args += ["-f", fmt]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main(args, registry=PLAIN_COVERS) == 0
    assert tree(site / "out") == tree(full)


def test_an_edit_rebuilds_as_a_full_export_would(tmp_path: Path) -> None:
    site = rules_site(tmp_path / "site", "profiles:\n  msn:\n  flipboard:\n  smartnews:\n")
    assert export(site, "all")[0] == 0
    md = site / "articles/2026-01-22-wide/en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    shutil.copy(
        site / "articles/2026-01-20-quay/images/quay.png",
        site / "articles/2026-01-23-small/images/small.png",
    )
    assert export(site, "all")[0] == 0
    assert_as_full(site, tmp_path / "full")
    assert "2026-01-23-small" in items(site / "out/partners/msn/en.xml")


def test_an_edit_makes_only_the_partner_documents_that_hold_the_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each profile's document is kept as published while its head, its items and the
    profile are the same: an edit of a story told in English only makes the English
    documents that list it again, and none of the French ones (nor the feeds' logos). The
    output is a full export's."""
    from syndicate.formats.partners import writer as partners

    big = Picture("quay.png", 1600, 900)
    specs = [
        Spec("2026-01-20-quay", pictures=(big,)),
        Spec("2026-01-22-wide", pictures=(big,), languages=("en",)),
    ]
    profiles = "profiles:\n  msn:\n  flipboard:\n  smartnews:\n"
    site = make_site(tmp_path / "site", specs, profiles)
    assert export(site, "all")[0] == 0
    made: list[str] = []
    real = partners._capped

    def capped(document: Any, *args: Any) -> bytes:
        made.append(document.path)
        return real(document, *args)

    monkeypatch.setattr(partners, "_capped", capped)
    md = site / "articles/2026-01-22-wide/en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    assert export(site, "all")[0] == 0
    assert made and all(path.split("/")[2].startswith("en") for path in made), made
    assert {path.split("/")[1] for path in made} >= {"msn", "flipboard", "smartnews"}
    monkeypatch.undo()
    assert_as_full(site, tmp_path / "full")


def test_a_story_leaving_the_window_rebuilds_the_feed(tmp_path: Path) -> None:
    """No story changed, but one aged past MSN's year: the feed is rebuilt without it."""
    site = rules_site(tmp_path / "site")
    assert export(site, "msn", now="2026-11-30T12:00:00Z")[0] == 0
    assert "2026-01-20-quay" in items(site / "out/partners/msn/en.xml")
    assert export(site, "msn", now="2027-01-21T00:00:00Z")[0] == 0
    assert "2026-01-20-quay" not in items(site / "out/partners/msn/en.xml")
    assert "2026-01-22-wide" in items(site / "out/partners/msn/en.xml")


# Lifecycle ------------------------------------------------------------------------------------


def test_each_profile_follows_the_lifecycle_in_its_partners_idiom(tmp_path: Path) -> None:
    """The lifecycle fixture: embargoed stories and drafts are in no profile; a correction
    keeps its guid with a new date (pubDate where the partner reads it); kills per profile."""
    site = shutil.copytree(REPO / "tests/fixtures/lifecycle", tmp_path / "site")
    config = site / "syndicate.yaml"
    profiles = "".join(f"  {name}:\n" for name in PROFILES)
    config.write_text(config.read_text(encoding="utf-8") + f"profiles:\n{profiles}{DELIVERED}")
    status, out = export(site, *PROFILES)
    assert status == 0
    listed = {name: items(out / f"partners/{name}/en.xml") for name in PROFILES}
    for name, feed in listed.items():
        assert "2026-01-22-budget-leak" not in feed, name  # under embargo
        assert "2026-01-26-draft-festival" not in feed, name  # never released
    killed = ("2026-01-24-mayor-interview", "2026-01-25-false-report")
    assert not set(killed) & listed["flipboard"].keys()  # Flipboard: kills leave the feed
    for slug in killed:
        assert listed["google-news"][slug].findtext("title") == "Story no longer available"
        assert listed["msn"][slug].findtext(f"{DCTERMS}valid") == listed["msn"][slug].findtext(
            f"{DCTERMS}modified"
        )
        assert listed["smartnews"][slug].find(f"{MEDIA}status") is not None
    corrected = "2026-01-21-ferry-timetable"
    google, msn = listed["google-news"][corrected], listed["msn"][corrected]
    assert google.findtext("guid") == msn.findtext("guid")
    assert google.findtext("pubDate") == "Thu, 22 Jan 2026 08:30:00 +0000"  # the correction
    assert msn.findtext("pubDate") == "Wed, 21 Jan 2026 10:00:00 GMT"  # first publication
    assert msn.findtext(f"{DCTERMS}modified") == "2026-01-22T08:30:00Z"
    assert "2026-01-23-storm-warning" in listed["google-news"]  # its embargo has ended


def test_the_site_schema_describes_every_profile_option() -> None:
    """`schemas/site.schema.json` (what the configuration reference is made from) and the
    options record say the same: each option, its description, its choices, its range."""
    schema = json.loads((REPO / "schemas/site.schema.json").read_text(encoding="utf-8"))
    described = schema["$defs"]["profile"]["properties"]
    typed = msgspec.json.schema(ProfileOptions)["$defs"]["ProfileOptions"]["properties"]
    assert list(described) == list(typed)
    for name, spec in typed.items():
        assert described[name]["description"] == spec["description"], name
        assert described[name].get("enum") == spec.get("enum"), name
        assert _ranges(described[name]) == _ranges(spec), name


def _ranges(node: dict[str, Any]) -> list[tuple[float | None, float | None]]:
    """The (minimum, maximum) pairs of a JSON schema node, and of each of its forms."""
    return [
        (form.get("minimum"), form.get("maximum"))
        for form in (node, *node.get("anyOf", ()))
        if "minimum" in form or "maximum" in form
    ]


# The W3C Feed Validator -----------------------------------------------------------------------

REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>error|warning|info): (?P<what>.*)$")
WHERE = re.compile(r"line \d+, column \d+: ")
SMARTNEWS_ONLY = {
    # SmartFormat's logo is `<snf:logo><url>…</url></snf:logo>`, its `url` in no namespace,
    # which RSS 2.0's rule for extensions (and so the validator) refuses.
    "error NotInANamespace: Missing namespace for url",
    # SmartFormat's deletion is Media RSS's media:status at the item's root, which the validator
    # knows no place for: no spelling satisfies both (see docs/formats/partners.md).
    "error UndefinedElement: Undefined item element: media:status",
    "warning UnknownNamespace: Use of unknown namespace: http://www.smartnews.be/snf",
}


NEWSBREAK_NS = "UnknownNamespace: Use of unknown namespace: https://newsbreak.example/ns/1.0"


def w3c(shared: Path, out: Path) -> list[tuple[str, int, str]]:
    """The validator's errors and warnings on every profile feed: (file, line, "level what")."""
    files = sorted(str(p) for p in (out / "partners").rglob("*.xml"))
    assert files
    done = subprocess.run(
        [sys.executable, str(shared / "tools/feed_validate.py"), *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    reports = []
    for text in done.stdout.splitlines():
        match = REPORT.match(text)
        if match and match["level"] != "info":
            what = f"{match['level']} {WHERE.sub('', match['what'])}"
            reports.append(
                (Path(match["file"]).relative_to(out).as_posix(), int(match["line"]), what)
            )
    return reports


def unexplained(out: Path, reports: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """What neither SmartFormat's own markup nor an empty feed's fixed date explains. A
    media:status must stand in a kill item; a date is implausible only in a feed without items."""
    left = []
    for path, line, what in reports:
        if path.startswith("partners/smartnews/") and what in SMARTNEWS_ONLY:
            if "media:status" in what:
                assert _line_text(out / path, line).strip() == '<media:status state="deleted"/>'
            continue
        if what == "warning ImplausibleDate: Implausible date" and not items(out / path):
            continue
        if path.startswith("partners/newsbreak/") and what == f"warning {NEWSBREAK_NS}":
            continue  # the site's own namespace, which no validator can know
        left.append((path, line, what))
    return left


def _line_text(path: Path, line: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


@pytest.mark.slow
def test_every_profile_feed_passes_the_w3c_validator(
    shared_dir: Path, tmp_path: Path, export_sample: Exporter, sample_config: tuple[str, ...]
) -> None:
    """The sample, the lifecycle fixture (every kill signal), the rules site and a profile of
    the site's own: no error but the two SmartFormat markups the validator cannot know, no
    warning but their namespace, the site's own, and the fixed date of a feed without items."""
    lifecycle = shutil.copytree(REPO / "tests/fixtures/lifecycle", tmp_path / "lifecycle")
    config = lifecycle / "syndicate.yaml"
    profiles = "".join(f"  {name}:\n" for name in PROFILES)
    config.write_text(config.read_text(encoding="utf-8") + f"profiles:\n{profiles}{DELIVERED}")
    outs = [
        export_sample(*PROFILES, now=RECENT_NOW, extra=sample_config),
        export(lifecycle, *PROFILES)[1],
        export(rules_site(tmp_path / "rules"), *PROFILES)[1],
        export(rules_site(tmp_path / "own", OWN), "newsbreak")[1],
    ]
    for out in outs:
        reports = w3c(shared_dir, out)
        assert unexplained(out, reports) == [], out
    smartnews = {what for path, _, what in w3c(shared_dir, outs[1]) if "smartnews" in path}
    assert smartnews == SMARTNEWS_ONLY  # the lifecycle's kills are there to be seen


# Hostile stories ------------------------------------------------------------------------------


def test_hostile_stories_stay_inert_in_every_profile(tmp_path: Path) -> None:
    """The hostile fixtures through the four profiles (the checks of test_hostile_outputs):
    nothing that runs survives, and text that looks like markup reaches readers as that text."""
    import feedparser
    from test_hostile_outputs import (
        HOSTILE,
        STORIES,
        TEXT_STORIES,
        Document,
        assert_inert_xml,
        assert_no_removed_payload,
        headline,
    )

    site = tmp_path / "site"
    for slug in STORIES:
        shutil.copytree(HOSTILE / "articles" / slug, site / "articles" / slug)
    text = (HOSTILE / "syndicate.yaml").read_text(encoding="utf-8")
    text = text.replace("../../../articles/_site", (REPO / "articles/_site").as_posix())
    profiles = "".join(
        f"  {name}:\n    title_min: null\n" if name == "msn" else f"  {name}:\n"
        for name in PROFILES
    )
    (site / "syndicate.yaml").write_text(
        f"{text}profiles:\n{profiles}{DELIVERED}", encoding="utf-8"
    )
    status, out = export(site, *PROFILES, now="2026-01-06T00:00:00Z")
    assert status == 0
    files = sorted(p for p in (out / "partners").rglob("*") if p.is_file())
    for path in files:
        doc = Document(str(path.relative_to(out)), path.read_bytes())
        assert_no_removed_payload(doc)
        if path.suffix == ".xml":
            assert_inert_xml(doc)
    for name in PROFILES:
        feed = feedparser.parse((out / "partners" / name / "en.xml").read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        titles = {entry.title for entry in feed.entries}
        # MSN's fields are plain text ("No HTML tags allowed"): what looks like a tag is
        # taken out of its title as of its description; elsewhere it stays that text
        plain = plain_title if name == "msn" else (lambda text: text)
        if name != "flipboard":  # no hostile story has the image Flipboard requires
            assert {plain(headline(slug)) for slug in TEXT_STORIES} <= titles, name
        if name == "msn":
            assert not any("<" in title for title in titles), titles


def test_a_section_is_missing_only_when_no_story_of_the_run_has_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile plans each language with the stories it lists (a year-old one is not): a
    section those lacked was told "no story is in the section", of the site's own section."""
    site = rules_site(
        tmp_path / "site",
        "profiles:\n  mine:\n    sections: [politics, polites]\n    max_age_days: 1\n",
    )
    capsys.readouterr()
    status, _ = export(site, "mine")
    assert status == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "[feeds.section]" in line]
    assert len(said) == 1 and "'polites'" in said[0] and "did you mean 'politics'" in said[0]


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            "max_age_days: 99999999",
            "max_age_days: 99999999 is not valid: expected a whole number from 1 to 36525",
        ),
        (
            "image_ratio_min: 10000",
            "image_ratio_min: 10000 is not valid: expected a number from 0.05 to 20",
        ),
        (
            "image_ratio_max: 0.001",
            "image_ratio_max: 0.001 is not valid: expected a number from 0.05 to 20",
        ),
    ],
)
def test_a_profile_setting_past_what_a_feed_can_take_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, said: str
) -> None:
    """`max_age_days: 99999999` (meant as "keep for ever") passed validate and ended the
    export in an OverflowError traceback; `image_ratio_min: 10000` in `the msn writer failed:
    ZeroDivisionError`. Both are configuration errors at their line, nothing written."""
    site = make_site(
        tmp_path / "site", [Spec("2026-01-20-one")], f"profiles:\n  msn:\n    {setting}\n"
    )
    assert export(site, "msn")[0] == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:11: error: profiles.msn.{said} [config.schema]" in err, err
    assert not (site / "out").exists()


def test_a_crop_to_the_furthest_ratio_keeps_a_pixel_of_the_smallest_image() -> None:
    from syndicate.formats.partners.images import _crop

    assert _crop(10, 1, None, 0.05) == (4, 0, 5, 1)  # 0.05 of a 1-pixel height: one pixel
    assert _crop(1, 10, 20, None) == (0, 4, 1, 5)


def test_a_summary_is_shortened_between_graphemes() -> None:
    """`summary_max` cut by code point: a family emoji came out a lone man, an accent was
    dropped from its letter."""
    from syndicate.formats.partners.dialect import shorten

    assert shorten("A\U0001f468\u200d\U0001f469\u200d\U0001f467 family", 4) == "A…"
    assert shorten("Cafe\u0301s", 5) == "Caf…"
    assert shorten("Harbour works move the ferries", 16) == "Harbour works…"


@pytest.mark.parametrize(
    ("notice", "publisher", "low", "high", "title"),
    [
        ("Story no longer available", "YCPress", 21, 150, "Story no longer available"),
        ("Article indisponible", "YCPress", 21, 150, "Article indisponible — YCPress"),
        ("稿件已不可用", "YCPress", 21, 150, "稿件已不可用: 本稿已被 YCPress 撤销，请勿使用。"),
        ("Article indisponible", "", 21, 150, "Article indisponible: retiré par la rédaction."),
        ("稿件已不可用", "YCPress", 21, 24, "稿件已不可用: 本稿已被 YCPress…"),
        ("Story no longer available", "YCPress", None, None, "Story no longer available"),
        # over a profile's most, the notice stays whole: cut, no check would know the item
        ("Story no longer available", "YCPress", None, 22, "Story no longer available"),
        ("Article indisponible", "YCPress", 21, 22, "Article indisponible"),
    ],
)
def test_a_kill_items_title_is_within_the_profiles_lengths(
    notice: str, publisher: str, low: int | None, high: int | None, title: str
) -> None:
    """MSN takes titles of more than 20 characters: the French, Polish, Portuguese, Hebrew,
    Russian, Ukrainian, Arabic, Japanese, Korean and Chinese notices are shorter, so the kill
    item, the one a partner must not refuse, was one MSN refuses."""
    from syndicate.formats.partners.rules import is_kill_title, kill_title

    said = (
        "本稿已被 YCPress 撤销，请勿使用。"
        if notice.startswith("稿")
        else "retiré par la rédaction."
    )
    made = kill_title(notice, publisher, said, low, high)
    assert made == title
    if made != notice:
        assert (low is None or len(made) >= low) and (high is None or len(made) <= high)
    assert is_kill_title(made, notice) and not is_kill_title("Storm warning", notice)


@pytest.mark.parametrize(
    ("summary", "plain"),
    [
        ("How to write &lt;img src=x onerror=alert(1)&gt; in a page", "How to write in a page"),
        ("A <scr<b>ipt>alert(1)</script> trick", "A alert(1) trick"),
        ("Quoted &amp;lt;b&amp;gt; twice", "Quoted twice"),
        ("Plain a < b and c > d, &amp; AT&T", "Plain a < b and c > d, & AT&T"),
        # Every tag goes whatever its name and however it separates its attributes (`/`):
        # a reader taking the field for HTML would run it (review); words between angle
        # brackets go with them; typography's spaces stay.
        ("A <details open ontoggle=alert(1)> trick", "A trick"),
        ("A <details/open/ontoggle=alert(1)> trick", "A trick"),
        ("Press <x/onclick=alert(1)>here", "Press here"),
        ("Voters ranked NATO<EU and US>Russia", "Voters ranked NATORussia"),
        ("Il a dit\u00a0: «\u00a04\u202f000\u00a0»", "Il a dit\u00a0: «\u00a04\u202f000\u00a0»"),
    ],
)
def test_msn_abstract_holds_no_tag_that_reading_it_makes(
    tmp_path: Path, summary: str, plain: str
) -> None:
    """The abstract's tags were taken out, then its references read: `&lt;img onerror=...&gt;`
    became a working tag in the description (RSS readers take it for HTML), which the
    profile's own validator then refused. Neither a reference nor a tag taken out leaves one."""
    specs = [Spec("2026-01-20-markup", summary=summary, languages=("en",))]
    site = make_site(tmp_path / "site", specs, "profiles:\n  msn:\n")
    assert export(site, "msn")[0] == 0
    msn = items(site / "out/partners/msn/en.xml")["2026-01-20-markup"]
    assert msn.findtext("description") == plain
    assert not [p for p in lint(site / "out", "msn") if "summary-plain" in p]
