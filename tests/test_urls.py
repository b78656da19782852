"""Every format spells the URL of a published file the same way: a file name in any script
(an Arabic newsroom's `ميناء-جدة.png`) percent-encoded from UTF-8, so that ninjs holds the
URIs its schema declares, and NewsML-G2, feeds, pages and partner feeds agree with it."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO, SAMPLE_SLUG

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Urls
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config

BASE = "https://ycpress.example/syndicate/"
IMAGE = "ميناء-جدة"
ICON = "أيقونة"
ENCODED = quote(IMAGE, safe="")
ENCODED_ICON = quote(ICON, safe="")
_URL = re.compile(r"""https?://[^\s"'<>)\\]+""")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, its image and icon renamed in Arabic, with a partner profile that
    makes renditions of its own, exported in every format."""
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
    config += "profiles:\n  mine:\n    image_width: 800\n"
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    target = root / "out"
    args = ["export", "-q", "-f", "all", "--now", FIXED_NOW, "--out", str(target)]
    args += ["--config", str(root / "syndicate.yaml"), "--articles", str(articles)]
    assert main(args, registry=PLAIN_COVERS) == 0
    return target


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
    assert urls == {
        "atom": {f"{BASE}html/{media}.png"},
        "rss": {f"{BASE}html/{media}.png"},
        "jsonfeed": {f"{BASE}html/{media}.png"},
        "jsonld": {f"{BASE}html/{media}.png"},
        "html": {f"{BASE}html/{media}.png"},
        "newsml": {f"{BASE}newsml/{media}.png"},
        "ninjs": {f"{BASE}ninjs/{media}.png"},
        # the body's image, and the rendition the profile made
        "partners": {f"{BASE}html/{media}.png", f"{BASE}partners/mine/{media}-800x450.png"},
    }
    icons = {
        url
        for text in texts(out).values()
        for url in _URL.findall(text)
        if ICON in url or ENCODED_ICON in url
    }
    assert icons == {f"{BASE}html/media/site/{ENCODED_ICON}.png"}


def test_no_published_link_holds_the_raw_name(out: Path) -> None:
    """Outside the books (whose links are paths inside the container, see docs) and the
    model dump (which names the source file), the name is written encoded or not at all."""
    published = {n: t for n, t in texts(out).items() if ".epub!" not in n and n[:6] != "model/"}
    raw = [name for name, text in published.items() if IMAGE in text or ICON in text]
    assert raw == []
    page = (out / f"html/{SAMPLE_SLUG}.ar.html").read_text(encoding="utf-8")
    assert f'src="media/{SAMPLE_SLUG}/{ENCODED}.png"' in page
    assert f'href="media/site/{ENCODED_ICON}.png"' in page


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
        assert doc["associations"][-1]["renditions"][0]["href"].endswith(f"/{ENCODED}.png")


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
        f"https://cdn.example/{quote('صور')}/{SAMPLE_SLUG}/{ENCODED}.png"
    )
