"""Every format spells the URL of a published file the same way: a file name in any script
(an Arabic newsroom's `ميناء-جدة.png`) percent-encoded from UTF-8, so that ninjs holds the
URIs its schema declares, and NewsML-G2, feeds, pages and partner feeds agree with it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import FIXED_NOW, ICON_V, LOGO_V, PLAIN_COVERS, REPO, SAMPLE_SLUG
from lxml import etree
from lxml import html as lxml_html

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Urls, versioned
from syndicate.model.site import fill
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config

BASE = "https://ycpress.example/syndicate/"
IMAGE = "ميناء-جدة"
ICON = "أيقونة"
ENCODED = quote(IMAGE, safe="")
ENCODED_ICON = quote(ICON, safe="")
MRSS = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"
_URL = re.compile(r"""https?://[^\s"'<>)\\]+""")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, its image and icon renamed in Arabic, with a partner profile that
    makes renditions of its own and names the logo (`snf:logo`), exported in every format."""
    root = tmp_path_factory.mktemp("arabic")
    articles = root / "articles"
    shutil.copytree(REPO / "articles", articles)
    story = articles / SAMPLE_SLUG
    (story / "images/nato-iraq-mission.png").rename(story / f"images/{IMAGE}.png")
    for text in [story / "story.yaml", *story.glob("*.md")]:
        content = text.read_text(encoding="utf-8")
        text.write_text(content.replace("nato-iraq-mission", IMAGE), encoding="utf-8")
    (articles / "_site/icon.png").rename(articles / f"_site/{ICON}.png")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/icon.png", f"articles/_site/{ICON}.png")
    config += "profiles:\n  mine:\n    image_width: 800\n    snf_logo: true\n"
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    target = root / "out"
    args = ["export", "-q", "-f", "all", "--now", FIXED_NOW, "--out", str(target)]
    args += ["--config", str(root / "syndicate.yaml"), "--articles", str(articles)]
    assert main(args, registry=PLAIN_COVERS) == 0
    return target


def digest(path: Path) -> str:
    """The digest a published file's URL carries: 12 hex digits of its bytes' SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def texts(out: Path) -> dict[str, str]:
    """Every text file of out/ and every text member of its books, by name."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    if member.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                        found[f"{name}!{member}"] = book.read(member).decode("utf-8")
        elif path.is_file() and path.suffix in {".xml", ".json", ".jsonld", ".html"}:
            found[name] = path.read_text(encoding="utf-8")
    return found


def test_every_absolute_url_of_a_non_latin_name_is_percent_encoded_alike(out: Path) -> None:
    urls: dict[str, set[str]] = {}
    for name, text in texts(out).items():
        for url in _URL.findall(text):
            if url.startswith(BASE) and (IMAGE in url or ENCODED in url):
                urls.setdefault(name.split("/")[0], set()).add(url)
    media = f"media/{SAMPLE_SLUG}/{ENCODED}"
    # each with the digest of its bytes (the rendition's its own)
    v = f"?v={digest(out / 'html' / 'media' / SAMPLE_SLUG / f'{IMAGE}.png')}"
    rendition = out / "partners/mine/media" / SAMPLE_SLUG / f"{IMAGE}-800x450.png"
    assert urls == {
        "atom": {f"{BASE}html/{media}.png{v}"},
        "rss": {f"{BASE}html/{media}.png{v}"},
        "jsonfeed": {f"{BASE}html/{media}.png{v}"},
        "jsonld": {f"{BASE}html/{media}.png{v}"},
        "html": {f"{BASE}html/{media}.png{v}"},
        "newsml": {f"{BASE}newsml/{media}.png{v}"},
        "ninjs": {f"{BASE}ninjs/{media}.png{v}"},
        # the body's image, and the rendition the profile made
        "partners": {
            f"{BASE}html/{media}.png{v}",
            f"{BASE}partners/mine/{media}-800x450.png?v={digest(rendition)}",
        },
    }
    icons = {
        url
        for text in texts(out).values()
        for url in _URL.findall(text)
        if ICON in url or ENCODED_ICON in url
    }
    icon = f"{BASE}html/media/site/{ENCODED_ICON}.png"
    assert icons == {f"{icon}?v={digest(out / 'html/media/site' / f'{ICON}.png')}"}


def test_no_published_link_holds_the_raw_name(out: Path) -> None:
    """Outside the books (whose links are paths inside the container, see docs) and the
    model dump (which names the source file), the name is written encoded or not at all."""
    published = {n: t for n, t in texts(out).items() if ".epub!" not in n and n[:6] != "model/"}
    raw = [name for name, text in published.items() if IMAGE in text or ICON in text]
    assert raw == []
    page = (out / f"html/{SAMPLE_SLUG}.ar.html").read_text(encoding="utf-8")
    v = digest(out / "html" / "media" / SAMPLE_SLUG / f"{IMAGE}.png")
    assert f'src="media/{SAMPLE_SLUG}/{ENCODED}.png?v={v}"' in page
    icon = digest(out / "html/media/site" / f"{ICON}.png")
    assert f'href="media/site/{ENCODED_ICON}.png?v={icon}"' in page


def test_every_url_of_the_logo_and_icon_carries_their_digest(out: Path) -> None:
    """A newsroom that replaces its logo in place (a rebrand) gets new URLs, as a replaced
    photo does: every URL of the logo and the icon ends in `v=<digest>` of the bytes
    published there (pages, JSON-LD, JSON Feed, the feeds' `icon`, `snf:logo`), and a feed's
    image drawn from one of them (`atom/logo.png`, `rss/logo.png`, a profile's `logo.png`)
    carries the digest of the one it is drawn from. Before: the same URLs whatever the bytes,
    and partners, CDNs and browsers kept the old logo."""
    icon_file = out / "html/media/site" / f"{ICON}.png"
    logo, icon = digest(REPO / "articles/_site/logo.png"), digest(icon_file)
    assert (f"?v={logo}", f"?v={icon}") == (LOGO_V, ICON_V)
    assert digest(out / "partners/mine/brand.png") == logo
    site_images = (f"media/site/{ENCODED_ICON}.png", "/logo.png", "/brand.png")
    found: dict[str, set[str]] = {}
    for text in texts(out).values():
        for url in _URL.findall(text):
            if url.startswith(BASE) and url.partition("?")[0].endswith(site_images):
                found.setdefault(url.partition("?")[0].removeprefix(BASE), set()).add(url)
    assert found == {
        f"html/media/site/{ENCODED_ICON}.png": {
            f"{BASE}html/media/site/{ENCODED_ICON}.png{ICON_V}"
        },
        "atom/logo.png": {f"{BASE}atom/logo.png{LOGO_V}"},  # drawn from the logo
        "rss/logo.png": {f"{BASE}rss/logo.png{ICON_V}"},  # the logo too flat at 144 px
        "partners/mine/logo.png": {f"{BASE}partners/mine/logo.png{ICON_V}"},
        "partners/mine/brand.png": {f"{BASE}partners/mine/brand.png{LOGO_V}"},
    }
    page = (out / "html/index.en.html").read_text(encoding="utf-8")
    assert f'<link rel="icon" href="media/site/{ENCODED_ICON}.png{ICON_V}">' in page


def test_the_encoded_urls_name_the_published_files(out: Path) -> None:
    for folder in ("html", "newsml", "ninjs"):
        assert (out / folder / "media" / SAMPLE_SLUG / f"{IMAGE}.png").is_file()
    assert (out / "partners/mine/media" / SAMPLE_SLUG / f"{IMAGE}-800x450.png").is_file()
    assert (out / f"html/media/site/{ICON}.png").is_file()


def test_ninjs_holds_uris_as_its_schema_declares(out: Path, shared_dir: Path) -> None:
    """IPTC's schema with its formats checked (jsonschema-rs checks `uri` by RFC 3986; the
    Python jsonschema would need the optional rfc3987 to check it at all)."""
    import jsonschema_rs

    schemas = shared_dir / "schemas-official/ninjs"
    geojson = json.loads((schemas / "GeoJSON-schema.json").read_text(encoding="utf-8"))
    schema = json.loads((schemas / "ninjs-schema_3.1.json").read_text(encoding="utf-8"))
    validator = jsonschema_rs.validator_for(
        schema, validate_formats=True, retriever=lambda uri: geojson
    )
    files = sorted((out / "ninjs").glob("*.json"))
    assert len(files) == 6
    for path in files:
        doc = json.loads(path.read_bytes())
        assert [error.message for error in validator.iter_errors(doc)] == []
        href = doc["associations"][-1]["renditions"][0]["href"]
        assert href.partition("?")[0].endswith(f"/{ENCODED}.png")


@pytest.mark.slow
def test_validate_outputs_accepts_the_export(out: Path) -> None:
    """Every format's validator, EPUBCheck on books whose members have Arabic names too."""
    assert main(["validate", "-q", "--site", str(out.parent), "--outputs", str(out)]) == 0


def test_a_link_template_in_any_script_gives_uris(tmp_path: Path, out: Path) -> None:
    """`links:` templates are written by hand: their own letters are encoded as a story's
    links are, the file name as every format encodes it."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config += 'links:\n  image: "https://cdn.example/صور/{slug}/{name}"\n'
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    site = load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags)
    assert site is not None, [d.format_text() for d in diags]
    [story] = read_articles(out.parent / "articles", site, diags)
    assert Urls(site).image(story.slug, story.images[0]) == (
        f"https://cdn.example/{quote('صور')}/{SAMPLE_SLUG}/{ENCODED}.png?v={story.images[0].digest}"
    )


SAMPLE_DIGEST = "be9dd0fa012a"
"""The first 12 hex digits of the SHA-256 of the sample's picture (`nato-iraq-mission.png`)."""
_PICTURE = f"{SAMPLE_SLUG}/nato-iraq-mission.png"


@pytest.mark.parametrize(
    ("template", "url"),
    [
        (None, f"{BASE}html/media/{_PICTURE}?v={SAMPLE_DIGEST}"),
        (
            "https://cdn.example/{digest}/{slug}/{name}",
            f"https://cdn.example/{SAMPLE_DIGEST}/{_PICTURE}",
        ),
        ("https://cdn.example/{slug}/{name}", f"https://cdn.example/{_PICTURE}?v={SAMPLE_DIGEST}"),
        (
            "https://img.example/fit?src={slug}/{name}&w=1200",
            f"https://img.example/fit?src={_PICTURE}&w=1200&v={SAMPLE_DIGEST}",
        ),
        (
            "https://cdn.example/{slug}/{name}#photo",
            f"https://cdn.example/{_PICTURE}?v={SAMPLE_DIGEST}#photo",
        ),
    ],
)
def test_an_image_url_carries_the_digest_of_its_bytes(
    tmp_path: Path, template: str | None, url: str
) -> None:
    """Where `links.image` puts `{digest}` (a CDN that keys its cache on the path), else as
    `v=<digest>` ending its query: a photo replaced in place is a new URL whatever the
    template (before: the same URL, and the wrong photo stayed in every cache)."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    if template is not None:
        config += f"links:\n  image: {template!r}\n"
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    site = load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags)
    assert site is not None, [d.format_text() for d in diags]
    [story] = read_articles(REPO / "articles", site, diags)
    assert story.images[0].digest == SAMPLE_DIGEST
    assert Urls(site).image(story.slug, story.images[0]) == url


def test_an_image_url_with_a_query_of_its_own_is_escaped_in_every_format(tmp_path: Path) -> None:
    """The `&` a template's own query gets before `v=` is written `&amp;` in XML and HTML, and
    every format gives the same URL back once parsed."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "articles", root / "articles")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config += 'links:\n  image: "https://img.example/fit?src={slug}/{name}"\n'
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    out = root / "out"
    args = ["export", "-q", "--now", FIXED_NOW, "--out", str(out), "--config"]
    args += [str(root / "syndicate.yaml"), "--articles", str(root / "articles")]
    for name in ("atom", "rss", "jsonfeed", "jsonld", "html"):
        args += ["-f", name]
    assert main(args, registry=PLAIN_COVERS) in (0, 1)  # (the pages link books not made)
    url = f"https://img.example/fit?src={_PICTURE}&v={SAMPLE_DIGEST}"
    atom = etree.parse(out / "atom/en.xml")
    assert atom.xpath("//m:content/@url", namespaces={"m": MRSS}) == [url]
    assert atom.xpath("//a:link[@rel='enclosure']/@href", namespaces={"a": ATOM}) == [url]
    assert b"&amp;v=" in (out / "rss/en.xml").read_bytes()
    rss = etree.parse(out / "rss/en.xml")
    assert rss.xpath("//enclosure/@url") == [url]
    page = lxml_html.fromstring((out / f"html/{SAMPLE_SLUG}.en.html").read_bytes())
    assert page.xpath("//meta[@property='og:image']/@content") == [url]
    assert json.loads((out / "jsonfeed/en.json").read_bytes())["items"][0]["image"] == url
    graph = json.loads((out / f"jsonld/{SAMPLE_SLUG}.en.jsonld").read_bytes())
    assert url in json.dumps(graph, ensure_ascii=False).replace("\\/", "/")
    assert main(["validate", "-q", "--site", str(root), "--outputs", str(out)]) == 0


@pytest.mark.parametrize(
    ("file", "published"),
    [
        ("images/चित्र.png", "चित्र.png"),  # Devanagari vowel signs and virama
        ("images/ภาพถ่าย.png", "ภาพถ่าย.png"),  # Thai vowel marks
        ("images/שָׁלוֹם.png", "שָׁלוֹם.png"),  # Hebrew points
        ("images/نمودار\u200cها.png", "نمودار\u200cها.png"),  # Persian's zero-width non-joiner
        ("images/Troop Chart.png", "Troop-Chart.png"),
        ("images/x\u200f\u202ey.png", "x-y.png"),  # bidi controls are no part of a word
    ],
)
def test_a_published_name_keeps_the_marks_of_its_letters(file: str, published: str) -> None:
    """A file name's combining marks were each made `-`, as a space is: `चित्र.png` was
    published as `च-त-र.png`, a name no Hindi reader can read, and so in Thai, and Hebrew
    with its points."""
    from syndicate.model import Image
    from syndicate.model.story import picture_id

    image = Image(file, file, "image/png", 1, 1, 1, "0" * 64, {}, None, None, None)  # type: ignore[arg-type]
    assert image.name == published
    assert picture_id(image.name).startswith("picture-")


@pytest.mark.parametrize(
    ("file", "published"),
    [
        ("images/\u0301.png", "image.png"),  # a mark alone: nothing to read
        ("images/ \u0301chart.png", "chart.png"),  # no name starts with a mark
        ("images/a \u0301 b.png", "a-b.png"),  # a mark on no letter is no part of a word
        ("images/chart-\u0301.png", "chart.png"),  # (it would sit on the `-`)
        ("images/\u200d.png", "image.png"),  # a joiner alone: an invisible name
        ("images/chart\u200d.png", "chart.png"),  # would look like chart.png
        ("images/\u200dchart.png", "chart.png"),
        ("images/a \u200c b.png", "a-b.png"),
        ("images/a\u200c\u200cb.png", "a-b.png"),  # would look like a\u200cb.png
        ("images/chart\ufe0f.png", "chart.png"),  # default-ignorable marks: nothing to see
        ("images/chart\u034f.png", "chart.png"),
        ("images/chart\u200d\ufe0f.png", "chart.png"),  # a joiner before an invisible mark
        ("images/क्\u200dष.png", "क्\u200dष.png"),  # a joiner after a virama is kept
    ],
)
def test_a_published_name_keeps_no_mark_or_joiner_that_is_no_part_of_a_word(
    file: str, published: str
) -> None:
    """Marks and joiners were kept wherever they stood: `\u200d.png` was published under an
    invisible name, `chart\u200d.png` and `chart\ufe0f.png` beside `chart.png` under names that
    look the same (no `image.name` clash), and ` \u0301chart.png` under a name starting with
    a mark, which every file list shows on the character before it."""
    from syndicate.model import Image

    image = Image(file, file, "image/png", 1, 1, 1, "0" * 64, {}, None, None, None)  # type: ignore[arg-type]
    assert image.name == published


def test_urls_kept_once_worked_out_are_each_site_s_and_image_s_own() -> None:
    """A page's URL, an image's and an image's published name are kept once worked out (the
    thirty-fourth round): what they are kept by is all they depend on. Two sites of one
    process (a `serve --watch` re-export after `syndicate.yaml` changed, a script exporting
    two sites), asked in turn, each get their own base and templates (one of them changed at a
    time); an image replaced in place gets its new version, and a file read as another format
    its extension."""
    diags = Diagnostics()
    site = load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags)
    assert site is not None, [d.format_text() for d in diags]
    [story] = read_articles(REPO / "articles", site, diags)
    image = story.images[0]
    rebased = dataclasses.replace(site, base_url="https://other.example/")
    templated = dataclasses.replace(
        site, article_url="{base_url}{lang}/{slug}/", image_url="{base_url}img/{digest}/{name}"
    )
    replaced = dataclasses.replace(image, sha256="f" * 64)
    as_jpeg = dataclasses.replace(image, media_type="image/jpeg")
    for _ in range(2):
        for config in (site, rebased, templated):
            urls = Urls(config)
            for lang in ("en", "ar", "zh-Hans"):
                slug, code = quote(story.slug, safe="/"), quote(lang, safe="/")
                want = fill(config.article_url, base_url=config.base_url, slug=slug, lang=code)
                assert urls.article(story.slug, lang) == want
            for one in (image, replaced):
                name, digest = quote(one.name, safe="/"), one.digest
                fields = {"base_url": config.base_url, "slug": slug, "name": name}
                want = fill(config.image_url, **fields, digest=digest)
                if "{digest}" not in config.image_url:
                    want = versioned(want, digest)
                assert urls.image(story.slug, one) == want
        assert image.name.endswith(".png") and as_jpeg.name == image.name[:-4] + ".jpg"
    assert urls.image(story.slug, replaced) != urls.image(story.slug, image)
