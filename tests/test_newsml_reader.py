"""NewsML-G2 reader: our items read back give the story we wrote, for every field the format
carries; broken items are reported with file and line; forbidden characters never reach XML."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_SLUG, export_stories

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.model.writer import to_data
from syndicate.formats.newsml.reader import read_newsml
from syndicate.model import (
    BlockQuote,
    Code,
    Correction,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Localized,
    Paragraph,
    Place,
    Rights,
    SiteConfig,
    Story,
    Strong,
    Text,
    ThematicBreak,
)
from syndicate.readers.articles import read_articles

NOT_CARRIED = {
    "source",
    "version_source",
    "updated_source",
    "sha256",
    "path",
    "folder",
    "timezone",
}
"""Model fields NewsML-G2 has no place for (or that name the machine the story was read on)."""


def export_to(folder: Path, stories: list[Story], config: SiteConfig) -> Path:
    files, diags = export_stories(stories, config, "newsml")
    assert not diags.errors, [d.format_text() for d in diags]
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder / "newsml"


def carried(story: Story) -> Any:
    """The story as NewsML-G2 carries it: texts resolved per language, rights as each language
    sees them, images named as published, about-places without coordinates."""
    langs = story.languages
    story = dataclasses.replace(
        story,
        variants=tuple(
            dataclasses.replace(v, rights=story.rights_for(v.lang)) for v in story.variants
        ),
        images=tuple(dataclasses.replace(i, file=i.name) for i in story.images),
        places=tuple(
            p if p.role == "located" else dataclasses.replace(p, coordinates=None)
            for p in story.places
        ),
    )
    return _normalise(to_data(story), langs)


def _normalise(data: Any, langs: tuple[str, ...]) -> Any:
    if isinstance(data, dict):
        if (
            data
            and all(k == "*" or k in langs or "-" in k for k in data)
            and all(isinstance(v, str) for v in data.values())
        ):
            loc = Localized(tuple(data.items()))
            return {lang: loc.get(lang) for lang in langs}
        return {k: _normalise(v, langs) for k, v in data.items() if k not in NOT_CARRIED}
    if isinstance(data, list):
        return [_normalise(v, langs) for v in data]
    return data


def round_trip(story: Story, config: SiteConfig, tmp_path: Path) -> Story:
    diags = Diagnostics()
    stories = read_newsml(export_to(tmp_path, [story], config), diags, story.timezone)
    assert not list(diags), [d.format_text() for d in diags]
    assert len(stories) == 1
    return stories[0]


def test_round_trip_of_the_sample_story(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    back = round_trip(sample_story, site_config, tmp_path)
    assert carried(back) == carried(sample_story)


def test_an_alternative_headline_travels_as_a_second_headline_with_its_role(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """`alt_headline` reached ninjs, JSON-LD and the web page but not NewsML-G2, the wire
    format: a partner lost the subtitle. It is a second `headline` with our catalog's role
    `synhl:alternative`, after the main one, valid for IPTC and read back."""
    from lxml import etree

    from syndicate.formats.newsml.validate import profile_schema
    from syndicate.xmlbase import safe_parser

    variants = tuple(
        dataclasses.replace(v, alt_headline=f"Subtitle ({v.lang})") if v.lang != "de" else v
        for v in sample_story.variants
    )
    story = dataclasses.replace(sample_story, variants=variants)
    folder = export_to(tmp_path / "out", [story], site_config)
    root = etree.parse(str(folder / f"{story.slug}.fr.xml"), safe_parser()).getroot()
    g2 = {"g2": "http://iptc.org/std/nar/2006-10-01/"}
    headlines = root.findall("g2:contentMeta/g2:headline", g2)
    assert [(h.text, h.get("role")) for h in headlines] == [
        (story.variant("fr").headline, None),
        ("Subtitle (fr)", "synhl:alternative"),
    ]
    assert profile_schema().validate(root), profile_schema().error_log
    german = etree.parse(str(folder / f"{story.slug}.de.xml"), safe_parser()).getroot()
    assert len(german.findall("g2:contentMeta/g2:headline", g2)) == 1
    back = round_trip(story, site_config, tmp_path / "again")
    assert [v.alt_headline for v in back.variants] == [v.alt_headline for v in variants]
    assert carried(back) == carried(story)


def test_round_trip_of_a_corrected_embargoed_story_and_its_kill(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    changed = dataclasses.replace(
        sample_story,
        version=4,
        embargo_until=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        correction=Correction(
            Localized(tuple((lang, f"note {lang}") for lang in sample_story.languages)),
            sample_story.source,
        ),
        places=(Place(Localized.same("Kyiv"), "UA", (50.45, 30.52), "located"),),
        genre="press-release",
        images=tuple(
            dataclasses.replace(
                image,
                rights=Rights(
                    "AgencyX",
                    Localized((("*", "© 2030 AgencyX"),)),
                    Localized(tuple((lang, f"terms {lang}") for lang in sample_story.languages)),
                ),
            )
            for image in sample_story.images
        ),
    )
    back = round_trip(changed, site_config, tmp_path)
    assert carried(back) == carried(changed)
    assert back.version == 4 and back.genre == "press-release" and back.embargo_until
    assert back.images[0].rights is not None and back.images[0].rights.holder == "AgencyX"
    # IPTC's own code, underscore and all (before: the invented `genre:PressRelease`)
    item = (tmp_path / "newsml" / f"{changed.slug}.en.xml").read_text(encoding="utf-8")
    assert '<genre qcode="genre:Press_Release"/>' in item
    # Its kill, a version later, says what it is and carries nothing of the story.
    killed = dataclasses.replace(changed, status="canceled", version=5, correction=None)
    gone = round_trip(killed, site_config, tmp_path / "kill")
    assert gone.id == killed.id and gone.status == "canceled" and gone.version == 5
    assert gone.correction is None and gone.images == () and gone.subjects == ()
    for variant, back_variant in zip(killed.variants, gone.variants, strict=True):
        assert back_variant.headline == variant.headline
        assert back_variant.body == () and back_variant.summary == ""


def test_round_trip_without_images_or_located_place(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    plain = dataclasses.replace(
        sample_story,
        images=(),
        places=(),
        related=(),
        variants=tuple(
            dataclasses.replace(v, body=tuple(b for b in v.body if type(b).__name__ != "Figure"))
            for v in sample_story.variants
        ),
    )
    back = round_trip(plain, site_config, tmp_path)
    assert carried(back) == carried(plain)
    assert back.images == () and back.places == ()


def test_broken_item_is_reported_with_file_and_line(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    folder = export_to(tmp_path, [sample_story], site_config)
    target = folder / f"{sample_story.slug}.de.xml"
    lines = target.read_text(encoding="utf-8").splitlines()
    lines[5] = "<broken"
    target.write_text("\n".join(lines), encoding="utf-8")
    diags = Diagnostics()
    assert read_newsml(folder, diags) == []
    (problem,) = list(diags)
    assert problem.code == "newsml.read"
    assert problem.path == str(target) and problem.line >= 6


def test_control_characters_are_reported_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(REPO / "articles", articles)
    source = articles / SAMPLE_SLUG / "fr.md"
    lines = source.read_text(encoding="utf-8").split("\n")
    lines[11] = lines[11] + "\x07"
    source.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    status = main(["export", "--articles", str(articles), "--out", str(out), "-f", "newsml"])
    assert status != 0
    err = capsys.readouterr().err
    assert "fr.md:12: error: character U+0007 is not allowed in XML" in err
    assert not (out / "newsml").exists()
    config_diags = Diagnostics()
    read_articles(articles, _config(), config_diags)
    assert any(d.line == 12 and d.code == "text.control-char" for d in config_diags)


def _config() -> SiteConfig:
    from syndicate.readers.config import load_config

    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    return config


def test_round_trip_of_every_body_node(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    at = sample_story.source
    rich = (
        Heading(3, (Text("Sub "), Emphasis((Text("heading"),))), at),
        Paragraph(
            (
                Strong((Text("Bold"),)),
                Text(" and "),
                Code("x < 1 & y"),
                LineBreak(),
                Link("https://example.org/a?b=1&c=2", (Text("a link"),), "Its title"),
                Text(" ends."),
            ),
            at,
        ),
        BlockQuote((Paragraph((Text("Quoted"),), at),), at),
        ListBlock(
            True, ((Paragraph((Text("three"),), at),), (Paragraph((Text("four"),), at),)), at, 3
        ),
        ListBlock(False, ((Paragraph((Text("bullet"),), at),),), at),
        ThematicBreak(at),
    )
    story = dataclasses.replace(
        sample_story,
        variants=tuple(dataclasses.replace(v, body=v.body + rich) for v in sample_story.variants),
    )
    back = round_trip(story, site_config, tmp_path)
    assert carried(back) == carried(story)


def test_official_xsd_from_the_site_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = REPO.parent / "shared" / "schemas-official" / "newsml-g2"
    if not shared.is_dir():
        pytest.skip("../shared is not present")
    monkeypatch.delenv("SYNDICATE_NEWSML_XSD", raising=False)
    monkeypatch.chdir(REPO)
    config = tmp_path / "syndicate.yaml"
    text = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    text = text.replace("articles/_site/", f"{REPO}/articles/_site/")
    config.write_text(text + f"newsml:\n  official_xsd: {tmp_path / 'missing.xsd'}\n", "utf-8")
    out = tmp_path / "out"
    site = ("--config", str(config), "--articles", str(REPO / "articles"))  # config elsewhere
    assert main(["export", "-q", *site, "--out", str(out), "-f", "newsml"]) == 0
    capsys.readouterr()
    assert main(["validate", *site, "--outputs", str(out)]) != 0
    err = capsys.readouterr().err
    line = len(text.split("\n")) + 1  # official_xsd's, under the `newsml:` appended
    assert f"{config}:{line}: error: the NewsML-G2 XSD {tmp_path / 'missing.xsd'}" in err
    assert "is not there: name IPTC's NewsML-G2_2.35-spec-All-Power.xsd" in err
    good = shared / "NewsML-G2_2.35-spec-All-Power.xsd"
    monkeypatch.setenv("SYNDICATE_NEWSML_XSD", str(good))  # the variable wins over the file
    assert main(["validate", *site, "--outputs", str(out)]) == 0
    monkeypatch.delenv("SYNDICATE_NEWSML_XSD")
    config.write_text(text + f"newsml:\n  official_xsd: {good}\n", "utf-8")
    assert main(["validate", *site, "--outputs", str(out)]) == 0


def test_round_trip_of_a_lead_image_keeps_its_texts(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """A lead image (listed, placed in no body) has no figure in any item's body, where the
    reader took an image's alt text, caption and credit from: they came back empty. Each
    picture's partMeta now gives them in the item's language (the credit line, a
    `drol:caption` description, a `synpic:alt` one); an ornament leading the story comes back
    one (its alt empty). The file name comes back without the URL's digest (`?v=`)."""
    chart = sample_story.images[0]
    photo = dataclasses.replace(
        chart,
        file="images/lead.png",
        alt=Localized((("en", "A photo of the mission"), ("fr", "Une photo de la mission"))),
        caption=Localized((("*", "Erbil, 2021"),)),
        credit="Photo Jane Roe / AgencyY",
    )
    rule = dataclasses.replace(
        chart,
        file="images/rule.png",
        alt=Localized.same(""),
        caption=None,
        credit=None,
        decorative=True,
    )
    story = dataclasses.replace(sample_story, images=(chart, photo, rule))
    assert story.lead_images == (1, 2) and story.main_image("de") == photo
    back = round_trip(story, site_config, tmp_path)
    assert [i.file for i in back.images] == ["nato-iraq-mission.png", "lead.png", "rule.png"]
    lead, ornament = back.images[1], back.images[2]
    for lang in story.languages:  # the original's alt in a language without its own
        assert lead.alt.get(lang, back.original_lang) == photo.alt.get(lang, "en"), lang
        assert lead.caption is not None and lead.caption.get(lang) == "Erbil, 2021"
    assert lead.credit == "Photo Jane Roe / AgencyY"
    assert ornament.decorative is True and ornament.alt.get("fr") == ""
    assert ornament.caption is None and ornament.credit is None
    assert carried(back) == carried(story)


def _as_written_before(folder: Path) -> None:
    """Our items in `folder` rewritten as syndicate wrote them before each picture's partMeta
    carried its texts and place: the picture numbered by its place in story.yaml
    (`picture-<n>`, partid `picture-<n>-part`), its partMeta its credit line alone."""
    for path in folder.glob(f"{SAMPLE_SLUG}.*.xml"):
        text = path.read_text("utf-8")
        for seq, ref in re.findall(r'<partMeta [^>]*seq="([0-9]+)" contentrefs="([^"]+)"', text):
            text = text.replace(f'"{ref}-part"', f'"picture-{seq}-part"')
            text = text.replace(f'"{ref}"', f'"picture-{seq}"')
        text = re.sub(r' seq="[0-9]+"', "", text)
        texts = r'\s*<description role="(?:drol:caption|synpic:alt)"[^>]*(/>|>[^<]*</description>)'
        path.write_text(re.sub(texts, "", text), "utf-8")


def test_items_written_before_picture_texts_read_back_the_story(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """Items written before partMetas said each picture's caption, text alternative and place
    (numbered `picture-<n>`, a partMeta with the credit line alone) still read back whole: a
    placed picture's alt text and caption are its figure's. The reader took the partMeta for
    what the item says of the picture, its texts none: every credited picture came back
    without alt text or caption."""
    chart = sample_story.images[0]
    photo = dataclasses.replace(chart, file="images/photo.png", credit="Photo AgencyY")
    story = dataclasses.replace(
        sample_story,
        images=(chart, photo),
        variants=tuple(
            dataclasses.replace(v, body=(*v.body, Figure(1, v.body[0].source)))
            for v in sample_story.variants
        ),
    )
    folder = export_to(tmp_path, [story], site_config)
    _as_written_before(folder)
    item = (folder / f"{SAMPLE_SLUG}.de.xml").read_text("utf-8")
    assert 'id="picture-2"' in item and "synpic:alt" not in item and " seq=" not in item
    diags = Diagnostics()
    (back,) = read_newsml(folder, diags, story.timezone)
    assert not list(diags), [d.format_text() for d in diags]
    assert [i.file for i in back.images] == ["nato-iraq-mission.png", "photo.png"]
    for image in back.images:
        assert image.alt.get("de") == chart.alt.get("de") and image.credit is not None
        assert image.caption is not None and image.caption.get("ar") == chart.caption.get("ar")
    assert carried(back) == carried(story)


def test_a_picture_named_in_another_script_reads_back_under_its_name(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """A picture's URL holds its name percent-encoded (`%E5%9B%BE%E8%A1%A8.png`); read back, its
    file is the name as published (`图表.png`), as for an ASCII name, not the URL's spelling."""
    chart = sample_story.images[0]
    story = dataclasses.replace(
        sample_story, images=(dataclasses.replace(chart, file="images/图表 2021.png"),)
    )
    assert story.images[0].name == "图表-2021.png"
    back = round_trip(story, site_config, tmp_path)
    assert [i.file for i in back.images] == ["图表-2021.png"]
    assert carried(back) == carried(story)
    from syndicate.formats.newsml.reader import _published_name

    assert _published_name("https://x.example/m/a%2Fb.png?v=1") == "a%2Fb.png"  # no folder
    assert _published_name("https://x.example/m/a%FF.png") == "a%FF.png"  # no UTF-8


def test_a_part_numbered_from_zero_is_read(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """IPTC's `partMeta/@seq` is a non-negative integer: a partner's item numbering its parts
    from 0 is valid NewsML-G2, read in that order, not refused as a bad number."""
    folder = export_to(tmp_path, [sample_story], site_config)
    for path in folder.glob(f"{SAMPLE_SLUG}.*.xml"):
        text = path.read_text("utf-8")
        assert ' seq="1"' in text or path.name.endswith(".package.xml")
        path.write_text(text.replace(' seq="1"', ' seq="0"'), "utf-8")
    diags = Diagnostics()
    (back,) = read_newsml(folder, diags, sample_story.timezone)
    assert not list(diags), [d.format_text() for d in diags]
    assert carried(back) == carried(sample_story)


@pytest.mark.parametrize(
    "segment",
    [
        "%2E%2E",  # the folder above
        "%2E",
        "a%C2%85b.png",  # U+0085, a C1 control: a line break to splitlines
        "a%E2%80%AEgnp.exe",  # U+202E: shown as aexe.png
        "a%E2%81%A6b.png",  # U+2066, an isolate
    ],
)
def test_a_partner_s_picture_url_decoding_to_no_file_name_stays_as_written(segment: str) -> None:
    """A picture's URL is decoded to its name only when that is a name: not `.` or `..`, and
    none of the characters a published name never holds that change what a line or a name
    shows (a C1 control, a bidi override or isolate), as a `/` or a C0 control already was."""
    from syndicate.formats.newsml.reader import _published_name

    assert _published_name(f"https://x.example/m/{segment}?v=1") == segment
    # (what a name may hold comes back: Arabic, a joiner Persian writes words with)
    assert _published_name("https://x.example/m/%D8%B5%D9%88%D8%B1%D8%A9.png") == "صورة.png"
    assert _published_name("https://x.example/m/%D9%85%DB%8C%E2%80%8C%D8%B1%D9%88%D8%AF.png") == (
        "می\u200cرود.png"
    )
