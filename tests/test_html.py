"""The html writer: page structure, hreflang and canonical links, Open Graph, embedded JSON-LD
that cannot be broken out of, indexes, published images, validation, goldens, determinism."""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel import localedata
from conftest import REPO, SAMPLE_SLUG, SAMPLE_V, export_stories
from lxml import html as lxml_html
from test_jsonld import assert_same_files, export_articles, sample_copy, set_front_matter

from syndicate.cli import main
from syndicate.i18n.locales import direction, script
from syndicate.i18n.terms import term, translated
from syndicate.model import Story
from syndicate.model.story import Correction, Localized, RelatedLink
from syndicate.readers.schemas import check

LANGS = ("en", "ar", "de", "es", "fr", "zh-Hans")
BASE = "https://ycpress.example/syndicate/"


@pytest.fixture
def out(export_sample: Any) -> Path:
    result: Path = export_sample("html")
    return result


def page(out: Path, lang: str, name: str | None = None) -> Any:
    path = out / "html" / (name or f"{SAMPLE_SLUG}.{lang}.html")
    return lxml_html.fromstring(path.read_bytes())


def embedded(doc: Any) -> dict[str, Any]:
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    data: dict[str, Any] = json.loads(script.text)
    return data


def test_files(out: Path) -> None:
    names = sorted(
        p.relative_to(out / "html").as_posix() for p in (out / "html").rglob("*") if p.is_file()
    )
    assert names == sorted(
        [f"{SAMPLE_SLUG}.{lang}.html" for lang in LANGS]
        + [f"index.{lang}.html" for lang in LANGS]
        + [f"{lang}/politics.html" for lang in LANGS]  # the section's story list
        + [
            "index.html",
            f"media/{SAMPLE_SLUG}/nato-iraq-mission.png",
            "media/site/icon.png",
            "media/site/logo.png",
        ]
    )
    assert (out / "html/media/site/logo.png").read_bytes() == (
        REPO / "articles/_site/logo.png"
    ).read_bytes()


@pytest.mark.parametrize("lang", LANGS)
def test_hreflang_set_is_the_story_languages(out: Path, lang: str, sample_story: Story) -> None:
    doc = page(out, lang)
    links = {a.get("hreflang"): a.get("href") for a in doc.xpath("//head/link[@hreflang]")}
    assert set(links) == set(sample_story.languages) | {"x-default"}
    for tag in sample_story.languages:
        assert links[tag] == f"{BASE}html/{SAMPLE_SLUG}.{tag}.html"
    assert links["x-default"] == links["en"]
    (canonical,) = doc.xpath('//link[@rel="canonical"]/@href')
    assert canonical == links[lang]


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl"), ("zh-Hans", "ltr")])
def test_language_and_direction(out: Path, lang: str, direction: str) -> None:
    doc = page(out, lang)
    assert doc.get("lang") == lang
    assert doc.get("dir") == direction
    assert embedded(doc)["@graph"][3]["inLanguage"] == lang


def test_article_content(out: Path, sample_story: Story) -> None:
    doc = page(out, "fr")
    variant = sample_story.variant("fr")
    assert doc.xpath("string(//h1)") == variant.headline
    assert doc.xpath("string(//title)") == f"{variant.headline} – YCPress"
    assert doc.xpath('string(//p[@class="byline"])') == "Par YCPress"
    assert doc.xpath('string(//p[@class="summary"])') == variant.summary
    assert doc.xpath('string(//p[@class="kicker"])') == "Politique"
    assert doc.xpath('//p[@class="kicker"]/a/@href') == ["fr/politics.html"]
    (time,) = doc.xpath('//p[@class="dateline"]/time')
    assert time.get("datetime") == "2021-02-18T19:30:00+01:00"
    assert time.text == "18 février 2021"
    assert doc.xpath('string(//p[@class="dateline"])') == "Bruxelles, 18 février 2021"
    assert len(doc.xpath('//div[@class="body"]/h2')) == 2
    (figure,) = doc.xpath('//div[@class="body"]//figure')
    assert figure.xpath("img/@src") == [f"media/{SAMPLE_SLUG}/nato-iraq-mission.png{SAMPLE_V}"]
    assert "Crédit" in figure.xpath("string(figcaption)") or figure.xpath("figcaption/small")
    (related,) = doc.xpath('//section[contains(@class, "related")]//a')
    assert related.get("href").startswith("https://ycpress.example/2021/02/")


def test_relative_links_resolve(out: Path) -> None:
    for path in (out / "html").glob("*.html"):
        doc = lxml_html.fromstring(path.read_bytes())
        for ref in doc.xpath("//img/@src | //a/@href | //link[@rel='icon']/@href"):
            if ref.startswith("#"):  # the page itself (the skip link's `#main`)
                assert doc.xpath(f"//*[@id='{ref[1:]}']"), f"{path.name}: {ref}"
            elif not ref.startswith("http"):  # (an image's `?v=<digest>` is no part of its path)
                assert (out / "html" / urlsplit(ref).path).is_file(), f"{path.name}: {ref}"


def test_open_graph(out: Path) -> None:
    doc = page(out, "zh-Hans")

    def og(prop: str) -> list[str]:
        return [str(v) for v in doc.xpath(f'//meta[@property="{prop}"]/@content')]

    assert og("og:type") == ["article"]
    assert og("og:locale") == ["zh_CN"]
    assert sorted(og("og:locale:alternate")) == ["ar_EG", "de_DE", "en_US", "es_ES", "fr_FR"]
    assert og("og:url") == [f"{BASE}html/{SAMPLE_SLUG}.zh-Hans.html"]
    assert og("og:image") == [f"{BASE}html/media/{SAMPLE_SLUG}/nato-iraq-mission.png{SAMPLE_V}"]
    assert og("article:published_time") == ["2021-02-18T19:30:00+01:00"]
    assert og("article:modified_time") == ["2021-02-18T19:30:00+01:00"]
    assert og("article:section") == ["政治"]
    assert og("og:title") == [doc.xpath("string(//h1)")]


def test_links_to_epub_and_feeds(out: Path) -> None:
    doc = page(out, "de")
    hrefs = set(doc.xpath("//a/@href | //link/@href"))
    assert f"{BASE}epub/{SAMPLE_SLUG}.de.epub" in hrefs
    assert f"{BASE}atom/de.xml" in hrefs
    assert f"{BASE}rss/de.xml" in hrefs
    assert doc.xpath('//link[@type="application/atom+xml"]/@href') == [f"{BASE}atom/de.xml"]


def test_translations_nav(out: Path) -> None:
    doc = page(out, "en")
    links = doc.xpath('//nav[contains(@class, "translations")]//a')
    assert {a.get("hreflang") for a in links} == set(LANGS) - {"en"}
    arabic = next(a for a in links if a.get("hreflang") == "ar")
    assert arabic.text == "العربية"
    assert arabic.get("lang") == "ar"
    assert arabic.get("href") == f"{SAMPLE_SLUG}.ar.html"


def test_embedded_jsonld_equals_the_jsonld_file(export_sample: Any) -> None:
    out = export_sample("html", "jsonld")
    for lang in LANGS:
        from_file = json.loads((out / f"jsonld/{SAMPLE_SLUG}.{lang}.jsonld").read_text("utf-8"))
        assert embedded(page(out, lang)) == from_file


def test_indexes(out: Path) -> None:
    doc = page(out, "ar", "index.ar.html")
    assert doc.get("dir") == "rtl"
    (link,) = doc.xpath('//ul[@class="stories"]//h2/a')
    assert link.get("href") == f"{SAMPLE_SLUG}.ar.html"
    # The story's section leads to the section's list in the page's language.
    (section,) = doc.xpath('//ul[@class="stories"]//p[@class="kicker"]/a')
    assert (section.get("href"), section.text) == ("ar/politics.html", "سياسة")
    hreflangs = set(doc.xpath("//head/link/@hreflang"))
    assert hreflangs == set(LANGS) | {"x-default"}
    graph = embedded(doc)["@graph"]
    assert graph[2]["@type"] == "CollectionPage"
    assert graph[2]["mainEntity"]["itemListElement"][0]["url"] == (
        f"{BASE}html/{SAMPLE_SLUG}.ar.html"
    )
    home = page(out, "en", "index.html")
    sections = home.xpath('//section[@class="language"]')
    assert [s.get("lang") for s in sections] == ["en", "fr", "ar", "zh-Hans", "de", "es"]
    assert all(s.xpath(".//ul[@class='stories']/li") for s in sections)


def test_validate_outputs(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    path = out / "html" / f"{SAMPLE_SLUG}.es.html"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"inLanguage": "es"', '"inLanguage": "es_ES"'), "utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(out)]) != 0
    err = capsys.readouterr().err
    assert f"{path}:" in err
    assert "[jsonld.schema]" in err
    assert "[html.lang]" in err


def test_reexport_is_byte_identical(export_sample: Any) -> None:
    assert_same_files(export_sample("html"), export_sample("html"))


def test_partial_language_run_writes_the_same_pages(export_sample: Any) -> None:
    full, partial = export_sample("html"), export_sample("html", extra=("--lang", "fr"))
    name = f"html/{SAMPLE_SLUG}.fr.html"
    assert (partial / name).read_bytes() == (full / name).read_bytes()
    assert not (partial / f"html/{SAMPLE_SLUG}.en.html").exists()


def test_golden(out: Path, golden: Any, tmp_path: Path) -> None:
    """The pages, the section pages in their languages' folders too; the media are byte
    copies of the inputs (checked in test_files)."""
    pages = tmp_path / "pages"
    for path in (out / "html").rglob("*.html"):
        rel = path.relative_to(out / "html")
        (pages / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, pages / rel)
    golden(pages, "html")


# Script-breaking text -------------------------------------------------------------------------

HOSTILE = 'Troops </script><script>alert("x")</script> <!-- & -->'


class _Scripts(html.parser.HTMLParser):
    """How a browser's tokenizer splits the page: every <script> and its raw text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str | None, str]] = []
        self._type: str | None = None
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._type, self._open = dict(attrs).get("type"), True
            self.scripts.append((self._type, ""))

    def handle_data(self, data: str) -> None:
        if self._open:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = False


def test_script_breaking_text_stays_inside_the_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    set_front_matter(story, "en", "headline", HOSTILE)
    set_front_matter(story, "en", "summary", "<!-- " + HOSTILE)
    out = tmp_path / "out"
    assert export_articles(story.parent, out, "html") == 0
    text = (out / "html" / f"{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(text)
    assert [kind for kind, _ in parser.scripts] == ["application/ld+json"]
    raw = parser.scripts[0][1]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json.loads(raw)
    assert data["@graph"][3]["headline"] == HOSTILE
    assert data["@graph"][3]["description"] == "<!-- " + HOSTILE
    assert list(check(data, "jsonld.schema.json")) == []
    doc = lxml_html.fromstring(text.encode("utf-8"))
    assert doc.xpath("string(//h1)") == HOSTILE
    # The translations that link to it carry its headline too.
    french = (out / "html" / f"{SAMPLE_SLUG}.fr.html").read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(french)
    assert [kind for kind, _ in parser.scripts] == ["application/ld+json"]


def test_shared_checker_accepts_hostile_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_dir: Path
) -> None:
    from test_jsonld import run_checker

    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    set_front_matter(story, "en", "headline", HOSTILE)
    assert export_articles(story.parent, tmp_path / "out", "html") == 0
    result = run_checker(shared_dir, [tmp_path / "out/html" / f"{SAMPLE_SLUG}.en.html"])
    assert "JSON001" not in result.stdout
    assert result.returncode == 0, result.stdout


def test_story_without_translations_or_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    story = sample_copy(tmp_path)
    for lang in ("ar", "de", "es", "fr", "zh-Hans"):
        (story / f"{lang}.md").unlink()
    shutil.rmtree(story / "images")
    en = (story / "en.md").read_text(encoding="utf-8")
    (story / "en.md").write_text(en.replace("![](images/nato-iraq-mission.png)\n", ""), "utf-8")
    facts = (story / "story.yaml").read_text(encoding="utf-8")
    (story / "story.yaml").write_text(
        facts.split("images:\n")[0] + "related:\n" + facts.split("related:\n")[1], "utf-8"
    )
    out = tmp_path / "out"
    assert export_articles(story.parent, out, "html") == 0
    doc = page(out, "en")
    assert set(doc.xpath("//head/link/@hreflang")) == {"en", "x-default"}
    assert not doc.xpath('//nav[contains(@class, "translations")]')
    assert not doc.xpath('//meta[@property="og:image"]')
    assert doc.xpath('//meta[@name="twitter:card"]/@content') == ["summary"]  # no photo
    data = embedded(doc)
    assert "workTranslation" not in data["@graph"][3]
    assert list(check(data, "jsonld.schema.json")) == []


def test_story_lists_are_paged(tmp_path: Path) -> None:
    """`html.page_size` stories a page, newest first; each page links its neighbours, only
    the first pages are translations of each other, and the home page shows first pages."""
    from bench.corpus import generate

    (tmp_path / "site").mkdir()
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles/_site" / name, tmp_path / "site" / name)
    (tmp_path / "syndicate.yaml").write_text(
        "publisher: {name: YCPress, url: 'https://ycpress.example/', logo: site/logo.png}\n"
        f"base_url: {BASE}\ntimezone: Europe/Paris\nlanguages: [en, fr]\n"
        "html: {page_size: 3}\n",
        encoding="utf-8",
    )
    generate(tmp_path / "articles", 7, ("en", "fr"))
    out = tmp_path / "out"
    code = main(
        [
            "export",
            "-q",
            "-f",
            "html",
            "--out",
            str(out),
            "--now",
            "2026-01-01T00:00:00Z",
            "--config",
            str(tmp_path / "syndicate.yaml"),
            "--articles",
            str(tmp_path / "articles"),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in (out / "html").glob("index*.html"))
    assert names == [
        "index.en.2.html",
        "index.en.3.html",
        "index.en.html",
        "index.fr.2.html",
        "index.fr.3.html",
        "index.fr.html",
        "index.html",
    ]
    listed = []
    for name in ("index.en.html", "index.en.2.html", "index.en.3.html"):
        doc = page(out, "en", name)
        listed += doc.xpath('//ul[@class="stories"]/li//h2/a/@href')
        assert doc.xpath("//link[@rel='canonical']/@href") == [f"{BASE}html/{name}"]
        hreflang = doc.xpath("//link[@rel='alternate'][@hreflang]/@hreflang")
        assert hreflang == (["en", "fr", "x-default"] if name == "index.en.html" else [])
        # The language menu of page 2 and later leads to the first page in French, which is
        # no translation of it: no rel="alternate" there either (the head said none).
        nav = doc.xpath("//nav[contains(@class, 'translations')]//a")
        assert [a.get("href") for a in nav] == ["index.fr.html"]
        assert [a.get("rel") for a in nav] == (["alternate"] if name == "index.en.html" else [None])
        assert doc.xpath("//a[@class='brand']/@href") == ["index.en.html"]
    assert len(listed) == 7 == len(set(listed))  # every story once, in three pages
    full = page(out, "en", "index.en.html")
    assert full.xpath("//title/text()") == ["Latest news – YCPress"]
    pager = full.xpath("//nav[@class='pager']")[0]
    assert pager.get("aria-label") == "Pages"
    assert pager.xpath(".//a/@rel") == ["next"]
    assert pager.xpath(".//a/@href") == ["index.en.2.html"]
    middle = page(out, "en", "index.en.2.html")
    assert middle.xpath("//title/text()") == ["Latest news – Page 2 – YCPress"]
    assert middle.xpath("//nav[@class='pager']//a/@href") == ["index.en.html", "index.en.3.html"]
    assert middle.xpath("//nav[@class='pager']//a/@rel") == ["prev", "next"]
    assert middle.xpath("//nav[@class='pager']//span[@aria-current='page']/text()") == ["Page 2"]
    last = page(out, "fr", "index.fr.3.html")
    assert last.xpath("//nav[@class='pager']//a/text()") == ["Articles plus récents"]
    home = page(out, "en", "index.html")
    assert len(home.xpath("//section[@lang='en']//ul[@class='stories']/li")) == 3
    assert home.xpath("//section[@lang='fr']/p[@class='more']/a/@href") == ["index.fr.2.html"]
    assert not home.xpath("//nav[@class='pager']")  # the home page links the next pages
    # Every page passes the html format's own check (one JSON-LD block of the page's language
    # that the schema accepts), the numbered pages included.
    check = ["validate", "-q", "--site", str(tmp_path), "--outputs", str(out)]
    assert main([*check, "--now", "2026-01-01T00:00:00Z"]) == 0


def test_a_text_borrowed_from_the_original_says_its_language(
    sample_story: Story, site_config: Any
) -> None:
    """A translation without its own caption, correction note or related link title shows
    the original's: it had no `lang` or `dir`, so a screen reader read Arabic with an English
    voice and an English page laid the Arabic out left to right. A rights notice given once
    for every language (its language unknown) keeps its own direction (`dir="auto"`)."""
    arabic_only = Localized((("ar", "نمو GPT-4 من 500 إلى 4000"),))
    story = replace(
        sample_story,
        original_lang="ar",
        images=tuple(replace(i, caption=arabic_only) for i in sample_story.images),
        correction=Correction(arabic_only, sample_story.source),
        related=(RelatedLink("https://example.org/x", arabic_only),),
        rights=replace(sample_story.rights, notice=Localized.same("© 2021 YCPress.")),
    )
    files, _ = export_stories([story], site_config, "html", "epub")
    english = files[f"html/{SAMPLE_SLUG}.en.html"].decode("utf-8")
    borrowed = '<span lang="ar" dir="rtl">نمو GPT-4 من 500 إلى 4000</span>'
    assert borrowed in english  # the caption
    assert '<p lang="ar" dir="rtl">نمو GPT-4' in english  # the correction note
    assert '<a href="https://example.org/x" lang="ar" dir="rtl">' in english
    assert '<p dir="auto">© 2021 YCPress.</p>' in english
    arabic = files[f"html/{SAMPLE_SLUG}.ar.html"].decode("utf-8")
    assert "<span lang=" not in arabic and '<p lang="ar"' not in arabic  # its own: unmarked
    book = zipfile.ZipFile(io.BytesIO(files[f"epub/{SAMPLE_SLUG}.en.epub"]))
    chapter = next(book.read(n).decode("utf-8") for n in book.namelist() if "/story-" in n)
    assert '<span lang="ar" xml:lang="ar" dir="rtl">نمو' in chapter
    assert 'dir="auto"' in chapter and "© 2021 YCPress." in chapter


def test_a_time_element_says_the_day_its_words_say(sample_story: Story, site_config: Any) -> None:
    """A story of Asia/Kolkata whose dates were written in another offset: the dateline read
    "19 February 2021" while its `<time datetime>` kept the file's offset and said the 18th.
    The instant is written at the offset of the story's zone (in the indexes too)."""
    story = replace(sample_story, timezone="Asia/Kolkata")  # published 18:30 UTC: the 19th there
    files, _ = export_stories([story], site_config, "html")
    page = files[f"html/{SAMPLE_SLUG}.en.html"].decode("utf-8")
    assert '<time datetime="2021-02-19T00:00:00+05:30"' in page
    assert "2021-02-18T19:30:00+01:00" not in page.split("</head>", 1)[1].split("<script", 1)[0]
    index = files["html/index.en.html"].decode("utf-8")
    assert '<time datetime="2021-02-19T00:00:00+05:30">' in index


def test_a_page_links_its_story_book_only_when_the_site_makes_story_books(tmp_path: Path) -> None:
    """`epub.story_books: false` makes the editions alone: a page linking its story's book
    would link a file that is never written."""
    from sites import Site

    site = Site(tmp_path)
    page = site.out / "html" / f"{SAMPLE_SLUG}.fr.html"
    book = f"epub/{SAMPLE_SLUG}.fr.epub"
    site.export("html", "epub")
    assert (site.out / book).is_file() and book.encode() in page.read_bytes()
    site.configure("epub:\n  story_books: false\n")
    site.export("html", "epub")
    assert not (site.out / book).exists()
    assert b"application/epub+zip" not in page.read_bytes()
    assert b".epub" not in page.read_bytes()


def test_a_page_links_only_the_feeds_its_language_has(tmp_path: Path) -> None:
    """`feeds.languages` gives some languages no Atom or RSS feed: the pages and story lists
    of the others linked feeds that are never written (a full run warned of none)."""
    from sites import BASE as SITE
    from sites import Site

    site = Site(tmp_path)
    site.configure("feeds:\n  languages: [en, ar]\n")
    site.export("html", "atom", "rss")
    base = SITE.encode()
    for path in sorted((site.out / "html").glob("*.html")):
        data = path.read_bytes()
        lang = path.name.split(".")[-2]
        for href in lxml_html.fromstring(data).xpath("//a/@href | //link/@href"):
            if href.startswith(SITE) and href.removeprefix(SITE).startswith(("atom/", "rss/")):
                assert (site.out / href.removeprefix(SITE)).is_file(), f"{path.name}: {href}"
        if path.name == "index.html":
            continue
        linked = lang in ("en", "ar")
        assert (base + f"atom/{lang}.xml".encode() in data) is linked, path.name
        assert (base + f"rss/{lang}.xml".encode() in data) is linked, path.name
        assert (b'type="application/rss+xml"' in data) is linked, path.name
    assert not (site.out / "atom/fr.xml").exists()


def test_the_feeds_section_is_read_once_per_run_not_per_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every story's pages link their language's feeds: the `feeds` section is converted once
    for a run (each story has a context of its own, and workers a copy of the configuration),
    and again only when that section or the languages change."""
    import copy
    import pickle
    from datetime import UTC, datetime

    from syndicate.diagnostics import Diagnostics
    from syndicate.formats import options as format_options
    from syndicate.formats.contract import Context
    from syndicate.formats.html import writer
    from syndicate.formats.html.writer import HtmlOptions, feed_languages
    from syndicate.readers.config import load_config

    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    calls: list[str] = []
    real = format_options.convert_section

    def counting(section: str, *args: Any) -> Any:
        calls.append(section)
        return real(section, *args)

    monkeypatch.setattr(format_options, "convert_section", counting)
    if hasattr(writer, "_feed_languages"):  # a cache another test may have filled
        writer._feed_languages.cache_clear()

    def run(config: Any, languages: tuple[str, ...]) -> tuple[str, ...]:
        now = datetime(2026, 12, 4, tzinfo=UTC)
        ctx = Context(config, now, languages, HtmlOptions(), Diagnostics(), "html")
        return feed_languages(ctx)

    langs = config.languages
    for _ in range(50):  # fifty stories, some in a worker with the configuration pickled
        assert run(config, langs) == langs
        assert run(pickle.loads(pickle.dumps(config)), langs) == langs
    assert calls == ["feeds"]
    assert run(config, ("en", "fr")) == ("en", "fr")  # another run's languages
    some = copy.deepcopy(config)
    some.sections["feeds"] = {"languages": ["en", "ar"]}
    assert run(some, langs) == ("en", "ar")  # another feeds section
    assert calls == ["feeds"] * 3


def test_the_index_stays_when_the_last_public_story_is_killed(
    sample_stories: list[Story], site_config: Any
) -> None:
    """A site whose only public story was killed wrote its notice pages, linking to
    `index.<lang>.html`, and no index: every page's link to its list was dead."""
    (story,) = [s for s in sample_stories if s.slug == SAMPLE_SLUG]
    killed = replace(story, status="canceled", version=story.version + 1)
    files, diags = export_stories([killed], site_config, "html")
    notice = files[f"html/{SAMPLE_SLUG}.en.html"].decode()
    assert 'href="index.en.html"' in notice
    assert "html/index.html" in files
    for lang in story.languages:
        index = lxml_html.fromstring(files[f"html/index.{lang}.html"])
        assert index.xpath("//ul[@class='stories']/li") == [], "an empty list, not a dead link"
    assert not diags.errors


def test_a_list_without_stories_says_so_in_its_language(
    sample_stories: list[Story], site_config: Any
) -> None:
    """A language whose last story was killed showed its list's heading over nothing, on its
    list page and on the home page: the list now says, in the page's language, that it has no
    stories yet (the term no_stories, every language's own)."""
    (story,) = [s for s in sample_stories if s.slug == SAMPLE_SLUG]
    killed = replace(story, status="canceled", version=story.version + 1)
    files, diags = export_stories([killed], site_config, "html")
    assert not diags.errors
    home = lxml_html.fromstring(files["html/index.html"])
    for lang in story.languages:
        expected = term("no_stories", lang)
        assert translated("no_stories", lang), lang
        index = lxml_html.fromstring(files[f"html/index.{lang}.html"])
        (main,) = index.xpath("//main")
        assert [p.text_content() for p in main.xpath("p[@class='no-stories']")] == [expected]
        assert not main.xpath(".//ul[@class='stories']")  # no empty list either
        for section in home.xpath(f"//section[@lang='{lang}']"):
            assert section.xpath("p[@class='no-stories']/text()") == [expected], lang


def test_every_list_of_languages_follows_the_sites_order(
    sample_stories: list[Story], site_config: Any
) -> None:
    """A story page listed its translations (and its hreflang alternates, Open Graph locales
    and JSON-LD workTranslation) in its files' alphabetical order, the story lists in the
    order of syndicate.yaml's languages: a reader found them in two orders. All follow the
    site's order now."""
    (story,) = [s for s in sample_stories if s.slug == SAMPLE_SLUG]
    order = list(site_config.languages)
    assert order != sorted(order)  # the sample site's order is not alphabetical
    files, diags = export_stories([story], site_config, "html", "jsonld", "sitemap")
    assert not diags.errors

    def others(tags: list[str], lang: str) -> list[str]:
        return [t for t in tags if t not in {lang, "x-default"}]

    for lang in story.languages:
        want = [t for t in order if t != lang]
        for name in (f"html/{SAMPLE_SLUG}.{lang}.html", f"html/index.{lang}.html"):
            doc = lxml_html.fromstring(files[name])
            nav = doc.xpath("//nav[contains(@class, 'translations')]//a/@hreflang")
            assert others(nav, lang) == want, name
            hreflang = doc.xpath("//link[@rel='alternate'][@hreflang]/@hreflang")
            assert others(hreflang, lang) == want, name
        page = lxml_html.fromstring(files[f"html/{SAMPLE_SLUG}.{lang}.html"])
        locales = page.xpath("//meta[@property='og:locale:alternate']/@content")
        assert [loc.split("_")[0] for loc in locales] == [t.split("-")[0] for t in want]
    graph = json.loads(files[f"jsonld/{SAMPLE_SLUG}.{story.original_lang}.jsonld"])
    (article,) = [n for n in graph["@graph"] if n["@type"] == "NewsArticle"]
    translated = [w["@id"].split(".")[-2] for w in article["workTranslation"]]
    assert translated == [t for t in order if t != story.original_lang]
    sitemap = lxml_html.etree.fromstring(files["sitemaps/pages.xml"])
    for url in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}url"):
        links = url.findall("{http://www.w3.org/1999/xhtml}link")
        assert others([link.get("hreflang") for link in links], "") == order


def test_every_page_begins_with_a_link_past_the_masthead(
    sample_stories: list[Story], site_config: Any
) -> None:
    """Pages had no skip link: a keyboard or switch user tabbed through the masthead on every
    page. The first focusable element of every page (story, list, home, section, notice) is
    a link to its `<main>`, in the page's language (test_html_a11y drives it in Chromium)."""
    (story,) = [s for s in sample_stories if s.slug == SAMPLE_SLUG]
    killed = replace(story, status="canceled", version=story.version + 1)
    for stories in ([story], [killed]):
        files, diags = export_stories(stories, site_config, "html")
        assert not diags.errors
        for name, body in files.items():
            if not name.endswith(".html"):
                continue
            doc = lxml_html.fromstring(body)
            (main,) = doc.xpath("//main")
            first = doc.xpath("//body//*[self::a or self::button or self::input][1]")[0]
            assert first.get("class") == "skip-link", name
            base = "".join(doc.xpath("//base/@href"))
            href = first.get("href")
            assert href.endswith(f"#{main.get('id')}") and main.get("id"), name
            if base:  # a section page: written as from out/html/, to the page itself
                assert href == f"{name.removeprefix('html/')}#{main.get('id')}", name
            else:
                assert href == f"#{main.get('id')}", name
            lang = doc.get("lang")
            assert first.text_content() == term("skip_to_content", lang), name


def test_a_notice_page_isolates_the_publishers_name(
    sample_stories: list[Story], site_config: Any
) -> None:
    """The notice at a killed story's address names the publisher in a phrase of the page's
    language: on an Arabic page, "حذفت YCPress Ltd. هذا الخبر." showed the Latin name's full
    stop before it (".YCPress Ltd"), as an isolated name (the byline's) never does. The name
    is a bidi isolate, in the page's text and its description alike."""
    (story,) = [s for s in sample_stories if s.slug == SAMPLE_SLUG]
    killed = replace(story, status="canceled", version=story.version + 1)
    config = replace(site_config, publisher=replace(site_config.publisher, name="YCPress Ltd."))
    files, diags = export_stories([killed], config, "html")
    assert not diags.errors
    for lang in story.languages:
        doc = lxml_html.fromstring(files[f"html/{SAMPLE_SLUG}.{lang}.html"])
        (text,) = doc.xpath("//article[@class='notice']/p")
        assert "\u2068YCPress Ltd.\u2069" in text.text_content(), lang
        (description,) = doc.xpath("//meta[@name='description']/@content")
        assert description == text.text_content()


def test_the_publishers_name_keeps_its_own_direction_on_right_to_left_pages(
    sample_stories: list[Story], site_config: Any
) -> None:
    """The masthead of every Arabic page, and the home page's heading when the site's first
    language is Arabic, showed "YCPress Ltd." as ".YCPress Ltd": the Latin name took the
    page's direction, its full stop going to the other end. Both are isolated now (`dir="auto"`
    on the masthead's name, `<bdi>` in the heading), as the byline's names are."""
    config = replace(
        site_config,
        publisher=replace(site_config.publisher, name="YCPress Ltd."),
        languages=("ar", *(tag for tag in site_config.languages if tag != "ar")),
    )
    files, diags = export_stories(sample_stories, config, "html")
    assert not diags.errors
    home = lxml_html.fromstring(files["html/index.html"])
    assert home.get("dir") == "rtl"
    assert home.xpath("//h1/bdi/text()") == ["YCPress Ltd."]
    for name in (f"html/{SAMPLE_SLUG}.ar.html", "html/index.ar.html", "html/ar/politics.html"):
        doc = lxml_html.fromstring(files[name])
        (brand,) = doc.xpath("//a[@class='brand']/span")
        assert (brand.get("dir"), brand.text) == ("auto", "YCPress Ltd."), name


def test_a_right_to_left_pages_title_and_description_keep_the_publishers_name_whole(
    sample_stories: list[Story], site_config: Any
) -> None:
    """A browser shows a page's `<title>` in the page's direction (the tab, the history, a
    search result): on an Arabic page "آخر الأخبار – YCPress Ltd." showed the Latin name's full
    stop before it, ".YCPress Ltd", and so did the index pages' descriptions. The name is a
    bidi isolate there (plain text: no `<bdi>`), as the bidi algorithm (FriBiDi) tells: its
    full stop takes the level of its letters. A page of the name's own direction, and the
    JSON-LD (data, not words shown), keep the name as it is."""
    from syndicate.formats.epub.fribidi_adapter import embedding_levels

    name = "YCPress Ltd."
    config = replace(
        site_config,
        publisher=replace(site_config.publisher, name=name),
        languages=("ar", *(tag for tag in site_config.languages if tag != "ar")),
    )
    files, diags = export_stories(sample_stories, config, "html")
    assert not diags.errors
    rtl = ["html/index.html", "html/index.ar.html", f"html/{SAMPLE_SLUG}.ar.html"]
    rtl.append("html/ar/politics.html")
    for page in rtl:
        doc = lxml_html.fromstring(files[page])
        assert doc.get("dir") == "rtl", page
        shown = [doc.findtext(".//title"), *doc.xpath("//meta[@name='description']/@content")]
        for text in (t for t in shown if name in t):
            levels = embedding_levels(text, "rtl")
            at = text.index(name)
            assert levels[at] == levels[at + len(name) - 1], (page, text)
        (graph,) = doc.xpath("//script[@type='application/ld+json']/text()")
        assert "\u2068" not in graph and "\\u2068" not in graph, page
    english = lxml_html.fromstring(files["html/index.en.html"])
    assert english.findtext(".//title").endswith(f"– {name}")


def test_every_language_written_in_arabic_script_is_styled_as_arabic() -> None:
    """The stylesheet's Arabic-script rules (Naskh and Kufi fonts, no italics, taller lines)
    named Arabic, Persian and Urdu alone: a Pashto, Sorani, Sindhi or Uyghur page, in the same
    joined script, had its emphasis and quotes slanted (a synthetic oblique) and the Latin
    fonts. Every language CLDR writes in Arabic script is named now, by its tag."""
    css = (Path(__file__).parents[1] / "syndicate/formats/html/templates/style.css").read_text(
        encoding="utf-8"
    )
    arabic = set()
    for name in localedata.locale_identifiers():
        tag = name.replace("_", "-")
        if script(tag) == "Arab":
            arabic.add("-".join(p for p in tag.split("-") if not (p.isupper() or p.isdigit())))
    assert {"ar", "fa", "ur", "ps", "ckb", "sd", "ug"} <= arabic
    blocks = css.split("}")
    fonts = next(b for b in blocks if '"Noto Naskh Arabic"' in b)
    upright = next(b for b in blocks if "font-style: normal" in b)
    for tag in sorted(arabic):  # :lang(bal) is bal-Arab's too: a range matches its subtags
        subtags = tag.split("-")
        ranges = [f":lang({'-'.join(subtags[:n])})" for n in range(1, len(subtags) + 1)]
        assert any(r in fonts for r in ranges) and any(r in upright for r in ranges), tag


def _is_arguments(block: str) -> list[str]:
    """The selectors of a stylesheet block's `:is(:lang(...), ...)`, split at its own commas."""
    depth, argument, found = 0, "", []
    for char in block[block.index(":is(:lang(") + 4 :]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
        if char == "," and depth == 0:
            found.append(argument.strip())
            argument = ""
        else:
            argument += char
    return [*found, argument.strip()]


NO_ITALIC = {"Hebr", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym"}
NO_ITALIC |= {"Sinh", "Thai", "Laoo", "Khmr", "Mymr"}
"""The scripts with no italic of their own, whose emphasis is bold (docs/formats/html-jsonld.md):
Hebrew, the Brahmic scripts of India and Sri Lanka, Thai, Lao, Khmer, Myanmar."""

JOINED = {"Deva", "Beng", "Guru", "Syrc", "Mong", "Nkoo", "Adlm", "Rohg"}
"""The scripts but Arabic whose letters join, which take no letter-spacing
(docs/formats/html-jsonld.md): Devanagari, Bengali and Gurmukhi along their headstroke, the
others cursively."""

TRACKED = (".brand", ".kicker", "h1", ".more h2")
"""The pages' elements the stylesheet tracks (letter-spacing) in Latin type."""


def test_no_letter_spacing_in_a_script_whose_letters_join() -> None:
    """The masthead, kicker, headline and "more" heading are tracked (`letter-spacing`), and
    were in Devanagari, Bengali and Gurmukhi, whose letters hang from a headstroke spacing
    cuts, and in Syriac, Mongolian, N'Ko, Adlam and Hanifi Rohingya, cursive as Arabic is:
    the spacing broke their joins. A page in any language CLDR writes in one of them sets
    none, as Arabic-script and CJK pages do; every other page keeps it."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    resets = []
    for block in css.split("}"):
        head, _, declarations = block.partition("{")
        if "letter-spacing: 0;" in declarations and ":is(:lang(" in head:
            at = head.rindex(":is(:lang(")
            resets.append((head[:at], _is_arguments(head[at:])))
    cjk = {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
    written = {t: s for t in page_tags() if (s := _script_or_none(t)) is not None}
    assert {written[t] for t in ("hi", "bn", "pa", "syr", "nqo", "mn-Mong", "ur")} <= JOINED | {
        "Arab"
    }
    wrong = []
    for tag, name in sorted(written.items()):
        for element in TRACKED:
            reset = any(
                element in scope and any(_lang_matches(s, tag) for s in named)
                for scope, named in resets
            )
            if reset != (name in JOINED | cjk | {"Arab"}):
                wrong.append(f"{tag} ({name}): {element}")
    assert wrong == []


def _styling(css: str, element: str, declaration: str) -> str:
    """The stylesheet's script rule for `element` (`em:is(:lang(ar), ...)`) that declares
    `declaration`, its selector and declarations."""
    blocks = [b.strip() for b in re.sub(r"/\*.*?\*/", "", css, flags=re.S).split("}")]
    return next(
        b
        for b in blocks
        if b.startswith(f"{element}:is(:lang(")
        or (b.startswith(f"{element}:is(") and ":is(:lang(" in b.split("{")[0])
        if declaration in b.split("{")[-1]
    )


def _lang_matches(selector: str, tag: str) -> bool:
    """Whether `:lang(range)` or `:lang(range):not(:where(:lang(other), ...))` matches an
    element of `lang=tag`, as browsers match `:lang()`: the range or the range and a hyphen."""

    def within(range_: str) -> bool:
        return tag.lower() == range_.lower() or tag.lower().startswith(f"{range_.lower()}-")

    range_, *excluded = re.findall(r":lang\(([\w-]+)\)", selector)
    return within(range_) and not any(within(other) for other in excluded)


def page_tags() -> set[str]:
    """Every tag a page may carry as CLDR knows it: its locales, the regional tags its likely
    subtags name (`pa-PK`, `az-IR`), and tags whose script is not their language's usual."""
    from babel.core import get_global

    regional = [
        tag.replace("_", "-")
        for tag in get_global("likely_subtags")
        if re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", tag) and not tag.startswith("und_")
    ]
    tags = {t.replace("_", "-") for t in localedata.locale_identifiers()} | set(regional)
    tags |= {
        "pa-PK",
        "az-IR",
        "uz-AF",
        "kk-CN",
        "ku-IQ",
        "ha-SD",
        "sd-IN",
        "sd-Deva",
        "ks-Deva",
        "bal-Latn",
        "zh-Latn",
        "zh-Latn-CN",
    }
    return tags


def test_the_arabic_script_rules_follow_the_pages_script_not_its_language_alone() -> None:
    """A page is styled as Arabic script exactly when syndicate writes it right to left in
    Arabic script: Punjabi of Pakistan (`pa-PK`), Azerbaijani of Iran, Uzbek of Afghanistan,
    Kazakh of China... are (CLDR's likely script for the region), and a `:lang(pa-Arab)` rule
    never matches `lang="pa-PK"`: such a page had the Latin fonts and slanted emphasis. Sindhi
    of India and in Devanagari (`sd-IN`, `sd-Deva`, `ks-Deva`) and Balochi in Latin letters
    (`bal-Latn`) are not, and `:lang(sd)` or `:lang(bal)` gave them the Arabic fonts."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    blocks = [b for b in css.split("}") if ":lang(fa)" in b]
    assert len(blocks) == 11  # (and the rule for emphasis within emphasis)
    wrong = []
    for tag in sorted(page_tags()):
        try:
            arabic = script(tag) == "Arab"
        except ValueError:
            continue
        if tag.split("-")[0] in {"zh", "yue", "cmn", "wuu", "lzh", "ja", "ko"}:
            continue  # (the CJK languages share some of these rules: upright, untracked)
        for block in blocks:
            expected = arabic or (":lang(he)" in block and script(tag) in NO_ITALIC)
            if any(_lang_matches(s, tag) for s in _is_arguments(block)) != expected:
                wrong.append(f"{tag} ({'Arabic' if arabic else script(tag)})")
                break
    assert wrong == []
    for tag in ("pa-PK", "az-IR", "uz-AF", "kk-CN"):
        assert script(tag) == "Arab" and direction(tag) == "rtl", tag
    assert script("sd-IN") == "Deva" and script("sd") == "Arab"


def test_every_language_written_in_a_cjk_script_has_upright_emphasis_and_no_tightening() -> None:
    """Chinese alone was exempted from the stylesheet's italics and negative tracking: a
    Japanese or Korean page (and a Cantonese one) had its emphasis and quotes slanted (a
    synthetic oblique: CJK fonts have no italics; emphasis is by weight) and its headline
    tightened, its characters crowded. Every language CLDR writes in a Han, Japanese or Korean
    script is named now in each of those rules."""
    css = (Path(__file__).parents[1] / "syndicate/formats/html/templates/style.css").read_text(
        encoding="utf-8"
    )
    cjk = set()
    for name in localedata.locale_identifiers():
        tag = name.replace("_", "-")
        if script(tag) in {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}:
            cjk.add("-".join(p for p in tag.split("-") if not (p.isupper() or p.isdigit())))
    assert {"zh", "ja", "ko", "yue"} <= cjk
    blocks = [b.strip() for b in css.split("}")]
    upright = next(b for b in blocks if "font-style: normal" in b)
    bold = _styling(css, "em", "font-weight: 700;")
    untracked = _styling(css, "h1", "letter-spacing: 0;")
    kicker = _styling(css, ".kicker", "letter-spacing: 0;")
    brand = _styling(css, ".brand", "letter-spacing: 0;")
    for tag in sorted(cjk):
        ranges = [f":lang({'-'.join(tag.split('-')[:n])})" for n in (1, 2)]
        for rule in (upright, bold, untracked, kicker, brand):
            assert any(r in rule.split("{")[0] for r in ranges), (tag, rule[-40:])


def test_emphasis_on_an_arabic_script_page_is_bold_not_invisible() -> None:
    """Arabic-script pages (and books) set emphasis upright, italics breaking the joined
    letters, and at the text's own weight: an Arabic, Persian or Urdu `*word*` showed nothing.
    Emphasis is in bold there, as Arabic typography shows it and as CJK pages already did."""
    from syndicate.i18n.scripts import ARABIC_SCRIPT, BY_WEIGHT, lang_selectors

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    named = _is_arguments(_styling(css, "em", "font-weight: 700;"))
    assert named == lang_selectors(BY_WEIGHT)
    assert [range_ for range_ in ARABIC_SCRIPT if range_[0] not in dict(BY_WEIGHT)] == []


def test_emphasis_within_emphasis_stands_out_on_arabic_script_and_cjk_pages() -> None:
    """Emphasis is bold on Arabic-script and CJK pages, so `*a*` within `**b**` (or `**b**`
    within `*a*`) was bold on bold and showed nothing. The inner one is set at the text's
    weight in every such language (and in the scripts with no italic), as roman within
    italics; in CJK with emphasis dots too, below the line in Chinese (over it, CSS's
    default, in Japanese and Korean)."""
    from syndicate.i18n.scripts import BY_WEIGHT, CHINESE, CJK, lang_selectors

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    light = _styling(css, LIGHT_WITHIN, "font-weight: 400;")
    dots = _styling(css, ":is(em strong, strong em)", "text-emphasis: filled dot;")
    below = _styling(css, ":is(em strong, strong em)", "text-emphasis-position: under right;")
    assert "-webkit-text-emphasis: filled dot;" in dots  # (Chromium before 99, WebKit)
    assert _is_arguments(light) == lang_selectors(BY_WEIGHT)
    assert _is_arguments(dots) == lang_selectors(CJK)
    assert _is_arguments(below) == lang_selectors(CHINESE)


LIGHT_WITHIN = ":is(em strong, strong em, :is(h1, h2, h3, h4, h5, h6, th) em)"
"""The elements the pages set at the text's weight where emphasis is bold: emphasis within
emphasis, and emphasis in a bold heading or table header."""


def test_emphasis_in_a_heading_stands_out_where_emphasis_is_bold() -> None:
    """Emphasis is bold in Arabic script, CJK and the scripts with no italic, so a subheading's
    or a table header's `*word*` (`## The *Haaretz* report`), bold within bold, showed nothing:
    a Hebrew, Hindi or Thai one was a visible italic before it went bold with the rest. It is
    set at the text's weight there, as emphasis within emphasis is, in every such language."""
    from syndicate.i18n.scripts import BY_WEIGHT, lang_selectors

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    light = _styling(css, LIGHT_WITHIN, "font-weight: 400;")
    assert _is_arguments(light) == lang_selectors(BY_WEIGHT)


def test_every_language_written_without_italics_has_bold_upright_emphasis() -> None:
    """Hebrew emphasis was italic: a browser slants Hebrew letters into an oblique that a
    Hebrew reader takes for a mistake (Hebrew newspapers use no slanted type; their emphasis
    is bold), and so with Devanagari and the other scripts of India and Sri Lanka, Thai, Lao,
    Khmer and Myanmar. A page in any language CLDR writes in one of them has emphasis (and
    quotes) upright and bold, and emphasis within emphasis at the text's weight, as Arabic
    script and CJK do; no other page, but those, has."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    upright = _styling(css, ":is(em, blockquote)", "font-style: normal;")
    bold = _styling(css, "em", "font-weight: 700;")
    light = _styling(css, LIGHT_WITHIN, "font-weight: 400;")
    written = {}
    for tag in page_tags():
        with contextlib.suppress(ValueError):  # a tag syndicate refuses: no page has it
            written[tag] = script(tag)
    assert {written[t] for t in ("he", "yi", "hi", "bn", "ta", "th", "km", "my")} <= NO_ITALIC
    assert {written[t] for t in ("hi-Latn", "pa-PK", "sd-IN", "mni-Mtei")} == {
        "Latn",
        "Arab",
        "Deva",
        "Mtei",
    }
    cjk = {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}
    wrong = []
    for tag, name in sorted(written.items()):
        by_weight = name in NO_ITALIC | cjk | {"Arab"}
        for rule in (upright, bold, light):
            if any(_lang_matches(s, tag) for s in _is_arguments(rule)) != by_weight:
                wrong.append(f"{tag} ({name}): {rule[:30]}")
    assert wrong == []


def test_every_script_rule_asks_the_styled_elements_own_language() -> None:
    """The pages' script rules asked an ancestor's language (`:is(:lang(ar), ...) em`): an
    English passage in an Arabic page had its emphasis upright and bold, its kicker and
    headline untracked. Each names the language on the element it styles
    (`em:is(:lang(ar), ...)`; `:lang()` matches the language the element has, its own or the
    nearest ancestor's): nothing follows a list of languages in a selector but its end."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    heads = [rule.split("{")[0] for rule in css.split("}") if ":lang(" in rule]
    assert len(heads) > 15
    wrong = []
    for head in heads:
        for at in [i for i in range(len(head)) if head.startswith(":is(:lang(", i)]:
            depth, end = 0, at
            for end in range(at + len(":is"), len(head)):
                depth += {"(": 1, ")": -1}.get(head[end], 0)
                if depth == 0:
                    break
            if head[end + 1 :].strip()[:1] not in {"", ","}:
                wrong.append(" ".join(head.split())[:60] + " ... " + head[end + 1 :].strip())
    assert wrong == []


def test_the_masthead_is_not_tracked_on_a_page_in_arabic_script() -> None:
    """The masthead's name is drawn tightened (`letter-spacing: -0.01em`), which CJK pages
    reset and Arabic-script pages did not: letter-spacing pulls apart the joined letters of
    an Arabic, Persian or Urdu name (browsers break the joining to space them). Every
    language CLDR writes in Arabic script resets it, as its headline and kicker do."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    brand = _styling(css, ".brand", "letter-spacing: 0;")
    tracked = [
        rule.split("{")[0]
        for rule in css.split("}")
        if re.search(r"letter-spacing: -?0?\.\d", rule) and ":lang(" not in rule
    ]
    assert any(".brand" in selector for selector in tracked)
    arabic = sorted(tag for tag in page_tags() if _script_or_none(tag) == "Arab")
    assert {"ar", "fa", "ur", "pa-PK"} <= set(arabic)
    missing = [t for t in arabic if not any(_lang_matches(s, t) for s in _is_arguments(brand))]
    assert missing == []


def _script_or_none(tag: str) -> str | None:
    try:
        return script(tag)
    except ValueError:  # a tag syndicate refuses: no page has it
        return None


def _lang_selectors(rule: str) -> list[str]:
    """Each `:lang(range)` of a rule's selectors, with the `:not(:where(...))` after it."""
    head = rule.split("{")[0]
    return re.findall(r":lang\([\w-]+\)(?::not\(:where\((?:[^()]|\([^()]*\))*\)\))?", head)


def test_chinese_in_latin_letters_gets_none_of_the_cjk_rules() -> None:
    """`:lang(zh)` matches `zh-Latn` (Chinese in pinyin, a CLDR locale): such a page had the
    CJK fonts (Latin letters drawn from a CJK font's), upright bold emphasis and spread
    letters. No rule of the stylesheet names a Latin-script tag, so none matches one: every
    tag a page may carry whose script is Latin or Cyrillic matches no `:lang()` of it (a
    Chinese, Japanese or Korean tag in Latin letters that CLDR has no locale for, `ja-Latn`,
    is refused as a language: no page has it)."""
    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    rules = [rule for rule in css.split("}") if ":lang(" in rule]
    fonts = next(rule for rule in rules if '"Noto Serif CJK SC"' in rule)
    latin = [t for t in page_tags() if _script_or_none(t) in {"Latn", "Cyrl"}]
    assert {"zh-Latn", "zh-Latn-CN", "bal-Latn", "sr-Cyrl"} <= set(latin)
    wrong = sorted(
        {
            tag
            for tag in latin
            for rule in rules
            for s in _lang_selectors(rule)
            if _lang_matches(s, tag)
        }
    )
    assert wrong == []
    for tag in ("zh", "zh-Hans", "zh-Hans-CN", "zh-CN"):
        assert any(_lang_matches(s, tag) for s in _lang_selectors(fonts)), tag


def test_open_graph_names_each_alternate_locale_once_and_never_the_pages_own(
    tmp_path: Path,
) -> None:
    """Open Graph has one locale for two tags (zh-Hant and zh-TW are both zh_TW; sr-Latn and
    sr-Cyrl both sr_RS): a page listed zh_TW twice, and its own locale as an alternate. A tag
    whose pairing CLDR has no locale for (en-CN) keeps its region."""
    from sites import CONFIG, SECOND_SLUG, Site

    site = Site(tmp_path)
    for slug in (SAMPLE_SLUG, SECOND_SLUG):
        for lang in ("zh-Hant", "zh-TW"):
            shutil.copy(site.articles / slug / "zh-Hans.md", site.articles / slug / f"{lang}.md")
    site.config.write_text(
        CONFIG.replace("zh-Hans, de, es]", "zh-Hans, zh-Hant, zh-TW, de, es, en-CN]"),
        encoding="utf-8",
    )
    shutil.copy(site.articles / SAMPLE_SLUG / "en.md", site.articles / SAMPLE_SLUG / "en-CN.md")
    site.export("html")
    doc = lxml_html.fromstring((site.out / f"html/{SAMPLE_SLUG}.zh-Hant.html").read_bytes())
    assert doc.xpath('//meta[@property="og:locale"]/@content') == ["zh_TW"]
    alternates = doc.xpath('//meta[@property="og:locale:alternate"]/@content')
    assert sorted(alternates) == ["ar_EG", "de_DE", "en_CN", "en_US", "es_ES", "fr_FR", "zh_CN"]


def test_x_shows_the_large_card_only_for_a_photo_big_enough(sample_story: Story) -> None:
    """Pages had Open Graph but no `twitter:card`: X showed the small card, the photo of a
    story as a thumbnail, whatever its size."""
    from syndicate.formats.html.writer import twitter_card

    photo = sample_story.images[0]
    for size, card in [((1600, 900), "summary_large_image"), ((300, 157), "summary_large_image"),
                       ((299, 400), "summary"), ((400, 156), "summary")]:  # fmt: skip
        sized = replace(photo, width=size[0], height=size[1])
        assert twitter_card(replace(sample_story, images=(sized,)), "en") == card, size
    assert twitter_card(replace(sample_story, images=()), "en") == "summary"


# Section pages ----------------------------------------------------------------------------


def section_site(tmp_path: Path, config: str = "", stories: int = 7) -> Path:
    """A site of `stories` generated stories in English and Arabic, the first five in the
    section `politics` and the others in `world`; no story books (the pages link none)."""
    from bench.corpus import generate

    (tmp_path / "site").mkdir()
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles/_site" / name, tmp_path / "site" / name)
    (tmp_path / "syndicate.yaml").write_text(
        "publisher: {name: YCPress, url: 'https://ycpress.example/', logo: site/logo.png}\n"
        f"base_url: {BASE}\ntimezone: Europe/Paris\nlanguages: [en, ar]\n"
        "epub: {story_books: false}\n" + config,
        encoding="utf-8",
    )
    generate(tmp_path / "articles", stories, ("en", "ar"))
    for index in range(stories):
        meta = tmp_path / "articles" / f"bench-{index:06d}" / "story.yaml"
        section = "politics" if index < 5 else "world"
        lines = meta.read_text(encoding="utf-8").splitlines()
        lines = [f"section: {section}" if line.startswith("section:") else line for line in lines]
        meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def export_site(root: Path, *formats: str) -> int:
    args = ["export", "-q", "--out", str(root / "out"), "--now", "2026-01-01T00:00:00Z"]
    args += ["--config", str(root / "syndicate.yaml"), "--articles", str(root / "articles")]
    for fmt in formats or ("html",):
        args += ["-f", fmt]
    return main(args)


def section_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out / "html").as_posix() for p in out.glob("html/*/*.html"))


def test_section_pages_are_paged_and_linked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each section has a story list in each language, `html.page_size` stories a page,
    newest first, in the language's folder: its heading the section's name, its feeds the
    section's, its translations the section's list in the other languages (first pages
    only), a `<base href>` so that its links are those of every other page; each story's
    section name links it (but on that list itself), and the W3C-free checks (`validate
    --outputs`, the dead links) find nothing."""
    root = section_site(tmp_path, "html: {page_size: 2}\n")
    assert export_site(root, "html", "atom", "rss") == 0
    assert "export.dead-link" not in capsys.readouterr().err
    out = root / "out"
    assert section_pages(out) == [
        "ar/politics.2.html",
        "ar/politics.3.html",
        "ar/politics.html",
        "ar/world.html",
        "en/politics.2.html",
        "en/politics.3.html",
        "en/politics.html",
        "en/world.html",
    ]
    first = page(out, "en", "en/politics.html")
    assert first.xpath("//base/@href") == ["../"]
    assert first.xpath("//title/text()") == ["Politics – YCPress"]
    assert first.xpath("//h1/text()") == ["Politics"]
    assert first.xpath("//link[@rel='canonical']/@href") == [f"{BASE}html/en/politics.html"]
    hreflang = first.xpath("//link[@rel='alternate'][@hreflang]")
    assert [(a.get("hreflang"), a.get("href")) for a in hreflang] == [
        ("en", f"{BASE}html/en/politics.html"),
        ("ar", f"{BASE}html/ar/politics.html"),
    ]
    feeds = first.xpath("//link[@rel='alternate'][@type]/@href")
    assert feeds == [f"{BASE}atom/en/politics.xml", f"{BASE}rss/en/politics.xml"]
    assert first.xpath("//a[@class='brand']/@href") == ["index.en.html"]
    assert first.xpath("//nav[@class='pager']//a/@href") == ["en/politics.2.html"]
    nav = first.xpath("//nav[contains(@class, 'translations')]//a")
    assert [(a.get("href"), a.get("rel")) for a in nav] == [("ar/politics.html", "alternate")]
    graph = embedded(first)["@graph"][2]
    assert graph["@type"] == "CollectionPage"
    assert graph["about"] == {"@type": "Thing", "identifier": "politics", "name": "Politics"}
    middle = page(out, "en", "en/politics.2.html")
    assert middle.xpath("//title/text()") == ["Politics – Page 2 – YCPress"]
    assert middle.xpath("//nav[@class='pager']//a/@href") == [
        "en/politics.html",
        "en/politics.3.html",
    ]
    assert not middle.xpath("//link[@rel='alternate'][@hreflang]")
    # The section's stories, newest first, each once, as the language's list orders them.
    listed = [
        href
        for name in ("en/politics.html", "en/politics.2.html", "en/politics.3.html")
        for href in page(out, "en", name).xpath("//ul[@class='stories']//h2/a/@href")
    ]
    everything = [
        href
        for name in ("index.en.html", "index.en.2.html", "index.en.3.html", "index.en.4.html")
        for href in page(out, "en", name).xpath("//ul[@class='stories']//h2/a/@href")
    ]
    politics = [f"bench-{i:06d}.en.html" for i in range(5)]
    assert listed == [href for href in everything if href in politics]
    assert sorted(listed) == politics
    # Arabic: right to left, the section's name in Arabic.
    arabic = page(out, "ar", "ar/politics.html")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    assert arabic.xpath("//h1/text()") == ["سياسة"]
    # Every story's section name links its list, on the article, the index and the home page.
    story = page(out, "en", "bench-000006.en.html")
    assert story.xpath("//p[@class='kicker']/a/@href") == ["en/world.html"]
    kickers = {
        href
        for name in ("index.ar.html", "index.ar.2.html", "index.ar.3.html", "index.ar.4.html")
        for href in page(out, "ar", name).xpath("//p[@class='kicker']/a/@href")
    }
    assert kickers == {"ar/politics.html", "ar/world.html"}
    home = page(out, "en", "index.html")
    assert "ar/world.html" in home.xpath("//section[@lang='ar']//p[@class='kicker']/a/@href")
    # But on the section's own pages, its name is their heading: said, not a link to itself.
    for name in ("en/politics.html", "en/politics.2.html", "ar/world.html"):
        listing = page(out, name[:2], name)
        assert not listing.xpath("//p[@class='kicker']/a"), name
        names = {p.text_content() for p in listing.xpath("//p[@class='kicker']")}
        assert names == {listing.xpath("//h1/text()")[0].split(" – ")[0]}, name
    check = ["validate", "-q", "--site", str(root), "--outputs", str(out)]
    assert main([*check, "--now", "2026-01-01T00:00:00Z"]) == 0
    assert "dead-link" not in capsys.readouterr().err
    # validate --outputs reads the section pages too.
    path = out / "html/en/world.html"
    path.write_text(path.read_text("utf-8").replace('"inLanguage": "en"', '"inLanguage": "fr"'))
    assert main([*check, "--now", "2026-01-01T00:00:00Z"]) != 0
    assert f"{path}: error: <html lang='en'> but the JSON-LD says" in capsys.readouterr().err


def test_a_paged_list_s_json_ld_counts_the_whole_list_and_numbers_on(tmp_path: Path) -> None:
    """schema.org's ItemList of a list told over several pages gives the whole list's
    `numberOfItems` and each item's place in it: each page said its own count, and page 2
    numbered its stories from 1 again, as if they came first. A story leaving the last page
    changes the count the first page says, though its stories and the pages stay."""
    root = section_site(tmp_path, "html: {page_size: 3}\n")
    assert export_site(root) == 0
    out = root / "out"

    def said(name: str) -> tuple[int, list[int], list[str]]:
        items = embedded(page(out, "en", name))["@graph"][2]["mainEntity"]
        listed = items["itemListElement"]
        return items["numberOfItems"], [i["position"] for i in listed], [i["url"] for i in listed]

    names = ["en/politics.html", "en/politics.2.html"]
    assert [said(name)[:2] for name in names] == [(5, [1, 2, 3]), (5, [4, 5])]
    indexes = ["index.en.html", "index.en.2.html", "index.en.3.html"]
    assert [said(name)[:2] for name in indexes] == [(7, [1, 2, 3]), (7, [4, 5, 6]), (7, [7])]
    # The oldest politics story (on the last page) goes to another section: the first page
    # lists the same stories, the list has as many pages, and it is one story shorter.
    oldest = said("en/politics.2.html")[2][-1]
    slug = oldest.rsplit("/", 1)[1].split(".")[0]
    meta = root / "articles" / slug / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("section: politics", "section: world")
    meta.write_text(text.replace("version: 1", "version: 2"), encoding="utf-8")
    before = said("en/politics.html")
    assert export_site(root) == 0
    assert said("en/politics.html") == (4, before[1], before[2])
    assert said("en/politics.2.html")[:2] == (4, [4])


def test_section_pages_link_the_feeds_that_are_made(tmp_path: Path) -> None:
    """A section's list links its feeds in its language only when `feeds` makes them."""
    root = section_site(tmp_path, "feeds: {languages: [en], sections: [politics]}\n")
    assert export_site(root) == 0
    out = root / "out"
    politics = page(out, "en", "en/politics.html")
    assert politics.xpath("//link[@rel='alternate'][@type]/@href") == [
        f"{BASE}atom/en/politics.xml",
        f"{BASE}rss/en/politics.xml",
    ]
    assert politics.xpath("//footer//a/@href") == [
        f"{BASE}atom/en/politics.xml",
        f"{BASE}rss/en/politics.xml",
    ]
    for lang, name in (("en", "en/world.html"), ("ar", "ar/politics.html")):
        doc = page(out, lang, name)
        assert not doc.xpath("//link[@rel='alternate'][@type]"), name
        assert not doc.xpath("//footer//a"), name


def test_section_pages_can_be_turned_off(tmp_path: Path) -> None:
    """`html: {section_pages: false}`: no section page, no sitemap entry, and no section name
    links one."""
    root = section_site(tmp_path, "html: {section_pages: false}\n")
    assert export_site(root, "html", "sitemap") == 0
    out = root / "out"
    assert section_pages(out) == []
    assert not [p for p in (out / "html").iterdir() if p.is_dir() and p.name != "media"]
    for lang, name in (("en", "index.en.html"), ("ar", "bench-000001.ar.html")):
        doc = page(out, lang, name)
        assert doc.xpath("//p[@class='kicker']") and not doc.xpath("//p[@class='kicker']/a")
    assert b"politics.html" not in (out / "sitemaps/pages.xml").read_bytes()


def test_a_section_lists_only_what_the_language_list_lists(tmp_path: Path) -> None:
    """A story killed, or under embargo, is on no section list; a section left with no public
    story has no list (none links it), in the sitemap neither."""
    root = section_site(tmp_path)
    assert export_site(root, "html", "sitemap") == 0
    out = root / "out"
    assert "en/world.html" in section_pages(out)
    articles = root / "articles"
    for index in (5, 6):  # both stories of `world`, killed
        meta = articles / f"bench-{index:06d}" / "story.yaml"
        meta.write_text(
            meta.read_text("utf-8") + "status: canceled\nversion: 2\n", encoding="utf-8"
        )
    meta = articles / "bench-000004" / "story.yaml"  # a politics story, under embargo
    meta.write_text(meta.read_text("utf-8") + "embargo_until: 2027-01-01T00:00:00Z\n", "utf-8")
    assert export_site(root, "html", "sitemap") == 0
    assert section_pages(out) == ["ar/politics.html", "en/politics.html"]
    listed = page(out, "en", "en/politics.html").xpath("//ul[@class='stories']//h2/a/@href")
    assert sorted(listed) == [f"bench-{i:06d}.en.html" for i in range(4)]
    index = page(out, "en", "index.en.html").xpath("//ul[@class='stories']//h2/a/@href")
    assert sorted(index) == sorted(listed)
    assert b"world.html" not in (out / "sitemaps/pages.xml").read_bytes()
    notice = (out / "html/bench-000005.en.html").read_bytes()
    assert b"world.html" not in notice


def test_the_stylesheets_script_lists_are_syndicates_one_list() -> None:
    """The pages' stylesheet, a file a site copies, names the languages of its Arabic-script
    and CJK rules as `syndicate.i18n.scripts` does, the list the books' stylesheet is made
    from: every `:is(:lang(...))` of it is the Arabic-script list, the CJK one, both, or the
    Chinese part of the CJK one, or the other joined scripts' (`JOINED`), so the pages and the
    books never style a language's script differently."""
    from syndicate.i18n.scripts import ARABIC_SCRIPT, BY_WEIGHT, CHINESE, CJK, lang_selectors
    from syndicate.i18n.scripts import JOINED as JOINED_RANGES

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    arabic, cjk = lang_selectors(ARABIC_SCRIPT), lang_selectors(CJK)
    known = [arabic, cjk, arabic + cjk, lang_selectors(CHINESE), lang_selectors(BY_WEIGHT)]
    known.append(lang_selectors(JOINED_RANGES))
    lists = []
    for rule in css.split("}"):
        head = rule.split("{")[0]
        for at in [i for i in range(len(head)) if head.startswith(":is(:lang(", i)]:
            lists.append(_is_arguments(head[at:]))
    assert len(lists) == 17  # (3 for emphasis within emphasis: its weight, dots, Chinese's)
    assert [found for found in lists if found not in known] == []
    assert ":lang(zh):not(:where(:lang(zh-Latn))) {" in css  # the Simplified Chinese fonts
