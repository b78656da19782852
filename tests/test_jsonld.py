"""The jsonld writer: the shared checker, our JSON Schema, translation links, languages, dates,
authors, images, headline warnings, visibility, goldens and determinism."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXED_NOW,
    ICON_V,
    MIXED_BYLINE,
    REPO,
    SAMPLE_SLUG,
    SAMPLE_V,
    export_stories,
    with_byline,
)

from syndicate.cli import main
from syndicate.model import Byline, Localized, Person, Rights, SiteConfig, Story
from syndicate.readers.schemas import check

LANGS = ("en", "ar", "de", "es", "fr", "zh-Hans")
BASE = "https://ycpress.example/syndicate/"
OFFSET_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def load(out: Path, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (out / "jsonld" / f"{SAMPLE_SLUG}.{lang}.jsonld").read_text(encoding="utf-8")
    )
    return data


def node(data: dict[str, Any], type_: str) -> dict[str, Any]:
    found: dict[str, Any] = next(n for n in data["@graph"] if n["@type"] == type_)
    return found


def article(data: dict[str, Any]) -> dict[str, Any]:
    return node(data, "NewsArticle")


@pytest.fixture
def out(export_sample: Any) -> Path:
    result: Path = export_sample("jsonld", "html")
    return result


def run_checker(shared: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    tool = shared / "tools" / "jsonld_check.py"
    return subprocess.run(
        [sys.executable, str(tool), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=REPO / "tests",
        check=False,
    )


def test_shared_checker_reports_nothing(out: Path, shared_dir: Path) -> None:
    files = sorted((out / "jsonld").glob("*.jsonld")) + sorted((out / "html").glob("*.html"))
    assert len(files) == 6 + 6 + 7
    result = run_checker(shared_dir, files)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert f"{len(files)} file(s): 0 error(s), 0 warning(s)" in result.stderr


def test_our_schema_accepts_every_file(out: Path) -> None:
    for path in sorted((out / "jsonld").glob("*.jsonld")):
        assert list(check(json.loads(path.read_text(encoding="utf-8")), "jsonld.schema.json")) == []


def test_our_schema_rejects_common_mistakes(out: Path) -> None:
    data = load(out, "en")
    art = article(data)
    art["datePublished"] = "2021-02-18T19:30:00"
    art["inLanguage"] = "en_US"
    art["author"] = ["By YCPress"]
    art["image"][0]["url"] = "media/chart.png"
    paths = {path for path, _ in check(data, "jsonld.schema.json")}
    assert ("@graph", 3, "datePublished") in paths
    assert ("@graph", 3, "inLanguage") in paths
    assert ("@graph", 3, "author", 0) in paths
    assert ("@graph", 3, "image", 0, "url") in paths


def test_one_graph_referencing_by_id(out: Path) -> None:
    data = load(out, "fr")
    assert data["@context"] == "https://schema.org"
    types = [n["@type"] for n in data["@graph"]]
    assert types == ["NewsMediaOrganization", "WebSite", "WebPage", "NewsArticle"]
    org, site, page, art = data["@graph"]
    assert art["publisher"] == {"@id": org["@id"]}
    assert site["publisher"] == {"@id": org["@id"]}
    assert page["isPartOf"] == {"@id": site["@id"]}
    assert art["mainEntityOfPage"] == {"@id": page["@id"]}
    url = f"{BASE}html/{SAMPLE_SLUG}.fr.html"
    assert art["url"] == page["url"] == page["@id"] == url
    assert org["logo"]["@type"] == "ImageObject"
    assert org["logo"]["url"] == f"{BASE}html/media/site/icon.png{ICON_V}"
    assert min(org["logo"]["width"], org["logo"]["height"]) >= 112


def test_translation_links_both_ways(out: Path) -> None:
    ids = {lang: article(load(out, lang))["@id"] for lang in LANGS}
    original = article(load(out, "en"))
    assert "translationOfWork" not in original
    linked = {ref["inLanguage"]: ref for ref in original["workTranslation"]}
    assert set(linked) == set(LANGS) - {"en"}
    for lang, ref in linked.items():
        assert ref["@id"] == ids[lang]
        assert ref["url"] == f"{BASE}html/{SAMPLE_SLUG}.{lang}.html"
        translation = article(load(out, lang))
        assert "workTranslation" not in translation
        assert translation["translationOfWork"]["@id"] == ids["en"]
        assert translation["translationOfWork"]["inLanguage"] == "en"
        assert ref["headline"] == translation["headline"]


def test_translations_of_an_original_the_site_does_not_publish_claim_none(
    tmp_path: Path,
) -> None:
    """The site publishes French and Arabic of an English story: the French said it was a
    translation of the Arabic (the first published language, `x-default`'s stand-in), and
    the Arabic that the French was its translation."""
    from sites import Site

    site = Site(tmp_path)
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(
        config.replace("languages: [en, fr, ar, zh-Hans, de, es]", "languages: [fr, ar]"),
        encoding="utf-8",
    )
    site.export("jsonld", "html")
    for lang in ("fr", "ar"):
        data = json.loads((site.out / f"jsonld/{SAMPLE_SLUG}.{lang}.jsonld").read_text("utf-8"))
        node = article(data)
        assert "translationOfWork" not in node and "workTranslation" not in node, lang


def test_languages_are_bcp47(out: Path) -> None:
    for lang in LANGS:
        data = load(out, lang)
        assert article(data)["inLanguage"] == lang
        assert node(data, "WebPage")["inLanguage"] == lang
    assert "zh_Hans" not in (out / "jsonld" / f"{SAMPLE_SLUG}.zh-Hans.jsonld").read_text("utf-8")


def test_dates_have_offsets_and_match_the_story(out: Path, sample_story: Story) -> None:
    art = article(load(out, "de"))
    for key, expected in (
        ("datePublished", sample_story.published),
        ("dateModified", sample_story.updated),
    ):
        assert OFFSET_DATE.match(art[key]), art[key]
        parsed = datetime.fromisoformat(art[key])
        assert parsed.utcoffset() is not None
        assert parsed == expected
    assert art["copyrightYear"] == 2021


def test_article_fields(out: Path, sample_story: Story) -> None:
    data = load(out, "ar")
    art = article(data)
    variant = sample_story.variant("ar")
    assert art["headline"] == variant.headline
    assert art["description"] == variant.summary
    # One identity per language variant, as every format has; the story is the shared work.
    assert art["identifier"] == sample_story.variant_id("ar")
    assert art["exampleOfWork"] == {"@type": "CreativeWork", "identifier": sample_story.id}
    assert art["articleSection"] == "سياسة"
    assert art["articleBody"].startswith(variant.body[0].children[0].text)  # type: ignore[union-attr]
    assert art["wordCount"] > 300
    assert art["isAccessibleForFree"] is True
    assert art["keywords"] == list(variant.keywords)
    assert art["copyrightNotice"].startswith("© 2021 YCPress")
    assert art["copyrightHolder"] == {"@id": node(data, "NewsMediaOrganization")["@id"]}
    assert art["dateline"].startswith("بروكسل")
    assert art["genre"] == "http://cv.iptc.org/newscodes/genre/Current"  # IPTC's, by its URI


def test_authors_are_objects(out: Path) -> None:
    data = load(out, "en")
    authors = article(data)["author"]
    assert authors == [{"@id": node(data, "NewsMediaOrganization")["@id"]}]
    assert node(data, "NewsMediaOrganization")["url"] == "https://ycpress.example/"


def test_images_say_who_holds_them(sample_story: Story, site_config: SiteConfig) -> None:
    """Google's image metadata: creditText, copyrightHolder, copyrightNotice; the picture's
    own rights when it has them (an agency's photo), else the story's."""
    files, _ = export_stories([sample_story], site_config, "jsonld")
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])
    (image,) = article(data)["image"]
    assert image["copyrightHolder"] == {"@id": node(data, "NewsMediaOrganization")["@id"]}
    assert image["copyrightNotice"] == sample_story.rights_notice("fr")
    own = dataclasses.replace(
        sample_story.images[0],
        rights=Rights(
            "AgencyX",
            Localized((("*", "© 2026 AgencyX"),)),
            Localized((("en", "Editorial use only."), ("fr", "Usage éditorial seulement."))),
        ),
    )
    files, _ = export_stories(
        [dataclasses.replace(sample_story, images=(own,))], site_config, "jsonld"
    )
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])
    (image,) = article(data)["image"]
    assert image["copyrightHolder"] == {"@type": "Organization", "name": "AgencyX"}
    assert image["copyrightNotice"] == "© 2026 AgencyX"
    assert image["creditText"] == own.credit
    assert list(check(data, "jsonld.schema.json")) == []


def test_people_who_did_not_write_are_contributors_not_authors(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path
) -> None:
    """A photographer is a `contributor`, a translator a `translator`, an editor an `editor`;
    authors stay authors (before: all under `author`). A byline of contributors alone has the
    publisher as author."""
    story = with_byline(sample_story, MIXED_BYLINE)
    files, diags = export_stories([story], site_config, "jsonld")
    assert not diags.errors
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.en.jsonld"])
    art = article(data)
    assert art["author"] == [{"@type": "Person", "name": "Marie Curie"}]
    pv = {"@type": "Person", "name": "Paul Valery", "url": "https://ycpress.example/pv"}
    assert art["contributor"] == [pv]
    assert art["translator"] == [{"@type": "Person", "name": "Ana Lima"}]
    assert art["editor"] == [{"@type": "Person", "name": "Jo Park"}]
    assert list(check(data, "jsonld.schema.json")) == []
    (tmp_path / "a.jsonld").write_bytes(files[f"jsonld/{SAMPLE_SLUG}.en.jsonld"])
    result = run_checker(shared_dir, [tmp_path / "a.jsonld"])
    # (its one warning: Marie Curie, an author, has no url)
    assert result.returncode == 0 and result.stdout.count("WARNING") == 1, result.stdout
    assert ".author: author has neither url" in result.stdout
    alone = with_byline(sample_story, Byline((Person("Paul Valery", "photographer"),)))
    files, _ = export_stories([alone], site_config, "jsonld")
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.en.jsonld"])
    assert article(data)["author"] == [{"@id": node(data, "NewsMediaOrganization")["@id"]}]


def test_images_are_absolute_and_published(out: Path) -> None:
    images = article(load(out, "fr"))["image"]
    assert len(images) == 1
    image = images[0]
    assert image["@type"] == "ImageObject"
    assert image["url"] == f"{BASE}html/media/{SAMPLE_SLUG}/nato-iraq-mission.png{SAMPLE_V}"
    assert (image["width"], image["height"]) == (1600, 900)
    assert image["caption"].startswith("La mission de l'OTAN")
    published = out / image["url"].removeprefix(BASE).removesuffix(SAMPLE_V)
    assert (
        published.read_bytes()
        == (REPO / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png").read_bytes()
    )


def test_places_and_subjects(out: Path) -> None:
    art = article(load(out, "en"))
    created = art["locationCreated"]
    assert created["name"] == "Brussels"
    assert created["address"]["addressCountry"] == "BE"
    assert created["geo"] == {"@type": "GeoCoordinates", "latitude": 50.8503, "longitude": 4.3517}
    assert [p["name"] for p in art["contentLocation"]] == ["Baghdad", "Erbil", "Afghanistan"]
    about = art["about"][0]
    assert about["@type"] == "DefinedTerm"
    assert about["@id"] == "http://cv.iptc.org/newscodes/mediatopic/11000000"
    assert about["termCode"] == "11000000"


def test_no_correction_without_one(out: Path) -> None:
    assert "correction" not in article(load(out, "en"))


def test_files_end_with_newline_and_keep_characters(out: Path) -> None:
    text = (out / "jsonld" / f"{SAMPLE_SLUG}.ar.jsonld").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "حلف الناتو" in text
    assert "\\u0" not in text


def assert_same_files(first: Path, second: Path) -> None:
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_reexport_is_byte_identical(export_sample: Any) -> None:
    assert_same_files(export_sample("jsonld"), export_sample("jsonld"))


def test_golden(out: Path, golden: Any) -> None:
    golden(out / "jsonld", "jsonld")


def test_validate_outputs_reports_schema_errors(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    path = out / "jsonld" / f"{SAMPLE_SLUG}.es.jsonld"
    data = json.loads(path.read_text(encoding="utf-8"))
    article(data)["dateModified"] = "18/02/2021"
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) != 0
    err = capsys.readouterr().err
    assert f"{path}: error: @graph.3.dateModified: '18/02/2021' is not an ISO 8601" in err
    assert "[jsonld.schema]" in err


# Stories built in a temporary articles folder ----------------------------------------------


def sample_copy(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    shutil.copytree(REPO / "articles", articles)
    return articles / SAMPLE_SLUG


def set_front_matter(story: Path, lang: str, key: str, value: Any) -> None:
    """Replace a front matter field (and its folded continuation lines) with `value`."""
    path = story / f"{lang}.md"
    kept: list[str] = []
    replacing = False
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith(f"{key}:"):
            kept.append(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
            replacing = True
        elif not (replacing and line.startswith(" ")):
            kept.append(line)
            replacing = False
    path.write_text("".join(kept), encoding="utf-8")


def export_articles(articles: Path, out: Path, *formats: str) -> int:
    args = ["export", "--quiet", "--articles", str(articles), "--out", str(out), "--now", FIXED_NOW]
    for fmt in formats:
        args += ["--format", fmt]
    return main(args)


def test_long_headline_warns_and_is_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    headline = "NATO " + "will surge in its military deployment in Iraq, " * 3 + "officials say"
    assert len(headline) > 110
    set_front_matter(story, "en", "headline", headline)
    assert export_articles(story.parent, tmp_path / "out", "jsonld", "html") == 0
    err = capsys.readouterr().err
    assert err.count("[jsonld.headline]") == 1, err
    assert f"warning: headline is {len(headline)} characters" in err
    data = json.loads((tmp_path / "out/jsonld" / f"{SAMPLE_SLUG}.en.jsonld").read_text("utf-8"))
    assert article(data)["headline"] == headline


def test_correction_is_a_correction_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    with (story / "story.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "correction:\n  note:\n    en: An earlier version misstated the troop numbers.\n"
            "    fr: Une version précédente indiquait des effectifs erronés.\n"
        )
    assert export_articles(story.parent, tmp_path / "out", "jsonld") == 0
    for lang, start in (("en", "An earlier"), ("fr", "Une version")):
        data = json.loads((tmp_path / "out/jsonld" / f"{SAMPLE_SLUG}.{lang}.jsonld").read_text())
        correction = article(data)["correction"]
        assert correction["@type"] == "CorrectionComment"
        assert correction["text"].startswith(start)
        assert correction["datePublished"] == article(data)["dateModified"]
        assert list(check(data, "jsonld.schema.json")) == []


@pytest.mark.parametrize("change", ["status: withheld", "embargo_until: 2030-01-01T00:00:00Z"])
def test_hidden_stories_are_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    facts = (story / "story.yaml").read_text(encoding="utf-8")
    key = change.split(":")[0]
    facts = re.sub(rf"(?m)^{key}:.*\n", "", facts) + change + "\n"
    (story / "story.yaml").write_text(facts, encoding="utf-8")
    assert export_articles(story.parent, tmp_path / "out", "jsonld", "html") == 0
    assert list((tmp_path / "out/jsonld").glob("*")) == []
    assert not list((tmp_path / "out/html").glob(f"{SAMPLE_SLUG}*"))
    assert not (tmp_path / "out/html/media" / SAMPLE_SLUG).exists()


def test_one_author_object_per_credited_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_dir: Path
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    byline = {
        "people": [
            {"name": "Amira Haddad", "url": "https://ycpress.example/staff/amira-haddad/"},
            {"name": "Jean Dupont", "url": "https://ycpress.example/staff/jean-dupont/"},
        ],
        "organisation": "Agence Exemple",
    }
    set_front_matter(story, "en", "byline", byline)
    out = tmp_path / "out"
    assert export_articles(story.parent, out, "jsonld") == 0
    path = out / "jsonld" / f"{SAMPLE_SLUG}.en.jsonld"
    authors = article(json.loads(path.read_text(encoding="utf-8")))["author"]
    assert authors == [
        {"@type": "Person", "name": "Amira Haddad", "url": byline["people"][0]["url"]},
        {"@type": "Person", "name": "Jean Dupont", "url": byline["people"][1]["url"]},
        {"@type": "Organization", "name": "Agence Exemple"},
    ]
    result = run_checker(shared_dir, [path])
    assert "ERROR" not in result.stdout


@pytest.mark.parametrize(
    ("role", "contribution"),
    [
        ("Photographer", "photographer"),
        ("Photos", "photographer"),
        ("Photos and video", "photographer"),
        ("photo editor", "editor"),
        ("Editor", "editor"),
        ("Traduction", "translator"),
        ("Europe editor", None),
        ("Political Editor", None),
        ("Editor at large", None),
        ("Contributing editor", None),
        ("editora de política", None),
        ("Text and photos", None),
        ("Reporter, translated by AI", None),
        ("Brussels correspondent", None),
        (None, None),
    ],
)
def test_a_role_names_another_contribution_only_with_all_its_words(
    role: str | None, contribution: str | None
) -> None:
    """A word of the role was enough: a "Europe editor" or "Political Editor", who wrote the
    story, was credited as its editor, and "Text and photos" as a photographer (review)."""
    from syndicate.model import Person

    assert Person("Jane Martin", role).contribution == contribution


def test_an_ornament_is_no_image_of_the_article(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path
) -> None:
    """A decorative image (`decorative: true`: a rule, a texture) is listed with the article's
    images, as every channel carries it, and says what schema.org can say of it: it does not
    represent the page (`representativeOfPage: false`). Before, nothing told it from a picture
    of the story, which a search engine could take for the article's thumbnail."""
    chart = sample_story.images[0]
    ornament = dataclasses.replace(chart, decorative=True, alt=Localized(()), file="rule.png")
    story = dataclasses.replace(sample_story, images=(chart, ornament))
    files, diags = export_stories([story], site_config, "jsonld")
    assert not diags.errors
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])
    first, second = article(data)["image"]
    assert "representativeOfPage" not in first and second["representativeOfPage"] is False
    assert list(check(data, "jsonld.schema.json")) == []
    (tmp_path / "a.jsonld").write_bytes(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])
    result = run_checker(shared_dir, [tmp_path / "a.jsonld"])
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_a_page_whose_only_picture_is_an_ornament_names_no_primary_image(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A story whose images are all ornaments (`decorative: true`) has one for its picture, as
    every channel needs one; the WebPage named it `primaryImageOfPage` while the ImageObject
    said `representativeOfPage: false`: the page's main image does not represent it. An
    ornament is no page's primary image."""
    ornament = dataclasses.replace(sample_story.images[0], decorative=True, alt=Localized(()))
    story = dataclasses.replace(sample_story, images=(ornament,))
    files, diags = export_stories([story], site_config, "jsonld")
    assert not diags.errors
    data = json.loads(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])
    [page] = [n for n in data["@graph"] if n["@type"] == "WebPage"]
    assert "primaryImageOfPage" not in page
    assert [i["representativeOfPage"] for i in article(data)["image"]] == [False]
