"""calibre (Debian's `calibre` package, which `.ci/setup test` installs) as a real reading
client of every book of the sample and of an Arabic edition of several stories: what
`ebook-meta` reads of each (title, language, identifiers, date), what a library keeps of each
once added (`calibredb add`: tags, description, series, cover), and what `ebook-convert`
makes of each book's table of contents, spine, cover and reading direction when it converts
it (its own EPUB out: the structure calibre understood, written down)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest
from conftest import calibre_tool
from lxml import etree
from PIL import Image, ImageChops, ImageStat
from test_epub import LANGS, NS, SAMPLE_SLUG, members, opf

from syndicate.model import Story
from syndicate.xmlbase import XHTML_NS

pytestmark = pytest.mark.slow

BOOKS = [f"{SAMPLE_SLUG}.{lang}" for lang in LANGS] + [f"edition-{lang}" for lang in LANGS]
# calibre shows a book's language as ISO 639-2/T (its `lang_as_iso639_1` inverse).
ISO639_2 = {"en": "eng", "fr": "fra", "ar": "ara", "zh-Hans": "zho", "de": "deu", "es": "spa"}
TIMEOUT = 300


@pytest.fixture(scope="module")
def books(sample_books: dict[str, Path]) -> dict[str, Path]:
    """The sample's books and the Arabic edition of several stories (conftest's)."""
    return {name: sample_books[name] for name in [*BOOKS, "many/edition-ar"]}


def ebook_meta(path: Path) -> dict[str, str]:
    """`ebook-meta`'s fields of a book, by their names as it prints them."""
    shown = subprocess.run(
        [calibre_tool("ebook-meta"), str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout
    fields = {}
    for line in shown.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip():
            fields[name.strip()] = value.strip()
    return fields


@pytest.fixture(scope="module")
def metadata(books: dict[str, Path]) -> dict[str, dict[str, str]]:
    calibre_tool("ebook-meta")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(books, pool.map(ebook_meta, books.values()), strict=True))


@pytest.fixture(scope="module")
def converted(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each book as calibre converts it to its own EPUB."""
    tool = calibre_tool("ebook-convert")
    folder = tmp_path_factory.mktemp("converted")

    def convert(item: tuple[str, Path]) -> Path:
        name, path = item
        target = folder / f"{name.replace('/', '-')}.epub"
        done = subprocess.run(
            [tool, str(path), str(target)], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return target

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(books, pool.map(convert, books.items()), strict=True))


def lang_of(name: str) -> str:
    """The language of a book, by its name (`<slug>.<lang>`, `edition-<lang>`)."""
    name = name.rsplit("/", 1)[-1]
    if name.startswith("edition-"):
        return name.removeprefix("edition-")
    return name.rsplit(".", 1)[1]


def nav_entries(book: Path) -> list[tuple[str, str]]:
    """Our table of contents, in order: each entry's words and the file (and #id) it leads to,
    from the package's folder."""
    nav = etree.fromstring(members(book)["EPUB/nav.xhtml"])
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    return [
        (" ".join(a.xpath("string()").split()), a.get("href")) for a in toc.iterfind(".//x:a", NS)
    ]


def calibre_entries(book: Path) -> list[tuple[str, str]]:
    """The table of contents calibre read, as it writes it in its own NCX, each target made
    relative to the folder of our package (calibre keeps our `EPUB/` folder inside its own)."""
    with zipfile.ZipFile(book) as zf:
        opf_path = PurePosixPath(
            etree.fromstring(zf.read("META-INF/container.xml")).xpath(
                "//*[local-name()='rootfile']/@full-path"
            )[0]
        )
        package = etree.fromstring(zf.read(str(opf_path)))
        ncx_href = package.xpath(
            "//opf:item[@media-type='application/x-dtbncx+xml']/@href", namespaces=NS
        )[0]
        ncx = etree.fromstring(zf.read(str(opf_path.parent / ncx_href)))
    base = opf_path.parent / PurePosixPath(ncx_href).parent
    entries = []
    for point in ncx.iterfind(".//ncx:navPoint", NS):
        label = " ".join(point.findtext("ncx:navLabel/ncx:text", "", NS).split())
        src = str(base / point.find("ncx:content", NS).get("src"))
        entries.append((label, src.removeprefix("EPUB/")))
    return entries


@pytest.mark.parametrize("name", [*BOOKS, "many/edition-ar"])
def test_calibre_reads_the_title_language_and_date(
    metadata: dict[str, dict[str, str]], books: dict[str, Path], name: str
) -> None:
    shown = metadata[name]
    package = opf(books[name])
    assert shown["Title"] == package.findtext("opf:metadata/dc:title", namespaces=NS)
    assert shown["Languages"] == ISO639_2[lang_of(name)]
    assert shown["Author(s)"] == "YCPress"
    assert shown["Publisher"] == "YCPress"
    published = shown["Published"]
    if name.startswith(SAMPLE_SLUG):  # the story's publication, in UTC (19:30 in Brussels)
        assert published == "2021-02-18T18:30:00+00:00"
    else:  # an edition is the day's
        assert published.startswith("2021-02-18T")


@pytest.mark.parametrize("lang", LANGS)
def test_calibre_lists_the_permanent_id_and_the_web_address(
    metadata: dict[str, dict[str, str]], sample_story: Story, lang: str
) -> None:
    """calibre turns a tag URI's comma into `|` and keeps `url:` ones (tests/test_epub.py
    reads the package by calibre's rules; this is calibre itself)."""
    base = "https://ycpress.example/syndicate/"
    story = metadata[f"{SAMPLE_SLUG}.{lang}"]["Identifiers"].split(", ")
    tag = sample_story.variant_id(lang)
    assert story == [
        tag[4:].replace(",", "|").join(("tag:", "")),
        f"url:{base}html/{SAMPLE_SLUG}.{lang}.html",
    ]
    edition = metadata[f"edition-{lang}"]["Identifiers"].split(", ")
    assert edition == [f"url:{base}epub/edition-{lang}.epub"]


@pytest.mark.parametrize("name", [*BOOKS, "many/edition-ar"])
def test_calibre_reads_the_table_of_contents_as_written(
    books: dict[str, Path], converted: dict[str, Path], name: str
) -> None:
    """Every entry of our nav, its words and where it leads, in order, is what calibre took
    for the book's table of contents."""
    ours = nav_entries(books[name])
    assert ours, name
    assert calibre_entries(converted[name]) == ours


@pytest.mark.parametrize("name", [*BOOKS, "many/edition-ar"])
def test_calibre_keeps_the_spine_cover_and_direction(
    books: dict[str, Path], converted: dict[str, Path], name: str
) -> None:
    ours = opf(books[name])
    with zipfile.ZipFile(converted[name]) as zf:
        package = etree.fromstring(zf.read("content.opf"))
    spine = package.find("opf:spine", NS)
    rtl = lang_of(name) == "ar"
    assert spine.get("page-progression-direction") == ("rtl" if rtl else "ltr")

    def reading_order(package: etree._Element, prefix: str) -> list[str]:
        items = {
            item.get("id"): item.get("href").removeprefix(prefix)
            for item in package.iterfind("opf:manifest/opf:item", NS)
        }
        return [items[ref.get("idref")] for ref in package.iterfind("opf:spine/opf:itemref", NS)]

    assert reading_order(package, "EPUB/") == reading_order(ours, "")
    cover_id = package.xpath("string(opf:metadata/opf:meta[@name='cover']/@content)", namespaces=NS)
    cover = package.xpath(f"string(opf:manifest/opf:item[@id='{cover_id}']/@href)", namespaces=NS)
    assert cover == "EPUB/images/cover.png", name


@pytest.fixture(scope="module")
def library(
    books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, object]]:
    """Each book as a reader's calibre library holds it once added (`calibredb add`, what
    "Add books" does): its fields as `calibredb list` gives them. ebook-meta reads the same
    package, but not what the library keeps beside: tags, series and the cover it shows."""
    calibredb = calibre_tool("calibredb")
    folder = tmp_path_factory.mktemp("library")
    # a library of its own, and calibre's settings apart from the user's
    env = {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(folder / "config")}
    run = ["--library-path", str(folder / "books")]
    added = subprocess.run(
        [calibredb, "add", "--duplicates", *run, *map(str, books.values())],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout
    found = re.search(r"Added book ids: ([0-9, ]+)", added)
    assert found, added
    ids = [int(x) for x in found.group(1).split(",")]
    fields = "title,languages,tags,series,series_index,comments,cover"
    listed = subprocess.run(
        [calibredb, "list", *run, "--for-machine", "--fields", fields],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout
    held = {book["id"]: book for book in json.loads(listed)}
    return dict(zip(books, (held[i] for i in ids), strict=True))


@pytest.mark.parametrize("name", [*BOOKS, "many/edition-ar"])
def test_calibre_s_library_keeps_the_subjects_summary_series_and_cover(
    library: dict[str, dict[str, object]], books: dict[str, Path], name: str
) -> None:
    """What the library shows of a book beyond ebook-meta's fields: its tags (our subjects,
    which calibre splits at every comma: IPTC's "conflict, war and peace" is two tags
    there, the Arabic "صراع وحرب وسلام" one), its description, an edition's series and place
    in it, and the cover, ours (not a page calibre rendered for want of one)."""
    held = library[name]
    package = opf(books[name])
    assert held["title"] == package.findtext("opf:metadata/dc:title", namespaces=NS)
    assert held["languages"] == [ISO639_2[lang_of(name)]]
    assert held["comments"] == package.findtext("opf:metadata/dc:description", namespaces=NS)
    subjects = [x.text for x in package.iterfind("opf:metadata/dc:subject", NS)]
    assert subjects, name
    assert held["tags"] == [tag.strip() for subject in subjects for tag in subject.split(",")]
    series = package.xpath(
        "opf:metadata/opf:meta[@property='belongs-to-collection']", namespaces=NS
    )
    if name.startswith(SAMPLE_SLUG):
        assert not series and "series" not in held, name
    else:
        assert held["series"] == series[0].text
        at = package.xpath(
            f"string(opf:metadata/opf:meta[@refines='#{series[0].get('id')}']"
            "[@property='group-position'])",
            namespaces=NS,
        )
        assert held["series_index"] == float(at)
    ours = Image.open(io.BytesIO(members(books[name])["EPUB/images/cover.png"]))
    with Image.open(str(held["cover"])) as shown:
        assert shown.size == ours.size, name
        # the same picture: calibre keeps it as JPEG, so alike, not byte for byte (about 0.02
        # apart on average; two editions' covers, which differ in their words, are 5 apart)
        small = (ours.width // 8, ours.height // 8)
        theirs = shown.convert("L").resize(small)
        mine = ours.convert("L").resize(small)
        assert ImageStat.Stat(ImageChops.difference(theirs, mine)).mean[0] < 1, name


@pytest.fixture(scope="module")
def shown_days(
    books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    """The day calibre's library shows as each edition's publication date, by the reader's
    time zone (`calibredb list`, not `--for-machine`: the date as the library shows it, in
    the zone calibre runs in)."""
    calibredb = calibre_tool("calibredb")
    folder = tmp_path_factory.mktemp("days")
    env = {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(folder / "config")}
    run = ["--library-path", str(folder / "books")]
    editions = {name: path for name, path in books.items() if "edition-" in name}
    added = subprocess.run(
        [calibredb, "add", "--duplicates", *run, *map(str, editions.values())],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout
    found = re.search(r"Added book ids: ([0-9, ]+)", added)
    assert found, added
    ids = [x.strip() for x in found.group(1).split(",")]
    days = {}
    for zone in ZONES:
        listed = subprocess.run(
            [calibredb, "list", *run, "--fields", "pubdate", "--line-width", "200"],
            env={**env, "TZ": zone},
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        ).stdout
        rows = dict(line.split()[:2] for line in listed.splitlines()[1:] if line.strip())
        days[zone] = {name: rows[i][:10] for name, i in zip(editions, ids, strict=True)}
    return days


# west of UTC as far as Hawaii, the site's own (syndicate.yaml), and east as far as New Zealand
ZONES = (
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "UTC",
    "Europe/Brussels",
    "Asia/Tokyo",
    "Pacific/Auckland",
)


@pytest.mark.parametrize("zone", ZONES)
def test_calibre_s_library_shows_an_edition_s_own_day_in_the_reader_s_time_zone(
    shown_days: dict[str, dict[str, str]], books: dict[str, Path], zone: str
) -> None:
    """An edition's `dc:date` was its bare day, which calibre reads as midnight UTC and its
    library shows in the reader's zone: the day before anywhere west of UTC (Los Angeles'
    library showed the 18 February edition as of the 17th). It is when the edition reached
    the public, and the library shows that instant's day where the reader is: the edition's
    day, as its place in the series numbers it (20210218), west of UTC and in the site's
    zone; further east, where the sample's evening edition came out on the 19th, the 19th."""
    shown = shown_days[zone]
    assert shown
    for name, day in shown.items():
        package = opf(books[name])
        date = datetime.fromisoformat(package.xpath("string(//dc:date)", namespaces=NS))
        assert day == date.astimezone(ZoneInfo(zone)).date().isoformat(), (name, zone)
        at = package.xpath(
            "string(opf:metadata/opf:meta[@refines='#series'][@property='group-position'])",
            namespaces=NS,
        )
        if zone in ("America/Los_Angeles", "Pacific/Honolulu", "UTC", "Europe/Brussels"):
            assert day.replace("-", "") == at, (name, zone)


# Typography through calibre's conversion ---------------------------------------------------

NASKH = '"Noto Naskh Arabic"'
ARABIC_BOOKS = {"ar", "fa"}
CJK_BOOKS = {"zh-Hans", "ja"}
NO_ITALIC_BOOKS = {"he"}
"""Books in a script with no italic, whose emphasis is bold (docs/formats/html-jsonld.md)."""


@pytest.fixture(scope="module")
def typeset_converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The books hardest to typeset (tests/test_epub_reader.py's `harbour` in English,
    Hebrew, Persian and Japanese; the sample's Arabic and Chinese, with emphasis within
    emphasis), each as calibre converts it to its own EPUB (`<lang>.epub`) and to AZW3 for a
    Kindle, read back as calibre's EPUB (`<lang>.azw3`): what a reader's converted copy holds."""
    from test_epub_reader import FIXED_NOW, HARD_NOW, NESTED, REPO, books, hard_site

    tool = calibre_tool("ebook-convert")
    root = tmp_path_factory.mktemp("typeset")
    sample = root / "sample"
    shutil.copytree(REPO / "articles", sample / "articles")
    shutil.copy(REPO / "syndicate.yaml", sample / "syndicate.yaml")
    for lang, pair in {"ar": ("الناتو", "العراق"), "zh-Hans": ("北约", "伊拉克")}.items():
        with (sample / "articles" / SAMPLE_SLUG / f"{lang}.md").open("a", encoding="utf-8") as md:
            md.write("\n" + NESTED.format(*pair) + "\n")
    sources = {
        lang_of(b.stem): b
        for b in books(sample, root / "sample-out", FIXED_NOW)
        if lang_of(b.stem) in {"ar", "zh-Hans"} and b.stem.startswith(SAMPLE_SLUG)
    }
    sources |= {
        lang_of(b.stem): b
        for b in books(hard_site(root / "hard"), root / "hard-out", HARD_NOW)
        if b.stem.startswith("harbour.")
    }
    assert sorted(sources) == ["ar", "en", "fa", "he", "ja", "zh-Hans"], sorted(sources)

    def run(source: Path, target: Path) -> None:
        done = subprocess.run(
            [tool, str(source), str(target)], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def convert(item: tuple[str, str]) -> Path:
        lang, kind = item
        target = root / f"{lang}.{kind}"
        run(sources[lang], target)
        if kind == "epub":
            return target
        run(target, root / f"{lang}.{kind}.epub")
        return root / f"{lang}.{kind}.epub"

    jobs = [(lang, kind) for lang in sources for kind in ("epub", "azw3")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return {
            f"{lang}.{kind}": path
            for (lang, kind), path in zip(jobs, pool.map(convert, jobs), strict=True)
        }


class Flattened:
    """A book as calibre writes it: every element's style in the classes of its one
    stylesheet (calibre flattens the book's CSS into them), read as a reader's would inherit it."""

    def __init__(self, book: Path) -> None:
        with zipfile.ZipFile(book) as zf:
            css = zf.read("stylesheet.css").decode("utf-8")
            self.documents = [
                etree.fromstring(zf.read(name))
                for name in zf.namelist()
                if name.endswith((".html", ".xhtml")) and "titlepage" not in name
            ]
        self.classes: dict[str, dict[str, str]] = {}
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
            declarations = dict(
                (p.strip(), v.strip())
                for p, _, v in (d.partition(":") for d in body.split(";") if ":" in d)
            )
            for name in re.findall(r"\.([\w-]+)", selector):
                self.classes.setdefault(name, {}).update(declarations)

    def elements(self, tag: str) -> list[etree._Element]:
        return [e for doc in self.documents for e in doc.iter(f"{{{XHTML_NS}}}{tag}")]

    def own(self, element: etree._Element, prop: str) -> str | None:
        values = [self.classes.get(c, {}).get(prop) for c in element.get("class", "").split()]
        return next((v for v in reversed(values) if v is not None), None)

    def inherited(self, element: etree._Element, prop: str) -> str | None:
        for e in (element, *element.iterancestors()):
            value = self.own(e, prop)
            if value is not None and value != "inherit":
                return value
        return None


@pytest.mark.parametrize("kind", ["epub", "azw3"])
@pytest.mark.parametrize("lang", ["ar", "fa", "zh-Hans", "ja", "he", "en"])
def test_calibre_s_conversion_keeps_each_script_s_emphasis_faces_and_kicker(
    typeset_converted: dict[str, Path], lang: str, kind: str
) -> None:
    """calibre's conversion (to AZW3, or to its own EPUB) dropped every script rule of the
    books' stylesheet: its CSS parser knows no `:not(:lang(zh-Latn))` and drops the whole rule
    (all the languages of its list) such a selector is in. A converted Arabic or Persian book's
    emphasis came out italic (a slant that breaks joined letters), its kicker tracked, its text
    out of the Naskh; a Chinese or Japanese one's emphasis italic, its emphasis within
    emphasis bold on bold. Now, in each converted copy: emphasis upright and bold in Arabic
    script, CJK and Hebrew (the inner one of two at the text's weight, CJK's with dots), italic
    elsewhere; the kicker untracked there, tracked elsewhere; Arabic script in the Naskh, on
    the story's text (its language inherited from the body's `lang`) and on an Arabic passage
    in another book (the link to the Arabic translation)."""
    book = Flattened(typeset_converted[f"{lang}.{kind}"])
    script = lang in ARABIC_BOOKS or lang in CJK_BOOKS
    by_weight = script or lang in NO_ITALIC_BOOKS
    wrong = []
    ems = book.elements("em")
    assert ems, "no emphasis in the book"
    for em in ems:
        nested = any(a.tag == f"{{{XHTML_NS}}}strong" for a in em.iterancestors())
        style = book.own(em, "font-style") or "italic"  # the reader's own for <em>
        weight = book.inherited(em, "font-weight") or "normal"
        dots = book.own(em, "text-emphasis-style")
        meant = (
            ("normal", "normal" if nested else "bold", "filled dot" if nested else None)
            if by_weight
            else ("italic", "bold" if nested else "normal", None)
        )
        if lang not in CJK_BOOKS:
            meant = (meant[0], meant[1], None)
        if (style, weight, dots) != meant:
            wrong.append(f"<em> {em.xpath('string()')!r}: {(style, weight, dots)} not {meant}")
    for strong in book.elements("strong"):
        nested = any(a.tag == f"{{{XHTML_NS}}}em" for a in strong.iterancestors())
        weight = book.own(strong, "font-weight") or "bold"
        meant_weight = "normal" if by_weight and nested else "bold"
        if weight != meant_weight:
            wrong.append(f"<strong> {strong.xpath('string()')!r}: {weight} not {meant_weight}")
    kickers = [e for e in book.elements("p") if "kicker" in e.get("class", "").split()]
    assert kickers, "no kicker"
    for kicker in kickers:
        spacing = book.inherited(kicker, "letter-spacing")
        meant_spacing = "0" if script else "0.05em"
        if spacing != meant_spacing:
            wrong.append(f"kicker {kicker.xpath('string()')!r}: letter-spacing {spacing}")
    texts = [e for e in book.elements("p") if e.xpath("string()").strip()]
    naskh = [e for e in texts if (book.inherited(e, "font-family") or "").startswith(NASKH)]
    if lang in ARABIC_BOOKS:
        if naskh != texts:
            wrong.append(f"{len(texts) - len(naskh)} of {len(texts)} paragraphs not in Naskh")
    elif naskh:
        wrong.append(f"{len(naskh)} paragraphs in Naskh")
    if lang == "zh-Hans":
        arabic = [e for doc in book.documents for e in doc.iter() if e.get("lang") == "ar"]
        assert arabic, "no Arabic passage"
        faces = {book.inherited(e, "font-family") or "" for e in arabic}
        if not all(f.startswith(NASKH) for f in faces):
            wrong.append(f"the Arabic passage in {faces}")
    assert wrong == []
