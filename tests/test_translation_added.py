"""A translation added to a story published before it: its language file's `published` is
when that variant first came out, and every channel dates the variant by it (each language
variant is an item of its own for partners), while the story's other languages keep theirs."""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_SLUG, export_stories
from sites import Site

from syndicate.diagnostics import Diagnostics
from syndicate.model import Correction, Localized, SiteConfig, Story, StorySummary, codec
from syndicate.readers.articles import read_story
from syndicate.readers.config import load_config

STORY = "2021-02-18T19:30:00+01:00"
"""The sample's `published` (and `updated`)."""
LATER = "2021-02-20T09:00:00+01:00"
"""When its French translation came out, in these tests."""
NEWS_NOW = "2021-02-21T09:00:00Z"
"""Within two days of the translation, not of the original: news for French only."""


def add_french(site: Site, published: str | None = LATER, updated: str = LATER) -> None:
    """The French file given its own `published` (or none), and the story the `updated` and
    version of the version that added it."""
    lines = ("" if published is None else f"published: {published}\n") + "headline:"
    site.replace(SAMPLE_SLUG, "fr.md", "headline:", lines)
    new_version(site, 2, STORY, updated)


def new_version(site: Site, version: int, before: str, updated: str) -> None:
    """The story's `version` raised to `version`, its `updated` from `before` to `updated`."""
    site.replace(SAMPLE_SLUG, "story.yaml", f"version: {version - 1}", f"version: {version}")
    site.replace(SAMPLE_SLUG, "story.yaml", f"updated: {before}", f"updated: {updated}")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "newsroom")


def export_all(site: Site, now: str = NEWS_NOW) -> int:
    return site.cli(
        "export", "-q", "--jobs", "1", "--now", now, "--out", str(site.out),
        "--articles", str(site.articles), "--format", "all",
    )  # fmt: skip


def text(site: Site, path: str) -> str:
    return (site.out / path).read_text(encoding="utf-8")


def test_every_channel_dates_the_translation_by_its_own_published(site: Site) -> None:
    add_french(site)
    assert export_all(site) == 0
    stem = SAMPLE_SLUG
    # Feeds: the French entry is published at its own time, the English at the story's.
    assert "<published>2021-02-20T08:00:00Z</published>" in text(site, "atom/fr.xml")
    assert "<published>2021-02-18T18:30:00Z</published>" in text(site, "atom/en.xml")
    assert "<pubDate>Sat, 20 Feb 2021 08:00:00 +0000</pubDate>" in text(site, "rss/fr.xml")
    feed = json.loads(text(site, "jsonfeed/fr.json"))
    assert {i["date_published"] for i in feed["items"] if stem in i["url"]} == {LATER}
    # Wire items: each variant is an item of its own, first created when it came out.
    assert f"<firstCreated>{LATER}</firstCreated>" in text(site, f"newsml/{stem}.fr.xml")
    assert f"<firstCreated>{STORY}</firstCreated>" in text(site, f"newsml/{stem}.en.xml")
    assert json.loads(text(site, f"ninjs/{stem}.fr.json"))["firstCreated"] == LATER
    assert json.loads(text(site, f"ninjs/{stem}.en.json"))["firstCreated"] == STORY
    # Pages and their metadata.
    assert f'"datePublished": "{LATER}"' in text(site, f"jsonld/{stem}.fr.jsonld")
    assert f'"datePublished": "{STORY}"' in text(site, f"jsonld/{stem}.en.jsonld")
    page = text(site, f"html/{stem}.fr.html")
    assert f'property="article:published_time" content="{LATER}"' in page
    # Books and the catalog.
    with zipfile.ZipFile(site.out / f"epub/{stem}.fr.epub") as book:
        opf = book.read("EPUB/content.opf").decode("utf-8")
    assert f"<dc:date>{LATER}</dc:date>" in opf
    catalog = text(site, "opds/fr.xml")
    assert f"<published>{LATER}</published>" in catalog and "2021-02-20</dc:issued>" in catalog


CORRECTION = 'correction: {note: {en: "Corrects the troop numbers.", fr: "Corrige les effectifs."}}'


def corrections(site: Site, lang: str) -> dict[str, bool]:
    """Where the `lang` variant tells of the correction, channel by channel."""
    stem = SAMPLE_SLUG
    note = {"en": "Corrects the troop numbers.", "fr": "Corrige les effectifs."}[lang]
    item = text(site, f"newsml/{stem}.{lang}.xml")
    ninjs = json.loads(text(site, f"ninjs/{stem}.{lang}.json"))
    with zipfile.ZipFile(site.out / f"epub/{stem}.{lang}.epub") as book:
        chapters = [book.read(n).decode("utf-8") for n in book.namelist() if n.endswith("html")]
    return {
        "newsml edNote": "<edNote>" in item,
        "newsml signal": "sig:update" in item,
        "newsml body": 'class="correction"' in item,
        "ninjs edNote": "edNote" in ninjs,
        "ninjs bodies": any(note in body["value"] for body in ninjs["bodies"]),
        "jsonld": "CorrectionComment" in text(site, f"jsonld/{stem}.{lang}.jsonld"),
        "html": 'class="correction"' in text(site, f"html/{stem}.{lang}.html"),
        "atom": note in text(site, f"atom/{lang}.xml"),
        "rss": note in text(site, f"rss/{lang}.xml"),
        "jsonfeed": note in text(site, f"jsonfeed/{lang}.json"),
        "epub": any(note in chapter for chapter in chapters),
    }


def test_a_translation_first_published_with_a_correction_corrects_nothing(site: Site) -> None:
    """A translation added by the version that corrects the story reached partners as an
    update of an earlier version it never had (`signal sig:update`, the correction's
    `edNote`), and every channel told its readers it was corrected: it never came out
    uncorrected. A correction is the version that carries it, made at the story's
    `updated`: a language first published then or after has none. A later version
    corrects it too (it was out before that one)."""
    add_french(site)  # version 2, at LATER, which is also the French `published`
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", f"status: usable\n{CORRECTION}")
    assert export_all(site) == 0
    english, french = corrections(site, "en"), corrections(site, "fr")
    assert all(english.values()), english
    assert not any(french.values()), french
    stem = SAMPLE_SLUG
    assert 'version="2"' in text(site, f"newsml/{stem}.fr.xml"), "the story's version"
    assert json.loads(text(site, f"ninjs/{stem}.fr.json"))["version"] == "2"
    new_version(site, 3, LATER, "2021-02-21T08:00:00+01:00")
    assert export_all(site) == 0
    french = corrections(site, "fr")
    assert all(french.values()), french


def test_a_translation_first_published_with_a_correction_needs_no_note(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """`story.correction-language` asked for a French note that no channel shows: French
    came out with the correction. A language out before it still needs its text."""
    add_french(site)
    note = 'correction: {note: {en: "Corrects the troop numbers."}}'
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", f"status: usable\n{note}")
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 0
    said = capsys.readouterr().err
    assert "the correction note has no text in ar, de, es, zh-Hans: " in said, "not fr"


def test_which_languages_a_correction_corrects(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The rule, on the model: a language first published after the story and not before
    this version was made (the story's `updated`) is new in it; it updates nothing (no
    `sig:update`, with a correction or without) and carries no correction. The others do,
    a correction whose `updated` was not raised included (`story.updated` warns of it):
    its note is not dropped."""
    note = Correction(Localized.same("Fix."), sample_story.source)
    later = sample_story.published + timedelta(days=2)

    def story(french: datetime | None, updated: datetime, **more: Any) -> Story:
        variants = tuple(
            dataclasses.replace(v, published=french) if v.lang == "fr" else v
            for v in sample_story.variants
        )
        return dataclasses.replace(
            sample_story, version=2, variants=variants, updated=updated, **more
        )

    added = story(later, later, correction=note)  # French added by the corrected version
    assert added.first_out_in_this_version("fr") and added.correction_for("fr") is None
    assert not added.first_out_in_this_version("en") and added.correction_for("en") == note
    before = story(later, later + timedelta(hours=1), correction=note)  # French out before it
    assert not before.first_out_in_this_version("fr") and before.correction_for("fr") == note
    unraised = story(None, sample_story.published, correction=note)  # `updated` not raised
    assert unraised.correction_for("en") == note and unraised.correction_for("fr") == note
    files, _ = export_stories([story(later, later)], site_config, "newsml")
    signals = {
        lang: "sig:update" in files[f"newsml/{SAMPLE_SLUG}.{lang}.xml"].decode("utf-8")
        for lang in ("en", "fr")
    }
    assert signals == {"en": True, "fr": False}, "a new language updates nothing"


def test_a_translation_added_by_the_kill_goes_to_no_channel(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A translation first published by the version that kills (or withholds) the story
    reached no one: every channel sent the kill of a language partners and readers never
    had, a canceled NewsML-G2 item with its headline, a ninjs document, feed notices and a
    notice page. It is left out, with a warning at its `published`; the languages out
    before get the kill."""
    spanish = site.articles / SAMPLE_SLUG / "es.md"
    kept = spanish.read_text(encoding="utf-8")
    spanish.unlink()
    assert export_all(site, "2021-02-19T09:00:00Z") in (0, 3)
    spanish.write_text(kept.replace("headline:", f"published: {LATER}\nheadline:", 1), "utf-8")
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: canceled")
    new_version(site, 2, STORY, LATER)
    capsys.readouterr()
    assert export_all(site) == 0
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG}/es.md:2: warning: es.md first comes out" in err
    assert "[story.language-unreleased]" in err
    stem = SAMPLE_SLUG
    for path in (f"newsml/{stem}.es.xml", f"ninjs/{stem}.es.json", f"html/{stem}.es.html"):
        assert not (site.out / path).exists(), path
    spanish_id = "nato-iraq-deployment:es"
    for path in ("atom/es.xml", "rss/es.xml", "jsonfeed/es.json", f"newsml/{stem}.package.xml"):
        assert spanish_id not in text(site, path), path
    assert "stat:canceled" in text(site, f"newsml/{stem}.en.xml")
    assert "nato-iraq-deployment:en" in text(site, "atom/en.xml"), "the English kill"


def test_news_sitemaps_list_the_translation_while_it_is_news(site: Site) -> None:
    add_french(site)
    assert export_all(site) == 0
    french = text(site, "sitemaps/news-fr.xml")
    assert f"{SAMPLE_SLUG}.fr.html" in french
    assert f"<news:publication_date>{LATER}</news:publication_date>" in french
    assert f"{SAMPLE_SLUG}.en.html" not in text(site, "sitemaps/news-en.xml"), "two days old"
    # Two days later, an export with nothing else changed takes it out (the window's key).
    assert export_all(site, "2021-02-22T09:00:01+01:00") == 0
    assert f"{SAMPLE_SLUG}.fr.html" not in text(site, "sitemaps/news-fr.xml")


def test_a_translation_added_without_its_own_published_is_a_warning(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    french = site.articles / SAMPLE_SLUG / "fr.md"
    kept = french.read_text(encoding="utf-8")
    french.unlink()
    assert export_all(site) in (0, 3)
    french.write_text(kept, encoding="utf-8")
    add_french(site, published=None)
    capsys.readouterr()
    assert export_all(site) == 0
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG}/fr.md:1: warning: fr.md is new since version 1" in err
    assert "[story.language-added]" in err
    # Given its time, nothing to say; the story's other languages are not new.
    site.replace(SAMPLE_SLUG, "fr.md", "headline:", f"published: {LATER}\nheadline:")
    capsys.readouterr()
    assert export_all(site) == 0
    assert "story.language-added" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("published", "updated", "said"),
    [
        ("2021-02-18T09:00:00+01:00", LATER, "published is earlier than the story's"),
        (LATER, STORY, "published is after updated (2021-02-18T19:30:00+01:00)"),
    ],
)
def test_a_translation_published_out_of_order_is_an_error(
    site: Site, capsys: pytest.CaptureFixture[str], published: str, updated: str, said: str
) -> None:
    add_french(site, published, updated)
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) != 0
    err = capsys.readouterr().err
    line = 2  # `published:` is the front matter's first line
    assert re.search(rf"{SAMPLE_SLUG}/fr\.md:{line}: error: {re.escape(said)}", err), err
    assert "[article.date-order]" in err


def test_the_original_language_keeps_the_story_s_published(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """The original's `published` is the story's: a different one disagrees, as before."""
    site.replace(SAMPLE_SLUG, "en.md", "headline:", f"published: {LATER}\nheadline:")
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) != 0
    assert "[article.disagree]" in capsys.readouterr().err


def test_a_story_fact_story_yaml_lacks_is_told_to_move_there(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A language file that sets a fact `story.yaml` does not have was told "is '2030-...' here
    but None in story.yaml (line 2)": Python's None, and the line of `id:`."""
    site.replace(
        SAMPLE_SLUG, "en.md", "headline:", "embargo_until: 2030-01-01T00:00:00Z\nheadline:"
    )
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) != 0
    err = capsys.readouterr().err
    assert (
        "en.md:2: error: embargo_until is a story fact, which story.yaml gives for every language,"
        " and story.yaml has none: move it there, or remove it here [article.disagree]" in err
    ), err
    assert "None" not in err


def read_sample(site: Site) -> Story:
    diags = Diagnostics()
    config = load_config(site.config, "syndicate.yaml", diags)
    assert config is not None
    story = read_story(site.articles / SAMPLE_SLUG, config, diags)
    assert story is not None, list(diags)
    return story


def test_a_story_published_before_keeps_what_it_says(site: Site) -> None:
    """The field added for translations changes no digest of a story without one (nor the
    model dump), so the history of every story published before sees no change; the story's
    own time written again in a translation is no time of its own."""
    before = read_sample(site)
    site.replace(SAMPLE_SLUG, "fr.md", "headline:", f"published: {STORY}\nheadline:")
    again = read_sample(site)
    assert all(v.published is None for v in again.variants)
    assert codec.content_digest(again) == codec.content_digest(before)
    stored = json.loads(codec.dumps(before))
    assert "published" in stored and not any("published" in v for v in stored["variants"])
    assert codec.loads(codec.dumps(again)) == again


def test_a_build_state_from_before_reads_each_variant_as_the_story(site: Site) -> None:
    story = read_sample(site)
    data = StorySummary.of(story).to_json()
    data["variants"] = [v[:6] for v in data["variants"]]  # as states wrote them before
    summary = StorySummary.from_json(data)
    published = datetime.fromisoformat(STORY)
    assert all(summary.published_for(lang) == published for lang in summary.languages)


def test_a_summary_keeps_a_translation_s_own_published(site: Site) -> None:
    add_french(site)
    summary = StorySummary.of(read_sample(site))
    again = StorySummary.from_json(summary.to_json())
    assert again == summary
    assert again.published_for("fr") == datetime.fromisoformat(LATER)
    assert again.published_for("en") == datetime.fromisoformat(STORY)
    assert again.last_public_since == datetime.fromisoformat(LATER)


def test_show_gives_a_translation_its_own_published(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    add_french(site)
    capsys.readouterr()
    assert site.cli("show", SAMPLE_SLUG, "--articles", str(site.articles)) == 0
    lines = capsys.readouterr().out.splitlines()
    french = lines.index(next(line for line in lines if line.startswith("fr French")))
    english = lines.index(next(line for line in lines if line.startswith("en English")))
    assert f"  published        {LATER}" in lines[french:]
    assert not any(line.startswith("  published") for line in lines[english:french])


def test_a_language_s_first_publication_moved_after_it_came_out_is_a_warning(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """German came out with the story: a `published` given to it later (with a new version,
    so no other warning says anything) moves the time partners hold its item first created
    at, and every channel would show it as news again."""
    assert export_all(site, "2021-02-18T20:00:00+01:00") == 0
    site.replace(SAMPLE_SLUG, "de.md", "headline:", f"published: {LATER}\nheadline:")
    new_version(site, 2, STORY, LATER)
    capsys.readouterr()
    assert export_all(site) == 0
    err = capsys.readouterr().err
    assert (
        f"{SAMPLE_SLUG}/de.md:1: warning: de.md gives published: {LATER}, but its de version"
        f" first came out {STORY}" in err
    )
    assert "remove its published: (it came out with the story) [story.first-published]" in err
    assert "story.language-added" not in err


def test_a_translation_s_own_published_moved_later_is_a_warning(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    add_french(site)
    assert export_all(site) == 0
    moved = "2021-02-21T08:00:00+01:00"
    site.replace(SAMPLE_SLUG, "fr.md", f"published: {LATER}", f"published: {moved}")
    new_version(site, 3, LATER, moved)
    capsys.readouterr()
    assert export_all(site) == 0
    err = capsys.readouterr().err
    assert f"put back published: {LATER} [story.first-published]" in err
