"""NewsML-G2 writer: schema validity (IPTC's XSD and our profile), goldens, element order, language
data, translation links, corrections and kills, qcode aliases, and byte-identical exports."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FIXED_NOW, SAMPLE_SLUG, Exporter, export_stories
from lxml import etree

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.newsml.validate import profile_schema
from syndicate.formats.newsml.vocabulary import IPTC_CATALOG
from syndicate.formats.newsml.writer import NewsMLOptions
from syndicate.i18n.text import dateline_text
from syndicate.model import Correction, Image, Localized, Rights, SiteConfig, Story
from syndicate.render.text import body_words, word_count
from syndicate.render.xhtml import render_body, render_correction, to_string
from syndicate.xmlbase import XHTML_NS, safe_parser

NS = {"g2": "http://iptc.org/std/nar/2006-10-01/", "h": XHTML_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NEWSML_DIR = ("schemas-official", "newsml-g2")
XSD_NAME = "NewsML-G2_2.35-spec-All-Power.xsd"
CATALOG_NAME = "catalog.IPTC-G2-Standards_41.xml"

Items = dict[str, etree._Element]


@pytest.fixture(scope="session")
def iptc_xsd(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(
        etree.parse(str(shared_dir.joinpath(*NEWSML_DIR, XSD_NAME)), safe_parser())
    )


def context(config: SiteConfig, languages: Sequence[str] | None = None) -> Context[NewsMLOptions]:
    now = datetime.fromisoformat(FIXED_NOW.replace("Z", "+00:00"))
    langs = tuple(languages or config.languages)
    return Context(config, now, langs, NewsMLOptions(), Diagnostics(), "newsml")


def write(story: Story, config: SiteConfig, languages: Sequence[str] | None = None) -> Items:
    """The format's files for one story (its items, its package, our catalog), parsed, by
    path."""
    files, diags = export_stories([story], config, "newsml", languages=languages)
    assert not diags.errors, [d.format_text() for d in diags]
    return {p: etree.fromstring(d, safe_parser()) for p, d in files.items() if p.endswith(".xml")}


def item(items: Items, story: Story, lang: str) -> etree._Element:
    return items[f"newsml/{story.slug}.{lang}.xml"]


def package(items: Items, story: Story) -> etree._Element:
    return items[f"newsml/{story.slug}.package.xml"]


def xp(el: etree._Element, path: str) -> list[etree._Element]:
    found: list[etree._Element] = el.xpath(path, namespaces=NS)
    return found


def local_names(el: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in el]


def assert_valid(schema: etree.XMLSchema, doc: etree._Element) -> None:
    assert schema.validate(doc), [f"{e.line}: {e.message}" for e in schema.error_log]


# The sample story through the command line -----------------------------------------------------


def test_sample_outputs_are_valid_against_iptc_xsd_and_our_profile(
    export_sample: Exporter, iptc_xsd: etree.XMLSchema, shared_dir: Path
) -> None:
    folder = export_sample("newsml") / "newsml"
    files = sorted(folder.glob("*.xml"))
    assert len(files) == 8  # six languages, the package and our catalog
    for path in files:
        doc = etree.parse(str(path), safe_parser())
        assert_valid(iptc_xsd, doc)
        assert_valid(profile_schema(), doc)
    tool = shared_dir / "tools" / "newsml_validate.py"
    result = subprocess.run(
        [sys.executable, str(tool), *map(str, files)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_picture_s_credit_and_own_rights_are_its_part_s(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    """An agency's photo: a rightsInfo whose idrefs name the picture's partMeta, which names its
    remoteContent and gives its credit line; the item's rightsInfo stays the publisher's
    (before: the publisher's alone, over the photo too, and the credit only in the body)."""
    agency = Rights("AgencyX", Localized((("*", "© 2026 AgencyX"),)))
    image = dataclasses.replace(sample_story.images[0], rights=agency)
    story = dataclasses.replace(sample_story, images=(image,))
    root = item(write(story, site_config), story, "fr")
    assert_valid(iptc_xsd, root)
    assert_valid(profile_schema(), root)
    mine, theirs = xp(root, "g2:rightsInfo")
    assert (
        mine.get("idrefs") is None and xp(mine, "g2:copyrightHolder/g2:name")[0].text == "YCPress"
    )
    picture_id = f"picture-{image.name}"  # its file's (`Story.picture_id`)
    assert theirs.get("idrefs") == f"{picture_id}-part"
    assert xp(theirs, "g2:copyrightHolder/g2:name")[0].text == "AgencyX"
    assert xp(theirs, "g2:copyrightNotice")[0].text == "© 2026 AgencyX"
    (part,) = xp(root, "g2:partMeta")
    assert (part.get("partid"), part.get("contentrefs")) == (f"{picture_id}-part", picture_id)
    assert xp(part, "g2:creditline")[0].text == image.credit
    assert xp(root, "g2:contentSet/g2:remoteContent")[0].get("id") == picture_id
    assert local_names(root)[2:6] == ["rightsInfo", "rightsInfo", "itemMeta", "contentMeta"]


def test_sample_goldens(export_sample: Exporter, golden: Callable[[Path, str], None]) -> None:
    golden(export_sample("newsml") / "newsml", "newsml")


def test_two_exports_are_byte_identical(export_sample: Exporter) -> None:
    first, second = export_sample("newsml") / "newsml", export_sample("newsml") / "newsml"
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_validate_outputs_uses_profile_and_official_xsd(
    export_sample: Exporter,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = export_sample("newsml")
    monkeypatch.setenv("SYNDICATE_NEWSML_XSD", str(shared_dir.joinpath(*NEWSML_DIR, XSD_NAME)))
    assert main(["validate", "--outputs", str(out)]) == 0
    # pubStatus before embargoed, as Superdesk writes it: both schemas must refuse it.
    target = next((out / "newsml").glob("*.fr.xml"))
    text = target.read_text(encoding="utf-8")
    status = '    <pubStatus qcode="stat:usable"/>\n'
    embargo = "    <embargoed>2021-02-18T19:00:00+01:00</embargoed>\n"
    target.write_text(text.replace(status, status + embargo), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) != 0
    err = capsys.readouterr().err
    assert f"{target}:20: error:" in err  # the misplaced embargoed element
    assert "[newsml.profile]" in err and "[newsml.xsd]" in err


def test_validate_outputs_reports_a_missing_official_xsd(
    export_sample: Exporter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = export_sample("newsml")
    monkeypatch.setenv("SYNDICATE_NEWSML_XSD", str(out / "no-such.xsd"))
    assert main(["validate", "--outputs", str(out)]) != 0
    assert "[newsml.xsd-missing]" in capsys.readouterr().err


# Item structure --------------------------------------------------------------------------------


def test_envelope_guid_version_and_language(sample_story: Story, site_config: SiteConfig) -> None:
    items = write(sample_story, site_config)
    for variant in sample_story.variants:
        root = item(items, sample_story, variant.lang)
        assert root.get("guid") == sample_story.variant_id(variant.lang)
        assert root.get("version") == str(sample_story.version)
        assert (root.get("standard"), root.get("standardversion"), root.get("conformance")) == (
            "NewsML-G2",
            "2.35",
            "power",
        )
        assert root.get(XML_LANG) == variant.lang
        assert root.get("dir") == ("rtl" if variant.lang == "ar" else None)
        assert xp(root, "g2:catalogRef/@href")[0] == IPTC_CATALOG
        assert xp(root, "g2:itemMeta/g2:itemClass/@qcode") == ["ninat:text"]
    assert package(items, sample_story).get("guid") == sample_story.id


def test_guid_is_stable_across_versions(sample_story: Story, site_config: SiteConfig) -> None:
    later = dataclasses.replace(
        sample_story, version=3, updated=sample_story.updated + timedelta(1)
    )
    first = item(write(sample_story, site_config), sample_story, "fr")
    second = item(write(later, site_config), later, "fr")
    assert first.get("guid") == second.get("guid")
    assert second.get("version") == "3"
    assert xp(second, "string(g2:itemMeta/g2:versionCreated)") == "2021-02-19T19:30:00+01:00"
    assert xp(second, "string(g2:itemMeta/g2:firstCreated)") == "2021-02-18T19:30:00+01:00"
    # every version after the first says it updates one (IPTC's signal); the first does not
    assert xp(second, "g2:itemMeta/g2:signal/@qcode") == ["sig:update"]
    assert xp(first, "g2:itemMeta/g2:signal") == []


def test_embargoed_comes_before_pub_status(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    until = datetime(2030, 5, 1, 6, 0, tzinfo=UTC)
    embargoed = dataclasses.replace(sample_story, embargo_until=until)
    for root in write(embargoed, site_config).values():
        if root.tag.endswith("catalog"):
            continue
        names = local_names(xp(root, "g2:itemMeta")[0])
        assert names.index("firstCreated") < names.index("embargoed") < names.index("pubStatus")
        assert xp(root, "string(g2:itemMeta/g2:embargoed)") == "2030-05-01T06:00:00Z"
        assert_valid(iptc_xsd, root)
        assert_valid(profile_schema(), root)
    # The order matters: the IPTC schema refuses pubStatus before embargoed.
    root = item(write(embargoed, site_config), embargoed, "en")
    meta = xp(root, "g2:itemMeta")[0]
    meta.remove(xp(meta, "g2:pubStatus")[0])
    xp(meta, "g2:embargoed")[0].addprevious(etree.Element(f"{{{NS['g2']}}}pubStatus"))
    assert not iptc_xsd.validate(root)


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_withheld_and_canceled_stories_still_produce_every_item(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema, status: str
) -> None:
    killed = dataclasses.replace(sample_story, status=status, version=2)
    items = write(killed, site_config)
    assert len(items) == len(sample_story.variants) + 2
    for variant in sample_story.variants:
        root = item(items, killed, variant.lang)
        assert xp(root, "g2:itemMeta/g2:pubStatus/@qcode") == [f"stat:{status}"]
        assert root.get("version") == "2"
        assert_valid(iptc_xsd, root)
    pkg = package(items, killed)
    assert xp(pkg, "g2:itemMeta/g2:pubStatus/@qcode") == [f"stat:{status}"]
    assert set(xp(pkg, "//g2:itemRef/g2:pubStatus/@qcode")) == {f"stat:{status}"}


def test_correction_signal_and_note_in_each_language(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    note = Localized((("en", "Corrects the troop numbers."), ("fr", "Corrige les effectifs.")))
    corrected = dataclasses.replace(
        sample_story, version=2, correction=Correction(note, sample_story.source)
    )
    items = write(corrected, site_config)
    fr = item(items, corrected, "fr")
    assert xp(fr, "g2:itemMeta/g2:signal/@qcode") == ["sig:update"]
    assert xp(fr, "string(g2:itemMeta/g2:edNote)") == "Corrige les effectifs."
    # A language without its own note gets the original's.
    assert xp(item(items, corrected, "de"), "string(g2:itemMeta/g2:edNote)") == (
        "Corrects the troop numbers."
    )
    names = local_names(xp(fr, "g2:itemMeta")[0])
    assert names.index("pubStatus") < names.index("edNote") < names.index("signal")
    assert fr.get("version") == "2"
    assert_valid(iptc_xsd, fr)
    assert_valid(profile_schema(), fr)
    assert not xp(item(write(sample_story, site_config), sample_story, "fr"), "//g2:signal")
    # The package, a new version as its items are, signals it too (as a kill's package does).
    pkg = package(items, corrected)
    assert xp(pkg, "g2:itemMeta/g2:signal/@qcode") == ["sig:update"]
    assert_valid(iptc_xsd, pkg)
    assert_valid(profile_schema(), pkg)
    assert not xp(package(write(sample_story, site_config), sample_story), "//g2:signal")


def test_translation_links_and_package_alternatives(
    sample_story: Story, site_config: SiteConfig
) -> None:
    items = write(sample_story, site_config)
    base = site_config.base_url + "newsml/"
    en = item(items, sample_story, "en")
    links = xp(en, "g2:itemMeta/g2:link[starts-with(@rel, 'synrel:')]")
    # in syndicate.yaml's order of languages, as every format lists a story's languages
    assert [link.get(XML_LANG) for link in links] == ["fr", "ar", "zh-Hans", "de", "es"]
    assert {link.get("rel") for link in links} == {"synrel:translation"}
    ar_link = links[1]
    assert ar_link.get("residref") == sample_story.variant_id("ar")
    assert ar_link.get("href") == f"{base}{sample_story.slug}.ar.xml"
    assert ar_link.get("title") == sample_story.variant("ar").headline
    assert ar_link.get("dir") == "rtl"
    ar = item(items, sample_story, "ar")
    back = xp(ar, "g2:itemMeta/g2:link[@rel='synrel:original']")
    assert [link.get("residref") for link in back] == [sample_story.variant_id("en")]
    related = xp(ar, "g2:itemMeta/g2:link[@rel='irel:seeAlso']")
    assert related[0].get("href") == sample_story.related[0].url
    assert related[0].get("title") == sample_story.related[0].title.get("ar")
    assert related[0].get(XML_LANG) is None, "in the item's own language"
    # A language without a title of its own: the original's, said in its language (as pages
    # say it), where it was given as the item's own.
    first = sample_story.related[0]
    english = Localized((("en", first.title.get("en") or ""),))
    story = dataclasses.replace(sample_story, related=(dataclasses.replace(first, title=english),))
    untitled = item(write(story, site_config), story, "de")
    (de_related,) = xp(untitled, "g2:itemMeta/g2:link[@rel='irel:seeAlso']")
    assert de_related.get("title") == english.get("en")
    assert de_related.get(XML_LANG) == "en"

    pkg = package(items, sample_story)
    group = xp(pkg, "g2:groupSet/g2:group")[0]
    assert group.get("mode") == "pgrmod:alt"
    assert xp(pkg, "g2:groupSet/@root") == [group.get("id")]
    refs = xp(group, "g2:itemRef")
    in_site_order = [sample_story.variant(lang) for lang in site_config.languages]
    assert [r.get("residref") for r in refs] == [
        sample_story.variant_id(v.lang) for v in in_site_order
    ]
    for ref, variant in zip(refs, in_site_order, strict=True):
        assert xp(ref, "string(g2:headline)") == variant.headline
        assert xp(ref, "g2:language/@tag") == [variant.lang]
        assert ref.get(XML_LANG) == variant.lang


def test_language_data_in_content_meta(sample_story: Story, site_config: SiteConfig) -> None:
    items = write(sample_story, site_config)
    for lang, subject, country in (
        ("fr", "politique", "Belgique"),
        ("zh-Hans", "政治", "比利时"),
        ("ar", "سياسة", "بلجيكا"),
    ):
        variant = sample_story.variant(lang)
        meta = xp(item(items, sample_story, lang), "g2:contentMeta")[0]
        assert xp(meta, "g2:language/@tag") == [lang]
        assert xp(meta, "string(g2:subject[@qcode='medtop:11000000']/g2:name)") == subject
        assert xp(meta, "string(g2:located/g2:name)") == variant.dateline
        assert xp(meta, "string(g2:located/g2:broader[@qcode='iso3166-1a2:BE']/g2:name)") == (
            country
        )
        assert xp(meta, "string(g2:dateline)") == dateline_text(sample_story, variant)
        assert xp(meta, "string(g2:headline)") == variant.headline
        assert xp(meta, "string(g2:description[@role='drol:summary'])") == variant.summary
        assert xp(meta, "g2:keyword/text()") == list(variant.keywords)
        assert xp(meta, "string(g2:creator/g2:name)") == "YCPress"
    assert xp(item(items, sample_story, "fr"), "string(//g2:dateline)") == (
        "Bruxelles, 18 février 2021"
    )


def test_content_set_holds_one_xhtml_document(sample_story: Story, site_config: SiteConfig) -> None:
    items = write(sample_story, site_config)
    urls = context(site_config).urls
    for variant in sample_story.variants:
        root = item(items, sample_story, variant.lang)
        inline = xp(root, "g2:contentSet/g2:inlineXML")
        assert len(inline) == 1 and inline[0].get("contenttype") == "application/xhtml+xml"
        assert local_names(inline[0]) == ["html"] and inline[0][0].tag == f"{{{XHTML_NS}}}html"
        html = inline[0][0]
        assert html.get(XML_LANG) == variant.lang
        assert xp(html, "string(h:head/h:title)") == variant.headline

        def beside(img: Image) -> str:  # items carry their images in newsml/media/
            return urls.media(f"newsml/media/{sample_story.slug}/{img.name}", img.digest)

        expected = render_body(sample_story, variant, beside)
        assert to_string(xp(html, "h:body/h:div")[0]) == to_string(expected)
        assert inline[0].get("wordcount") == str(word_count(body_words(variant)))
        image = sample_story.images[0]
        remote = xp(root, "g2:contentSet/g2:remoteContent")
        assert [(r.get("href"), r.get("contenttype"), r.get("size")) for r in remote] == [
            (beside(image), image.media_type, str(image.size))
        ]
        assert (remote[0].get("width"), remote[0].get("height")) == (
            str(image.width),
            str(image.height),
        )


def test_only_selected_languages_are_written(sample_story: Story, site_config: SiteConfig) -> None:
    items = write(sample_story, site_config, ["en", "fr"])
    assert sorted(items) == [
        f"newsml/{sample_story.slug}.en.xml",
        f"newsml/{sample_story.slug}.fr.xml",
        f"newsml/{sample_story.slug}.package.xml",
        "newsml/catalog.syndicate.xml",
    ]
    # Written for two languages, an item still links to every translation and the package
    # holds every item: the files are those of a run of every language (`--lang`).
    links = xp(item(items, sample_story, "en"), "//g2:link[starts-with(@rel, 'synrel:')]")
    # (in the site's order of languages, as every format lists a story's languages)
    order = [lang for lang in site_config.languages if sample_story.has(lang)]
    others = [lang for lang in order if lang != "en"]
    assert len(others) > 1
    assert [link.get(XML_LANG) for link in links] == others
    refs = xp(package(items, sample_story), "//g2:itemRef")
    assert [ref.get(XML_LANG) for ref in refs] == order
    # A site language the story lacks: no item, no package, no catalog to point to.
    with_portuguese = dataclasses.replace(site_config, languages=(*site_config.languages, "pt"))
    assert write(sample_story, with_portuguese, ["pt"]) == {}


def test_a_package_without_its_original_takes_the_sites_first_language(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A site that does not publish a story's original: its package takes the language its
    pages' `x-default` has (`default_language`, the first the site publishes in its order),
    not the first of the story's files (alphabetical): one language stands for the story in
    every format, the package's headline, rights and section name in it."""
    langs = tuple(lang for lang in site_config.languages if lang != sample_story.original_lang)
    alphabetical = sorted(lang for lang in langs if sample_story.has(lang))
    assert langs[0] != alphabetical[0]  # (the two orders differ on the sample)
    site = dataclasses.replace(site_config, languages=langs)
    pkg = package(write(sample_story, site), sample_story)
    assert pkg.get(XML_LANG) == langs[0]
    assert xp(pkg, "string(g2:contentMeta/g2:headline)") == sample_story.variant(langs[0]).headline
    refs = xp(pkg, "//g2:itemRef")
    assert [ref.get(XML_LANG) for ref in refs] == [x for x in langs if sample_story.has(x)]


def test_every_qcode_alias_is_declared_by_a_referenced_catalog(
    sample_story: Story, site_config: SiteConfig, shared_dir: Path
) -> None:
    corrected = dataclasses.replace(
        sample_story,
        correction=Correction(Localized.same("Fix."), sample_story.source),
        embargo_until=datetime(2030, 1, 1, tzinfo=UTC),
    )
    items = write(corrected, site_config)
    ours = items.pop("newsml/catalog.syndicate.xml")
    iptc = etree.parse(str(shared_dir.joinpath(*NEWSML_DIR, CATALOG_NAME)), safe_parser())
    declared = set(xp(iptc.getroot(), "g2:scheme/@alias")) | set(xp(ours, "g2:scheme/@alias"))
    used = set()
    for root in items.values():
        assert xp(root, "g2:catalogRef/@href") == [
            IPTC_CATALOG,
            site_config.base_url + "newsml/catalog.syndicate.xml",
        ]
        for attr in ("qcode", "rel", "type", "mode", "role"):
            for value in xp(root, f"//g2:*/@{attr}"):
                used.add(value.split(":", 1)[0])
    assert used and used <= declared, used - declared
    assert {"synrel", "synsec"} <= used


# Safety of the reader's parser -----------------------------------------------------------------


def test_safe_parser_does_not_expand_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    doc = tmp_path / "evil.xml"
    doc.write_text(
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><x>&e;</x>', encoding="utf-8"
    )
    root = etree.parse(str(doc), safe_parser()).getroot()
    assert "TOP SECRET" not in etree.tostring(root, encoding="unicode")
    root = etree.parse(str(doc), safe_parser(remove_blank_text=True)).getroot()
    assert "TOP SECRET" not in etree.tostring(root, encoding="unicode")


def test_the_safe_parser_can_drop_blank_text() -> None:
    data = b"<a>\n  <b> x </b>\n</a>"
    assert etree.tostring(etree.fromstring(data, safe_parser())) == data
    dropped = etree.fromstring(data, safe_parser(remove_blank_text=True))
    assert etree.tostring(dropped) == b"<a><b> x </b></a>"


def test_every_xml_parser_is_the_safe_one() -> None:
    """One small module makes the XML parser (xmlbase.safe_parser): the feeds' adapter built
    its own, which a change of the safe one's settings would have left behind."""
    package = Path(__file__).resolve().parent.parent / "syndicate"
    makers = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "XMLParser(" in path.read_text(encoding="utf-8")
    ]
    assert makers == ["xmlbase.py"]


def test_profile_is_stricter_than_iptc_on_our_vocabularies(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    root = item(write(sample_story, site_config), sample_story, "en")
    xp(root, "g2:itemMeta/g2:pubStatus")[0].set("qcode", "stat:bogus")
    xp(root, "g2:itemMeta/g2:link")[0].set("rel", "irel:derivedFrom")
    assert_valid(iptc_xsd, root)
    assert not profile_schema().validate(root)
    messages = " ".join(e.message for e in profile_schema().error_log)
    assert "stat:bogus" in messages and "irel:derivedFrom" in messages


def test_the_public_correction_note_ends_the_body(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    """The correction note, "shown at the end of the story in every format", went to wire
    partners only as `edNote`, a note to their editors: partners republish the body, and
    the corrected story went out with no correction. The body ends with the page's note."""
    note = Localized((("en", "Corrects the troop numbers."), ("fr", "Corrige les effectifs.")))
    corrected = dataclasses.replace(
        sample_story, version=2, correction=Correction(note, sample_story.source)
    )
    items = write(corrected, site_config)
    for lang in ("fr", "de"):
        root = item(items, corrected, lang)
        (div,) = xp(root, "g2:contentSet/g2:inlineXML/h:html/h:body/h:div")
        aside = div[-1]
        assert to_string(aside) == to_string(render_correction(corrected, lang))
        assert xp(root, "string(g2:itemMeta/g2:edNote)")  # for the editors, as before
        assert_valid(iptc_xsd, root)
        assert_valid(profile_schema(), root)
    fr = item(items, corrected, "fr")
    assert xp(fr, "string(//h:aside/h:h2)") == "Rectificatif"
    assert xp(fr, "string(//h:aside/h:p)") == "Corrige les effectifs."
    (german,) = xp(item(items, corrected, "de"), "//h:aside/h:p")
    assert (german.text, german.get(XML_LANG)) == ("Corrects the troop numbers.", "en")
    # The counts are the story's words, as JSON-LD's wordCount: the note is not the story.
    plain = item(write(sample_story, site_config), sample_story, "fr")
    (counted,) = xp(fr, "g2:contentSet/g2:inlineXML")
    (uncorrected,) = xp(plain, "g2:contentSet/g2:inlineXML")
    assert counted.attrib == uncorrected.attrib
    assert not xp(plain, "//h:aside")


def test_an_ednote_borrowed_from_the_original_says_its_language(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A translation added after a correction carried the original's note as its own: an
    English `edNote` in a German item, with no `xml:lang`."""
    note = Localized((("en", "Corrects the quarter."),))
    story = dataclasses.replace(
        sample_story, version=2, correction=Correction(note, sample_story.source)
    )
    files, _ = export_stories([story], site_config, "newsml")
    german = files[f"newsml/{SAMPLE_SLUG}.de.xml"].decode("utf-8")
    assert '<edNote xml:lang="en">Corrects the quarter.</edNote>' in german
    english = files[f"newsml/{SAMPLE_SLUG}.en.xml"].decode("utf-8")
    assert "<edNote>Corrects the quarter.</edNote>" in english
    arabic = files[f"newsml/{SAMPLE_SLUG}.ar.xml"].decode("utf-8")
    assert '<edNote xml:lang="en" dir="ltr">Corrects the quarter.</edNote>' in arabic
    for text in (german, arabic, english):  # our profile allows what IPTC's does
        assert_valid(profile_schema(), etree.fromstring(text.encode("utf-8"), safe_parser()))


def test_a_name_standing_in_from_another_language_says_which(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    """A language added to a site whose subjects and places are named in English only: the
    Arabic item said `<name>politics</name>` as if it were Arabic (partners indexed it so,
    screen readers spoke it so). It says its language, as an image's text does."""
    english = Localized((("en", "politics"),))
    subject = dataclasses.replace(sample_story.subjects[0], name=english)
    place = dataclasses.replace(sample_story.places[0], name=Localized((("en", "Brussels"),)))
    story = dataclasses.replace(sample_story, subjects=(subject,), places=(place,))
    ar = item(write(story, site_config), story, "ar")
    (name,) = xp(ar, "g2:contentMeta/g2:subject[@qcode='medtop:11000000']/g2:name")
    assert (name.text, name.get(XML_LANG), name.get("dir")) == ("politics", "en", "ltr")
    places = xp(ar, "g2:contentMeta//g2:name[text()='Brussels']")
    assert places and all(n.get(XML_LANG) == "en" for n in places)
    en = item(write(story, site_config), story, "en")
    (own,) = xp(en, "g2:contentMeta/g2:subject[@qcode='medtop:11000000']/g2:name")
    assert own.get(XML_LANG) is None  # in the item's own language: nothing to say
    assert_valid(iptc_xsd, ar)
    assert_valid(profile_schema(), ar)


def test_rights_standing_in_from_the_original_say_their_language(
    sample_story: Story, site_config: SiteConfig, iptc_xsd: etree.XMLSchema
) -> None:
    """A copyright notice and usage terms written in English only were written in the
    Arabic item under `<rightsInfo xml:lang="ar" dir="rtl">` with nothing more: partners
    took English for Arabic, laid out right to left. They say their language, as a borrowed
    `edNote` or place name does; the text in the item's own language says nothing."""
    rights = Rights(
        "YCPress",
        Localized((("en", "© 2021 YCPress."),)),
        Localized((("en", "For partners only."), ("ar", "للشركاء فقط."))),
    )
    story = dataclasses.replace(sample_story, rights=rights)
    ar = item(write(story, site_config), story, "ar")
    (info,) = xp(ar, "g2:rightsInfo[not(@idrefs)]")
    assert (info.get(XML_LANG), info.get("dir")) == ("ar", "rtl")
    (notice,) = xp(info, "g2:copyrightNotice")
    assert (notice.text, notice.get(XML_LANG), notice.get("dir")) == (
        "© 2021 YCPress.",
        "en",
        "ltr",
    )
    (terms,) = xp(info, "g2:usageTerms")
    assert (terms.text, terms.get(XML_LANG)) == ("للشركاء فقط.", None)
    (german,) = xp(item(write(story, site_config), story, "de"), "g2:rightsInfo/g2:copyrightNotice")
    assert (german.get(XML_LANG), german.get("dir")) == ("en", None)
    (own,) = xp(item(write(story, site_config), story, "en"), "g2:rightsInfo/g2:copyrightNotice")
    assert own.get(XML_LANG) is None  # in the item's own language: nothing to say
    assert_valid(iptc_xsd, ar)
    assert_valid(profile_schema(), ar)


def test_a_relative_official_xsd_setting_is_the_site_folder_s(
    site_config: SiteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`newsml.official_xsd: schemas/x.xsd` is the site's file, wherever the process runs
    (code calling the writers need not be in the site's folder)."""
    from dataclasses import replace

    from syndicate.formats.newsml.writer import NewsMLWriter

    monkeypatch.delenv("SYNDICATE_NEWSML_XSD", raising=False)
    site = tmp_path / "site"
    (site / "out" / "newsml").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = replace(site_config, folder=site)
    ctx = context(config)
    ctx = replace(ctx, options=NewsMLOptions(official_xsd="schemas/x.xsd"))
    NewsMLWriter().validate_outputs(site / "out", ctx)
    [missing] = [d for d in ctx.diagnostics if d.code == "newsml.xsd-missing"]
    assert f"the NewsML-G2 XSD {site / 'schemas' / 'x.xsd'} is not there" in missing.message
    # said at the setting (it was said at a path the site does not have, with no fix)
    assert missing.path == ctx.config.where("newsml", "official_xsd").path


def test_a_language_without_keywords_of_its_own_carries_the_story_s_in_every_channel(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The story's keywords are for every language: the French item of a story whose fr.md
    gives none had no keyword at all in NewsML-G2, while its page and JSON-LD had the story's."""
    french = dataclasses.replace(sample_story.variant("fr"), keywords=())
    story = dataclasses.replace(
        sample_story,
        variants=tuple(french if v.lang == "fr" else v for v in sample_story.variants),
    )
    files, _ = export_stories([story], site_config, "newsml", "jsonld", "html")
    shared = list(story.keywords)
    item = etree.fromstring(files[f"newsml/{SAMPLE_SLUG}.fr.xml"])
    assert [k.text for k in item.iterfind(".//g2:keyword", NS)] == shared
    (article,) = [
        node
        for node in json.loads(files[f"jsonld/{SAMPLE_SLUG}.fr.jsonld"])["@graph"]
        if "keywords" in node
    ]
    assert article["keywords"] == shared
    page = files[f"html/{SAMPLE_SLUG}.fr.html"].decode()
    assert all(f'<meta property="article:tag" content="{k}">' in page for k in shared)
    # A language file's own keywords are the story's in its language: they stand alone.
    english = etree.fromstring(files[f"newsml/{SAMPLE_SLUG}.en.xml"])
    own = list(story.variant("en").keywords or story.keywords)
    assert [k.text for k in english.iterfind(".//g2:keyword", NS)] == own


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_a_kill_note_keeps_the_publishers_name_whole_in_a_right_to_left_item(
    sample_story: Story,
    site_config: SiteConfig,
    iptc_xsd: etree.XMLSchema,
    shared_dir: Path,
    tmp_path: Path,
    status: str,
) -> None:
    """The `edNote` of an Arabic kill or withdrawal, "ألغت YCPress Ltd. هذا الخبر. ...", plain
    text a partner's editor reads in the item's direction, showed the Latin name's full stop
    before it (".YCPress Ltd"), as the feeds' notices did before their fix: the name is a bidi
    isolate (U+2068...U+2069) there, as FriBiDi tells, as in the feeds' notices; not in an
    English item, and never in the item's `provider` (a name a partner matches)."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = dataclasses.replace(
        site_config, publisher=dataclasses.replace(site_config.publisher, name=name)
    )
    killed = dataclasses.replace(sample_story, status=status, version=sample_story.version + 1)
    files, diags = export_stories([killed], config, "newsml")
    assert not diags.errors, [d.format_text() for d in diags]
    notes = {}
    for lang in ("ar", "en"):
        data = files[f"newsml/{SAMPLE_SLUG}.{lang}.xml"]
        root = etree.fromstring(data, safe_parser())
        (note,) = xp(root, "g2:itemMeta/g2:edNote")
        assert name in (note.text or ""), lang
        notes[lang] = note.text or ""
        assert xp(root, "string(g2:itemMeta/g2:provider/g2:name)") == name
        assert_valid(iptc_xsd, root)
        (tmp_path / f"{lang}.xml").write_bytes(data)
    levels = embedding_levels(notes["ar"], "rtl")
    at = notes["ar"].index(name)
    assert levels[at] == levels[at + len(name) - 1], notes["ar"]
    assert "\u2068" not in notes["en"]
    tool = shared_dir / "tools" / "newsml_validate.py"
    files_checked = sorted(map(str, tmp_path.glob("*.xml")))
    result = subprocess.run(
        [sys.executable, str(tool), *files_checked], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
