"""The ninjs writer: IPTC's validator on every document of both generations, the fields against
the model, translations and images, statuses and embargoes, the option, goldens."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import MIXED_BYLINE, REPO, SAMPLE_SLUG, Exporter, export_stories, with_byline
from lxml import etree

from syndicate.cli import main
from syndicate.model import Correction, Localized, Rights, SiteConfig, Story
from syndicate.render.text import body_text
from syndicate.render.xhtml import correction_text, render_correction, to_string

BASE = "https://ycpress.example/syndicate/"
VERSIONS = ("2.2", "3.1")


def configured(tmp_path: Path, version: str) -> tuple[str, ...]:
    """`--config` for the sample site with `ninjs: version:` set."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    path = tmp_path / f"ninjs-{version}.yaml"
    path.write_text(config + f'ninjs:\n  version: "{version}"\n', encoding="utf-8")
    return ("--config", str(path))


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def out(export_sample: Exporter, tmp_path: Path, version: str) -> Path:
    result: Path = export_sample("ninjs", extra=configured(tmp_path, version))
    return result


def load(out: Path, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "ninjs" / f"{SAMPLE_SLUG}.{lang}.json").read_bytes())
    return data


def names(version: str) -> dict[str, str]:
    """The property names that differ between the generations."""
    if version.startswith("3"):
        keys = ("pubStatus", "embargoedUntil", "versionCreated", "firstCreated", "contentType")
        return {k: k for k in (*keys, "copyrightNotice", "usageTerms", "sizeInBytes", "altIds")}
    return {
        "pubStatus": "pubstatus",
        "embargoedUntil": "embargoed",
        "versionCreated": "versioncreated",
        "firstCreated": "firstcreated",
        "contentType": "contenttype",
        "copyrightNotice": "copyrightnotice",
        "usageTerms": "usageterms",
        "sizeInBytes": "sizeinbytes",
        "altIds": "altids",
    }


def run_validator(shared: Path, files: list[Path], version: str) -> str:
    tool = shared / "tools" / "ninjs_validate.py"
    command = [sys.executable, str(tool), "--version", version, *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_iptc_validator_accepts_every_document(out: Path, version: str, shared_dir: Path) -> None:
    files = sorted((out / "ninjs").glob("*.json"))
    assert len(files) == 6
    report = run_validator(shared_dir, files, version)
    assert report.count(f"OK (ninjs-schema_{version}.json)") == 6


def test_golden(out: Path, version: str, golden: Callable[[Path, str], None]) -> None:
    golden(out / "ninjs", f"ninjs/{version}")


def test_fields_follow_the_model(out: Path, version: str, sample_story: Story) -> None:
    n = names(version)
    for variant in sample_story.variants:
        lang = variant.lang
        doc = load(out, lang)
        assert doc["uri"] == sample_story.variant_id(lang)
        assert doc["standard"]["version"] == version
        assert doc["version"] == str(sample_story.version)
        assert doc[n["pubStatus"]] == "usable"
        assert n["embargoedUntil"] not in doc
        assert datetime.fromisoformat(doc[n["firstCreated"]]) == sample_story.published
        assert datetime.fromisoformat(doc[n["versionCreated"]]) == sample_story.updated
        assert doc["language"] == lang and doc["slugline"] == sample_story.slug
        assert doc["headlines"] == [{"role": "main", "value": variant.headline}]
        assert doc["descriptions"][0]["value"] == variant.summary
        xhtml, plain = doc["bodies"]
        assert xhtml[n["contentType"]] == "application/xhtml+xml"
        assert etree.fromstring(xhtml["value"]).get("lang") == lang
        assert plain == plain | {n["contentType"]: "text/plain", "value": body_text(variant)}
        rights = sample_story.rights_for(lang)
        assert doc[n["copyrightNotice"]] == rights.notice.get(lang)
        assert rights.usage_terms and doc[n["usageTerms"]] == rights.usage_terms.get(lang)
        assert doc[n["altIds"]] == [{"role": "story", "value": sample_story.id}]
        assert doc["organisations"] == [{"name": "YCPress", "rel": "author"}]
        assert doc["located"] == variant.dateline


def test_subjects_are_media_topic_uris(out: Path, sample_story: Story) -> None:
    doc = load(out, "fr")
    assert doc["subjects"] == [
        {
            "name": subject.name.get("fr"),
            "uri": f"http://cv.iptc.org/newscodes/mediatopic/{subject.topic}",
            "literal": subject.code,
        }
        for subject in sample_story.subjects
    ]


def test_places_carry_their_role_and_geojson(out: Path, version: str) -> None:
    brussels = load(out, "de")["places"][0]
    key = "geoJSON" if version.startswith("3") else "geojson"
    assert brussels == {
        "name": "Brüssel",
        "rel": "located",
        key: {"type": "Point", "coordinates": [4.3517, 50.8503]},
    }


def test_translations_and_images_are_associations(
    out: Path, version: str, sample_story: Story, site_config: SiteConfig
) -> None:
    n = names(version)
    doc = load(out, "fr")
    by_name = {a["name"]: a for a in doc["associations"]}
    # the other languages in the site's order, as every format lists a story's languages
    order = [lang for lang in site_config.languages if sample_story.has(lang)]
    others = [lang for lang in order if lang != "fr"]
    expected = ["original-en" if lang == "en" else f"translation-{lang}" for lang in others]
    image = sample_story.images[0]
    picture_id = f"picture-{image.name}"  # its file's, as in NewsML-G2 (`Story.picture_id`)
    assert [a["name"] for a in doc["associations"]] == [*expected, picture_id]
    for lang, name in zip(others, expected, strict=True):
        link = by_name[name]
        assert link["uri"] == sample_story.variant_id(lang) and link["language"] == lang
        assert link["headlines"] == [{"role": "main", "value": sample_story.variant(lang).headline}]
        assert ("rel" in link) == version.startswith("3")
    picture = by_name[picture_id]
    href = f"{BASE}ninjs/media/{SAMPLE_SLUG}/{image.name}?v={image.digest}"
    # the uri names the picture (ninjs: "not for links"), the same whatever its bytes
    assert picture["type"] == "picture" and picture["uri"] == f"{sample_story.id}#{picture_id}"
    assert picture["renditions"] == [
        {
            "name": "original",
            "href": href,
            n["contentType"]: image.media_type,
            "width": image.width,
            "height": image.height,
            n["sizeInBytes"]: image.size,
        }
    ]
    assert picture["by"] == image.credit
    assert {d["role"]: d["value"] for d in picture["descriptions"]} == {
        "alt": image.alt.get("fr"),
        "caption": image.caption.get("fr") if image.caption else None,
    }
    assert f'src="{href}"' in doc["bodies"][0]["value"]  # absolute image URLs in the body


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_killed_stories_carry_their_status(
    sample_story: Story, site_config: SiteConfig, status: str, tmp_path: Path, shared_dir: Path
) -> None:
    killed = dataclasses.replace(sample_story, status=status, version=sample_story.version + 1)
    files, diags = export_stories([killed], site_config, "ninjs")
    assert not diags.errors and sorted(files) == sorted(
        f"ninjs/{SAMPLE_SLUG}.{lang}.json" for lang in sample_story.languages
    )  # a kill is a new version of every document, and carries no images
    for name, data in files.items():
        doc = json.loads(data)
        assert doc["pubStatus"] == status
        assert "renditions" not in doc  # no public page to point to
        assert "associations" not in doc and doc["version"] == str(killed.version)
        (tmp_path / Path(name).name).write_bytes(data)
    run_validator(shared_dir, sorted(tmp_path.glob("*.json")), "3.1")


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_drafts_are_not_sent(sample_story: Story, site_config: SiteConfig, status: str) -> None:
    draft = dataclasses.replace(sample_story, status=status, version=1)
    files, diags = export_stories([draft], site_config, "ninjs")
    assert not diags.errors and files == {}


def test_embargoed_stories_say_until_when(sample_story: Story, site_config: SiteConfig) -> None:
    until = datetime(2026, 6, 1, 12, tzinfo=UTC)
    embargoed = dataclasses.replace(sample_story, embargo_until=until)
    files, _ = export_stories([embargoed], site_config, "ninjs")
    doc = json.loads(files[f"ninjs/{SAMPLE_SLUG}.en.json"])
    assert doc["embargoedUntil"] == "2026-06-01T12:00:00Z" and doc["pubStatus"] == "usable"
    files, _ = export_stories(
        [embargoed], site_config, "ninjs", options={"ninjs": {"version": "2.2"}}
    )
    assert json.loads(files[f"ninjs/{SAMPLE_SLUG}.en.json"])["embargoed"] == "2026-06-01T12:00:00Z"


def test_the_public_correction_note_ends_both_bodies(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path, version: str
) -> None:
    """The correction note, "shown at the end of the story in every format", was only the
    `edNote`, which ninjs says is not to be published: partners republished the corrected
    body with no correction. Each body ends with the page's note, the plain one as text."""
    note = Localized((("en", "Corrects the troop numbers."), ("fr", "Corrige les effectifs.")))
    corrected = dataclasses.replace(
        sample_story, version=2, correction=Correction(note, sample_story.source)
    )
    options = {"ninjs": {"version": version}}
    files, _ = export_stories([corrected], site_config, "ninjs", options=options)
    plain, _ = export_stories([sample_story], site_config, "ninjs", options=options)
    key = "contentType" if version.startswith("3") else "contenttype"
    for lang in ("fr", "de"):
        name = f"ninjs/{SAMPLE_SLUG}.{lang}.json"
        doc, before = json.loads(files[name]), json.loads(plain[name])
        bodies = {body[key]: body for body in doc["bodies"]}
        earlier = {body[key]: body for body in before["bodies"]}
        div = etree.fromstring(bodies["application/xhtml+xml"]["value"])
        assert to_string(div[-1]) == to_string(render_correction(corrected, lang))
        text = bodies["text/plain"]["value"]
        assert text == earlier["text/plain"]["value"] + "\n\n" + correction_text(corrected, lang)
        ed_note = doc["edNote" if version.startswith("3") else "ednote"]
        assert ed_note == note.get(lang, "en")  # for the editors, as before
        for kind, body in bodies.items():  # the counts are the story's words, not the note's
            assert {k: v for k, v in body.items() if k != "value"} == {
                k: v for k, v in earlier[kind].items() if k != "value"
            }
        (tmp_path / Path(name).name).write_bytes(files[name])
    assert correction_text(corrected, "fr") == "Rectificatif\n\nCorrige les effectifs."
    run_validator(shared_dir, sorted(tmp_path.glob("*.json")), version)


@pytest.mark.parametrize("ninjs_version", VERSIONS)
def test_the_genre_is_iptc_s_code_and_uri(
    sample_story: Story, site_config: SiteConfig, ninjs_version: str
) -> None:
    story = dataclasses.replace(sample_story, genre="from-the-scene")
    options = {"ninjs": {"version": ninjs_version}}
    files, _ = export_stories([story], site_config, "ninjs", options=options)
    doc = json.loads(files[f"ninjs/{SAMPLE_SLUG}.fr.json"])
    uri = "http://cv.iptc.org/newscodes/genre/From_the_Scene"
    assert doc["genres"] == [{"uri": uri, "literal": "genre:From_the_Scene"}]


def test_a_picture_carries_its_own_rights_or_the_story_s(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path
) -> None:
    """Each picture association says who holds it (before: no rights on the picture, and the
    document's, the publisher's, taken for the agency's photo)."""
    n = names("3.1")
    files, _ = export_stories([sample_story], site_config, "ninjs")
    picture = json.loads(files[f"ninjs/{SAMPLE_SLUG}.fr.json"])["associations"][-1]
    assert picture["copyrightHolder"] == "YCPress"  # the story's, as the sample gives none
    assert picture[n["copyrightNotice"]] == sample_story.rights_notice("fr")
    image = dataclasses.replace(
        sample_story.images[0],
        rights=Rights(
            "AgencyX",
            Localized((("*", "© 2026 AgencyX"),)),
            Localized((("en", "Editorial use only."), ("fr", "Usage éditorial seulement."))),
        ),
    )
    story = dataclasses.replace(sample_story, images=(image,))
    for version in VERSIONS:
        options = {"ninjs": {"version": version}}
        files, _ = export_stories([story], site_config, "ninjs", options=options)
        data = files[f"ninjs/{SAMPLE_SLUG}.fr.json"]
        picture = json.loads(data)["associations"][-1]
        holder = "copyrightHolder" if version.startswith("3") else "copyrightholder"
        assert picture[holder] == "AgencyX" and picture["by"] == image.credit
        assert picture[names(version)["copyrightNotice"]] == "© 2026 AgencyX"
        assert picture[names(version)["usageTerms"]] == "Usage éditorial seulement."
        assert json.loads(data)[holder] == "YCPress"  # the text stays the publisher's
        (tmp_path / f"{version}.json").write_bytes(data)
        run_validator(shared_dir, [tmp_path / f"{version}.json"], version)


def test_byline_roles_are_the_people_s_rel(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path
) -> None:
    """An author is `rel: author`; a photographer, a translator, an editor are theirs, not
    authors (before: every person `author`)."""
    story = with_byline(sample_story, MIXED_BYLINE)
    for version in VERSIONS:
        options = {"ninjs": {"version": version}}
        files, _ = export_stories([story], site_config, "ninjs", options=options)
        doc = json.loads(files[f"ninjs/{SAMPLE_SLUG}.en.json"])
        assert doc["people"] == [
            {"name": "Marie Curie", "rel": "author"},
            {"name": "Paul Valery", "rel": "photographer", "uri": "https://ycpress.example/pv"},
            {"name": "Ana Lima", "rel": "translator"},
            {"name": "Jo Park", "rel": "editor"},
        ]
        (tmp_path / f"{version}.json").write_bytes(files[f"ninjs/{SAMPLE_SLUG}.en.json"])
        run_validator(shared_dir, [tmp_path / f"{version}.json"], version)


def test_lang_selects_documents_not_links(export_sample: Exporter) -> None:
    out = export_sample("ninjs", extra=("--lang", "fr"))
    assert [p.name for p in (out / "ninjs").glob("*.json")] == [f"{SAMPLE_SLUG}.fr.json"]
    assert len(load(out, "fr")["associations"]) == 6  # five translations and the image


def test_an_unknown_version_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, config = configured(tmp_path, "1.6")
    monkeypatch.chdir(REPO)
    assert main(["export", "-q", "-f", "ninjs", "--config", config, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert (
        "ninjs-1.6.yaml:12: error: ninjs: version: '1.6' is not valid; expected `2.2` or `3.1`"
        in (err)
    )


def test_validate_outputs_checks_documents(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    path = out / "ninjs" / f"{SAMPLE_SLUG}.en.json"
    doc = json.loads(path.read_bytes())
    doc["language"] = "fr"
    del doc["uri"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: error: no uri [ninjs.document]" in err
    assert "language 'fr' differs from the file name" in err


def test_validate_outputs_refuses_an_iri_where_the_schema_takes_a_uri(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A raw non-Latin name (as ninjs once linked images) fails IPTC's `"format": "uri"` in a
    consumer whose jsonschema checks formats: `validate --outputs` says so first."""
    monkeypatch.chdir(REPO)
    path = out / "ninjs" / f"{SAMPLE_SLUG}.ar.json"
    doc = json.loads(path.read_bytes())
    image = doc["associations"][-1]
    raw = f"{BASE}ninjs/media/{SAMPLE_SLUG}/ميناء-جدة.png"
    image["uri"] = image["renditions"][0]["href"] = raw
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) == 1
    err = capsys.readouterr().err
    n = len(doc["associations"]) - 1
    for place in (f"associations[{n}].uri", f"associations[{n}].renditions[0].href"):
        assert f"{path}: error: {place} is not a URI: {raw};" in err
    assert err.count("is not a URI") == 2


def test_byline_people_are_ninjs_people(
    site: Path, tmp_path: Path, version: str, shared_dir: Path
) -> None:
    """A byline naming people (the sample's names only its organisation): each person is a
    `people` entry with `rel: author`, and `uri` when the byline gives a URL, in both
    generations, and IPTC's validator accepts them. A copy of the sample, its goldens untouched."""
    story = site / "articles" / SAMPLE_SLUG
    people = (
        '  people: [{name: Jane Martin, role: correspondent, url: "https://ycpress.example/jm"},'
        " {name: Karim Haddad}]\n"
    )
    for lang in ("en", "fr"):
        source = story / f"{lang}.md"
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("byline:\n", f"byline:\n{people}", 1), encoding="utf-8")
    config = site / "syndicate.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'ninjs:\n  version: "{version}"\n', encoding="utf-8"
    )
    out = tmp_path / "people-out"
    args = ["export", "-q", "-f", "ninjs", "--now", "2026-01-01T00:00:00Z", "--out", str(out)]
    assert main([*args, "--config", str(config), "--articles", str(site / "articles")]) == 0
    expected = [
        {"name": "Jane Martin", "rel": "author", "uri": "https://ycpress.example/jm"},
        {"name": "Karim Haddad", "rel": "author"},
    ]
    for lang in ("en", "fr"):
        doc = load(out, lang)
        assert doc["people"] == expected, lang
        assert doc["organisations"] == [{"name": "YCPress", "rel": "author"}]
        assert doc["by"].startswith("By Jane Martin" if lang == "en" else "Par Jane Martin")
        assert doc["standard"]["version"] == version
    assert "people" not in load(out, "de")  # a language whose byline names no one
    run_validator(shared_dir, sorted((out / "ninjs").glob("*.json")), version)


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_a_kill_note_keeps_the_publishers_name_whole_in_a_right_to_left_document(
    sample_story: Story,
    site_config: SiteConfig,
    tmp_path: Path,
    shared_dir: Path,
    version: str,
    status: str,
) -> None:
    """The `edNote` of an Arabic kill or withdrawal, plain text a partner's editor reads in
    the document's direction, showed the Latin name's full stop before it (".YCPress Ltd"),
    as the feeds' notices did before their fix: the name is a bidi isolate (U+2068...U+2069)
    there, as FriBiDi tells; not in an English document."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = dataclasses.replace(
        site_config, publisher=dataclasses.replace(site_config.publisher, name=name)
    )
    killed = dataclasses.replace(sample_story, status=status, version=sample_story.version + 1)
    options = {"ninjs": {"version": version}}
    files, diags = export_stories([killed], config, "ninjs", options=options)
    assert not diags.errors, [d.format_text() for d in diags]
    key = "edNote" if version.startswith("3") else "ednote"
    notes = {}
    for lang in ("ar", "en"):
        name_of = f"ninjs/{SAMPLE_SLUG}.{lang}.json"
        notes[lang] = json.loads(files[name_of])[key]
        assert name in notes[lang], lang
        (tmp_path / f"{lang}.json").write_bytes(files[name_of])
    levels = embedding_levels(notes["ar"], "rtl")
    at = notes["ar"].index(name)
    assert levels[at] == levels[at + len(name) - 1], notes["ar"]
    assert "\u2068" not in notes["en"]
    run_validator(shared_dir, sorted(tmp_path.glob("*.json")), version)


def test_an_ornament_says_its_text_alternative_is_empty(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, shared_dir: Path
) -> None:
    """A decorative image (`decorative: true`) has an empty text alternative, which NewsML-G2
    writes (`alt=""`); ninjs left it out, so a partner could not tell an ornament from a
    picture whose description is missing. Both generations say it, IPTC's validator agrees."""
    ornament = dataclasses.replace(sample_story.images[0], decorative=True, alt=Localized(()))
    story = dataclasses.replace(sample_story, images=(ornament,))
    for version in VERSIONS:
        options = {"ninjs": {"version": version}}
        files, diags = export_stories([story], site_config, "ninjs", options=options)
        assert not diags.errors, [d.format_text() for d in diags]
        for lang in story.languages:
            data = files[f"ninjs/{SAMPLE_SLUG}.{lang}.json"]
            picture = json.loads(data)["associations"][-1]
            assert picture["descriptions"] == [
                {"role": "alt", "value": ""},
                {"role": "caption", "value": ornament.caption.get(lang)},  # type: ignore[union-attr]
            ], (version, lang)
            (tmp_path / f"{version}.{lang}.json").write_bytes(data)
        run_validator(shared_dir, sorted(tmp_path.glob(f"{version}.*.json")), version)
    # without a caption, the empty text alternative alone: still no missing description
    bare = dataclasses.replace(ornament, caption=None)
    files, _ = export_stories([dataclasses.replace(story, images=(bare,))], site_config, "ninjs")
    picture = json.loads(files[f"ninjs/{SAMPLE_SLUG}.ar.json"])["associations"][-1]
    assert picture["descriptions"] == [{"role": "alt", "value": ""}]
