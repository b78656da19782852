"""Every channel tells the same truth about a story's lifecycle. The fixture site
(tests/fixtures/lifecycle) has, at --now 2026-02-01T12:00:00Z, a public story, a corrected one
(version 2), one under embargo, one whose embargo has lifted, one withdrawn (withheld at version
2), one killed (canceled at version 2) and a draft (withheld at version 1, never released).
Each format is checked for its idiom of each state."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import zipfile
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from conftest import PLAIN_COVERS
from lxml import etree
from lxml import html as lxml_html

from syndicate.build.engine import cache_folder
from syndicate.build.state import state_folder
from syndicate.cli import EXIT_PARTIAL, main
from syndicate.xmlbase import ATOM_NS, NAR_NS, TOMBSTONES_NS, XHTML_NS, safe_parser

FIXTURE = Path(__file__).parent / "fixtures" / "lifecycle"
NOW = "2026-02-01T12:00:00Z"
BASE = "https://harbour.example/wire/"
PUBLIC = "2026-01-20-port-reopens"
CORRECTED = "2026-01-21-ferry-timetable"
EMBARGOED = "2026-01-22-budget-leak"
LIFTED = "2026-01-23-storm-warning"
WITHDRAWN = "2026-01-24-mayor-interview"
KILLED = "2026-01-25-false-report"
DRAFT = "2026-01-26-draft-festival"
SHOWN = (PUBLIC, CORRECTED, LIFTED)
GONE = (WITHDRAWN, KILLED)
NS = {"g2": NAR_NS, "a": ATOM_NS, "at": TOMBSTONES_NS, "x": XHTML_NS}


def variant_id(slug: str, lang: str) -> str:
    return f"tag:harbour.example,{slug[:10]}:{slug[11:]}:{lang}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lifecycle")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    args = ["export", "-q", "-f", "all", "--now", NOW, "--jobs", "1"]
    args += ["--config", str(root / "syndicate.yaml"), "--articles", str(root / "articles")]
    assert main([*args, "--out", str(root / "out")], registry=PLAIN_COVERS) == 0
    return root


@pytest.fixture(scope="module")
def out(site: Path) -> Path:
    return site / "out"


def xml(path: Path) -> etree._Element:
    return etree.parse(str(path), safe_parser()).getroot()


# NewsML-G2: partners get every version, the kill included ---------------------------------


@pytest.mark.parametrize(("slug", "status"), [(KILLED, "canceled"), (WITHDRAWN, "withheld")])
def test_newsml_kill_is_a_new_version_without_content(out: Path, slug: str, status: str) -> None:
    for lang, note in (("en", "Do not use it"), ("fr", "Ne l'utilisez pas")):
        item = xml(out / f"newsml/{slug}.{lang}.xml")
        assert item.get("version") == "2" and item.get("guid") == variant_id(slug, lang)
        assert item.xpath("string(g2:itemMeta/g2:pubStatus/@qcode)", namespaces=NS) == (
            f"stat:{status}"
        )
        assert note in item.xpath("string(g2:itemMeta/g2:edNote)", namespaces=NS)
        assert item.xpath("g2:itemMeta/g2:signal/@qcode", namespaces=NS) == ["sig:update"]
        assert not item.xpath("g2:contentSet", namespaces=NS)  # no body, no picture
        assert not item.xpath("//g2:description", namespaces=NS)
        assert item.xpath("string(g2:itemMeta/g2:versionCreated)", namespaces=NS).startswith(
            "2026-01-2"
        )
    package = xml(out / f"newsml/{slug}.package.xml")
    assert package.get("version") == "2"
    # The package says it too: a partner ingesting packages alone learns of the kill.
    assert "Do not use it" in package.xpath("string(g2:itemMeta/g2:edNote)", namespaces=NS)
    assert package.xpath("g2:itemMeta/g2:signal/@qcode", namespaces=NS) == ["sig:update"]
    refs = package.xpath("//g2:itemRef", namespaces=NS)
    assert {r.xpath("string(g2:pubStatus/@qcode)", namespaces=NS) for r in refs} == {
        f"stat:{status}"
    }


def test_newsml_draft_has_no_item(out: Path) -> None:
    assert not list((out / "newsml").glob(f"{DRAFT}*"))


def test_newsml_embargoed_item_carries_its_images_beside_it(out: Path) -> None:
    item = xml(out / f"newsml/{EMBARGOED}.en.xml")
    assert item.xpath("string(g2:itemMeta/g2:embargoed)", namespaces=NS) == "2026-03-01T06:00:00Z"
    (href,) = item.xpath("//g2:remoteContent/@href", namespaces=NS)
    picture = out / "newsml" / "media" / EMBARGOED / "chart.png"
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()[:12]  # (a new photo, a new URL)
    assert href == f"{BASE}newsml/media/{EMBARGOED}/chart.png?v={digest}"
    # ... while no public output shows the story or its picture before the embargo ends.
    assert not list((out / "html").rglob(f"*{EMBARGOED}*"))


def test_newsml_correction_says_so_in_every_language(out: Path) -> None:
    for lang, note in (("en", "Corrects the departure"), ("fr", "Corrige l'heure")):
        item = xml(out / f"newsml/{CORRECTED}.{lang}.xml")
        assert item.get("version") == "2"
        assert item.xpath("string(g2:itemMeta/g2:edNote)", namespaces=NS).startswith(note)
        assert item.xpath("g2:itemMeta/g2:signal/@qcode", namespaces=NS) == ["sig:update"]
    # The package is a new version too, and says so as its items do (and as a kill's does):
    # a partner ingesting packages alone takes it as an update, not a first version.
    package = xml(out / f"newsml/{CORRECTED}.package.xml")
    assert package.get("version") == "2"
    assert package.xpath("g2:itemMeta/g2:signal/@qcode", namespaces=NS) == ["sig:update"]


def test_newsml_catalog_lives_under_the_base_url(out: Path) -> None:
    catalog = xml(out / "newsml/catalog.syndicate.xml")
    assert catalog.get("url") == f"{BASE}newsml/catalog.syndicate.xml"
    uris = catalog.xpath("g2:scheme/@uri", namespaces=NS)
    assert uris and all(u.startswith(f"{BASE}newsml/catalog.syndicate.xml#") for u in uris)


def test_newsml_qcodes_are_iptcs_or_ours(out: Path) -> None:
    """Every scheme alias a qcode uses is declared by IPTC's catalog or ours."""
    iptc = {"ninat", "stat", "genre", "cpnat", "drol", "sig", "irel", "pgrmod", "medtop"}
    ours = set(xml(out / "newsml/catalog.syndicate.xml").xpath("g2:scheme/@alias", namespaces=NS))
    for path in (out / "newsml").glob("*.xml"):
        # G2's own attributes: the XHTML body's `role` is ARIA's (the correction's `note`).
        found = "//g2:*/@qcode | //g2:*/@type | //g2:*/@rel | //g2:*/@role"
        for qcode in xml(path).xpath(found, namespaces=NS):
            alias = qcode.split(":")[0]
            assert alias in iptc | ours | {"iso3166-1a2"}, (path.name, qcode)


# Feeds: a kill replaces the entry ---------------------------------------------------------


def test_atom_tombstones_replace_killed_entries(out: Path) -> None:
    for path in (out / "atom/fr.xml", out / "atom/fr/politics.xml"):
        feed = xml(path)
        ids = feed.xpath("a:entry/a:id/text()", namespaces=NS)
        assert not [i for i in ids if any(slug[11:] in i for slug in (*GONE, DRAFT, EMBARGOED))]
        tombstones = feed.xpath("at:deleted-entry", namespaces=NS)
        refs = {t.get("ref"): t for t in tombstones}
        assert set(refs) == {variant_id(KILLED, "fr"), variant_id(WITHDRAWN, "fr")}
        assert refs[variant_id(KILLED, "fr")].get("when") == "2026-01-27T09:45:00Z"
        comment = refs[variant_id(KILLED, "fr")].findtext("at:comment", namespaces=NS)
        assert comment == "Cet article a été supprimé par Harbour Times."
    # a feed's updated moves with its newest change, a kill included
    assert xml(out / "atom/fr/politics.xml").findtext("a:updated", namespaces=NS) == (
        "2026-01-27T09:45:00Z"
    )


def test_a_tombstone_leaves_the_feeds_own_link_alone(out: Path) -> None:
    """feedparser knows no `at:deleted-entry` and read the `atom:link` inside one as the
    feed's: the killed story's notice page became the feed's home page (`feed.link`). The
    deleted-entry carries no link (optional in RFC 6721); its `ref` names the entry."""
    # (politics has no list in French, all its stories there gone: its feed links the language's)
    assert not (out / "html/fr/politics.html").exists()
    lists = {"atom/fr.xml": "html/index.fr.html", "atom/fr/politics.xml": "html/index.fr.html"}
    for feed_path, site in lists.items():
        path = out / feed_path
        feed = xml(path)
        assert feed.xpath("at:deleted-entry", namespaces=NS)
        assert not feed.xpath("at:deleted-entry/*[not(self::at:comment)]", namespaces=NS)
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.feed.link == f"{BASE}{site}"  # the feed's site: its story list
        assert {link.href for link in parsed.feed.links} == {f"{BASE}{site}", f"{BASE}{feed_path}"}


def test_rss_kill_items_replace_killed_items(out: Path) -> None:
    parsed = feedparser.parse((out / "rss/fr.xml").read_bytes())
    assert parsed.bozo == 0
    by_id = {e.id: e for e in parsed.entries}
    killed = by_id[variant_id(KILLED, "fr")]
    assert killed.title == "Article indisponible"
    assert killed.summary == "Cet article a été supprimé par Harbour Times."
    assert killed.link == f"{BASE}html/{KILLED}.fr.html"
    assert "content" not in killed  # nothing of the story itself
    assert set(by_id) == {variant_id(s, "fr") for s in (*SHOWN, *GONE)}


def test_notices_take_their_place_by_date_newest_first(out: Path) -> None:
    """A kill is news: its notice sits at its kill's time among the entries, newest first, so
    a partner reading only the top of a feed finds it (it came after every entry before)."""
    killed, withdrawn = variant_id(KILLED, "fr"), variant_id(WITHDRAWN, "fr")
    rss = feedparser.parse((out / "rss/fr.xml").read_bytes())
    jsonfeed = json.loads((out / "jsonfeed/fr.json").read_bytes())["items"]
    atom = xml(out / "atom/fr.xml")
    atom_ids = atom.xpath("a:entry/a:id/text() | at:deleted-entry/@ref", namespaces=NS)
    for listed, dates in (
        ([e.id for e in rss.entries], [e.published_parsed for e in rss.entries]),
        ([i["id"] for i in jsonfeed], [i["date_modified"] for i in jsonfeed]),
    ):
        assert listed[:2] == [killed, withdrawn] and len(listed) == 5
        assert dates == sorted(dates, reverse=True)
    assert [str(i) for i in atom_ids][:2] == [killed, withdrawn]


def test_atom_notices_come_before_every_entry(
    lifted_out: Path, shared_dir: Path, tmp_path: Path
) -> None:
    """RFC 4287's schema puts foreign elements (RFC 6721's `at:deleted-entry`) before every
    `atom:entry`: a notice placed at its kill's time after a newer entry (the story released
    after the kills) made the feed invalid. Every Atom document, archive pages too, lists its
    notices first, newest kill first, and passes atom.rng; RSS keeps the kill at its time."""
    schema = etree.RelaxNG(etree.parse(str(shared_dir / "schemas-official/atom/atom.rng")))
    killed, withdrawn = variant_id(KILLED, "en"), variant_id(WITHDRAWN, "en")
    for path in sorted((lifted_out / "atom").rglob("*.xml")):
        feed = xml(path)
        children = [etree.QName(c).localname for c in feed]
        listed = [c for c in children if c in ("entry", "deleted-entry")]
        assert listed == sorted(listed, key=lambda c: c == "entry"), path
        assert schema.validate(etree.ElementTree(feed)), (path, schema.error_log)
    refs = xml(lifted_out / "atom/en.xml").xpath("at:deleted-entry/@ref", namespaces=NS)
    assert [str(r) for r in refs] == [killed, withdrawn]
    # an archive page too: the withdrawal's notice before the entries of its page, one of
    # them corrected after it (archive order: public, corrected, lifted, withdrawn | killed)
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    meta = site / "articles" / CORRECTED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "updated: 2026-01-22T08:30:00Z" in text
    meta.write_text(text.replace("2026-01-22T08:30:00Z", "2026-01-28T08:30:00Z"), "utf-8")
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "feeds:\n  archive_size: 4\n", encoding="utf-8")
    args = ["export", "-q", "-f", "atom", "--now", NOW, "--jobs", "1"]
    args += ["--config", str(config), "--articles", str(site / "articles")]
    assert main([*args, "--out", str(site / "out")]) == 0
    page = xml(site / "out/atom/en/archive/1.xml")
    listed = [etree.QName(c).localname for c in page]
    assert listed[listed.index("deleted-entry") :].count("entry") == 3, listed
    assert page.xpath("at:deleted-entry/@ref", namespaces=NS) == [withdrawn]
    for path in sorted((site / "out/atom").rglob("*.xml")):
        assert schema.validate(etree.parse(str(path))), (path, schema.error_log)


def test_feeds_show_the_correction_in_the_entry(out: Path) -> None:
    atom = feedparser.parse((out / "atom/en.xml").read_bytes())
    rss = feedparser.parse((out / "rss/en.xml").read_bytes())
    for parsed in (atom, rss):
        (entry,) = [e for e in parsed.entries if e.id == variant_id(CORRECTED, "en")]
        assert "Corrects the departure time of the last ferry." in entry.content[0].value


def test_rss_items_link_translations_and_keep_codes(out: Path) -> None:
    channel = xml(out / "rss/en.xml").find("channel")
    item = next(
        i for i in channel.iterfind("item") if i.findtext("guid") == variant_id(LIFTED, "en")
    )
    links = item.findall(f"{{{ATOM_NS}}}link")
    assert [(link.get("rel"), link.get("hreflang")) for link in links] == [
        ("alternate", "fr"),
        ("alternate", "en"),  # its own page last: feedparser takes the last alternate
    ]
    categories = {(c.get("domain"), c.text) for c in item.iterfind("category")}
    assert ("http://cv.iptc.org/newscodes/mediatopic/", "04000000") in categories


def test_tombstones_leave_after_their_window(site: Path, tmp_path: Path) -> None:
    """The window is measured in the feed: a public story a month later ends the notices."""
    later = tmp_path / "site"
    shutil.copytree(site, later, ignore=shutil.ignore_patterns("out", ".*"))
    new = later / "articles" / "2026-03-05-regatta"
    shutil.copytree(later / "articles" / PUBLIC, new)
    meta = new / "story.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8")
        .replace("port-reopens", "regatta")
        .replace("2026-01-20T09:00:00Z", "2026-03-05T09:00:00Z"),
        encoding="utf-8",
    )
    args = ["export", "-q", "-f", "atom", "--now", "2026-03-06T00:00:00Z", "--jobs", "1"]
    args += ["--config", str(later / "syndicate.yaml"), "--articles", str(later / "articles")]
    assert main([*args, "--out", str(later / "out")]) == 0
    assert not xml(later / "out/atom/fr.xml").xpath("at:deleted-entry", namespaces=NS)


# Pages, JSON-LD, books: only what the public may see -------------------------------------


def test_killed_pages_become_a_notice(out: Path) -> None:
    for slug, text in ((KILLED, "supprimé"), (WITHDRAWN, "retiré")):
        page = lxml_html.fromstring((out / f"html/{slug}.fr.html").read_bytes())
        assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
        assert not page.xpath('//script[@type="application/ld+json"]')
        assert text in page.text_content()
        assert "capitaine" not in page.text_content() and "maire" not in page.text_content()
    assert not list((out / "html").glob(f"{DRAFT}*"))


def test_a_publishers_name_ending_in_a_full_stop_takes_no_second_one(tmp_path: Path) -> None:
    """A publisher named "Harbour Times Ltd." had its notices end "...removed by Harbour Times
    Ltd.." (the page, its description, the feeds' notices; the wire kill notes of a language
    that ends the sentence with the name likewise), and its feeds' rights said "© Harbour Times
    Ltd.. All rights reserved.": a phrase's full stop after the name is left out when the name
    ends in one, in every format."""
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    config = tmp_path / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("name: Harbour Times", "name: Harbour Times Ltd.", 1), "utf-8")
    args = ["export", "-q", "-f", "all", "--now", NOW, "--jobs", "1", "--config", str(config)]
    args += ["--articles", str(tmp_path / "articles"), "--out", str(tmp_path / "out")]
    assert main(args, registry=PLAIN_COVERS) == 0
    seen, doubled = set(), []
    for path in sorted((tmp_path / "out").rglob("*")):
        if path.suffix in {".html", ".xml", ".json"}:
            body = path.read_text(encoding="utf-8")
            if "Harbour Times Ltd." in body:
                seen.add(path.parts[len(tmp_path.parts) + 1])
            doubled += [str(path) for _ in re.finditer("Ltd\\.\u2069?\\.", body)]
    assert not doubled
    assert {"html", "atom", "rss", "jsonfeed", "newsml", "ninjs"} <= seen
    page = lxml_html.fromstring((tmp_path / f"out/html/{KILLED}.en.html").read_bytes())
    (notice,) = page.xpath("//article[@class='notice']/p")
    assert notice.text_content() == "This story has been removed by \u2068Harbour Times Ltd.\u2069"


def test_indexes_list_only_public_stories(out: Path) -> None:
    for lang in ("en", "fr"):
        index = (out / f"html/index.{lang}.html").read_text(encoding="utf-8")
        assert all(f"{slug}.{lang}.html" in index for slug in SHOWN)
        assert not any(slug in index for slug in (*GONE, DRAFT, EMBARGOED))


def test_corrected_page_shows_the_note(out: Path) -> None:
    page = lxml_html.fromstring((out / f"html/{CORRECTED}.fr.html").read_bytes())
    (aside,) = page.xpath('//aside[@class="correction"]')
    text = " ".join(aside.text_content().split())
    assert text == "Rectificatif Corrige l'heure de départ du dernier ferry."


def test_jsonld_only_public_stories_with_one_identity_per_variant(out: Path) -> None:
    files = sorted(p.name for p in (out / "jsonld").glob("*.jsonld"))
    assert files == sorted(f"{slug}.{lang}.jsonld" for slug in SHOWN for lang in ("en", "fr"))
    graph = json.loads((out / f"jsonld/{PUBLIC}.fr.jsonld").read_text(encoding="utf-8"))
    article = next(n for n in graph["@graph"] if n["@type"] == "NewsArticle")
    assert article["identifier"] == variant_id(PUBLIC, "fr")
    assert article["exampleOfWork"] == {
        "@type": "CreativeWork",
        "identifier": variant_id(PUBLIC, "fr").removesuffix(":fr"),
    }


def test_books_and_catalog_only_public_stories(out: Path) -> None:
    books = sorted(p.name for p in (out / "epub").glob("*.epub"))
    expected = [f"{slug}.{lang}.epub" for slug in SHOWN for lang in ("en", "fr")]
    assert books == sorted([*expected, "edition-en.epub", "edition-fr.epub"])
    catalog = (out / "opds/fr.xml").read_text(encoding="utf-8")
    assert not any(slug in catalog for slug in (*GONE, DRAFT, EMBARGOED))
    with zipfile.ZipFile(out / "epub/edition-fr.epub") as book:
        names = " ".join(book.namelist())
    assert not any(slug in names for slug in (*GONE, DRAFT, EMBARGOED))


def test_epub_chapter_shows_the_correction_and_the_translations(out: Path) -> None:
    with zipfile.ZipFile(out / f"epub/{CORRECTED}.fr.epub") as book:
        chapter = etree.fromstring(book.read(f"EPUB/story-{CORRECTED}.xhtml"))
        package = etree.fromstring(book.read("EPUB/content.opf"))
    aside = chapter.xpath("//x:aside[@class='correction']", namespaces=NS)
    assert aside and "Corrige l'heure" in "".join(aside[0].itertext())
    (also,) = chapter.xpath("//x:aside[@class='translations']", namespaces=NS)
    assert also.xpath("string(.//x:a/@hreflang)", namespaces=NS) == "en"
    relations = package.xpath("//*[local-name()='relation']/text()")
    assert relations == [f"{BASE}epub/{CORRECTED}.en.epub"]


def test_opds_entry_links_the_translated_book(out: Path) -> None:
    catalog = xml(out / "opds/fr.xml")
    (entry,) = catalog.xpath("a:entry[a:id=$id]", namespaces=NS, id=variant_id(CORRECTED, "fr"))
    books = entry.xpath("a:link[@rel='alternate'][@type='application/epub+zip']", namespaces=NS)
    assert [(ln.get("hreflang"), ln.get("href")) for ln in books] == [
        ("en", f"{BASE}epub/{CORRECTED}.en.epub")
    ]
    assert (out / f"epub/{CORRECTED}.en.epub").is_file()
    assert catalog.xpath("a:link[@rel='alternate']", namespaces=NS) == []  # feedparser's home


def test_validate_outputs_finds_nothing_in_any_format(
    site: Path,
    out: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The catalog's Atom and OPDS rules included; EPUBCheck is skipped (no Java on PATH)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    args = ["validate", "--outputs", str(out), "--config", str(site / "syndicate.yaml")]
    capsys.readouterr()
    assert main([*args, "--articles", str(site / "articles")]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "[epub.epubcheck]" not in line]
    assert said == [
        f"{site / 'articles'}: 7 stories, 14 language variants: OK",
        f"{out}: atom, html, jsonfeed, jsonld, model, newsml, ninjs, rss, sitemap: OK;"
        " epub: not checked by EPUBCheck (1 warning above)",
    ]


def test_model_dump_holds_only_public_stories_and_no_machine_paths(out: Path) -> None:
    dumps = sorted(p.name for p in (out / "model").glob("*.json"))
    assert dumps == sorted(f"{slug}.json" for slug in SHOWN)
    text = (out / f"model/{PUBLIC}.json").read_text(encoding="utf-8")
    assert str(FIXTURE) not in text and "/tmp" not in text and '"folder"' not in text
    assert f'"{PUBLIC}/en.md:' in text


# No dangling links ----------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s\"'<>)\\]+")


def test_every_url_under_the_base_url_resolves_to_a_file(out: Path) -> None:
    """In every text output and every EPUB member: each URL under base_url names a file in
    out/ (the part before any #fragment; a folder URL would need an index, and none is
    made)."""
    missing = set()
    checked = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.suffix == ".png":
            continue
        texts = []
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                texts = [
                    book.read(n).decode("utf-8")
                    for n in book.namelist()
                    if "." in n and n.rsplit(".", 1)[1] in {"xhtml", "opf", "ncx", "xml"}
                ]
        else:
            texts = [path.read_text(encoding="utf-8")]
        for text in texts:
            for url in _URL.findall(text):
                url = url.replace("&amp;", "&")
                if not url.startswith(BASE):
                    continue
                checked += 1
                rel = unquote(urlsplit(url).path).removeprefix(urlsplit(BASE).path)
                if not (out / rel).is_file():
                    missing.add((path.relative_to(out).as_posix(), url))
    assert checked > 100
    assert sorted(missing) == []


# History: what was published is remembered --------------------------------------------


def export_site(site: Path, *extra: str) -> int:
    args = ["export", "-q", "-f", "newsml", "--now", NOW, "--jobs", "1", *extra]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main([*args, "--out", str(site / "out")])


def version_line(site: Path, slug: str) -> int:
    lines = (site / "articles" / slug / "story.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("version:"))


@pytest.fixture
def history_site(tmp_path: Path) -> Path:
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    assert export_site(site) == 0
    return site


def test_a_released_story_changed_without_a_new_version_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    where = f"{PUBLIC}/story.yaml:{version_line(history_site, PUBLIC)}: warning:"
    assert where in err and "set version: 2 [story.version]" in err
    assert export_site(history_site, "--strict") == 0  # said once: the change is now published
    text.write_text(text.read_text(encoding="utf-8") + "\nAnother.\n", encoding="utf-8")
    assert export_site(history_site, "--strict") == 2
    assert "[story.version]" in capsys.readouterr().err


def test_a_story_read_otherwise_by_another_syndicate_is_said_so_not_taken_for_an_edit(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an upgrade, a story nobody edited whose reading gives another story (the new
    syndicate reads a construct otherwise) is not told "the text or facts changed": its
    files did not. Simulated by the history remembering another content for the same files,
    as the older syndicate's reading would have left it."""
    from syndicate.build.engine import cache_folder
    from syndicate.build.state import STATE_FILE, state_folder

    out = history_site / "out"
    state = state_folder(out, cache_folder(history_site / "syndicate.yaml", out)) / STATE_FILE
    db = sqlite3.connect(state)
    with db:
        (ident,) = db.execute(
            "SELECT id FROM history WHERE id LIKE ?", (f"%{PUBLIC[11:]}",)
        ).fetchone()
        assert db.execute("SELECT sources FROM read_from WHERE id = ?", (ident,)).fetchone()
        db.execute("UPDATE history SET digest = 'older' WHERE id = ?", (ident,))
        db.execute("UPDATE read_from SET digest = 'older' WHERE id = ?", (ident,))
        db.execute("UPDATE read_from SET code = 'an older syndicate' WHERE id = ?", (ident,))
    db.close()
    capsys.readouterr()
    assert export_site(history_site, "--force") == 0
    (said,) = [line for line in capsys.readouterr().err.splitlines() if "[story.version]" in line]
    assert (
        "this syndicate reads the story otherwise than the one that published version 1 (its"
        in said
    )
    assert "did not change" in said
    assert "set version: 2" in said and "text or facts" not in said
    assert export_site(history_site, "--force", "--strict") == 0, "said once"
    # The same syndicate, the site's time zone changed: the configuration's doing (review)
    config = history_site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    assert "timezone: Europe/Lisbon\n" in text
    config.write_text(text.replace("Europe/Lisbon", "Asia/Kolkata"), encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "[story.version]" in line]
    assert said and all("syndicate.yaml's settings" in line for line in said), said
    assert not any("this syndicate reads" in line for line in said)


def test_a_public_story_put_under_embargo_again_is_a_warning_at_its_line(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story an earlier export published, given an embargo that ends after now (or a
    `published` after now): every public channel dropped it with no notice and no word,
    even under --strict. It is a `story.unreleased` warning at the line that holds it back,
    which --strict refuses; once released again, nothing is said."""
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    original = meta.read_text(encoding="utf-8")
    meta.write_text(
        original.replace("version: 1", "version: 2")
        + "updated: 2026-02-01T10:00:00Z\nembargo_until: 2026-02-03T00:00:00Z\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert export_site(history_site, "--strict") == 2
    err = capsys.readouterr().err
    line = _line_of(meta, "embargo_until:")
    assert f"{PUBLIC}/story.yaml:{line}: warning: an earlier export published it, but its" in err
    assert "embargo_until (2026-02-03T00:00:00+00:00) is after now" in err, err
    assert "take it back with status: withheld and a new version" in err
    assert "remove embargo_until [story.unreleased]" in err
    assert export_site(history_site) == 0  # said, and published as it says
    assert "[story.unreleased]" in capsys.readouterr().err
    # dated ahead instead: the `published` line
    meta.write_text(
        original.replace("version: 1", "version: 2").replace(
            "published: 2026-01-20T09:00:00Z", "published: 2026-02-05T09:00:00Z"
        ),
        encoding="utf-8",
    )
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    line = _line_of(meta, "published:")
    assert f"{PUBLIC}/story.yaml:{line}: warning: an earlier export published it, but its" in err
    assert "set published back to when it was published [story.unreleased]" in err, err
    # a story never public (the embargoed one, its embargo moved later): nothing to say
    embargoed = history_site / "articles" / EMBARGOED / "story.yaml"
    text = embargoed.read_text(encoding="utf-8")
    later = re.sub(r"embargo_until: \S+", "embargo_until: 2026-03-01T00:00:00Z", text)
    assert later != text
    embargoed.write_text(later, encoding="utf-8")
    # (the public one released again, as a version above the one partners hold)
    meta.write_text(
        original.replace("version: 1", "version: 3") + "updated: 2026-02-01T11:00:00Z\n",
        encoding="utf-8",
    )
    assert export_site(history_site) == 0
    assert "[story.unreleased]" not in capsys.readouterr().err


def test_where_updated_is_written_is_not_what_a_story_says(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The line of `updated:` went into the digest of what a story says: moving it a line
    down (and every story, once, on upgrading) was "changed since version N was published,
    but the version did not", and --strict refused the export."""
    meta = history_site / "articles" / CORRECTED / "story.yaml"
    lines = meta.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("updated:"))
    assert lines[at + 1].startswith("status:")  # swapped: no other field's line moves
    lines[at], lines[at + 1] = lines[at + 1], lines[at]
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err


def test_an_editors_word_on_an_image_asks_no_new_version(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`animation: checked` written in an image's entry of a story partners hold went into
    what the story says: "the text or facts changed since version 1 was published, but the
    version did not" (`story.version`), though partners get nothing new. An editor's word is
    no change of the story; a change of its text still is."""
    meta = history_site / "articles" / EMBARGOED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    entry = "  - file: images/chart.png\n"
    meta.write_text(text.replace(entry, entry + "    animation: checked\n"), encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert "[story.version]" not in err and "[image.needless]" in err, err
    changed = meta.read_text(encoding="utf-8").replace("Bar chart", "A bar chart")
    meta.write_text(changed, encoding="utf-8")
    assert export_site(history_site) == 0
    assert "set version: 2 [story.version]" in capsys.readouterr().err


def test_strict_keep_going_holds_a_story_its_history_refuses(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --strict a version not raised is an error of that story, as its own errors are:
    --keep-going holds it at its last published version and publishes the others' corrections
    (it stopped the whole export); without --keep-going the summary names it."""
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    meta = history_site / "articles" / LIFTED / "story.yaml"
    fixed = meta.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    meta.write_text(fixed + "updated: 2026-01-30T08:00:00Z\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in (history_site / "out" / "newsml").rglob(f"*{PUBLIC}*")}
    from syndicate.build import export

    stopped = export(
        formats=["newsml"],
        config=history_site / "syndicate.yaml",
        articles=history_site / "articles",
        out=history_site / "out",
        now=datetime.fromisoformat(NOW),
        strict=True,
        jobs=1,
    )
    assert stopped.status == "input-errors" and stopped.stopped_by == (PUBLIC,)
    assert "story.version" in [d.code for d in stopped.diagnostics]
    capsys.readouterr()
    assert export_site(history_site, "--strict", "--keep-going") == 3
    err = capsys.readouterr().err
    assert "set version: 2 [story.version]" in err
    assert f"left out for their errors, their last published version kept: {PUBLIC}" in err
    assert before and all(p.read_bytes() == data for p, data in before.items())
    corrected = (history_site / "out" / "newsml" / f"{LIFTED}.en.xml").read_text("utf-8")
    assert 'version="2"' in corrected, "the other story's correction is published"
    # Held, the story is still checked against what was published: raised, it goes out.
    fixed = (history_site / "articles" / PUBLIC / "story.yaml").read_text(encoding="utf-8")
    (history_site / "articles" / PUBLIC / "story.yaml").write_text(
        fixed.replace("version: 1", "version: 2") + "updated: 2026-01-30T08:00:00Z\n",
        encoding="utf-8",
    )
    assert export_site(history_site, "--strict", "--keep-going") == 0, capsys.readouterr().err


def test_what_a_preview_exported_was_never_released(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The preview's exports reach no one: editing a story it showed, or deleting one of its
    language files, is no change to a published version (the warnings told editors to raise
    versions of stories never published)."""
    from syndicate.build import export

    site = shutil.copytree(FIXTURE, tmp_path / "site")
    preview = tmp_path / "preview"

    def previewed(out: Path = preview, releases: bool = False) -> list[str]:
        result = export(
            formats=["all"],
            config=site / "syndicate.yaml",
            articles=site / "articles",
            out=out,
            now=datetime.fromisoformat(NOW),
            releases=releases,
        )
        assert result.status == "exported"
        return [d.code for d in result.diagnostics]

    previewed()
    previewed(tmp_path / "released", releases=True)  # the same changes, after a release
    text = site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    (site / "articles" / CORRECTED / "fr.md").unlink()
    warned = {"story.version", "story.language-removed"}
    found = previewed()
    assert not warned & set(found), found
    assert warned <= set(previewed(tmp_path / "released", releases=True))
    assert export_site(site) == 0  # out/: the first release
    assert "[story." not in capsys.readouterr().err


def test_deleting_a_public_story_folder_is_a_warning_said_once(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deleted folder takes the story's files out of out/ with no kill: partners keep it.
    A story already killed, or a draft, leaves nothing standing; a renamed folder is no
    deletion."""
    capsys.readouterr()
    for slug in (PUBLIC, KILLED, DRAFT):
        shutil.rmtree(history_site / "articles" / slug)
    shutil.move(history_site / "articles" / LIFTED, history_site / "articles" / "2026-01-23-storm")
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    deleted = [line for line in err.splitlines() if "[story.deleted]" in line]
    assert len(deleted) == 1 and f"articles/{PUBLIC}: warning:" in deleted[0], err
    assert "status: canceled (or withheld) and a new version" in deleted[0]
    (renamed,) = [line for line in err.splitlines() if "[story.version]" in line]
    assert "2026-01-23-storm/story.yaml" in renamed
    assert "the folder's name, and so its pages' addresses, changed since version 1" in renamed
    assert export_site(history_site, "--strict") == 0  # said once


def test_a_deleted_story_folder_is_not_said_again_by_a_run_that_changes_nothing(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run after the one that found the folder gone changes nothing, and took the way of
    such a run (the fingerprint), which said again what the deleting run had said, at every
    export after: `story.deleted` is said once, by the run that finds the change, as a run
    that loads the build state says it."""
    site = history_site
    args = ["export", "-f", "all", "--now", NOW, "--jobs", "1", "--out", str(site / "out")]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main(args) == 0  # (every format: a run that leaves a fingerprint)
    capsys.readouterr()
    shutil.rmtree(site / "articles" / PUBLIC)
    assert main(args) == 0
    assert "[story.deleted]" in capsys.readouterr().err
    for _ in range(2):
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "[story.deleted]" not in err and "0 written" in err, err
    assert main([*args, "--strict"]) == 0


def test_two_story_folders_swapped_are_two_renames(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each id is still given, by the other folder: matched by id across the run, not by
    folder, neither is an id changed (whose advice, to cancel the folder's old id, would have
    killed a live story)."""
    capsys.readouterr()
    articles = history_site / "articles"
    shutil.move(articles / PUBLIC, articles / "swap")
    shutil.move(articles / LIFTED, articles / PUBLIC)
    shutil.move(articles / "swap", articles / LIFTED)
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert "[story.id-changed]" not in err and "[story.deleted]" not in err, err
    warned = [line for line in err.splitlines() if "[story.version]" in line]
    assert sorted(line.split("/story.yaml:")[0].rsplit("/", 1)[1] for line in warned) == [
        PUBLIC,
        LIFTED,
    ], err
    for line in warned:
        assert "the folder's name, and so its pages' addresses, changed since version 1" in line
    # each names the folder its id was published from: the swap shows
    (public,) = [line for line in warned if f"/{PUBLIC}/story.yaml:" in line]
    assert f"was published from {LIFTED} (whose id this folder gives now)" in public
    assert export_site(history_site, "--strict") == 0  # said once


def test_a_folder_moved_in_place_of_a_deleted_one_is_a_deletion_and_a_rename(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder's old id is in no folder now: a deletion, not an id "back" to one this
    folder never published; the story moved in is a rename."""
    capsys.readouterr()
    articles = history_site / "articles"
    shutil.rmtree(articles / PUBLIC)
    shutil.move(articles / LIFTED, articles / PUBLIC)
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert "[story.id-changed]" not in err, err
    (deleted,) = [line for line in err.splitlines() if "[story.deleted]" in line]
    old = variant_id(PUBLIC, "en").removesuffix(":en")
    moved = variant_id(LIFTED, "en").removesuffix(":en")
    assert f"articles/{PUBLIC}: warning: {old!r}, version 1 of which was published" in deleted
    assert f"({PUBLIC} holds {moved!r}, moved there from {LIFTED})" in deleted
    assert f"publish once a story folder with id {old!r}, status: canceled" in deleted
    (renamed,) = [line for line in err.splitlines() if "[story.version]" in line]
    assert f"{PUBLIC}/story.yaml" in renamed
    assert "the folder's name, and so its pages' addresses, changed since version 1" in renamed
    assert export_site(history_site, "--strict") == 0  # said once


def test_a_version_that_goes_down_is_an_error_at_every_run(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Partners hold version 2 and pass over a lower one, while the site would publish it
    (a reverted `story.yaml` brought a killed story back on the site, the wire still saying
    canceled): an error, said at every run until the version goes above, with
    --keep-going holding the story as published."""
    capsys.readouterr()
    meta = history_site / "articles" / CORRECTED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("version: 2", "version: 1"), encoding="utf-8")
    before = {p: p.read_bytes() for p in (history_site / "out").rglob(f"*{CORRECTED}*")}
    for _ in range(2):
        assert export_site(history_site) == 2
        err = capsys.readouterr().err
        line = _line_of(meta, "version:")
        assert f"{CORRECTED}/story.yaml:{line}: error: version went down from 2 to 1" in err
        assert "give a version above it (version: 3)" in err
    assert export_site(history_site, "--keep-going") == EXIT_PARTIAL
    assert before and all(p.read_bytes() == data for p, data in before.items())
    capsys.readouterr()
    raised = text.replace("version: 2", "version: 3").replace(
        "updated: 2026-01-22T08:30:00Z", "updated: 2026-02-01T11:00:00Z"
    )
    meta.write_text(raised, encoding="utf-8")
    assert export_site(history_site) == 0
    assert "[story.version]" not in capsys.readouterr().err


@pytest.mark.parametrize("status", ["canceled", "withheld"])
def test_a_kill_without_a_new_version_is_an_error_and_a_draft_may_change(
    history_site: Path, capsys: pytest.CaptureFixture[str], status: str
) -> None:
    """A status changed within the version partners hold reaches none of them: it was one
    warning, and then the story left every channel with no kill (a draft, for the site),
    partners keeping it as usable. It is an error at every run until the version is raised,
    and the story stays as published."""
    capsys.readouterr()
    meta = history_site / "articles" / LIFTED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("status: usable", f"status: {status}"), encoding="utf-8")
    draft = history_site / "articles" / DRAFT / "en.md"
    draft.write_text(draft.read_text(encoding="utf-8") + "\nStill drafting.\n", encoding="utf-8")
    item = history_site / "out" / "newsml" / f"{LIFTED}.en.xml"
    published = item.read_bytes()
    for _ in range(2):
        assert export_site(history_site) == 2
        err = capsys.readouterr().err
        said = f"the status changed from usable to {status} since version 1 was published"
        assert f"{LIFTED}/story.yaml:{_line_of(meta, 'version:')}: error: {said}" in err
        assert "set version: 2, with updated: the time of this change [story.version]" in err
        assert DRAFT not in err
    assert item.read_bytes() == published
    killed = text.replace("status: usable", f"status: {status}").replace("version: 1", "version: 2")
    meta.write_text(killed + "updated: 2026-02-01T11:00:00Z\n", encoding="utf-8")
    assert export_site(history_site) == 0
    assert "[story.version]" not in capsys.readouterr().err
    assert b"stat:usable" not in item.read_bytes()


@pytest.mark.parametrize("moved", [False, True])
def test_a_story_taken_back_under_embargo_and_released_later_is_dated_by_its_release(
    history_site: Path, capsys: pytest.CaptureFixture[str], moved: bool
) -> None:
    """Withheld before its embargo ended, then released days later: its embargo's end still
    said when it reached the public, so every channel dated it then (old news, in no news
    sitemap). The release says so, at the embargo_until line; released with that line moved
    to the release, it says nothing."""
    meta = history_site / "articles" / EMBARGOED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    withheld = text.replace("status: usable", "status: withheld").replace(
        "version: 1", "version: 2"
    )
    meta.write_text(withheld + "updated: 2026-02-01T10:00:00Z\n", encoding="utf-8")
    assert export_site(history_site, "--strict") == 0
    released = text.replace("version: 1", "version: 3") + "updated: 2026-03-05T09:00:00Z\n"
    if moved:
        released = released.replace(
            "embargo_until: 2026-03-01T06:00:00Z", "embargo_until: 2026-03-05T09:00:00Z"
        )
    meta.write_text(released, encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site, "--now", "2026-03-05T09:10:00Z") == 0
    err = capsys.readouterr().err
    if moved:
        assert "[story.release-time]" not in err, err
        return
    line = _line_of(meta, "embargo_until:")
    assert (
        f"{EMBARGOED}/story.yaml:{line}: warning: version 3 releases a story taken back before"
        " it reached the public, but its embargo_until (2026-03-01T06:00:00+00:00) says it"
    ) in err
    assert "set embargo_until to the time it is released" in err
    assert err.rstrip().endswith("[story.release-time]")


@pytest.mark.parametrize("moved", [False, True])
def test_an_embargo_lifted_early_is_dated_by_its_release(
    history_site: Path, capsys: pytest.CaptureFixture[str], moved: bool
) -> None:
    """Partners had the story under embargo; the desk lifts it early, as a new version with no
    embargo_until: its published (days before) said when it reached the public, so every
    channel dated it then, unsaid (old news, in no news sitemap). The release says so, with
    the fix that keeps partners' first-created time; released with embargo_until at the
    release, it says nothing."""
    meta = history_site / "articles" / EMBARGOED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    release = "2026-02-10T09:00:00Z" if moved else None
    lifted = text.replace("version: 1", "version: 2") + "updated: 2026-02-10T09:00:00Z\n"
    lifted = lifted.replace(
        "embargo_until: 2026-03-01T06:00:00Z\n",
        f"embargo_until: {release}\n" if release else "",
    )
    meta.write_text(lifted, encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site, "--now", "2026-02-10T09:10:00Z") == 0
    err = capsys.readouterr().err
    if moved:
        assert "[story.release-time]" not in err, err
        return
    (said,) = [line for line in err.splitlines() if "[story.release-time]" in line]
    assert (
        "version 2 releases a story partners had under embargo (the embargo lifted early)" in said
    )
    assert "but its published (" in said
    assert "write embargo_until: the time it is released, rather than no embargo_until" in said


def test_an_embargo_that_ran_its_course_before_a_new_version_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exported under embargo, no export until after its end, then a correction: the
    embargo was not lifted early (its end is the version before's), and the story is rightly
    dated by it; it was told "the embargo lifted early" with a fix that misdates it (review)."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    assert export_site(site, "--now", "2026-01-23T10:00:00Z") == 0  # LIFTED under embargo
    meta = site / "articles" / LIFTED / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    meta.write_text(text + "updated: 2026-01-25T09:00:00Z\n", encoding="utf-8")
    capsys.readouterr()
    assert export_site(site, "--now", "2026-01-25T10:00:00Z") == 0
    assert "[story.release-time]" not in capsys.readouterr().err


def test_a_draft_released_says_nothing_of_its_release_time(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft (withheld at version 1) was never released: made usable, later than its
    published, it is simply released (`story.release-time` is for a story taken back)."""
    meta = history_site / "articles" / DRAFT / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("status: withheld", "status: usable")
    meta.write_text(text + "updated: 2026-01-30T10:00:00Z\n", encoding="utf-8")
    for md in meta.parent.glob("*.md"):  # written at last
        md.write_text(md.read_text(encoding="utf-8").replace("TODO ", ""), encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err


def test_a_canceled_story_made_usable_again_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Canceled tells partners never to use the story and to remove it: a later version that
    brings it back is said once, with what to do instead."""
    meta = history_site / "articles" / LIFTED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    killed = text.replace("status: usable", "status: canceled").replace("version: 1", "version: 2")
    meta.write_text(killed + "updated: 2026-02-01T10:00:00Z\n", encoding="utf-8")
    assert export_site(history_site) == 0
    back = text.replace("version: 1", "version: 3") + "updated: 2026-02-01T11:00:00Z\n"
    meta.write_text(back, encoding="utf-8")
    capsys.readouterr()
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert f"{LIFTED}/story.yaml:{_line_of(meta, 'version:')}: warning: version 3 is usable" in err
    assert "but version 2 was canceled" in err and err.rstrip().endswith("[story.reinstated]")
    assert export_site(history_site, "--strict") == 0  # said once


# A story dated ahead: scheduled ---------------------------------------------------------------


def test_a_story_dated_ahead_is_held_back_until_its_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`published` after `--now`, no embargo: the story is scheduled, as Hugo and WordPress
    hold back a post dated ahead. It was public at once (in the feeds with a date in the
    future, on the site, to wire partners) while list said `public`. It appears when its
    time comes, and the incremental run then equals an export from scratch."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    story = site / "articles" / PUBLIC / "story.yaml"
    text = story.read_text(encoding="utf-8")
    assert "published: 2026-01-20T09:00:00Z" in text
    story.write_text(
        text.replace("published: 2026-01-20T09:00:00Z", "published: 2026-02-02T06:00:00Z"),
        encoding="utf-8",
    )
    common = ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]

    def export(out: Path, now: str) -> dict[str, bytes]:
        args = ["export", "-q", "-f", "all", "--now", now, "--jobs", "1", "--out", str(out)]
        assert main([*args, *common], registry=PLAIN_COVERS) == 0
        return {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    held = export(site / "out", NOW)
    assert not [path for path in held if PUBLIC in path]
    assert not [path for path, data in held.items() if PUBLIC.encode() in data]
    capsys.readouterr()
    assert main(["list", "--now", NOW, "--log-format", "json", *common]) == 0
    states = {
        r["slug"]: r["state"]
        for r in map(json.loads, capsys.readouterr().out.splitlines())
        if "slug" in r
    }
    assert states[PUBLIC] == "scheduled"
    later = "2026-02-02T07:00:00Z"
    shown = export(site / "out", later)
    assert f"html/{PUBLIC}.en.html" in shown and f"newsml/{PUBLIC}.en.xml" in shown
    assert PUBLIC.encode() in shown["atom/en.xml"]
    assert shown == export(tmp_path / "fresh", later)


# A story taken back before its release ---------------------------------------------------------

WIRE = ("newsml/", "ninjs/")


@pytest.mark.parametrize(
    ("slug", "facts"),
    [
        # under embargo until the time it was to be published, killed before then
        (
            EMBARGOED,
            "published: 2026-03-01T06:00:00Z\nembargo_until: 2026-03-01T06:00:00Z\n",
        ),
        # dated ahead (scheduled, no embargo), killed before its time
        (PUBLIC, "published: 2026-02-02T06:00:00Z\n"),
    ],
    ids=["embargoed", "scheduled"],
)
def test_a_story_killed_before_its_release_is_announced_nowhere_public(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], slug: str, facts: str
) -> None:
    """It was a kill notice in every public channel (pages, feeds, partner profiles) once its
    `updated` (the kill's time) was not before its release, and `updated` could not be before
    `published`: the kill's own time could not be said. Wire partners, who had it under
    embargo, get the kill; the public never learns the story existed, then or later. A story
    dated ahead with no embargo went to no one, wire partners included: a kill sent them the
    headline of a story they never had (a QA finding); it is a draft to every channel."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    meta = site / "articles" / slug / "story.yaml"
    kept = [
        line
        for line in meta.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("published:", "embargo_until:", "status:", "version:"))
    ]
    killed = "status: canceled\nversion: 2\nupdated: 2026-02-01T11:00:00Z\n"
    meta.write_text("\n".join(kept) + "\n" + facts + killed, encoding="utf-8")
    common = ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    for now in (NOW, "2026-03-02T00:00:00Z"):
        out = tmp_path / f"out-{now[:10]}"
        args = ["export", "-q", "-f", "all", "--now", now, "--jobs", "1", "--out", str(out)]
        assert main([*args, *common], registry=PLAIN_COVERS) == 0
        files = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
        public = {path for path, data in files.items() if not path.startswith(WIRE)}
        assert not [path for path in public if slug in path]
        assert not [path for path in public if slug.encode() in files[path]]
        assert not [path for path in public if slug[11:].encode() in files[path]]  # the id
        if slug != EMBARGOED:  # scheduled: no one had it, no one hears of it
            assert not [path for path in files if slug in path or slug.encode() in files[path]]
            continue
        item = files[f"newsml/{slug}.en.xml"]
        assert b'pubStatus qcode="stat:canceled"' in item
        assert b"<versionCreated>2026-02-01T11:00:00Z</versionCreated>" in item
    assert "[story.kill-time]" not in capsys.readouterr().err


def test_a_kill_without_its_time_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    cancel(history_site, LIFTED)
    assert export_site(history_site) == 0
    meta = history_site / "articles" / LIFTED / "story.yaml"
    line = next(i for i, t in enumerate(meta.read_text("utf-8").splitlines(), 1) if "status" in t)
    err = capsys.readouterr().err
    assert (
        f"{LIFTED}/story.yaml:{line}: warning: canceled at version 2 with no updated: set"
        " updated to when it was taken back" in err
    )
    # one mistake, said once: not also "version 2's updated is no later than version 1's",
    # nor, at story.yaml:1, "updated (its published) is before the story reached the public,
    # ... set updated to the time it was taken back" (the time it was read as: none given)
    assert "[story.updated]" not in err
    assert err.count("[story.kill-time]") == 1, err
    before = "updated: 2026-01-22T00:00:00Z\n"  # before first_created: still a mistake
    meta.write_text(meta.read_text(encoding="utf-8") + before, encoding="utf-8")
    assert export_site(history_site) == 2
    said = "updated (2026-01-22T00:00:00+00:00) is earlier than first_created"
    assert said in capsys.readouterr().err


def test_a_kill_without_its_time_is_one_warning_when_a_language_gives_a_time(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story whose French file has a time of its own (`updated:` in fr.md, a French-only
    change), killed without `updated` in story.yaml: the reader says `story.kill-time` ("set
    updated"), and the run said `story.updated` too, of fr.md's time ("version 2's updated is
    no later than version 1's"): one mistake, two warnings."""
    fr = history_site / "articles" / LIFTED / "fr.md"
    timed = fr.read_text(encoding="utf-8").replace(
        "---\n", "---\nupdated: 2026-01-24T09:00:00Z\n", 1
    )
    fr.write_text(timed, encoding="utf-8")
    assert export_site(history_site) == 0
    capsys.readouterr()
    cancel(history_site, LIFTED)
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert "canceled at version 2 with no updated: set updated" in err
    assert "[story.updated]" not in err, err
    assert err.count("[story.kill-time]") == 1, err


def test_a_kill_dated_at_its_published_with_a_later_time_in_a_language_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill whose story.yaml gives `updated` the same as `published` and whose French file
    a later time of its own was said nowhere: the reader warned only of a kill with no
    `updated`, and the history took it for one (`untimed_kill`) and kept quiet, though every
    other language's kill item carried the time of the version partners already had. Now it
    is `story.kill-time`, once, with its advice, in validate and export alike."""
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    published = next(t for t in meta.read_text("utf-8").splitlines() if t.startswith("published:"))
    fr = history_site / "articles" / PUBLIC / "fr.md"
    fr.write_text(
        fr.read_text("utf-8").replace("---\n", "---\nupdated: 2026-01-24T09:00:00Z\n", 1), "utf-8"
    )
    cancel(history_site, PUBLIC, published.split(": ", 1)[1])
    line = len(meta.read_text("utf-8").splitlines())  # (`cancel` adds updated: last)
    capsys.readouterr()
    said = (
        f"{PUBLIC}/story.yaml:{line}: warning: canceled at version 2 with updated the same as"
        " published (2026-01-20T09:00:00+00:00), and a later time only in fr.md, which dates it"
        " alone: set updated to when it was taken back"
    )
    for run in (validate_site, export_site):
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(history_site)
            assert run(history_site) == 0
        err = capsys.readouterr().err
        assert said in err, err
        assert err.count("[story.kill-time]") == 1 and "[story.updated]" not in err, err


def test_an_id_changed_after_publication_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was accepted in silence: the items went out under the new id at version 1, and the
    old id was never withdrawn; partners keyed on ids held two live copies of the story."""
    capsys.readouterr()
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    old = variant_id(PUBLIC, "en").removesuffix(":en")
    meta.write_text(meta.read_text("utf-8").replace(old, old + "-typo"), encoding="utf-8")
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert (
        f"{PUBLIC}/story.yaml:1: warning: the id changed from {old!r} to {old + '-typo'!r}"
        " since it was published" in err
    )
    assert err.rstrip().endswith("[story.id-changed]")
    assert export_site(history_site, "--strict") == 0  # said once, as story.version is
    # Put back, as the warning said: the advice is not "put the id back" to the typo.
    meta.write_text(meta.read_text("utf-8").replace(old + "-typo", old), encoding="utf-8")
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert f"the id is back to {old!r}, which was published before; {old + '-typo'!r}" in err
    assert f"publish once a story folder with id {old + '-typo'!r}, status: canceled" in err


def test_a_published_language_removed_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its files left out/ and the targets in silence, with no kill: partners kept it."""
    capsys.readouterr()
    langs = sorted(p.stem for p in (history_site / "articles" / PUBLIC).glob("*.md"))
    gone = next(lang for lang in langs if lang != "en")
    (history_site / "articles" / PUBLIC / f"{gone}.md").unlink()
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert f"warning: {gone}.md is gone, but its version was published" in err
    assert "[story.language-removed]" in err
    draft = history_site / "articles" / DRAFT  # never released: nothing to say
    for extra in sorted(draft.glob("*.md"))[1:]:
        extra.unlink()
    assert export_site(history_site) == 0
    assert "story.language-removed" not in capsys.readouterr().err


def test_a_language_removed_with_the_kill_is_told_to_stay_for_the_notice(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Canceling a story and deleting fr.md in the same edit sent no kill in French (every
    kill is made in the languages whose files are there), and the warning told the user to
    "set status: withheld or canceled with a new version", which they had just done."""
    capsys.readouterr()
    cancel(history_site, PUBLIC)
    langs = sorted(p.stem for p in (history_site / "articles" / PUBLIC).glob("*.md"))
    gone = next(lang for lang in langs if lang != "en")
    (history_site / "articles" / PUBLIC / f"{gone}.md").unlink()
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert (
        f"warning: {gone}.md is gone in the version that takes the story back, but its version"
        f" was published: the {gone} files leave out/ and the delivery targets with no notice of"
        f" the kill, so {gone} partners and feed readers keep the story; put {gone}.md back"
    ) in err
    assert "set status: withheld or canceled" not in err


def test_a_new_version_with_the_old_updated_is_told_at_its_updated_line(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fix is the `updated:` line's: the warning names it when the story has one (it
    named the `version:` line)."""
    meta = history_site / "articles" / CORRECTED / "story.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 2", "version: 3"), "utf-8")
    capsys.readouterr()
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    line = _line_of(meta, "updated:")
    assert f"{CORRECTED}/story.yaml:{line}: warning: version 3's updated" in err, err


def test_a_published_version_dated_as_the_one_before_is_said_at_every_run_while_it_stands(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`story.updated` was said by the run that published the new version alone: a cron job
    switched to `--strict` after it exited 0, never told that partners hold a version dated
    as the one before. Said at every run while the story stays at that version (not held
    against it: what partners hold is out; `--strict` exits 3, "published, but"), and no
    more once a later version is published."""
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    meta.write_text(meta.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    assert export_site(history_site) == 0
    capsys.readouterr()
    for extra in ((), ("--strict",), ("--strict",)):  # (the last, a run with nothing to make)
        assert export_site(history_site, *extra) == (3 if extra else 0)
        err = capsys.readouterr().err
        said = [line for line in err.splitlines() if line.endswith("[story.updated]")]
        assert len(said) == 1, err
        assert "version 2's updated" in said[0] and "said when version 2 was published" in said[0]
    newer = meta.read_text("utf-8").replace("version: 2", "version: 3")
    meta.write_text(newer + "updated: 2026-01-21T09:00:00Z\n", "utf-8")
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err


def test_a_run_stopped_once_its_state_is_saved_still_leaves_story_updated_said(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warnings said again while a story stays at a version (`BuildState.standing`) were
    saved in a transaction of their own, after the state that records the version published:
    a run stopped between the two (its publication then completed by the next run, from the
    journal) left version 2 published and its `story.updated` never said again. They are
    saved in the state's own transaction."""
    from syndicate.build.state import BuildState

    meta = history_site / "articles" / PUBLIC / "story.yaml"
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    meta.write_text(meta.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    save = BuildState.save

    def save_then_stop(self: BuildState, *args: Any, **kwargs: Any) -> None:
        save(self, *args, **kwargs)
        raise KeyboardInterrupt  # (as a kill right after the state's transaction)

    monkeypatch.setattr(BuildState, "save", save_then_stop)
    assert export_site(history_site) != 0
    monkeypatch.undo()
    capsys.readouterr()
    assert export_site(history_site, "--strict") == 3
    said = [line for line in capsys.readouterr().err.splitlines() if "[story.updated]" in line]
    assert len(said) == 1 and "said when version 2 was published" in said[0], said


def test_story_updated_is_said_by_the_run_that_finds_nothing_changed_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of the whole site that finds everything as the last one left it answers from
    that run's fingerprint, without loading the state (`syndicate.build.unchanged`), saying
    what it said but for what it said once (`story.updated` as found): the run after the one
    that published a version dated as the one before said nothing of it, where the usual way
    says it again. It says it, as the usual way does."""
    from syndicate.build import engine
    from syndicate.build.state import BuildState

    site = shutil.copytree(FIXTURE, tmp_path / "site")
    whole = ("-f", "all")
    assert export_site(site, *whole) == 0
    meta = site / "articles" / PUBLIC / "story.yaml"
    text = site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    meta.write_text(meta.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    assert export_site(site, *whole) == 0
    capsys.readouterr()
    loaded: list[int] = []
    real = BuildState.__init__

    def counting(self: BuildState, *args: Any, **kwargs: Any) -> None:
        loaded.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(BuildState, "__init__", counting)
    assert export_site(site, *whole) == 0
    short = capsys.readouterr().err
    assert loaded == []  # (the fingerprint's way)
    said = [line for line in short.splitlines() if line.endswith("[story.updated]")]
    assert len(said) == 1 and "said when version 2 was published" in said[0], short
    monkeypatch.setattr(engine, "last_fingerprint", lambda folder: None)
    assert export_site(site, *whole) == 0
    assert loaded == [1] and capsys.readouterr().err == short  # the usual way says as much


def test_a_new_version_with_the_old_updated_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Following the story.version warning ("set version: 2") alone gave version 2 the
    versionCreated of version 1: partners ordering versions by it could not tell them apart."""
    capsys.readouterr()
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    line = version_line(history_site, PUBLIC)
    assert (
        f"{PUBLIC}/story.yaml:{line}: warning: version 2's updated (2026-01-20T09:00:00+00:00)"
        " is no later than version 1's (2026-01-20T09:00:00+00:00): partners order versions"
        " by updated" in err
    )
    assert err.rstrip().endswith("[story.updated]")
    # The next version with its own time in one language file only: the other language's item
    # is version 3 too, dated as version 2 (a partner could not tell them apart).
    french = history_site / "articles" / PUBLIC / "fr.md"
    french.write_text(
        french.read_text("utf-8").replace("---\n", "---\nupdated: 2026-01-21T09:00:00Z\n", 1),
        "utf-8",
    )
    french.write_text(french.read_text(encoding="utf-8") + "\nEncore.\n", encoding="utf-8")
    meta.write_text(meta.read_text("utf-8").replace("version: 2", "version: 3"), "utf-8")
    assert export_site(history_site, "--strict") == 2, "a warning of the sources, under --strict"
    err = capsys.readouterr().err
    assert (
        f"{PUBLIC}/story.yaml:{line}: warning: version 3 reaches en with the updated of version 2"
        " (2026-01-20T09:00:00+00:00): only another language's file has a time of its own" in err
    )
    # The story's time moved too: every language's item is dated anew, nothing to say.
    assert "updated:" not in meta.read_text("utf-8"), "its updated is its published"
    meta.write_text(meta.read_text("utf-8") + "updated: 2026-01-22T09:00:00Z\n", "utf-8")
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err


def validate_site(site: Path, *extra: str) -> int:
    """`syndicate validate` of the site, as an editor runs it in CI from its folder (where
    its out/, and so its build state, are found)."""
    args = ["validate", "--now", NOW, "--jobs", "1", *extra]
    return main([*args, "--config", str(site / "syndicate.yaml"), "--articles", "articles"])


def test_validate_gives_the_historys_warnings_reading_the_state_only(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate` read no history: an editor running it in CI before the export heard
    nothing of a new version dated as the one before (`story.updated`) or of a change without
    a new version (`story.version`), which the export then said. It says what the export
    would, in the same words, from the build state it reads without creating, locking or
    changing anything; without a state it can read, nothing."""
    monkeypatch.chdir(history_site)
    out = history_site / "out"
    state = state_folder(out, cache_folder(history_site / "syndicate.yaml", out)) / "state.sqlite"
    assert state.is_file()

    def kept() -> list[tuple[str, int, int]]:
        return sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in state.parent.iterdir()
        )

    capsys.readouterr()
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    line = version_line(history_site, PUBLIC)
    before = kept()
    assert validate_site(history_site) == 0
    said = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert said == [
        f"articles/{PUBLIC}/story.yaml:{line}: warning: the text or facts changed since version 1"
        " was published, but the version did not: set version: 2 [story.version]"
    ]
    assert validate_site(history_site, "--strict") == 2
    capsys.readouterr()
    meta = history_site / "articles" / PUBLIC / "story.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    assert validate_site(history_site) == 0
    validated = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert kept() == before, "the build state is read, never written"
    assert export_site(history_site, "--dry-run") == 0
    exported = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert len(validated) == 1 and "[story.updated]" in validated[0]
    assert [x.split(": ", 1)[1] for x in validated] == [x.split(": ", 1)[1] for x in exported]
    # A state of no format this syndicate reads (or none): not validate's problem
    saved = state.read_bytes()
    state.write_bytes(b"not a database")
    assert validate_site(history_site, "--strict") == 0, capsys.readouterr().err
    assert "[story." not in capsys.readouterr().err
    state.write_bytes(saved)


def test_validate_leaves_a_state_kept_beside_out_where_it_is(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state an earlier syndicate kept beside out/ (`.out.syndicate`) was moved into the
    cache by `validate`, which is to read the state only (an export may be running, and
    moving it under that export's feet took its state, and its lock, away): it is read where
    it is, and the export that follows moves it."""
    monkeypatch.chdir(history_site)
    out = history_site / "out"
    current = state_folder(out, cache_folder(history_site / "syndicate.yaml", out))
    legacy = history_site / ".out.syndicate"
    shutil.move(current, legacy)
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    kept = sorted((p.name, p.stat().st_mtime_ns) for p in legacy.iterdir())
    capsys.readouterr()
    assert validate_site(history_site) == 0
    assert "set version: 2 [story.version]" in capsys.readouterr().err  # read where it is
    assert not current.exists(), "validate moved the state"
    assert sorted((p.name, p.stat().st_mtime_ns) for p in legacy.iterdir()) == kept
    assert export_site(history_site) == 0
    assert not legacy.exists() and current.is_dir()  # the export moves it


def test_validate_reads_the_history_a_state_of_an_older_format_keeps(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade whose build state has another format, the export keeps the state's
    history (what partners hold, `state._reset`) and refuses a version gone down, but
    `validate` took the whole state for unreadable and passed the story: it reads that
    history as the export does (no last stories then, nor standing warnings)."""
    from syndicate.build.state import FORMAT, STATE_FILE

    monkeypatch.chdir(history_site)
    out = history_site / "out"
    state = state_folder(out, cache_folder(history_site / "syndicate.yaml", out)) / STATE_FILE
    db = sqlite3.connect(state)
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(FORMAT - 1),))
    db.close()
    meta = history_site / "articles" / CORRECTED / "story.yaml"
    meta.write_text(meta.read_text("utf-8").replace("version: 2", "version: 1"), "utf-8")
    saved = state.read_bytes()
    capsys.readouterr()
    assert validate_site(history_site) == 2
    validated = [x for x in capsys.readouterr().err.splitlines() if "[story.version]" in x]
    assert state.read_bytes() == saved, "the build state is read, never written"
    assert validated and "version went down from 2 to 1" in validated[0], validated
    assert export_site(history_site, "--dry-run") == 2
    exported = [x for x in capsys.readouterr().err.splitlines() if "[story.version]" in x]
    assert [x.split(": ", 1)[1] for x in validated] == [x.split(": ", 1)[1] for x in exported]


def test_validate_tells_a_copy_nothing_of_the_history_of_the_story_it_copies(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published story's folder copied to start another (its id with it) is the copy's
    `story.duplicate-id` error, and the export says nothing of the history of an id that is
    not the copy's; `validate` told it also that the story's folder had been renamed to it
    (`from 2026-01-20-port-reopens (whose id this folder gives now)`), which it had not."""
    monkeypatch.chdir(history_site)
    copy = f"{PUBLIC[:10]}-port-copy"
    shutil.copytree(history_site / "articles" / PUBLIC, history_site / "articles" / copy)
    capsys.readouterr()
    assert validate_site(history_site) == 2
    validated = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert export_site(history_site, "--dry-run") == 2
    exported = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert len(validated) == 1 and "[story.duplicate-id]" in validated[0], validated
    assert [x.split(": ", 1)[1] for x in validated] == [x.split(": ", 1)[1] for x in exported]


def test_validate_tells_a_story_read_otherwise_by_another_syndicate_from_an_edit(
    history_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade, a story nobody edited whose reading gives another story: the export
    says this syndicate reads it otherwise (set a new version if partners must get it), but
    `validate`, which did not know what its files were, told the editor that "the text or
    facts changed", which they had not. It now keys the files as the export does."""
    from syndicate.build.state import STATE_FILE

    monkeypatch.chdir(history_site)
    out = history_site / "out"
    state = state_folder(out, cache_folder(history_site / "syndicate.yaml", out)) / STATE_FILE
    db = sqlite3.connect(state)
    with db:
        (ident,) = db.execute(
            "SELECT id FROM history WHERE id LIKE ?", (f"%{PUBLIC[11:]}",)
        ).fetchone()
        db.execute("UPDATE history SET digest = 'older' WHERE id = ?", (ident,))
        db.execute("UPDATE read_from SET digest = 'older' WHERE id = ?", (ident,))
        db.execute("UPDATE read_from SET code = 'an older syndicate' WHERE id = ?", (ident,))
    db.close()
    capsys.readouterr()
    assert validate_site(history_site) == 0
    validated = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    # (--force: an upgrade's export reads every story anew, its code in every key)
    assert export_site(history_site, "--dry-run", "--force") == 0
    exported = [x for x in capsys.readouterr().err.splitlines() if "[story." in x]
    assert len(validated) == 1 and "this syndicate reads the story otherwise" in validated[0]
    assert [x.split(": ", 1)[1] for x in validated] == [x.split(": ", 1)[1] for x in exported]
    # an edit is still an edit
    text = history_site / "articles" / PUBLIC / "en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    assert validate_site(history_site) == 0
    assert "the text or facts changed since version 1" in capsys.readouterr().err


def cancel(site: Path, slug: str, updated: str | None = None) -> None:
    """Cancel a released story of the fixture as a new version, at `updated` if given."""
    meta = site / "articles" / slug / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace("status: usable", "status: canceled").replace("version: 1", "version: 2")
    meta.write_text(text + (f"updated: {updated}\n" if updated else ""), encoding="utf-8")


def test_a_kill_time_across_a_clock_change_is_said_with_both_times_in_utc(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two times of other offsets compared (the hour a zone's clocks go back happens twice):
    02:45+02:00 before 02:30+01:00 read as a mistake of the message until each is given in
    UTC too. Times of one offset are said as written."""
    capsys.readouterr()
    # public since 2026-01-24T07:00Z; killed at 09:45+03:00, before it (06:45Z)
    cancel(history_site, LIFTED, "2026-01-24T09:45:00+03:00")
    assert export_site(history_site) == 0
    (said,) = [line for line in capsys.readouterr().err.splitlines() if "[story.kill-time]" in line]
    assert "updated (2026-01-24T09:45:00+03:00, 2026-01-24 06:45 UTC) is before" in said
    assert "reached the public (2026-01-24T07:00:00+00:00, 2026-01-24 07:00 UTC)" in said


def test_said_at_adds_utc_only_beside_another_offset() -> None:
    from datetime import timedelta, timezone

    from syndicate.diagnostics import said_at

    summer, winter = timezone(timedelta(hours=2)), timezone(timedelta(hours=1))
    first = datetime(2026, 10, 25, 2, 45, tzinfo=summer)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=winter)
    assert said_at(first, second) == "2026-10-25T02:45:00+02:00, 2026-10-25 00:45 UTC"
    assert said_at(first, first.replace(hour=3)) == "2026-10-25T02:45:00+02:00"
    assert said_at(first) == "2026-10-25T02:45:00+02:00"


def test_a_public_story_killed_with_a_time_before_its_release_is_a_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An `updated` before the story reached the public says "killed before its release":
    its pages go with no public notice. For a story an earlier export had published, that is
    a wrong time, which went unsaid."""
    capsys.readouterr()
    cancel(history_site, LIFTED, "2026-01-23T12:00:00Z")  # public since 2026-01-24T07:00Z
    assert export_site(history_site) == 0
    err = capsys.readouterr().err
    assert f"{LIFTED}/story.yaml" in err and "but an earlier export published it" in err, err
    assert "[story.kill-time]" in err
    updated_at = _line_of(history_site / "articles" / LIFTED / "story.yaml", "updated:")
    assert f"{LIFTED}/story.yaml:{updated_at}: warning: updated (" in err, err  # not :1
    # never public (the embargoed story, killed before its release): nothing to say
    cancel(history_site, EMBARGOED, "2026-02-01T11:00:00Z")
    assert export_site(history_site) == 0
    assert "story.kill-time" not in capsys.readouterr().err


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


@pytest.mark.parametrize("where", ["story.yaml", "en.md"])
def test_an_update_in_the_future_is_a_warning_at_its_line(
    history_site: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """An `updated` after now (a typo of the year) went out as written: pages said "Updated
    June 1, 2027" and feeds kept the story on top until then. Now it warns at its line, in
    validate and export, and --strict refuses it; once that time has come, it is quiet."""
    folder = history_site / "articles" / CORRECTED
    path = folder / where
    text = path.read_text(encoding="utf-8")
    if where == "story.yaml":
        text = (
            "\n".join(
                "updated: 2027-06-01T10:00:00+01:00" if line.startswith("updated:") else line
                for line in text.splitlines()
            )
            + "\n"
        )
    else:
        text = text.replace("---\n", "---\nupdated: 2030-01-01T00:00:00Z\n", 1)
    path.write_text(text, encoding="utf-8")
    meta = folder / "story.yaml"  # a new version: the change itself is in order
    meta.write_text(meta.read_text("utf-8").replace("version: 2", "version: 3"), "utf-8")
    line = _line_of(path, "updated:")
    capsys.readouterr()
    common = ["--now", NOW, "--config", str(history_site / "syndicate.yaml")]
    common += ["--articles", str(history_site / "articles")]
    said = f"{CORRECTED}/{where}:{line}: warning: updated ("
    assert main(["validate", *common]) == 0
    err = capsys.readouterr().err
    assert said in err and "[story.future-update]" in err, err
    assert main(["validate", "--strict", *common]) == 2
    assert export_site(history_site, "--strict") == 2
    assert said in capsys.readouterr().err
    assert export_site(history_site) == 0
    assert export_site(history_site) == 0  # said again on a run that changes nothing
    assert said in capsys.readouterr().err
    later = ["--now", "2030-01-02T00:00:00Z", *common[2:]]
    status = main(["validate", "--strict", *later])
    err = capsys.readouterr().err
    assert "story.future-update" not in err
    # Version 3 dated in en.md alone reached fr as dated as version 2: the history's
    # `story.updated`, which validate says as the export does while the story stays at it.
    standing = where != "story.yaml"
    assert status == (2 if standing else 0), err
    assert ("[story.updated]" in err) == standing, err


def test_a_translation_dated_ahead_waits_for_its_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A translation added with its own `published` after now (an editor scheduling it) went
    out at once, in every channel, under a warning about `updated` alone. A language cannot
    wait alone (the version that adds it goes out in every language), so it is an error:
    the story keeps its last published version under --keep-going, and its time come, the
    translation goes out."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    folder = site / "articles" / PUBLIC
    french = folder / "fr.md"
    text = french.read_text(encoding="utf-8")
    french.unlink()
    assert export_site(site) == 0
    meta = folder / "story.yaml"
    added = meta.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    meta.write_text(added + "updated: 2026-02-02T09:00:00Z\n", encoding="utf-8")
    french.write_text(text.replace("---\n", "---\npublished: 2026-02-02T09:00:00Z\n", 1), "utf-8")
    common = ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    capsys.readouterr()
    assert main(["validate", "--now", NOW, *common]) != 0
    said = f"{PUBLIC}/story.yaml:{_line_of(meta, 'updated:')}: error: fr.md: published ("
    err = capsys.readouterr().err
    assert said in err and "[story.language-ahead]" in err, err
    assert export_site(site, "--keep-going") == 3
    newsml = site / "out" / "newsml"
    assert not (newsml / f"{PUBLIC}.fr.xml").exists()
    assert 'version="1"' in (newsml / f"{PUBLIC}.en.xml").read_text("utf-8")
    later = ["export", "-q", "-f", "newsml", "--jobs", "1", "--keep-going"]
    later += ["--now", "2026-02-02T09:00:00Z", *common, "--out", str(site / "out")]
    assert main(later) == 0, capsys.readouterr().err
    assert 'version="2"' in (newsml / f"{PUBLIC}.fr.xml").read_text("utf-8")


def test_a_translation_dated_ahead_of_a_scheduled_story_is_said_to_go_out_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story scheduled for later (its own `published` or `embargo_until` after now) with a
    translation dated later still was told the translation "goes out now": it goes out at
    the story's time, which is said. A translation dated no later than the story's time goes
    out with it, after its own time: it was refused all the same, now it is not."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    folder = site / "articles" / PUBLIC
    meta, french = folder / "story.yaml", folder / "fr.md"
    text = french.read_text(encoding="utf-8")
    scheduled = meta.read_text("utf-8").replace("published: 2026-01-20T", "published: 2026-02-05T")
    common = ["--now", NOW, "--config", str(site / "syndicate.yaml")]
    common += ["--articles", str(site / "articles")]

    def said(story: str, translation: str) -> str:
        meta.write_text(f"{story}updated: {translation}\n", "utf-8")
        french.write_text(text.replace("---\n", f"---\npublished: {translation}\n", 1), "utf-8")
        capsys.readouterr()
        main(["validate", *common])
        return capsys.readouterr().err

    err = said(scheduled, "2026-02-06T09:00:00Z")
    assert "[story.language-ahead]" in err, err
    assert "goes out at 2026-02-05T09:00:00+00:00, the story's own published, in every" in err
    assert "goes out now" not in err
    embargoed = scheduled + "embargo_until: 2026-02-07T09:00:00Z\n"
    err = said(embargoed, "2026-02-08T09:00:00Z")
    assert "goes out at 2026-02-07T09:00:00+00:00, the story's own embargo_until," in err, err
    for story, translation in (
        (scheduled, "2026-02-05T09:00:00Z"),
        (embargoed, "2026-02-06T09:00:00Z"),
        (embargoed, "2026-02-07T09:00:00Z"),
    ):
        assert "story.language-ahead" not in said(story, translation)
    err = said(scheduled.replace("2026-02-05T", "2026-01-20T"), "2026-02-06T09:00:00Z")
    assert "the version that adds it goes out now in every language" in err, err


def test_strict_keep_going_holds_a_story_updated_in_the_future(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --strict an `updated` in the future is that story's problem, as its history's
    are: --keep-going holds it at its last published version and publishes the others'
    corrections (it stopped the whole export: "out/ is unchanged", exit 2); without
    --keep-going the summary names it."""
    meta = history_site / "articles" / CORRECTED / "story.yaml"
    ahead = meta.read_text(encoding="utf-8").replace("version: 2", "version: 3")
    meta.write_text(ahead.replace("2026-01-22T08:30:00Z", "2027-01-22T08:30:00Z"), "utf-8")
    lifted = history_site / "articles" / LIFTED / "story.yaml"
    fixed = lifted.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    lifted.write_text(fixed + "updated: 2026-01-30T08:00:00Z\n", encoding="utf-8")
    newsml = history_site / "out" / "newsml"
    before = {p: p.read_bytes() for p in newsml.rglob(f"*{CORRECTED}*")}
    from syndicate.build import export

    stopped = export(
        formats=["newsml"],
        config=history_site / "syndicate.yaml",
        articles=history_site / "articles",
        out=history_site / "out",
        now=datetime.fromisoformat(NOW),
        strict=True,
        jobs=1,
    )
    assert stopped.status == "input-errors" and stopped.stopped_by == (CORRECTED,)
    assert "story.future-update" in [d.code for d in stopped.diagnostics]
    capsys.readouterr()
    assert export_site(history_site, "--strict", "--keep-going") == 3
    err = capsys.readouterr().err
    line = _line_of(meta, "updated:")
    assert f"{CORRECTED}/story.yaml:{line}: warning: updated (" in err
    assert f"left out for their errors, their last published version kept: {CORRECTED}" in err
    assert before and all(p.read_bytes() == data for p, data in before.items())
    corrected = (newsml / f"{LIFTED}.en.xml").read_text("utf-8")
    assert 'version="2"' in corrected, "the other story's correction is published"
    # Held, the story is checked again on the next run: its time come, it goes out.
    later = ["--now", "2027-02-01T00:00:00Z"]
    args = ["export", "-q", "-f", "newsml", "--jobs", "1", "--strict", "--keep-going", *later]
    args += ["--config", str(history_site / "syndicate.yaml")]
    args += ["--articles", str(history_site / "articles"), "--out", str(history_site / "out")]
    assert main(args) == 0, capsys.readouterr().err
    assert 'version="3"' in (newsml / f"{CORRECTED}.en.xml").read_text("utf-8")


def test_a_scheduled_story_is_no_update_in_the_future(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story whose `published` is ahead (scheduled), with no `updated` or one no later than
    its `published`, is dated by its release: `syndicate new --now <later>` made such a story,
    and validate --strict refused it as "updated in the future"."""
    folder = history_site / "articles" / CORRECTED
    meta = folder / "story.yaml"
    lines = [
        line
        for line in meta.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("updated:", "correction:", "  note:", "    en:", "    fr:"))
    ]
    text = "\n".join(lines) + "\n"
    # a new story at version 1, as `syndicate new` makes one (its own id: the folder's story
    # was published at version 2, which validate now knows from the build state)
    text = text.replace("version: 2", "version: 1").replace(":ferry-timetable", ":ferry-plan")
    for key in ("first_created", "published"):
        text = (
            "\n".join(
                f"{key}: 2027-06-01T10:00:00Z" if line.startswith(f"{key}:") else line
                for line in text.splitlines()
            )
            + "\n"
        )
    common = ["--now", NOW, "--config", str(history_site / "syndicate.yaml")]
    common += ["--articles", str(history_site / "articles")]
    meta.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--strict", *common]) == 0, capsys.readouterr().err
    meta.write_text(text + "updated: 2027-06-01T10:00:00Z\n", encoding="utf-8")
    assert main(["validate", "--strict", *common]) == 0, capsys.readouterr().err
    meta.write_text(text + "updated: 2027-06-02T10:00:00Z\n", encoding="utf-8")
    assert main(["validate", *common]) == 0
    assert "[story.future-update]" in capsys.readouterr().err


def test_a_kill_before_the_release_is_said_at_once_and_without_a_false_warning(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story under embargo killed before its release, with its real time (before its
    published, as lifecycle.md says to): the export warned "version 2 is no later than
    version 1 ... set updated to the time of this version", advice which, followed, announced
    the kill in every public feed before the embargo ended; and the kill items still carried
    the embargo, as if the kill were to wait for it (ninjs' did not)."""
    meta = history_site / "articles" / EMBARGOED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace(
        "first_created: 2026-01-30T06:00:00Z", "first_created: 2026-01-25T06:00:00Z"
    )
    meta.write_text(text.replace("published: 2026-01-30", "published: 2026-03-01"), "utf-8")
    assert export_site(history_site) == 0  # version 1, sent to partners under embargo
    item = (history_site / "out" / f"newsml/{EMBARGOED}.en.xml").read_bytes()
    assert b"<embargoed>2026-03-01T06:00:00Z</embargoed>" in item
    capsys.readouterr()
    cancel(history_site, EMBARGOED, "2026-01-31T12:00:00Z")
    assert export_site(history_site, "--strict") == 0, capsys.readouterr().err
    assert "[story." not in capsys.readouterr().err
    for path in (f"newsml/{EMBARGOED}.en.xml", f"newsml/{EMBARGOED}.package.xml"):
        item = (history_site / "out" / path).read_bytes()
        assert b'pubStatus qcode="stat:canceled"' in item
        assert b"<embargoed>" not in item, path
    assert b"<versionCreated>2026-01-31T12:00:00Z</versionCreated>" in item


# A story out of an embargo is news from the embargo's end ------------------------------------

RELEASED = "2026-02-01T06:00:00Z"
"""When the embargoed story below reached the public: its embargo's end, a year and ten days
after it was written and published to wire partners (a long embargo: MSN's 365 days count
from the release, not from `published`)."""
WRITTEN = "2025-01-22T06:00:00Z"


def instant(text: str) -> datetime:
    """An RFC 3339 or RFC 822 date, as an aware instant (compare instants, not spellings)."""
    if text[:1].isdigit():
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsedate_to_datetime(text)


@pytest.fixture(scope="module")
def lifted_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lifecycle site with the lifted story written and published on 22 January 2025
    under an embargo until 1 February 2026 06:00, exported at noon that day with every public
    channel and three partner profiles: the corrected story (22 January 2026 08:30) and both
    kill notices (26 and 27 January) are older in the public's eyes, though not by
    `published`."""
    site = tmp_path_factory.mktemp("lifted")
    shutil.copytree(FIXTURE, site, dirs_exist_ok=True)
    meta = site / "articles" / LIFTED / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    for old, new in (
        ("first_created: 2026-01-23T07:00:00Z", f"first_created: {WRITTEN}"),
        ("published: 2026-01-23T07:00:00Z", f"published: {WRITTEN}"),
        ("embargo_until: 2026-01-24T07:00:00Z", f"embargo_until: {RELEASED}"),
    ):
        assert old in text
        text = text.replace(old, new)
    meta.write_text(text, encoding="utf-8")
    config = site / "syndicate.yaml"
    profiles = "profiles:\n  google-news:\n  msn:\n  smartnews:\n"
    config.write_text(config.read_text(encoding="utf-8") + profiles, encoding="utf-8")
    args = ["export", "-q", "-f", "all", "--now", "2026-02-01T12:00:00Z", "--jobs", "1"]
    args += ["--config", str(config), "--articles", str(site / "articles")]
    assert main([*args, "--out", str(site / "out")], registry=PLAIN_COVERS) == 0
    return site / "out"


def test_every_public_channel_dates_a_lifted_story_at_its_release(lifted_out: Path) -> None:
    """Public channels give a story out of an embargo the time it reached the public as its
    publication date (and no earlier modification date), and list it first: it had been
    dated by when it was written, below older stories, out of MSN's year and of the edition of
    its day. Wire formats keep the editorial times; the dateline stays the story's text."""
    out, released, written = lifted_out, instant(RELEASED), instant(WRITTEN)
    own = variant_id(LIFTED, "en")
    # Atom, RSS, JSON Feed: the dates, and first in the subscription feed
    atom = xml(out / "atom/en.xml")
    first = atom.xpath("a:entry[1]", namespaces=NS)[0]  # Atom's notices come before entries
    assert first.findtext(f"{{{ATOM_NS}}}id") == own
    for name in ("published", "updated"):
        assert instant(first.findtext(f"{{{ATOM_NS}}}{name}")) == released, name
    assert instant(atom.findtext("a:updated", namespaces=NS)) == released
    rss = xml(out / "rss/en.xml").find("channel")
    item = rss.find("item")
    assert item.findtext("guid") == own
    assert instant(item.findtext("pubDate")) == released
    assert instant(item.findtext(f"{{{ATOM_NS}}}updated")) == released
    jsonfeed = json.loads((out / "jsonfeed/en.json").read_bytes())["items"]
    assert jsonfeed[0]["id"] == own
    assert instant(jsonfeed[0]["date_published"]) == released
    assert instant(jsonfeed[0]["date_modified"]) == released
    # partner profiles: listed (MSN's 365 days count from the release), first, dated so
    for profile in ("google-news", "msn", "smartnews"):
        channel = xml(out / f"partners/{profile}/en.xml").find("channel")
        item = channel.find("item")
        assert item is not None and item.findtext("link").endswith(f"{LIFTED}.en.html"), profile
        assert instant(item.findtext("pubDate")) == released, profile
    # JSON-LD, alone and in the page; the page's Open Graph dates
    graph = json.loads((out / f"jsonld/{LIFTED}.en.jsonld").read_text(encoding="utf-8"))
    page = lxml_html.parse(str(out / f"html/{LIFTED}.en.html")).getroot()
    (embedded,) = page.xpath("//script[@type='application/ld+json']/text()")
    for nodes in (graph["@graph"], json.loads(embedded)["@graph"]):
        dated = [n for n in nodes if n["@type"] in ("NewsArticle", "WebPage")]
        assert len(dated) == 2
        for node in dated:
            assert instant(node["datePublished"]) == released, node["@type"]
            assert instant(node["dateModified"]) == released, node["@type"]
    meta = {m.get("property"): m.get("content") for m in page.iter("meta")}
    assert instant(meta["article:published_time"]) == released
    assert instant(meta["article:modified_time"]) == released
    # the dateline is the story's text (its "on Monday" counts from it): as written
    (dateline,) = page.xpath("//p[@class='dateline']//time/@datetime")
    assert instant(dateline) == written
    assert not page.xpath("//p[@class='updated']")  # nothing changed since the release
    index = lxml_html.parse(str(out / "html/index.en.html")).getroot()
    (newest, *_) = index.xpath("//ul[@class='stories']/li")
    assert newest.xpath("string(.//h2/a/@href)") == f"{LIFTED}.en.html"
    assert instant(newest.xpath("string(time/@datetime)")) == released
    # sitemaps
    sm = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    news = xml(out / "sitemaps/news-en.xml")
    dates = news.xpath("//*[local-name()='publication_date']/text()")
    assert [instant(d) for d in dates] == [released]
    for sitemap in (news, xml(out / "sitemaps/pages.xml")):
        urls = sitemap.xpath("sm:url[contains(sm:loc, $slug)]", namespaces=sm, slug=LIFTED)
        assert urls
        for url in urls:
            assert instant(url.findtext("sm:lastmod", namespaces=sm)) == released
    # EPUB: the book's dates and its chapter's "Published"; the day's edition holds it
    with zipfile.ZipFile(out / f"epub/{LIFTED}.en.epub") as book:
        package = etree.fromstring(book.read("EPUB/content.opf"))
        chapter = etree.fromstring(book.read(f"EPUB/story-{LIFTED}.xhtml"))
    assert instant(package.xpath("string(//*[local-name()='date'])")) == released
    modified = package.xpath("string(//*[@property='dcterms:modified'])")
    assert instant(modified) == released
    times = chapter.xpath("//x:p[@class='date']/x:time/@datetime", namespaces=NS)
    assert [instant(t) for t in times] == [released]
    with zipfile.ZipFile(out / "epub/edition-en.epub") as edition:
        assert f"EPUB/story-{LIFTED}.xhtml" in edition.namelist()
    # OPDS: the book's entry
    opds = xml(out / "opds/en.xml")
    (entry,) = opds.xpath("a:entry[contains(a:id, $id)]", namespaces=NS, id=f"{LIFTED[11:]}:en")
    assert instant(entry.findtext(f"{{{ATOM_NS}}}published")) == released
    assert instant(entry.findtext(f"{{{ATOM_NS}}}updated")) == released
    assert entry.xpath("string(*[local-name()='issued'])") == "2026-02-01"
    # wire formats keep the editorial times: partners had the story before the release
    item = xml(out / f"newsml/{LIFTED}.en.xml")
    g2 = {"g2": NAR_NS}
    for name in ("firstCreated", "versionCreated"):
        path = f"string(g2:itemMeta/g2:{name} | g2:contentMeta/g2:{name})"
        assert instant(item.xpath(path, namespaces=g2)) == written, name
    ninjs = json.loads((out / f"ninjs/{LIFTED}.en.json").read_text(encoding="utf-8"))
    for name in ("firstCreated", "versionCreated"):
        assert instant(ninjs[name]) == written, name
    assert instant(ninjs["embargoedUntil"]) == released
    assert instant(item.xpath("string(g2:itemMeta/g2:embargoed)", namespaces=g2)) == released


def test_a_lifted_story_tops_the_feed_and_the_others_keep_their_dates(lifted_out: Path) -> None:
    """The rule is a floor, not a replacement: the stories public before keep their dates
    (the correction's `updated`, the kills' times), in their order below the released one
    (in Atom, whose notices all come before the entries, below the kills' notices)."""
    expected = [LIFTED, KILLED, WITHDRAWN, CORRECTED, PUBLIC]
    rss = feedparser.parse((lifted_out / "rss/en.xml").read_bytes())
    assert [e.id for e in rss.entries] == [variant_id(slug, "en") for slug in expected]
    atom = xml(lifted_out / "atom/en.xml")
    listed = atom.xpath("a:entry/a:id/text() | at:deleted-entry/@ref", namespaces=NS)
    expected = [KILLED, WITHDRAWN, LIFTED, CORRECTED, PUBLIC]
    assert [str(i) for i in listed] == [variant_id(slug, "en") for slug in expected]
    (corrected,) = atom.xpath("a:entry[a:id=$id]", namespaces=NS, id=variant_id(CORRECTED, "en"))
    assert corrected.findtext(f"{{{ATOM_NS}}}updated") == "2026-01-22T08:30:00Z"
    assert corrected.findtext(f"{{{ATOM_NS}}}published") == "2026-01-21T10:00:00Z"


def test_a_kill_moves_the_catalog_and_sitemap_dates_forward(tmp_path: Path) -> None:
    """Killing the newest story moved the OPDS catalogs' `updated` and the sitemap index's
    `lastmod` of pages.xml back to the newest story left, though the files had changed
    (its book, entry and URLs gone): a client comparing dates kept the killed story."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    out = tmp_path / "out"
    common = ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    args = ["export", "-q", "-f", "epub", "-f", "sitemap", "--jobs", "1", "--out", str(out)]

    def dates() -> tuple[str, str, str]:
        catalog = etree.parse(str(out / "opds/catalog.xml")).getroot()
        feed = etree.parse(str(out / "opds/en.xml")).getroot()
        index = etree.parse(str(out / "sitemaps/index.xml")).getroot()
        pages = next(s for s in index if s[0].text.endswith("/sitemaps/pages.xml"))
        atom = "{http://www.w3.org/2005/Atom}updated"
        return catalog.findtext(atom), feed.findtext(atom), pages[1].text

    assert main([*args, "--now", NOW, *common], registry=PLAIN_COVERS) == 0
    before = dates()
    killed_at = "2026-02-03T08:00:00Z"
    cancel(site, PUBLIC, killed_at)
    assert main([*args, "--now", "2026-02-04T00:00:00Z", *common], registry=PLAIN_COVERS) == 0
    after = dates()
    assert after == (killed_at, killed_at, killed_at), (before, after)


def test_the_catalog_stays_and_moves_forward_when_a_kill_leaves_a_language_no_book(
    tmp_path: Path,
) -> None:
    """A kill that took a language's last book dated the catalog by the other languages'
    books, back in time; and one that took the last book of all deleted opds/catalog.xml,
    the address readers' apps were given (a 404, and `deliver` deleted it from the server)."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    shutil.rmtree(site / "articles" / CORRECTED)
    (site / "articles" / PUBLIC / "fr.md").unlink()  # English: this story's book alone,
    lifted = site / "articles" / LIFTED  # and French: this one's
    (lifted / "en.md").unlink()
    meta = lifted / "story.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("original_language: en", "original_language: fr"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    common = ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    args = ["export", "-q", "-f", "epub", "--jobs", "1", "--out", str(out), *common]
    atom = "{http://www.w3.org/2005/Atom}"

    def catalog() -> tuple[str | None, list[str | None]]:
        root = etree.parse(str(out / "opds/catalog.xml")).getroot()
        return root.findtext(f"{atom}updated"), [e.findtext(f"{atom}title") for e in root]

    assert main([*args, "--now", NOW], registry=PLAIN_COVERS) == 0
    assert (out / "opds/fr.xml").is_file()
    killed_at = "2026-02-03T08:00:00Z"
    cancel(site, LIFTED, killed_at)
    assert main([*args, "--now", "2026-02-04T00:00:00Z"], registry=PLAIN_COVERS) == 0
    updated, _ = catalog()
    assert updated == killed_at and not (out / "opds/fr.xml").exists()
    last = "2026-02-05T08:00:00Z"
    cancel(site, PUBLIC, last)
    assert main([*args, "--now", "2026-02-06T00:00:00Z"], registry=PLAIN_COVERS) == 0
    updated, titles = catalog()
    assert updated == last and "English" not in titles and not (out / "opds/en.xml").exists()
    assert sorted(p.name for p in (out / "opds").iterdir()) == ["catalog.xml"]


@pytest.mark.parametrize(
    ("updated", "public_note"),
    [("2026-01-23T12:00:00Z", False), ("2026-01-24T12:00:00Z", True)],
)
def test_a_correction_made_under_embargo_is_told_the_wire_not_the_public(
    tmp_path: Path, updated: str, public_note: bool
) -> None:
    """A story corrected before its embargo ended reached the public corrected, yet its page,
    feeds, JSON Feed and book ended with a "Correction" note and its JSON-LD had a
    `CorrectionComment` dated at the release. Wire partners, who had the embargoed version,
    are told (note, `edNote`); the public is told of a correction only when it had the story
    before it (here: one made after the embargo ended)."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    meta = site / "articles" / LIFTED / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    text += f"updated: {updated}\ncorrection:\n  note: {{en: NOTE-OF-THE-CORRECTION}}\n"
    meta.write_text(text, encoding="utf-8")
    args = ["export", "-q", "-f", "all", "--now", NOW, "--jobs", "1", "--out", str(site / "out")]
    assert main([*args, "--config", str(site / "syndicate.yaml")]) == 0
    out = site / "out"
    note = "NOTE-OF-THE-CORRECTION"
    for wire in (f"newsml/{LIFTED}.en.xml", f"ninjs/{LIFTED}.en.json"):
        assert note in (out / wire).read_text(encoding="utf-8"), wire
    item = xml(out / "newsml" / f"{LIFTED}.en.xml")
    assert item.xpath("string(g2:itemMeta/g2:edNote)", namespaces=NS) == note
    public = [
        f"html/{LIFTED}.en.html",
        f"jsonld/{LIFTED}.en.jsonld",
        "atom/en.xml",
        "rss/en.xml",
        "jsonfeed/en.json",
    ]
    for path in public:
        assert (note in (out / path).read_text(encoding="utf-8")) is public_note, path
    book = zipfile.ZipFile(out / "epub" / f"{LIFTED}.en.epub")
    chapters = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert (note in chapters) is public_note
    page = (out / "html" / f"{LIFTED}.en.html").read_text(encoding="utf-8")
    assert ("CorrectionComment" in page) is public_note


def _set(site: Path, slug: str, **fields: str) -> None:
    """Write `fields` over the lines of the story's story.yaml (added when missing)."""
    path = site / "articles" / slug / "story.yaml"
    text = path.read_text(encoding="utf-8")
    for name, value in fields.items():
        line = f"{name}: {value}"
        text, found = re.subn(rf"(?m)^{name}: .*$", line, text)
        if not found:
            text = text.replace("status:", f"{line}\nstatus:", 1)
    path.write_text(text, encoding="utf-8")


MOVED_FEEDS = ("atom/{}.xml", "rss/{}.xml", "jsonfeed/{}.json", "partners/smartnews/{}.xml")


@pytest.mark.parametrize("older_state", [False, True], ids=["state", "state-before-sections"])
def test_a_story_moved_then_killed_leaves_its_notice_in_the_section_it_left(
    tmp_path: Path, older_state: bool
) -> None:
    """Partners that took the story from its first section's feeds get its kill there: the
    section's feeds stay after the move (empty), and the kill's notice goes to the feeds of
    both sections; an incremental run writes what --force writes. A build state of an earlier
    syndicate, which kept no sections, knows the one its last build showed the story in."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  smartnews:\n    sections: all\n")
    _set(site, PUBLIC, section="harbour")  # the story alone in its section
    formats = ["-f", "atom", "-f", "rss", "-f", "jsonfeed", "-f", "smartnews"]
    out = site / "out"
    assert export_site(site, *formats) == 0
    assert (out / "atom/en/harbour.xml").is_file()
    if older_state:
        from syndicate.build.engine import cache_folder
        from syndicate.build.state import STATE_FILE, state_folder

        state = state_folder(out, cache_folder(site / "syndicate.yaml", out)) / STATE_FILE
        db = sqlite3.connect(state)
        with db:
            db.execute("DROP TABLE shown_in")
        db.close()
    _set(site, PUBLIC, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *formats) == 0
    for pattern in MOVED_FEEDS:  # kept, to carry a kill, though nothing is in them now
        assert variant_id(PUBLIC, "en") not in (out / pattern.format("en/harbour")).read_text()
    _set(site, PUBLIC, status="canceled", version="3", updated="2026-02-01T11:00:00Z")
    assert export_site(site, *formats) == 0
    atom = xml(out / "atom/en/harbour.xml")
    refs = atom.xpath("at:deleted-entry/@ref", namespaces=NS)
    assert refs == [variant_id(PUBLIC, "en")]
    for section in ("harbour", "local"):
        for lang in ("en", "fr"):
            for pattern in MOVED_FEEDS:
                feed = (out / pattern.format(f"{lang}/{section}")).read_text(encoding="utf-8")
                assert variant_id(PUBLIC, lang) in feed, (pattern, section, lang)
    incremental = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert export_site(site, *formats, "--force") == 0
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == incremental


NEW_QUAY = "2026-01-27-new-quay"


def test_a_story_moved_then_corrected_has_its_correction_told_in_the_section_it_left(
    tmp_path: Path,
) -> None:
    """Partners that took the story from its first section's feeds hold the version they
    had there: a correction made after the story moved reached only the feeds of its new
    section and the language's, and the first section's partners kept the error. Its entry,
    corrected, is told in the feeds of the section it left (Atom, RSS, JSON Feed, a partner
    profile's), among their entries, for as long as a kill's notice would be (within
    `feeds.tombstone_days` of the feed's newest change); the move alone is not. An
    incremental run writes what --force writes."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  smartnews:\n    sections: all\n")
    formats = ["-f", "atom", "-f", "rss", "-f", "jsonfeed", "-f", "smartnews"]
    out = site / "out"
    _set(site, PUBLIC, section="harbour")
    assert export_site(site, *formats) == 0
    _set(site, PUBLIC, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *formats) == 0
    for pattern in MOVED_FEEDS:  # moved, not corrected: nothing to tell there
        assert variant_id(PUBLIC, "en") not in (out / pattern.format("en/harbour")).read_text()
    _set(site, PUBLIC, version="3", updated="2026-02-01T11:00:00Z")
    with (site / "articles" / PUBLIC / "story.yaml").open("a", encoding="utf-8") as meta:
        meta.write("correction:\n  note: {en: NOTE-OF-THE-CORRECTION, fr: NOTE-DE-CORRECTION}\n")
    assert export_site(site, *formats) == 0
    for lang, note in (("en", "NOTE-OF-THE-CORRECTION"), ("fr", "NOTE-DE-CORRECTION")):
        for pattern in MOVED_FEEDS:
            for section in ("harbour", "local"):
                feed = (out / pattern.format(f"{lang}/{section}")).read_text(encoding="utf-8")
                assert variant_id(PUBLIC, lang) in feed and note in feed, (pattern, section)
        parsed = feedparser.parse((out / f"atom/{lang}/harbour.xml").read_bytes())
        (entry,) = parsed.entries
        assert entry.id == variant_id(PUBLIC, lang) and entry.updated == "2026-02-01T11:00:00Z"
    incremental = _files(out)
    assert export_site(site, *formats, "--force") == 0
    assert _files(out) == incremental
    # Forty days on, a story of the section is the feed's newest change: the correction,
    # older than tombstone_days (30) before it, has done its work there.
    _new_story(site, "2026-03-12-new-berth", "harbour", "2026-03-12T09:00:00Z")
    later = "2026-03-13T00:00:00Z"
    assert export_site(site, *formats, "--now", later) == 0
    for pattern in MOVED_FEEDS:
        feed = (out / pattern.format("en/harbour")).read_text(encoding="utf-8")
        assert "new-berth" in feed and variant_id(PUBLIC, "en") not in feed, pattern
    incremental = _files(out)
    assert export_site(site, *formats, "--now", later, "--force") == 0
    assert _files(out) == incremental


def test_a_profile_that_drops_kills_still_tells_a_moved_story_s_correction(
    tmp_path: Path,
) -> None:
    """A partner profile that drops a killed story (`kill: drop`, Flipboard's) asked the
    feeds code for no days of notices, and the correction of a moved story, told in the
    section it left for as long as a kill's notice would be, went with them: the partners
    that took the story from that section's feed kept the error. Its `tombstone_days` now
    count for the correction, and its feeds still carry no kill."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  dropper:\n    kill: drop\n    sections: all\n")
    out, feed = site / "out", "partners/dropper/{}.xml"
    _set(site, PUBLIC, section="harbour")
    assert export_site(site, "-f", "dropper") == 0
    _set(site, PUBLIC, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, "-f", "dropper") == 0
    _set(site, PUBLIC, version="3", updated="2026-02-01T11:00:00Z")
    with (site / "articles" / PUBLIC / "story.yaml").open("a", encoding="utf-8") as meta:
        meta.write("correction:\n  note: {en: NOTE-OF-THE-CORRECTION, fr: NOTE-DE-CORRECTION}\n")
    assert export_site(site, "-f", "dropper") == 0
    for lang, note in (("en", "NOTE-OF-THE-CORRECTION"), ("fr", "NOTE-DE-CORRECTION")):
        for section in ("harbour", "local"):
            text = (out / feed.format(f"{lang}/{section}")).read_text(encoding="utf-8")
            assert variant_id(PUBLIC, lang) in text and note in text, (lang, section)
    incremental = _files(out)
    assert export_site(site, "-f", "dropper", "--force") == 0
    assert _files(out) == incremental
    _set(site, PUBLIC, status="canceled", version="4", updated="2026-02-01T11:30:00Z")
    assert export_site(site, "-f", "dropper") == 0
    for lang in ("en", "fr"):
        for name in (lang, f"{lang}/harbour", f"{lang}/local"):
            text = (out / feed.format(name)).read_text(encoding="utf-8")
            assert variant_id(PUBLIC, lang) not in text, name


def _new_story_in_harbour(site: Path) -> None:
    """A copy of the public story, new to partners, in a section of its own."""
    _new_story(site, NEW_QUAY, "harbour", "2026-01-27T09:00:00Z")


def _new_story(site: Path, slug: str, section: str, published: str) -> None:
    """A copy of the fixture's public story, new to partners, as `slug`."""
    shutil.copytree(FIXTURE / "articles" / PUBLIC, site / "articles" / slug)
    _set(site, slug, id=f"tag:harbour.example,{slug[:10]}:{slug[11:]}")
    _set(site, slug, section=section, published=published)


def _files(out: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_section_only_some_formats_showed_a_story_in_is_theirs_alone(tmp_path: Path) -> None:
    """A story first public in a section by a run of one format (`--format atom`), then moved
    by a run of every format: only Atom had it in the section it left. The other formats'
    feeds of that section were made for it (empty) and got its kill, the notice of an item
    they never carried, as if a partial run's memory were every format's; each format now
    remembers the sections it showed the story in. An incremental run writes what --force
    writes."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  smartnews:\n    sections: all\n")
    formats = ["-f", "atom", "-f", "rss", "-f", "jsonfeed", "-f", "smartnews"]
    out = site / "out"
    assert export_site(site, *formats) == 0
    _new_story_in_harbour(site)
    assert export_site(site, "-f", "atom") == 0
    assert (out / "atom/en/harbour.xml").is_file()
    _set(site, NEW_QUAY, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *formats) == 0
    _set(site, NEW_QUAY, status="canceled", version="3", updated="2026-02-01T11:00:00Z")
    assert export_site(site, *formats) == 0
    for lang in ("en", "fr"):
        atom = xml(out / f"atom/{lang}/harbour.xml")
        refs = atom.xpath("at:deleted-entry/@ref", namespaces=NS)
        assert refs == [variant_id(NEW_QUAY, lang)]
        for pattern in MOVED_FEEDS[1:]:  # never had it there: no feed, no notice
            assert not (out / pattern.format(f"{lang}/harbour")).exists(), pattern
            local = (out / pattern.format(f"{lang}/local")).read_text(encoding="utf-8")
            assert variant_id(NEW_QUAY, lang) in local, pattern
    incremental = _files(out)
    assert export_site(site, *formats, "--force") == 0
    assert _files(out) == incremental


def test_a_move_some_formats_made_and_undid_is_not_the_others_section(tmp_path: Path) -> None:
    """A story moved and moved back (no new version: a warning) by runs of Atom alone: the
    other formats never showed it in the section it visited, yet the next run of every
    format made them a feed of that section (empty, waiting for a kill to tell there), as
    --force did: the move was remembered for every format. Now it is Atom's alone, and
    incremental still equals --force."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  smartnews:\n    sections: all\n")
    formats = ["-f", "atom", "-f", "rss", "-f", "jsonfeed", "-f", "smartnews"]
    out = site / "out"
    assert export_site(site, *formats) == 0
    _set(site, PUBLIC, section="harbour")
    assert export_site(site, "-f", "atom") == 0
    _set(site, PUBLIC, section="local")
    assert export_site(site, "-f", "atom") == 0
    assert export_site(site, *formats) == 0
    incremental = _files(out)
    assert export_site(site, *formats, "--force") == 0
    assert _files(out) == incremental
    assert (out / "atom/en/harbour.xml").is_file()  # Atom showed it there: kept for a kill
    for pattern in MOVED_FEEDS[1:]:
        assert not (out / pattern.format("en/harbour")).exists(), pattern


def test_sections_an_earlier_syndicate_kept_are_every_format_s(tmp_path: Path) -> None:
    """A state that kept a story's sections for every format at once (a list, as syndicate
    did before it told formats apart) is every format's memory, until a format's own run."""
    from syndicate.build.state import BuildState

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    state = BuildState(out, folder)
    state.record_shown_in("story", ("harbour", "local"))
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    assert state.sections_shown("story", "rss") == ("harbour", "local")
    state.record_shown_in("story", ("local",), "atom")
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    try:
        assert state.sections_shown("story", "atom") == ("local",)
        assert state.sections_shown("story", "rss") == ("harbour", "local")
        assert state.sections_shown("other", "rss") is None
    finally:
        state.close()


FEED_FORMATS = ["-f", "atom", "-f", "rss", "-f", "jsonfeed", "-f", "smartnews"]


def _site_with_profile(tmp_path: Path) -> Path:
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("profiles:\n  smartnews:\n    sections: all\n")
    return site


def _correct(site: Path, slug: str, version: str, updated: str) -> None:
    _set(site, slug, version=version, updated=updated)
    with (site / "articles" / slug / "story.yaml").open("a", encoding="utf-8") as meta:
        meta.write("correction:\n  note: {en: NOTE-OF-THE-CORRECTION, fr: NOTE-DE-CORRECTION}\n")


def _told(out: Path, slug: str, lang: str, section: str) -> list[str]:
    """The feeds of `section` in `lang` (Atom, RSS, JSON Feed, a profile's) that name the
    story's `lang` variant; a feed that is not there names nothing."""
    told = []
    for pattern in MOVED_FEEDS:
        path = out / pattern.format(f"{lang}/{section}")
        if path.is_file() and variant_id(slug, lang) in path.read_text(encoding="utf-8"):
            told.append(pattern)
    return told


@pytest.mark.parametrize("end", ["kill", "correction"])
@pytest.mark.parametrize(("first", "other"), [("fr", "en"), ("en", "fr")])
def test_a_section_only_some_languages_showed_a_story_in_is_theirs_alone(
    tmp_path: Path, end: str, first: str, other: str
) -> None:
    """A story first public in a section by a run of one language (`--lang fr --format
    all`), then moved by a new version (a run of every language): only that language's
    feeds had it in the section it left. The other language's feeds of that section were
    made for it and got its kill, or its correction, an item they never carried, as if the
    section were every language's; each format's feeds of each language now know their
    own. An incremental run writes what --force writes."""
    site = _site_with_profile(tmp_path)
    out = site / "out"
    assert export_site(site, *FEED_FORMATS) == 0
    _new_story_in_harbour(site)
    assert export_site(site, "-f", "all", "--lang", first) == 0
    assert (out / f"atom/{first}/harbour.xml").is_file()
    assert not (out / f"atom/{other}/harbour.xml").exists()
    _set(site, NEW_QUAY, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, "-f", "all", "--lang", first) == 0  # (widened: a new version)
    assert (out / f"atom/{other}/local.xml").is_file()
    if end == "kill":
        _set(site, NEW_QUAY, status="canceled", version="3", updated="2026-02-01T11:00:00Z")
    else:
        _correct(site, NEW_QUAY, "3", "2026-02-01T11:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    assert _told(out, NEW_QUAY, first, "harbour") == list(MOVED_FEEDS)
    assert _told(out, NEW_QUAY, first, "local") == list(MOVED_FEEDS)
    assert _told(out, NEW_QUAY, other, "local") == list(MOVED_FEEDS)
    for pattern in MOVED_FEEDS:  # never had it there: no feed, no notice, no correction
        assert not (out / pattern.format(f"{other}/harbour")).exists(), pattern
    if end == "kill":
        refs = xml(out / f"atom/{first}/harbour.xml").xpath("at:deleted-entry/@ref", namespaces=NS)
        assert refs == [variant_id(NEW_QUAY, first)]
    else:
        note = {"en": "NOTE-OF-THE-CORRECTION", "fr": "NOTE-DE-CORRECTION"}[first]
        assert note in (out / f"atom/{first}/harbour.xml").read_text(encoding="utf-8")
    incremental = _files(out)
    assert export_site(site, *FEED_FORMATS, "--force") == 0
    assert _files(out) == incremental


@pytest.mark.parametrize("end", ["kill", "correction"])
def test_a_language_added_after_a_move_is_not_told_in_the_section_it_never_was_in(
    tmp_path: Path, end: str
) -> None:
    """A story public in English alone in a section, moved, then translated: the French feeds
    of the section it left never had it, and got its kill or its correction all the same.
    They now know only the section it was in since its French arrived."""
    site = _site_with_profile(tmp_path)
    out = site / "out"
    _new_story_in_harbour(site)
    (site / "articles" / NEW_QUAY / "fr.md").unlink()
    assert export_site(site, *FEED_FORMATS) == 0
    _set(site, NEW_QUAY, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    shutil.copy(FIXTURE / "articles" / PUBLIC / "fr.md", site / "articles" / NEW_QUAY / "fr.md")
    _set(site, NEW_QUAY, version="3", updated="2026-02-01T10:30:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    if end == "kill":
        _set(site, NEW_QUAY, status="canceled", version="4", updated="2026-02-01T11:00:00Z")
    else:
        _correct(site, NEW_QUAY, "4", "2026-02-01T11:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    assert _told(out, NEW_QUAY, "en", "harbour") == list(MOVED_FEEDS)
    assert _told(out, NEW_QUAY, "fr", "local") == list(MOVED_FEEDS)
    for pattern in MOVED_FEEDS:
        assert not (out / pattern.format("fr/harbour")).exists(), pattern
    incremental = _files(out)
    assert export_site(site, *FEED_FORMATS, "--force") == 0
    assert _files(out) == incremental


@pytest.mark.parametrize(
    "first", [["--lang", "fr", *FEED_FORMATS], ["-f", "newsml"]], ids=["other-language", "no-feeds"]
)
def test_a_story_first_shown_by_no_feed_of_its_is_told_in_no_section_it_left(
    tmp_path: Path, first: list[str]
) -> None:
    """An English story first shown by a run that made none of its feeds (`--lang fr`, or a
    format without section feeds) was recorded in no section: the run after its move took
    the section the last build showed it in (what a state of an earlier syndicate, which kept
    no sections, is told by) for every format's and language's, and its kill went to the
    English feeds of that section, made for it, which never carried it. The state now knows
    the story, in no section, from the run that first showed it."""
    site = _site_with_profile(tmp_path)
    out = site / "out"
    assert export_site(site, *FEED_FORMATS) == 0
    _new_story_in_harbour(site)
    (site / "articles" / NEW_QUAY / "fr.md").unlink()
    assert export_site(site, *first) == 0
    _set(site, NEW_QUAY, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    _set(site, NEW_QUAY, status="canceled", version="3", updated="2026-02-01T11:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    assert _told(out, NEW_QUAY, "en", "local") == list(MOVED_FEEDS)
    for pattern in MOVED_FEEDS:  # never had it there: no feed, no notice
        assert not (out / pattern.format("en/harbour")).exists(), pattern
    incremental = _files(out)
    assert export_site(site, *FEED_FORMATS, "--force") == 0
    assert _files(out) == incremental


def test_sections_a_state_kept_format_by_format_are_every_language_s(tmp_path: Path) -> None:
    """A state of format 13 kept a story's sections for each format in every language: an
    export with this syndicate reads it (no sections lost), gives them to every language,
    and the kill of a story moved since is told in both languages' feeds of the section it
    left. Each language then keeps its own."""
    from syndicate.build.engine import cache_folder
    from syndicate.build.state import STATE_FILE, state_folder

    site = _site_with_profile(tmp_path)
    out = site / "out"
    _new_story_in_harbour(site)
    assert export_site(site, *FEED_FORMATS) == 0
    path = state_folder(out, cache_folder(site / "syndicate.yaml", out)) / STATE_FILE
    db = sqlite3.connect(path)
    with db:  # as syndicate at format 13 wrote them: a list of sections by format
        rows = db.execute("SELECT id, sections FROM shown_in").fetchall()
        for ident, text in rows:
            by_format = {fmt: by_lang["en"] for fmt, by_lang in json.loads(text).items()}
            db.execute(
                "UPDATE shown_in SET sections = ? WHERE id = ?", (json.dumps(by_format), ident)
            )
        db.execute("UPDATE meta SET value = '13' WHERE key = 'format'")
    db.close()
    _set(site, NEW_QUAY, section="local", version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    _set(site, NEW_QUAY, status="canceled", version="3", updated="2026-02-01T11:00:00Z")
    assert export_site(site, *FEED_FORMATS) == 0
    for lang in ("en", "fr"):
        assert _told(out, NEW_QUAY, lang, "harbour") == list(MOVED_FEEDS), lang
    ident = f"tag:harbour.example,{NEW_QUAY[:10]}:{NEW_QUAY[11:]}"
    db = sqlite3.connect(path)
    try:
        query = "SELECT sections FROM shown_in WHERE id = ?"
        (text,) = db.execute(query, (ident,)).fetchone()
    finally:
        db.close()
    sections = json.loads(text)
    assert sections["atom"]["fr"] == ["harbour", "local"], sections
    incremental = _files(out)
    assert export_site(site, *FEED_FORMATS, "--force") == 0
    assert _files(out) == incremental


def test_sections_kept_for_every_language_are_each_language_s_until_its_run(
    tmp_path: Path,
) -> None:
    """A format's sections kept for every language (a state of format 13, or of an earlier
    syndicate for every format) are each language's until that language's own run of the
    format records its own: the others keep them."""
    from syndicate.build.state import BuildState

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    state = BuildState(out, folder)
    state.record_shown_in("story", ("harbour",), "atom")  # format 13: every language
    state.record_shown_in("old", ("harbour", "local"))  # before formats: every format
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    assert state.sections_shown("story", "atom", "fr") == ("harbour",)
    assert state.sections_shown("story", "rss", "fr") is None
    state.record_shown_in("story", ("harbour", "local"), "atom", "fr")
    state.record_shown_in("old", ("local",), "rss", "en")
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    try:
        assert state.sections_shown("story", "atom", "fr") == ("harbour", "local")
        assert state.sections_shown("story", "atom", "en") == ("harbour",)
        assert state.sections_shown("old", "rss", "en") == ("local",)
        assert state.sections_shown("old", "rss", "fr") == ("harbour", "local")
        assert state.sections_shown("old", "atom", "en") == ("harbour", "local")
    finally:
        state.close()


def test_a_summary_keeps_the_sections_each_language_left(sample_story: Any) -> None:
    """A summary's former sections are its languages' own where they differ (a language its
    feeds had in fewer sections), saved and read back as they are."""
    from dataclasses import replace

    from syndicate.model import StorySummary

    summary = replace(
        StorySummary.of(sample_story),
        former_sections=("harbour", "world"),
        former_by_language=(("en", ()), ("fr", ("world",))),
    )
    assert summary.former_sections_for("en") == ()
    assert summary.former_sections_for("fr") == ("world",)
    assert summary.former_sections_for("ar") == ("harbour", "world")
    data = json.loads(json.dumps(summary.to_json()))
    assert data["former_by_language"] == {"en": [], "fr": ["world"]}
    assert StorySummary.from_json(data) == summary


def test_an_edit_writes_the_sections_of_the_stories_it_changed_not_all(tmp_path: Path) -> None:
    """The sections each story was public in are saved row by row as they change: an edit
    of one story of a large archive writes its row, not one per story (as the units and
    stories are: docs/performance.md)."""
    from syndicate.build.state import BuildState

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    state = BuildState(out, folder)
    for n in range(50):
        state.record_shown_in(f"story-{n}", ("local",))
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    assert state.shown_in["story-7"] == ("local",)
    state.record_shown_in("story-7", ("harbour", "local"))
    written: list[str] = []
    state.db.set_trace_callback(written.append)
    state.save(lambda path: path, [], [], None)
    state.close()
    assert sum("INTO shown_in" in statement for statement in written) == 1
    state = BuildState(out, folder)
    assert state.shown_in["story-7"] == ("harbour", "local")
    assert state.shown_in["story-8"] == ("local",)
    state.close()


@pytest.mark.parametrize(
    "damage",
    [
        "5",
        "null",
        '"local"',
        "[1]",
        '{"a": 1}',
        '{"rss": "local"}',
        "[",
        '{"rss": {"en": "local"}}',
        '{"rss": {"en": [1]}}',
        '{"rss": {}}',
        '{"rss": ["local"], "atom": {"en": null}}',
    ],
)
def test_a_damaged_row_of_sections_is_forgotten_not_a_traceback(
    tmp_path: Path, damage: str
) -> None:
    """A row of the state's sections that does not hold a list of names (a damaged file) is
    forgotten, that story's alone: the build goes on knowing the section it is in now."""
    from syndicate.build.state import STATE_FILE, BuildState

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    BuildState(out, folder).close()
    db = sqlite3.connect(folder / STATE_FILE)
    with db:
        db.execute("INSERT INTO shown_in VALUES ('bad', ?)", (damage,))
        db.execute("INSERT INTO shown_in VALUES ('good', ?)", ('["local"]',))
    db.close()
    state = BuildState(out, folder)
    try:
        assert state.shown_in == {"good": ("local",)}
    finally:
        state.close()


def test_an_edit_writes_the_history_of_the_stories_it_changed_not_all(tmp_path: Path) -> None:
    """The history and the files each story was read from are saved row by row as they
    change, as the sections are: an edit of one story of a large archive writes its two
    rows, not two per story of the archive (docs/performance.md)."""
    from dataclasses import replace

    from syndicate.build.state import BuildState, Published

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    state = BuildState(out, folder)
    for n in range(50):
        published = Published(1, "usable", f"d{n}", True, public=True, sources=f"s{n}", code="c")
        state.record_history(f"story-{n}", published)
    state.save(lambda path: path, [], [], None)
    state.close()
    state = BuildState(out, folder)
    edited = replace(state.history["story-7"], version=2, digest="e7", sources="t7")
    assert state.history["story-8"].sources == "s8"
    state.record_history("story-7", edited)
    state.record_history("story-8", state.history["story-8"])  # found as it was
    written: list[str] = []
    state.db.set_trace_callback(written.append)
    state.save(lambda path: path, [], [], None)
    state.close()
    assert sum("INTO history" in statement for statement in written) == 1
    assert sum("INTO read_from" in statement for statement in written) == 1
    state = BuildState(out, folder)
    assert state.history["story-7"] == edited
    assert state.history["story-8"] == Published(
        1, "usable", "d8", True, public=True, sources="s8", code="c"
    )
    assert len(state.history) == 50
    state.close()


@pytest.mark.parametrize(
    "damage",
    [
        "version = NULL",
        "version = 'one'",
        "status = NULL",
        "digest = X'ff'",
        "released = NULL",
        "released = 7",
        "id = X'ff'",
    ],
)
def test_a_damaged_row_of_the_history_is_forgotten_not_a_traceback(
    tmp_path: Path, damage: str
) -> None:
    """A row of the state's history that does not hold a version, a status, a digest and one
    of its `released` values (a damaged file) is forgotten, that story's alone, where it was a
    traceback for every export (or a status "None"); a `read_from` row that holds no key reads
    as not known. Saved again by the story's next build, row by row."""
    from dataclasses import replace

    from syndicate.build.state import STATE_FILE, BuildState, Published

    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    state = BuildState(out, folder)
    good = Published(3, "usable", "d", True, public=True, sources="s", code="c")
    for ident in ("bad", "good", "unread"):
        state.record_history(ident, good)
    state.save(lambda path: path, [], [], None)
    state.close()
    db = sqlite3.connect(folder / STATE_FILE)
    with db:
        db.execute(f"UPDATE history SET {damage} WHERE id = 'bad'")
        db.execute("UPDATE read_from SET sources = X'ff' WHERE id = 'unread'")
    db.close()
    state = BuildState(out, folder)
    try:
        assert state.history == {"good": good, "unread": replace(good, sources="", code="")}
        state.record_history("bad", replace(good, version=4))  # its next build
        state.save(lambda path: path, [], [], None)
    finally:
        state.close()
    state = BuildState(out, folder)
    try:
        assert state.history["bad"] == replace(good, version=4)
    finally:
        state.close()


def test_a_story_whose_section_is_remembered_costs_no_visibility_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run looks at the sections of every story of the archive: a public story whose
    section the build state already remembers (nearly all of an archive's) is taken as it
    is, with no visibility check, set or sort (docs/performance.md: an edit pays for what it
    changed); so is one in fewer languages than the site's (its shape of sections, one
    language's, does not cover the others, which it does not have)."""
    from syndicate.build.engine import _Build
    from syndicate.model.summary import StorySummary

    site = shutil.copytree(FIXTURE, tmp_path / "site")
    _new_story_in_harbour(site)
    (site / "articles" / NEW_QUAY / "fr.md").unlink()
    assert export_site(site, "-f", "atom") == 0
    checked: list[str] = []
    worked: list[str] = []  # (the stories `_note_sections` worked out one by one)
    inside = [False]
    note, visible = _Build._note_sections, StorySummary.is_visible
    one_by_one = _Build._sections_of

    def noting(self: _Build) -> None:
        inside[0] = True
        try:
            note(self)
        finally:
            inside[0] = False

    def looking(self: StorySummary, now: datetime) -> bool:
        if inside[0]:
            checked.append(self.slug)
        return visible(self, now)

    def working(self: _Build, summary: StorySummary, formats: Any) -> Any:
        worked.append(summary.slug)
        return one_by_one(self, summary, formats)

    monkeypatch.setattr(_Build, "_note_sections", noting)
    monkeypatch.setattr(_Build, "_sections_of", working)
    monkeypatch.setattr(StorySummary, "is_visible", looking)
    _set(site, PUBLIC, version="2", updated="2026-02-01T10:00:00Z")
    assert export_site(site, "-f", "atom") == 0
    for slug in (PUBLIC, CORRECTED, NEW_QUAY):  # (each taken as it is: two lookups)
        assert slug not in checked, slug
        assert slug not in worked, slug


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        (
            "first_created",
            "2026-03-03T10:00:00+01:00",
            "published (2026-03-02T08:15:00+00:00) is earlier than first_created"
            " (2026-03-03T10:00:00+01:00): a story is first created, then published; correct the"
            " one that is wrong (a year, a day or an offset)",
        ),
        (
            "updated",
            "2026-03-01T10:00:00+01:00",
            "updated (2026-03-01T10:00:00+01:00) is earlier than published"
            " (2026-03-02T08:15:00+00:00); updated must be >= published: set it to the time of"
            " this version (of the change it makes), or check its year, day and offset",
        ),
    ],
)
def test_dates_out_of_order_say_both_dates_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: str, said: str
) -> None:
    """ "published is earlier than first_created", at published's line: neither date, nor
    which one to correct (the other is lines away, in another field)."""
    site = tmp_path / "site"
    now = "2026-03-02T08:15:00Z"
    assert main(["init", str(site), "--url", "https://harbour.news/", "--now", now]) == 0
    (story,) = site.glob("articles/*/story.yaml")
    lines = [line for line in story.read_text("utf-8").splitlines() if not line.startswith(field)]
    lines.append(f"{field}: {value}")
    story.write_text("\n".join(lines) + "\n", "utf-8")
    capsys.readouterr()
    assert main(["validate", "--site", str(site), "--now", now]) == 2
    err = capsys.readouterr().err
    assert f"error: {said} [article.date-order]" in err, err
