"""The sitemap writer: the sitemaps.org schemas, Google News rules (two-day window, 1,000 URLs a
file, publication name and language), hreflang alternates, what is never listed, splitting,
every URL resolving in out/, the output validator, goldens and incremental rebuilds."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG, Exporter, export_stories
from lxml import etree

from syndicate.build import export
from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context
from syndicate.formats.sitemap.vocabulary import news_language, url_prefixes
from syndicate.formats.sitemap.writer import SitemapOptions, SitemapWriter
from syndicate.model import SiteConfig, Story, StorySummary

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://ycpress.example/syndicate/"
OFFICIAL = Path(__file__).parent / "fixtures" / "schemas" / "sitemaps.org"
RECENT_NOW = "2021-02-19T12:00:00Z"
"""A `--now` within two days of the sample story's publication."""
LANGS = ("en", "fr", "ar", "zh-Hans", "de", "es")


def official_schema(tmp: Path, root: str) -> etree.XMLSchema:
    """sitemaps.org's schema of `urlset` (sitemap.xsd) or `sitemapindex` (siteindex.xsd), with
    the extension namespaces our files use (their `xs:any` is strict): the News sitemap schema
    and the XHTML link schema (see tests/fixtures/schemas/PROVENANCE.md)."""
    core = OFFICIAL / ("sitemap.xsd" if root == "urlset" else "siteindex.xsd")
    imports = {
        "http://www.sitemaps.org/schemas/sitemap/0.9": core,
        "http://www.google.com/schemas/sitemap-news/0.9": REPO / "schemas" / "sitemap-news.xsd",
        "http://www.w3.org/1999/xhtml": REPO / "schemas" / "sitemap-xhtml-link.xsd",
    }
    lines = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in imports.items()
    )
    wrapper = tmp / f"{root}-all.xsd"
    wrapper.write_text(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>',
        encoding="utf-8",
    )
    return etree.XMLSchema(etree.parse(str(wrapper)))


def assert_officially_valid(files: dict[str, bytes], tmp: Path) -> None:
    schemas = {root: official_schema(tmp, root) for root in ("urlset", "sitemapindex")}
    for name, data in files.items():
        root = etree.fromstring(data)
        schema = schemas[etree.QName(root).localname]
        assert schema.validate(root), (name, [e.message for e in schema.error_log])


def sitemaps(files: dict[str, bytes]) -> dict[str, etree._Element]:
    return {
        name.removeprefix("sitemaps/"): etree.fromstring(data)
        for name, data in files.items()
        if name.startswith("sitemaps/")
    }


def news_entries(root: etree._Element) -> list[tuple[str, etree._Element]]:
    return [(url.findtext(f"{SM}loc"), url.find(f"{NEWS}news")) for url in root.iter(f"{SM}url")]


def story_at(sample: Story, n: int, published: datetime, **changes: object) -> Story:
    """A copy of the sample story under another slug and id, published at `published`."""
    return dataclasses.replace(
        sample,
        slug=f"story-{n:05d}",
        id=f"tag:ycpress.example,2021:story-{n:05d}",
        first_created=published,
        published=published,
        updated=published,
        **changes,  # type: ignore[arg-type]
    )


def exported_sitemaps(site: Path, out: Path, now: str, force: bool = False) -> dict[str, bytes]:
    """The sitemap files an export of `site` into `out` at `now` leaves (none: {})."""
    result = export(
        formats=["sitemap"],
        config=site / "syndicate.yaml",
        articles=site / "articles",
        out=out,
        now=datetime.fromisoformat(now),
        force=force,
    )
    assert result.status == "exported", [d.format_text() for d in result.diagnostics]
    folder = out / "sitemaps"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


# The sample --------------------------------------------------------------------------------


def test_golden(export_sample: Exporter, golden: Callable[[Path, str], None]) -> None:
    golden(export_sample("sitemap", now=RECENT_NOW) / "sitemaps", "sitemap")


def test_every_file_is_valid_against_the_official_schemas(
    export_sample: Exporter, tmp_path: Path
) -> None:
    for now in (RECENT_NOW, FIXED_NOW):
        out = export_sample("sitemap", now=now)
        files = {p.name: p.read_bytes() for p in (out / "sitemaps").iterdir()}
        assert len(files) == 8
        assert_officially_valid(files, tmp_path)


def test_news_entries_follow_the_model(
    sample_story: Story, site_config: SiteConfig, export_sample: Exporter
) -> None:
    out = export_sample("sitemap", now=RECENT_NOW)
    for variant in sample_story.variants:
        root = etree.parse(str(out / "sitemaps" / f"news-{variant.lang}.xml")).getroot()
        ((loc, news),) = news_entries(root)
        assert loc == f"{BASE}html/{sample_story.slug}.{variant.lang}.html"
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == site_config.publisher.name
        language = news.findtext(f"{NEWS}publication/{NEWS}language")
        assert language == {"zh-Hans": "zh-cn"}.get(variant.lang, variant.lang)
        when = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date") or "")
        assert when == sample_story.published
        assert news.findtext(f"{NEWS}title") == variant.headline


def test_pages_list_every_translation_as_an_alternate(
    sample_story: Story, export_sample: Exporter
) -> None:
    out = export_sample("sitemap")
    root = etree.parse(str(out / "sitemaps" / "pages.xml")).getroot()
    urls = {url.findtext(f"{SM}loc"): url for url in root.iter(f"{SM}url")}
    indexes = [f"{BASE}html/index.html"] + [f"{BASE}html/index.{lang}.html" for lang in LANGS]
    # Articles in the story's language order (its files').
    articles = [f"{BASE}html/{sample_story.slug}.{lang}.html" for lang in sample_story.languages]
    # The section's lists after the languages', each naming the others as its translations.
    sections = [f"{BASE}html/{lang}/politics.html" for lang in LANGS]
    assert list(urls) == indexes + sections + articles
    for loc in sections:
        pairs = [(li.get("hreflang"), li.get("href")) for li in urls[loc].iter(f"{XHTML}link")]
        assert pairs == list(zip(LANGS, sections, strict=True))
        assert urls[loc].findtext(f"{SM}lastmod") == "2021-02-18T19:30:00+01:00"
    for loc in articles:
        links = urls[loc].findall(f"{XHTML}link")
        assert all(link.get("rel") == "alternate" for link in links)
        pairs = [(link.get("hreflang"), link.get("href")) for link in links]
        original = articles[sample_story.languages.index("en")]
        # The alternates in the site's order (syndicate.yaml's languages), as the pages' own
        # hreflang links and translation links give them.
        page = dict(zip(sample_story.languages, articles, strict=True))
        assert pairs == [*((lang, page[lang]) for lang in LANGS), ("x-default", original)]
        assert urls[loc].findtext(f"{SM}lastmod") == "2021-02-18T19:30:00+01:00"
    home = [(li.get("hreflang"), li.get("href")) for li in urls[indexes[0]].iter(f"{XHTML}link")]
    assert home == [*zip(LANGS, indexes[1:], strict=True), ("x-default", indexes[0])]


def test_the_index_lists_every_sitemap(export_sample: Exporter) -> None:
    out = export_sample("sitemap")
    index = etree.parse(str(out / "sitemaps" / "index.xml")).getroot()
    listed = [loc.text for loc in index.iter(f"{SM}loc")]
    files = sorted(p.name for p in (out / "sitemaps").iterdir() if p.name != "index.xml")
    assert sorted(url.removeprefix(f"{BASE}sitemaps/") for url in listed if url) == files
    dates = {
        entry.findtext(f"{SM}loc").removeprefix(f"{BASE}sitemaps/"): entry.findtext(f"{SM}lastmod")
        for entry in index.iter(f"{SM}sitemap")
    }
    # The pages changed with the story; each news file when the story left its two days.
    assert {d for name, d in dates.items() if name.startswith("pages")} == {
        "2021-02-18T19:30:00+01:00"
    }
    assert {d for name, d in dates.items() if name.startswith("news-")} == {"2021-02-20T18:30:00Z"}


def test_every_url_resolves_to_a_file_in_out(export_sample: Exporter) -> None:
    """With `--format all`, every page, alternate and sitemap a sitemap names is in out/."""
    for now in (RECENT_NOW, FIXED_NOW):
        out = export_sample("all", now=now)
        urls: set[str] = set()
        for path in (out / "sitemaps").iterdir():
            root = etree.parse(str(path)).getroot()
            urls |= {loc.text or "" for loc in root.iter(f"{SM}loc")}
            urls |= {link.get("href", "") for link in root.iter(f"{XHTML}link")}
        # the pages (the section's lists too), and the sitemaps the index lists
        assert len(urls) == 19 + 7
        for url in urls:
            assert url.startswith(BASE) and (out / url.removeprefix(BASE)).is_file(), url


def test_news_language_codes() -> None:
    assert [news_language(t) for t in ("en", "pt-BR", "zh-Hans", "zh-TW", "zh-Hant", "zh")] == [
        "en",
        "pt",
        "zh-cn",
        "zh-tw",
        "zh-tw",
        "zh-cn",
    ]


def test_publication_name_option(export_sample: Exporter, tmp_path: Path) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "site.yaml").write_text(config + "sitemap:\n  publication: YC Press\n", "utf-8")
    out = export_sample("sitemap", now=RECENT_NOW, extra=("--config", str(tmp_path / "site.yaml")))
    root = etree.parse(str(out / "sitemaps" / "news-fr.xml")).getroot()
    assert root.findtext(f".//{NEWS}name") == "YC Press"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('" "', "publication: is empty: give the name Google News shows"),
        ('"\\u200b"', "publication: is empty: give the name Google News shows"),
        ('"\\u3164"', "publication: is empty: give the name Google News shows"),
        ('"YC Press\\n"', "publication: 'YC Press\\n' holds a line break"),
    ],
)
def test_a_blank_or_broken_publication_name_is_refused_at_its_line(
    tmp_path: Path,
    written: str,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Written into every News entry, `<news:name> </news:name>` (or the name over two lines)
    named no publication Google News has: its entries were refused."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "site.yaml").write_text(config + f"sitemap:\n  publication: {written}\n", "utf-8")
    monkeypatch.chdir(REPO)
    assert main(["validate", "--config", str(tmp_path / "site.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"site.yaml:12: error: sitemap: {said}" in err, err


# What is listed when ---------------------------------------------------------------------------


def test_only_the_last_two_days_are_news(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    ages = {1: timedelta(hours=1), 2: timedelta(hours=47), 3: timedelta(hours=49)}
    stories = [story_at(sample_story, n, now - age) for n, age in ages.items()]
    stories.append(story_at(sample_story, 4, now + timedelta(hours=1)))  # scheduled: held back
    files, diags = export_stories(stories, site_config, "sitemap", now=now)
    assert not diags.errors
    found = sitemaps(files)
    news = [loc for loc, _ in news_entries(found["news-en.xml"])]
    assert news == [f"{BASE}html/story-00001.en.html", f"{BASE}html/story-00002.en.html"]
    pages = [loc.text for loc in found["pages.xml"].iter(f"{SM}loc")]
    assert all(f"{BASE}html/story-0000{n}.en.html" in pages for n in (1, 2, 3))
    assert f"{BASE}html/story-00004.en.html" not in pages  # not public before its published
    assert_officially_valid(files, tmp_path)


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "withheld"},
        {"status": "canceled"},
        {"embargo_until": datetime(2026, 3, 11, tzinfo=UTC)},
    ],
    ids=["withheld", "canceled", "embargoed"],
)
def test_killed_and_embargoed_stories_are_never_listed(
    sample_story: Story, site_config: SiteConfig, changes: dict[str, object]
) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    public = story_at(sample_story, 1, now - timedelta(hours=2))
    hidden = story_at(sample_story, 2, now - timedelta(hours=1), **changes)
    files, _ = export_stories([public, hidden], site_config, "sitemap", now=now)
    text = b"".join(files.values())
    assert b"story-00001" in text and b"story-00002" not in text


def test_a_news_file_s_date_never_goes_back_when_a_story_ages_out(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """The index dated a news file by its URLs' latest change: once a story corrected after
    the others aged out of the two days, the file changed and its date went back, and a
    crawler comparing dates skipped it. It is dated by the story's leaving then."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    older = story_at(sample_story, 1, now - timedelta(hours=40))
    older = dataclasses.replace(older, version=2, updated=now - timedelta(hours=1))
    newer = story_at(sample_story, 2, now - timedelta(hours=20))

    def news_date(at: datetime) -> datetime:
        files, diags = export_stories([older, newer], site_config, "sitemap", now=at)
        assert not diags.errors
        index = sitemaps(files)["index.xml"]
        (date,) = [
            entry.findtext(f"{SM}lastmod")
            for entry in index.iter(f"{SM}sitemap")
            if entry.findtext(f"{SM}loc").endswith("/news-en.xml")
        ]
        return datetime.fromisoformat(date)

    first = news_date(now)
    assert first == now - timedelta(hours=1), "the correction"
    later = now + timedelta(hours=9)  # the older story left at now + 8 hours
    assert news_date(later) == now + timedelta(hours=8)
    assert news_date(later + timedelta(days=3)) == now + timedelta(hours=28), "the newer's end"


def test_a_site_without_recent_news_gets_valid_news_sitemaps(
    export_sample: Exporter, tmp_path: Path
) -> None:
    """No story in the last two days: each News sitemap holds one URL, the language's story
    list, without a News entry: a `<urlset>` without URLs is invalid against sitemaps.org's
    schema (Google would only warn of an empty sitemap; the schema is why)."""
    out = export_sample("sitemap", now=FIXED_NOW)
    schema = official_schema(tmp_path, "urlset")
    for lang in LANGS:
        root = etree.parse(str(out / "sitemaps" / f"news-{lang}.xml")).getroot()
        assert news_entries(root) == [(f"{BASE}html/index.{lang}.html", None)]
        assert schema.validate(root)
        for url in root.findall(f"{SM}url"):
            root.remove(url)
        assert not schema.validate(root), "an empty urlset would be valid: no need of a URL"


def test_no_public_page_means_no_sitemap(sample_story: Story, site_config: SiteConfig) -> None:
    hidden = dataclasses.replace(sample_story, status="withheld")
    files, diags = export_stories([hidden], site_config, "sitemap")
    assert not diags.errors and not [f for f in files if f.startswith("sitemaps/")]


@pytest.mark.parametrize("others", [0, 1], ids=["every-story-killed", "one-language-killed"])
def test_the_story_lists_the_html_keeps_after_a_kill_are_listed(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path, others: int
) -> None:
    """A language whose public stories were all killed keeps its story list in the HTML
    (empty, linked from every page), but the sitemaps dropped it: pages.xml no longer
    listed it, the lists' hreflang alternates lost it, its News sitemap was deleted; and with
    every story killed the whole folder went, the index.xml submitted to search engines
    with it, while html/index*.html stayed public pages."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    killed = story_at(sample_story, 1, now - timedelta(days=5))
    killed = dataclasses.replace(killed, status="canceled", version=2, updated=now)
    english = [v for v in sample_story.variants if v.lang == "en"]
    public = [story_at(sample_story, 2, now - timedelta(days=4), variants=tuple(english))][:others]
    files, diags = export_stories([killed, *public], site_config, "html", "sitemap", now=now)
    assert not diags.errors
    lists = sorted(p for p in files if p.startswith("html/index"))
    assert len(lists) == len(LANGS) + 1, lists
    pages = sitemaps(files)["pages.xml"]
    listed = {loc.text for loc in pages.iter(f"{SM}loc")}
    assert {BASE + p for p in lists} <= listed
    assert not [u for u in listed if "story-00001" in u], "the killed story's pages"
    hreflangs = {
        link.get("hreflang")
        for link in pages.iter("{http://www.w3.org/1999/xhtml}link")
        if "index" in link.get("href")
    }
    assert hreflangs == {*LANGS, "x-default"}
    assert all(f"sitemaps/news-{lang}.xml" in files for lang in LANGS)
    assert_officially_valid({p: b for p, b in files.items() if p.startswith("sitemaps/")}, tmp_path)


def context(config: SiteConfig, now: datetime) -> Context[SitemapOptions]:
    languages = config.languages
    return Context(config, now, languages, SitemapOptions(), Diagnostics(), "sitemap")


def summaries(sample: Story, count: int, start: datetime, langs: int) -> list[StorySummary]:
    one = StorySummary.of(dataclasses.replace(sample, variants=sample.variants[:langs]))
    return [
        dataclasses.replace(
            one, slug=f"s{n:05d}", id=f"tag:x,2026:{n}", published=start, updated=start
        )
        for n in range(count)
    ]


def test_news_sitemaps_split_at_1000_urls(sample_story: Story, site_config: SiteConfig) -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    stories = summaries(sample_story, 2_001, now - timedelta(hours=1), 1)
    ctx = context(site_config, now)
    files = {f.path: f.data for f in SitemapWriter().collection_files(stories, ctx)}
    news = [name for name in files if "/news-" in name]
    assert news == ["sitemaps/news-en.xml", "sitemaps/news-en-2.xml", "sitemaps/news-en-3.xml"]
    counts = [len(etree.fromstring(files[name])) for name in news]
    assert counts == [1000, 1000, 1]
    index = etree.fromstring(files["sitemaps/index.xml"])
    assert [loc.text for loc in index.iter(f"{SM}loc")] == [
        BASE + name for name in [*news, "sitemaps/pages.xml"]
    ]


def test_page_sitemaps_split_at_10000_urls(sample_story: Story, site_config: SiteConfig) -> None:
    """3,400 stories in six languages, the seven story lists and the six of their section:
    20,413 pages, three files of at most 10,000 (a fifth of the protocol's 50,000), every page
    in one of them, in order, and the index listing the files in order."""
    then = datetime(2021, 1, 1, tzinfo=UTC)
    stories = summaries(sample_story, 3_400, then, 6)
    ctx = context(site_config, then + timedelta(days=400))
    files = {f.path: f.data for f in SitemapWriter().collection_files(stories, ctx)}
    pages = [name for name in files if "/pages" in name]
    assert pages == ["sitemaps/pages.xml", "sitemaps/pages-2.xml", "sitemaps/pages-3.xml"]
    trees = [etree.fromstring(files[name]) for name in pages]
    assert [len(tree) for tree in trees] == [10_000, 10_000, 413]
    locs = [loc.text for tree in trees for loc in tree.iter(f"{SM}loc")]
    assert len(set(locs)) == 20_413
    assert locs[13] == BASE + "html/s00000.en.html"  # after the story lists, oldest first
    index = etree.fromstring(files["sitemaps/index.xml"])
    assert [loc.text for loc in index.iter(f"{SM}loc")][-3:] == [BASE + name for name in pages]


def test_page_sitemaps_are_made_a_file_at_a_time(
    sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The URLs of a page sitemap are made when its file is: an archive's export holds one
    file's URLs and bytes, not every page of the site at once."""
    from syndicate.formats.sitemap import writer

    monkeypatch.setattr(writer, "PAGE_URLS", 10)
    made: list[str] = []
    article_urls = writer._Site._article_urls

    def counted(site: writer._Site, story: StorySummary) -> list[writer._Url]:
        made.append(story.slug)
        return article_urls(site, story)

    monkeypatch.setattr(writer._Site, "_article_urls", counted)
    then = datetime(2021, 1, 1, tzinfo=UTC)
    stories = summaries(sample_story, 30, then, 2)  # 5 story lists and 60 pages: 7 files
    ctx = context(site_config, then + timedelta(days=400))
    seen = []
    for file in SitemapWriter().collection_files(stories, ctx):
        if "/pages" in file.path:
            seen.append((file.path, len(made)))
    # Each file's URLs, and no more than the next story's, were made when it was yielded.
    assert seen == [
        ("sitemaps/pages.xml", 3),
        ("sitemaps/pages-2.xml", 8),
        ("sitemaps/pages-3.xml", 13),
        ("sitemaps/pages-4.xml", 18),
        ("sitemaps/pages-5.xml", 23),
        ("sitemaps/pages-6.xml", 28),
        ("sitemaps/pages-7.xml", 30),
    ]


def test_a_story_in_no_site_language_is_not_listed(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A public story written only in a language the site does not publish (reading warns
    that its file goes nowhere) has no page: the sitemaps leave it out, and its date does not
    count, instead of the writer failing and stopping the export."""
    then = datetime(2021, 1, 1, tzinfo=UTC)
    listed = summaries(sample_story, 2, then, 2)
    italian = dataclasses.replace(sample_story.variants[0], lang="it")
    alone = StorySummary.of(
        dataclasses.replace(sample_story, variants=(italian,), original_lang="it")
    )
    later = then + timedelta(days=30)
    alone = dataclasses.replace(
        alone, slug="italian", id="tag:x,2026:it", published=later, updated=later
    )
    ctx = context(site_config, then + timedelta(days=400))
    assert "it" not in site_config.languages
    files = {f.path: f.data for f in SitemapWriter().collection_files([*listed, alone], ctx)}
    assert files == {f.path: f.data for f in SitemapWriter().collection_files(listed, ctx)}


@pytest.mark.parametrize("chunk", [1, 2, 7, 1_000])
def test_a_sitemap_made_in_chunks_is_the_one_made_whole(
    chunk: int, sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large sitemaps are serialised a chunk of URLs at a time: byte for byte the file the
    whole tree gives, for News sitemaps, page sitemaps with translations, and stand-ins."""
    from syndicate.formats.sitemap import writer

    then = datetime(2021, 1, 1, tzinfo=UTC)
    stories = summaries(sample_story, 9, then, 3)
    ctx = context(site_config, then + timedelta(days=1))
    site = writer._Site(stories, ctx)
    lists = [urls for _, urls in (*site.news_sitemaps(), *site.page_sitemaps())]
    lists.append([site.language_index(site.languages[0])])  # a stand-in, no extension
    assert any(u.news for u in lists[0]) and any(u.alternates for u in lists[-2])
    monkeypatch.setattr(writer, "CHUNK", chunk)
    for urls in lists:
        whole = writer.serialise(writer.urlset(urls))
        assert writer._urlset_file(urls) == whole
        assert whole.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns=')
        assert whole.endswith(b"</url>\n</urlset>\n")


# The output validator --------------------------------------------------------------------------


@pytest.fixture
def written(export_sample: Exporter, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = export_sample("sitemap", now=RECENT_NOW)
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("pages.xml", f"{BASE}html/index.html", "https://elsewhere.example/x.html", "not a page"),
        ("index.xml", "sitemaps/pages.xml", "sitemaps/gone.xml", "is not a sitemap in"),
        ("news-en.xml", "<news:name>YCPress</news:name>", "", "[sitemap.xsd]"),
        ("news-en.xml", "<news:language>en<", "<news:language>en-GB<", "[sitemap.xsd]"),
        ("pages.xml", 'hreflang="fr"', 'hreflang="fr_FR"', "[sitemap.xsd]"),
        ("pages.xml", "<lastmod>2021-02-18T19:30:00+01:00", "<lastmod>2021-02-18 19:30", "xsd"),
    ],
)
def test_validate_outputs_reports_broken_sitemaps(
    written: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    old: str,
    new: str,
    message: str,
) -> None:
    path = written / "sitemaps" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--outputs", str(written)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:" in err and message in err


def test_a_url_of_another_site_is_told_the_start_it_must_have_once(
    written: Path, capsys: pytest.CaptureFixture[str], site_config: SiteConfig
) -> None:
    """The error docs/formats/sitemap.md shows: the pages' fixed start under base_url
    (`.../html/`) is no second start to name, as every URL that has it has base_url's."""
    path = written / "sitemaps" / "pages.xml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"{BASE}html/index.html", "https://elsewhere.example/x.html"))
    capsys.readouterr()
    assert main(["validate", "--outputs", str(written)]) == 1
    assert (
        f"{path}:4: error: https://elsewhere.example/x.html is not a page of this site (it must"
        f" start with {BASE}) [sitemap.url]\n"
    ) in capsys.readouterr().err
    own = dataclasses.replace(site_config, article_url="https://news.example/a/{slug}-{lang}")
    assert url_prefixes(own) == (BASE, "https://news.example/a/")


def test_pages_at_the_site_s_root_are_the_one_start_a_sitemap_s_url_must_have(
    site_config: SiteConfig,
) -> None:
    """A newsroom whose CMS serves its pages from the root of the site that syndicate's files
    are under (`https://ycpress.example/{section}/{slug}`, base_url `.../syndicate/`): every
    URL under base_url has the pages' start, so the error names that one alone (it named
    base_url as a first choice that said nothing more)."""
    root = "https://ycpress.example/"
    assert BASE.startswith(root)
    own = dataclasses.replace(site_config, article_url=root + "{section}/{slug}")
    assert url_prefixes(own) == (root,)


def test_validate_outputs_counts_news_urls(
    written: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = written / "sitemaps" / "news-en.xml"
    root = etree.parse(str(path)).getroot()
    copy = etree.tostring(root[0])
    for _ in range(1000):
        root.append(etree.fromstring(copy))
    path.write_bytes(etree.tostring(root))
    capsys.readouterr()
    assert main(["validate", "--outputs", str(written)]) == 1
    assert "1,001 URLs in a News sitemap; at most 1,000 to a file [sitemap.limit]" in (
        capsys.readouterr().err
    )


# Incremental -----------------------------------------------------------------------------------


def test_a_story_leaving_the_news_window_rebuilds_the_news_sitemaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing but `--now` changed: the story is still visible, yet no longer news."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")

    def run(out: Path, now: str, force: bool = False) -> dict[str, bytes]:
        return exported_sitemaps(site, out, now, force)

    monkeypatch.chdir(site)  # the configuration's logo paths are relative to the site
    first = run(site / "out", RECENT_NOW)
    later = run(site / "out", FIXED_NOW)
    assert later != first
    assert later == run(tmp_path / "full", FIXED_NOW, force=True)


def test_an_embargoed_story_is_news_from_the_end_of_its_embargo(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """Written on Monday under embargo until Thursday: public, and news, from Thursday. Dated
    by `published`, it would have left the two days before it reached the public."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    lifted = now - timedelta(hours=1)
    story = story_at(sample_story, 1, now - timedelta(days=3), embargo_until=lifted)
    files, diags = export_stories([story], site_config, "sitemap", now=now)
    assert not diags.errors
    found = sitemaps(files)
    [(loc, news)] = news_entries(found["news-en.xml"])
    assert loc == f"{BASE}html/story-00001.en.html"
    assert news.findtext(f"{NEWS}publication_date") == "2026-03-10T11:00:00Z"
    for name in ("news-en.xml", "pages.xml"):
        lastmods = {u.findtext(f"{SM}lastmod") for u in found[name].iter(f"{SM}url")}
        assert "2026-03-10T11:00:00Z" in lastmods  # the page did not exist before
    assert_officially_valid(files, tmp_path)
    later, _ = export_stories(
        [story], site_config, "sitemap", now=lifted + timedelta(days=2, hours=1)
    )
    assert news_entries(sitemaps(later)["news-en.xml"])[0][1] is None  # out of the window


def test_the_end_of_an_embargo_moves_the_news_window_of_an_incremental_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only `--now` changes between the runs: under embargo (not listed), just out of it
    (news), two days later (no longer news); each run equals an export from scratch."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    story = site / "articles" / "2021-02-18-nato-iraq-deployment" / "story.yaml"
    text = story.read_text(encoding="utf-8")
    story.write_text(
        text.replace("status: usable", "status: usable\nembargo_until: 2021-02-25T08:00:00Z"),
        encoding="utf-8",
    )

    def run(out: Path, now: str, force: bool = False) -> dict[str, bytes]:
        return exported_sitemaps(site, out, now, force)

    monkeypatch.chdir(site)  # the configuration's logo paths are relative to the site
    assert run(site / "out", "2021-02-25T07:00:00Z") == {}  # no public page yet
    news = run(site / "out", "2021-02-25T09:00:00Z")
    [(_, entry)] = news_entries(etree.fromstring(news["news-en.xml"]))
    published = datetime.fromisoformat(entry.findtext(f"{NEWS}publication_date") or "")
    assert published == datetime(2021, 2, 25, 8, tzinfo=UTC)  # the end of the embargo
    assert news == run(tmp_path / "full-1", "2021-02-25T09:00:00Z", force=True)
    old = run(site / "out", "2021-02-27T09:00:00Z")
    assert b"news:news" not in old["news-en.xml"]
    assert old == run(tmp_path / "full-2", "2021-02-27T09:00:00Z", force=True)


def test_lastmod_is_each_page_own_change_and_a_list_changes_when_a_story_joins_it(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A translation fixed later (its language file's own `updated`) changed its page alone;
    a story list changed when a story reached the public, the end of its embargo."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    published = now - timedelta(days=1)
    fixed = now - timedelta(hours=5)
    variants = tuple(
        dataclasses.replace(v, updated=fixed) if v.lang == "fr" else v
        for v in sample_story.variants
    )
    story = story_at(sample_story, 1, published, variants=variants)
    lifted = now - timedelta(hours=2)
    held = story_at(sample_story, 2, published - timedelta(hours=1), embargo_until=lifted)
    files, diags = export_stories([story, held], site_config, "sitemap", now=now)
    assert not diags.errors
    pages = {
        u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod")
        for u in sitemaps(files)["pages.xml"].iter(f"{SM}url")
    }
    assert pages[f"{BASE}html/story-00001.fr.html"] == "2026-03-10T07:00:00Z"
    assert pages[f"{BASE}html/story-00001.en.html"] == "2026-03-09T12:00:00Z"
    for lang in ("en", "fr"):
        assert pages[f"{BASE}html/index.{lang}.html"] == "2026-03-10T10:00:00Z"  # the embargo
    assert pages[f"{BASE}html/index.html"] == "2026-03-10T10:00:00Z"


def test_a_kill_moves_the_lastmod_of_every_page_file_it_shifted(
    sample_story: Story, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story killed left its page file, and every later file moved up by its URLs, but the
    index said only the first file (the story lists') had changed: a crawler comparing dates
    kept the old files, the dead page in them."""
    from syndicate.formats.sitemap import writer

    monkeypatch.setattr(writer, "PAGE_URLS", 10)
    then = datetime(2021, 1, 1, tzinfo=UTC)
    stories = summaries(sample_story, 30, then, 2)  # 3 lists and 58 pages left: 7 files
    order = sorted(stories, key=lambda s: s.id)
    killed_at = then + timedelta(days=100)  # after the pages' own time (the sample's)
    victim = order[20]  # its pages are in the fifth file
    stories = [
        dataclasses.replace(s, status="canceled", version=2, updated=killed_at)
        if s is victim
        else s
        for s in stories
    ]
    ctx = context(site_config, then + timedelta(days=400))
    files = {f.path: f.data for f in SitemapWriter().collection_files(stories, ctx)}
    index = etree.fromstring(files["sitemaps/index.xml"])
    dates = {
        entry.findtext(f"{SM}loc").removeprefix(BASE + "sitemaps/"): entry.findtext(f"{SM}lastmod")
        for entry in index.iter(f"{SM}sitemap")
        if "/pages" in entry.findtext(f"{SM}loc")
    }
    assert list(dates) == ["pages.xml", *(f"pages-{n}.xml" for n in range(2, 8))]
    before, after = "2021-02-18T19:30:00+01:00", "2021-04-11T00:00:00Z"
    # The first file holds the story lists, which changed; the files before the story's own
    # are as they were; from its own to the last, moved.
    assert dates == {
        "pages.xml": after,
        "pages-2.xml": before,
        "pages-3.xml": before,
        "pages-4.xml": before,
        "pages-5.xml": after,
        "pages-6.xml": after,
        "pages-7.xml": after,
    }


def test_x_default_is_the_sites_first_language_when_the_original_is_not_published(
    tmp_path: Path,
) -> None:
    """A story written in English on a site publishing French, German and Arabic, in that
    order: its `x-default` was its first file's language, Arabic (the story's languages are
    its files', alphabetical), in the sitemap and in the pages' hreflang links alike, where
    every list of its languages follows the site's order. It is the site's first, French,
    in both; the original stays the `x-default` whenever it is published."""
    from lxml import html as lxml_html
    from sites import BASE as SITE
    from sites import Site

    site = Site(tmp_path)
    config = site.config.read_text(encoding="utf-8")
    for languages, default in (("[fr, de, ar]", "fr"), ("[ar, de, en]", "en")):
        site.config.write_text(
            config.replace("languages: [en, fr, ar, zh-Hans, de, es]", f"languages: {languages}"),
            encoding="utf-8",
        )
        shutil.rmtree(site.out, ignore_errors=True)
        site.export("sitemap", "html")
        expected = f"{SITE}html/{SAMPLE_SLUG}.{default}.html"
        root = etree.parse(str(site.out / "sitemaps" / "pages.xml")).getroot()
        for url in root.iter(f"{SM}url"):
            if SAMPLE_SLUG not in (url.findtext(f"{SM}loc") or ""):
                continue
            links = {li.get("hreflang"): li.get("href") for li in url.iter(f"{XHTML}link")}
            assert links["x-default"] == expected, (languages, url.findtext(f"{SM}loc"))
        for lang in languages.strip("[]").split(", "):
            page = site.out / "html" / f"{SAMPLE_SLUG}.{lang}.html"
            doc = lxml_html.fromstring(page.read_bytes())
            (href,) = doc.xpath('//head/link[@hreflang="x-default"]/@href')
            assert href == expected, (languages, lang)


def test_a_reordered_languages_list_rebuilds_what_a_forced_export_writes(tmp_path: Path) -> None:
    """Every list of a story's languages follows syndicate.yaml's `languages`, and so does its
    `x-default` when the site does not publish its original: a reorder changes pages, the
    sitemap and books of stories none of whose files changed. An export after the reorder
    writes what an export into an empty folder writes (the configuration's bytes key every
    story's work), the `x-default` moved from French to Arabic."""
    from sites import BASE as SITE
    from sites import Site

    formats = ("html", "sitemap", "epub")
    site, fresh = Site(tmp_path / "site"), Site(tmp_path / "fresh")
    config = site.config.read_text(encoding="utf-8")
    old = "languages: [en, fr, ar, zh-Hans, de, es]"
    site.config.write_text(config.replace(old, "languages: [fr, de, ar]"), encoding="utf-8")
    site.export(*formats)
    reordered = config.replace(old, "languages: [ar, de, fr]")
    site.config.write_text(reordered, encoding="utf-8")
    site.export(*formats)
    fresh.config.write_text(reordered, encoding="utf-8")
    fresh.export(*formats)
    assert site.files(*formats) == fresh.files(*formats)
    page = site.files("html")[f"html/{SAMPLE_SLUG}.fr.html"].decode("utf-8")
    assert f'hreflang="x-default" href="{SITE}html/{SAMPLE_SLUG}.ar.html"' in page
