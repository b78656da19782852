"""A site whose language is written with an old tag (`iw` for Hebrew, `in` for Indonesian):
every output states the language with the tag BCP 47 prefers (`he`, `id`), which browsers'
`:lang(he)`, feed readers, validators and partners match on, while what names the variant
(file names, URLs, ids, GUIDs) keeps the site's tag, so no partner sees a new identity."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PLAIN_COVERS, REPO, SAMPLE_SLUG

from syndicate.cli import main

STORY_ID = "tag:ycpress.example,2021-02-18:nato-iraq-deployment"
NOW = "2021-02-19T09:00:00Z"
"""The day after the sample story's publication: the news sitemaps list it."""
HEBREW = """---
headline: נאט"ו תגדיל את פריסתה הצבאית בעיראק
summary: נאט"ו תגדיל את פריסתה הצבאית בעיראק מכ-500 לכ-4,000 איש.
byline:
  organisation: YCPress
dateline: בריסל
---
נאט"ו תגדיל את *פריסתה הצבאית* בעיראק **מכ-500 לכ-4,000 *איש***.

![](images/nato-iraq-mission.png)

## הרחבת הפעילות

האימונים יכללו מוסדות ביטחון עיראקיים נוספים.
"""


def old_tag_site(tmp_path: Path, tag: str) -> Path:
    """The sample site publishing English and `tag`, with a story file named `tag.md`."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    story = site / "articles" / SAMPLE_SLUG
    (story / f"{tag}.md").write_text(HEBREW, encoding="utf-8")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (site / "syndicate.yaml").write_text(
        config.replace("languages: [en, fr, ar, zh-Hans, de, es]", f"languages: [en, {tag}]"),
        encoding="utf-8",
    )
    return site


def export_all(site: Path, *formats: str) -> Path:
    out = site / "out"
    args = ["export", "-q", "--now", NOW, "--config", str(site / "syndicate.yaml")]
    args += [f"--format={f}" for f in formats or ("all",)]
    assert main([*args, "--out", str(out)], registry=PLAIN_COVERS) == 0
    return out


ATTRIBUTE = re.compile(r"""\b(?:href)?lang=\\?["']([^"'\\]*)""")
"""`lang`, `xml:lang` and `hreflang`, also in markup escaped in a feed's or a JSON's text."""
ELEMENT = re.compile(r"<(?:dc:|news:)?language(?: tag=\"([^\"]*)\"\s*/>|>([^<]*)</)")
"""RSS's `<language>`, `dc:language`, a news sitemap's `news:language`, NewsML-G2's
`<language tag>`."""


def _json_tags(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("language", "inLanguage"):
                yield from [inner] if isinstance(inner, str) else inner
            else:
                yield from _json_tags(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _json_tags(inner)


def _texts(out: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every file of `out` that states languages, the books' members too."""
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    if member.endswith((".xhtml", ".opf", ".ncx")):
                        yield f"{name}/{member}", book.read(member).decode("utf-8")
        elif path.suffix in (".html", ".xml", ".json", ".jsonld"):
            yield name, path.read_text(encoding="utf-8")


def stated(out: Path) -> dict[str, set[str]]:
    """The language tags each format's files state (`model`, a dump of what syndicate read,
    names its variants: it states nothing)."""
    found: dict[str, set[str]] = {}
    for name, text in _texts(out):
        fmt = name.split("/")[0]
        if fmt == "model":
            continue
        tags = found.setdefault(fmt, set())
        tags.update(ATTRIBUTE.findall(text))
        tags.update(a or b for a, b in ELEMENT.findall(text))
        if name.endswith((".json", ".jsonld")):
            tags.update(_json_tags(json.loads(text)))
    return found


def test_the_stated_tag_is_the_one_bcp_47_prefers() -> None:
    from syndicate.i18n.locales import stated_tag

    preferred = {"iw": "he", "in-ID": "id-ID", "iw-IL": "he-IL", "ji": "yi", "per": "fa"}
    preferred |= {"fas": "fa", "en-UK": "en-GB", "mo": "ro"}
    as_given = ["he", "en", "zh-Hans", "cmn", "pes", "x-default", "es-419", "not a tag"]
    assert {tag: stated_tag(tag) for tag in preferred} == preferred
    assert [stated_tag(tag) for tag in as_given] == as_given


@pytest.mark.parametrize(("tag", "said"), [("iw", "he"), ("in-ID", "id-ID")])
def test_every_format_states_the_preferred_tag_and_names_the_variant_as_before(
    tmp_path: Path, tag: str, said: str
) -> None:
    """A site of `iw` wrote `lang="iw"`, `<language>iw</language>`, `"inLanguage": "iw"`...
    in every format: no browser applies `:lang(he)` to it (the pages' and books' Hebrew
    emphasis), the W3C Feed Validator refuses it, partners matching on `he` miss it. Each
    format states `he` now, and the variant is named `iw` as it was: its files, URLs, ids
    and GUIDs."""
    out = export_all(old_tag_site(tmp_path, tag))
    found = stated(out)
    formats = {"atom", "rss", "opds", "epub", "html", "jsonld", "jsonfeed", "newsml", "ninjs"}
    assert formats | {"sitemaps"} <= set(found)
    for fmt, tags in found.items():
        assert tag not in tags, fmt
        assert tags <= {"en", said, said.split("-")[0], "x-default"}, fmt
    for fmt in formats:
        assert said in found[fmt], fmt
    # the news sitemap says the language as Google News asks, an ISO 639 code, as before
    news = (out / f"sitemaps/news-{tag}.xml").read_text(encoding="utf-8")
    assert f"<news:language>{said.split('-')[0]}</news:language>" in news
    # named as before: files, URLs, ids, GUIDs
    with_ids = [
        f"newsml/{SAMPLE_SLUG}.{tag}.xml",
        f"ninjs/{SAMPLE_SLUG}.{tag}.json",
        f"jsonld/{SAMPLE_SLUG}.{tag}.jsonld",
        f"atom/{tag}.xml",
        f"rss/{tag}.xml",
        f"jsonfeed/{tag}.json",
        f"opds/{tag}.xml",
    ]
    named = [
        *with_ids,
        f"html/{SAMPLE_SLUG}.{tag}.html",
        f"html/index.{tag}.html",
        f"epub/{SAMPLE_SLUG}.{tag}.epub",
        f"epub/edition-{tag}.epub",
        f"sitemaps/news-{tag}.xml",
    ]
    assert [name for name in named if not (out / name).is_file()] == []
    assert not [p for p in out.rglob("*") if f".{said}." in p.name or p.name == said]
    variant_id = f"{STORY_ID}:{tag}"
    for name in with_ids:
        text = (out / name).read_text(encoding="utf-8")
        assert variant_id in text and f"{STORY_ID}:{said}" not in text, name
    with zipfile.ZipFile(out / f"epub/{SAMPLE_SLUG}.{tag}.epub") as book:
        assert f">{variant_id}</dc:identifier>" in book.read("EPUB/content.opf").decode()
    page = f"https://ycpress.example/syndicate/html/{SAMPLE_SLUG}.{tag}.html"
    sitemap = (out / "sitemaps/pages.xml").read_text(encoding="utf-8")
    assert f'hreflang="{said}" href="{page}"' in sitemap
    english = (out / f"html/{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert f'<link rel="alternate" hreflang="{said}" href="{page}">' in english
    # the outputs say no more than before: `validate --outputs` (the ninjs file name against
    # its `language`, the page's `lang` against its JSON-LD) holds them to each other
    args = ["validate", "-q", "--config", str(out.parent / "syndicate.yaml"), "--outputs"]
    assert main([*args, str(out), "--now", NOW]) == 0


def test_a_language_under_an_old_code_is_named_as_the_one_it_stands_for(tmp_path: Path) -> None:
    """babel reads `iw` as Hebrew in Israel: the pages' language menu, the OPDS catalog and
    the books' series named it "עברית (ישראל)", a region the site never said."""
    out = export_all(old_tag_site(tmp_path, "iw"), "html", "epub")
    english = (out / f"html/{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert 'hreflang="he" lang="he" rel="alternate">עברית</a>' in english
    catalog = (out / "opds/catalog.xml").read_text(encoding="utf-8")
    assert "<title>עברית</title>" in catalog and "ישראל" not in catalog


def test_a_partner_feed_of_an_old_code_knows_its_kill_notices(tmp_path: Path) -> None:
    """A partner feed's kill items are told by their title, the notice in the feed's language:
    looked up under the `<language>` the channel states (`he`), the notice of a site's own
    `terms/iw.yaml` was no kill notice, and the kill item an item without its full text."""
    from partner_sites import DELIVERED

    site = old_tag_site(tmp_path, "iw")
    config = site / "syndicate.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "profiles:\n  msn:\n" + DELIVERED, "utf-8"
    )
    (site / "terms").mkdir()
    (site / "terms" / "iw.yaml").write_text("notice_title: הידיעה הוסרה\n", encoding="utf-8")
    facts = site / "articles" / SAMPLE_SLUG / "story.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "status: usable\nversion: 1\n" in text
    facts.write_text(text.replace("status: usable\nversion: 1", "status: canceled\nversion: 2"))
    out = export_all(site, "msn")
    feed = (out / "partners/msn/iw.xml").read_text(encoding="utf-8")
    assert "<language>he</language>" in feed and "<title>הידיעה הוסרה" in feed
    args = ["validate", "-q", "--config", str(config), "--outputs", str(out), "--now", NOW]
    assert main(args) == 0


@pytest.mark.parametrize(("tag", "said"), [("iw", "he"), ("in-ID", "id-ID")])
def test_newsml_of_an_old_code_reads_back_under_the_site_tag(
    tmp_path: Path, tag: str, said: str
) -> None:
    """Our items of a site of `iw` state `he` (`xml:lang`, `<language tag>`) and are named
    `iw` (`story.iw.xml`, guid `...:iw`): `read_newsml` took the stated tag for the variant's,
    so the story read back had an `he` variant whose id, `...:he`, was no item's guid, with
    its texts and correction note keyed `he`."""
    from test_newsml_reader import carried

    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.newsml.reader import read_newsml
    from syndicate.readers.articles import read_articles
    from syndicate.readers.config import load_config

    site = old_tag_site(tmp_path, tag)
    for other in (site / "articles" / SAMPLE_SLUG).glob("*.md"):  # the site's languages alone
        if other.stem not in ("en", tag):
            other.unlink()
    facts = site / "articles" / SAMPLE_SLUG / "story.yaml"
    text = facts.read_text(encoding="utf-8")
    note = f"correction:\n  note: {{en: Corrects the figure., {tag}: תוקן המספר.}}\n"
    facts.write_text(text.replace("version: 1\n", "version: 2\n" + note), encoding="utf-8")
    out = export_all(site, "newsml")
    item = (out / f"newsml/{SAMPLE_SLUG}.{tag}.xml").read_text(encoding="utf-8")
    assert f'<language tag="{said}"/>' in item and f'guid="{STORY_ID}:{tag}"' in item
    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None
    (story,) = read_articles(site / "articles", config, diags)
    (back,) = read_newsml(out / "newsml", Diagnostics(), story.timezone)
    assert back.languages == story.languages == ("en", tag)
    assert back.variant_id(tag) == f"{STORY_ID}:{tag}"
    assert back.correction is not None and back.correction.note.get(tag) == "תוקן המספר."
    # the variants as the model has them (not their rights: `carried` resolves a notice in
    # the sample's six languages alone, which a text of `iw` falls back from)
    variants = [[v | {"rights": None} for v in carried(s)["variants"]] for s in (back, story)]
    assert variants[0] == variants[1]


EMPHASIS_PROBE = """<pre id="probe"></pre><script>
const body = document.querySelector(".body");
document.getElementById("probe").textContent = JSON.stringify(
  ["p > em", "strong", "strong em"].map((sel) => {
    const style = getComputedStyle(body.querySelector(sel));
    return [style.fontStyle, style.fontWeight];
  }));
</script>"""


@pytest.mark.slow
def test_a_hebrew_page_under_iw_takes_the_hebrew_emphasis_in_chromium(tmp_path: Path) -> None:
    """Hebrew has no italic: its emphasis is upright and bold, emphasis within strong at the
    text's weight (`em:is(..., :lang(he), ...)`). A page of `lang="iw"` is no `:lang(he)`
    to a browser: Chromium drew its emphasis as a slanted oblique. Stated `he`, it is bold."""
    from lxml import html as lxml_html
    from test_html_render import CHROMIUM_NAMES, dump_dom

    chromium = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    if chromium is None:
        pytest.skip("chromium is not installed")
    out = export_all(old_tag_site(tmp_path, "iw"), "html")
    page = out / "html" / f"{SAMPLE_SLUG}.iw.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", EMPHASIS_PROBE + "</body>"), encoding="utf-8")
    (said,) = lxml_html.fromstring(dump_dom(chromium, page)).xpath('//pre[@id="probe"]/text()')
    assert json.loads(said) == [["normal", "700"], ["normal", "700"], ["normal", "400"]]


@pytest.mark.slow
def test_the_outputs_of_a_site_of_iw_pass_the_official_validators(
    tmp_path: Path, shared_dir: Path
) -> None:
    """The W3C Feed Validator refused every `iw` the feeds stated ("xml:lang must be an
    ISO-639 language code", RSS's `language`, `dc:language`, `hreflang`); NewsML-G2 against
    IPTC's XSD and EPUBCheck take the outputs stating `he` too."""
    from test_epub_check import check
    from test_feed_validator import unexplained, validate

    out = export_all(old_tag_site(tmp_path, "iw"))
    assert unexplained(validate(shared_dir, out)) == []
    items = sorted(map(str, (out / "newsml").glob("*.xml")))
    tool = shared_dir / "tools" / "newsml_validate.py"
    done = subprocess.run([sys.executable, str(tool), *items], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (f"{SAMPLE_SLUG}.iw.epub", "edition-iw.epub", f"{SAMPLE_SLUG}.en.epub"):
        assert check(out / "epub" / name) == [], name
