"""Our books opened in a real reading system, as a reader opens them: foliate-js (the engine
of the Foliate e-reader, from npm, `tests/a11y/reader.mjs`) in the system's Chromium, on every
book and edition of the sample site (`export --format all`), of the lifecycle fixture (a killed,
a withdrawn and a corrected story) and of a site of hard books (Hebrew, Persian and Japanese
editions, a corrected story led by an image no body places and showing one placed, a killed
story, an edition of 25 stories). For each book: the cover decodes and its page shows it; every
entry of the table of contents (nav.xhtml) lands, on the page shown, on the heading it names;
the page progression is right to left in a right-to-left language (the arrow on the left reads
on) and left to right otherwise; every document says the book's language; every image loads;
every link inside the book lands, clicked, where it points; emphasis is upright and the text
in the faces made for its script where the pages set it so; nothing is said on the console."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG, export_stories
from lxml import etree
from test_lifecycle import FIXTURE
from test_lifecycle import NOW as LIFECYCLE_NOW

from syndicate.cli import main
from syndicate.i18n.locales import direction
from syndicate.i18n.scripts import ARABIC_SCRIPT, BY_WEIGHT, CJK, lang_selectors
from syndicate.model import SiteConfig, Story
from syndicate.xmlbase import EPUB_NS, XHTML_NS, safe_parser

RUNNER = Path(__file__).parent / "a11y" / "reader.mjs"
HARD_NOW = "2021-03-02T00:00:00Z"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None or not (RUNNER.parent / "node_modules" / "foliate-js").is_dir():
        pytest.fail("foliate-js or Chromium is missing: run `bash .ci/setup test`")
    return found


def books(site: Path, out: Path, now: str, *formats: str) -> list[Path]:
    args = ["export", "-q", "--now", now, "--out", str(out)]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    for name in formats or ("epub",):
        args += ["--format", name]
    assert main(args) == 0
    return sorted((out / "epub").glob("*.epub"))


HARD = {
    "en": ("Harbour reopens after the storm", "Works", "What comes next", "It reopened."),
    "he": ("הנמל נפתח מחדש אחרי הסערה", "העבודות", "מה הלאה", "הנמל נפתח מחדש, ו-NATO הודיעה."),
    "fa": ("بندر پس از طوفان بازگشایی شد", "کارها", "گام بعدی", "بندر روز دوشنبه بازگشایی شد."),
    "ja": ("嵐の後、港が再開", "工事", "今後の予定", "港は月曜日に再開した。"),
}


NESTED = "**{0} *{1}* {0}** *{1} **{0}** {1}*"
"""A paragraph of emphasis within emphasis, both ways (`<strong>` around `<em>`, and `<em>`
around `<strong>`), in the words of a story's language."""


def hard_site(root: Path) -> Path:
    """A site of the books hardest to read: `harbour` in English, Hebrew, Persian and Japanese,
    corrected, led by a picture no body places and showing one placed, with emphasis (one
    within another too) and subheadings on two levels; a story killed the same day (its books
    are gone); 24 more English stories in three sections, so that the English edition holds 25."""
    (root / "articles" / "_site").mkdir(parents=True)
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles" / "_site" / name, root / "articles" / "_site" / name)
    (root / "syndicate.yaml").write_text(
        "publisher:\n  name: YCPress\n  url: https://ycpress.example/\n"
        "  logo: articles/_site/logo.png\n  icon: articles/_site/icon.png\n"
        "base_url: https://ycpress.example/syndicate/\ntimezone: Europe/Brussels\n"
        "languages: [en, he, fa, ja]\n",
        encoding="utf-8",
    )
    picture = REPO / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"

    def story(slug: str, langs: dict[str, tuple[str, str, str, str]], **facts: Any) -> None:
        folder = root / "articles" / slug
        (folder / "images").mkdir(parents=True)
        hour = facts.get("hour", 10)
        text = (
            f"id: tag:ycpress.example,2021-03-01:{slug}\noriginal_language: en\n"
            f"section: {facts.get('section', 'local')}\n"
            f"first_created: 2021-03-01T{hour:02d}:00:00Z\n"
            f"published: 2021-03-01T{hour:02d}:00:00Z\n"
            f"updated: 2021-03-01T{hour:02d}:30:00Z\nstatus: {facts.get('status', 'usable')}\n"
            "version: 2\nrights:\n  holder: YCPress\n  notice: {en: © 2021 YCPress}\n"
        )
        if facts.get("corrected"):
            notes = ", ".join(f"{lang}: Corrects the date ({lang})." for lang in langs)
            text += f"correction:\n  note: {{{notes}}}\n"
        if facts.get("pictures"):
            for name in ("lead.png", "placed.png"):
                shutil.copy(picture, folder / "images" / name)
            alts = ", ".join(f"{lang}: A chart ({lang})" for lang in langs)
            text += f"images:\n  - file: images/lead.png\n    alt: {{{alts}}}\n"
            text += f"  - file: images/placed.png\n    alt: {{{alts}}}\n    credit: YCPress\n"
        (folder / "story.yaml").write_text(text, encoding="utf-8")
        for lang, (headline, first, second, said) in langs.items():
            placed = "![](images/placed.png)\n\n" if facts.get("pictures") else ""
            body = (
                f"{said} *{first}* {said}\n\n{NESTED.format(first, second)}\n\n"
                f"{placed}## {first}\n\n{said}\n\n### {second}\n\n" + "\n".join([said] * 40) + "\n"
            )
            (folder / f"{lang}.md").write_text(
                f'---\nheadline: "{headline}"\nsummary: "{said}"\nbyline:\n'
                f'  organisation: YCPress\ndateline: "{first}"\n---\n{body}',
                encoding="utf-8",
            )

    story("harbour", HARD, corrected=True, pictures=True)
    story("ferry-sinks", {"en": HARD["en"], "he": HARD["he"]}, status="canceled", hour=9)
    for number in range(24):
        english = (f"Story {number} of the day", *HARD["en"][1:])
        section = ("politics", "world", "sport")[number % 3]
        story(f"story-{number:02d}", {"en": english}, hour=11 + number % 10, section=section)
    return root


def read(found: list[Path], **env: str) -> list[dict[str, Any]]:
    """The facts `reader.mjs` reports of each book; a book it cannot read in `READER_TIMEOUT`
    seconds (180) fails the test, named with what the reader was doing."""
    try:
        done = subprocess.run(
            ["node", str(RUNNER), chromium(), "-", *map(str, found)],
            capture_output=True,
            text=True,
            timeout=1800,  # a backstop: reader.mjs gives up on a book itself
            check=False,
            env={**os.environ, **env},
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"reader.mjs gave no answer in {hung.timeout} s: {hung.stderr!r}")
    if done.returncode != 0:
        pytest.fail(f"reader.mjs failed (exit {done.returncode}): {done.stderr}")
    facts: list[dict[str, Any]] = json.loads(done.stdout)["books"]
    return facts


def nav_entries(book: Path) -> list[str]:
    """The labels of the book's table of contents, as its navigation document has them."""
    with zipfile.ZipFile(book) as package:
        nav = etree.fromstring(package.read("EPUB/nav.xhtml"), safe_parser())
    toc = nav.find(f".//{{{XHTML_NS}}}nav[@{{{EPUB_NS}}}type='toc']")
    assert toc is not None
    return [said(a.xpath("string()")) for a in toc.iter(f"{{{XHTML_NS}}}a")]


def said(text: str) -> str:
    """Text as a reader compares it: a heading's `CO<sub>2</sub>` is the entry's "CO₂"."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _in(lang: str, ranges: Any) -> bool:
    """Whether a language is in one of `syndicate.i18n.scripts`' lists, as CSS matches it."""
    from test_html import _lang_matches

    return any(_lang_matches(selector, lang) for selector in lang_selectors(ranges))


def _bold(style: dict[str, Any]) -> bool:
    """Whether a computed `font-weight` draws bold (600 and up, where a bold face is chosen)."""
    weight = style["weight"]
    return weight == "bold" or (weight.isdigit() and int(weight) >= 600)


def _look(style: dict[str, Any]) -> tuple[Any, ...]:
    """What a reader sees of an emphasis's computed style: bold on bold (700 in 900, which
    the faces draw alike) looks the same."""
    return (style["style"], _bold(style), style["marks"], style["decoration"])


def problems(book: dict[str, Any], nav: list[str]) -> list[str]:
    """What a reader of this book meets that is wrong, each in a line."""
    found = []
    lang = book["language"]
    rtl = direction(lang) == "rtl"
    if (book["dir"] == "rtl") != rtl:
        found.append(f"page progression {book['dir']} in {lang}")
    if book["turn"] is not None and book["turn"] != {"left": rtl, "right": not rtl}:
        found.append(f"the page turns on with the arrows {book['turn']}")
    cover = book["cover"] or {}
    if not cover.get("width") or not cover.get("height"):
        found.append(f"the cover does not decode: {cover}")
    landmarks = {kind: m["href"] for m in book["landmarks"] for kind in m["type"]}
    covers = [s for s in book["sections"] if s["id"] == landmarks.get("cover")]
    if not covers or not covers[0]["images"] or not covers[0]["images"][0]["loaded"]:
        found.append("the cover page shows no cover")
    if [said(t["label"]) for t in book["toc"]] != nav or not nav:
        found.append(f"the reader's table of contents is not nav.xhtml's: {book['toc']}")
    for entry in book["toc"]:
        label = said(entry["label"])
        names = {said(entry.get("heading", "")), said(entry.get("kicker", ""))}
        if "#" in entry["href"]:
            names = {said(entry.get("heading", ""))}
        if entry["index"] != entry["expected"] or not entry.get("found") or label not in names:
            found.append(f"the entry {label!r} lands on {entry}")
        elif not entry["shown"]:
            found.append(f"the entry {label!r} lands on a page that does not show it")
    for link in book["followed"]:
        if link["index"] != link["expected"] or not link.get("found") or not link["shown"]:
            found.append(f"the link {link['href']} in document {link['from']} lands on {link}")
    for section in book["sections"]:
        where = section["id"]
        if section["lang"] != lang or section["xmlLang"] != lang:
            found.append(f"{where} says {section['lang']}/{section['xmlLang']}, not {lang}")
        if rtl and (section["dir"] != "rtl" or section["direction"] != "rtl"):
            found.append(
                f"{where} says dir={section['dir']}, laid out {section['direction']}, in {lang}"
            )
        found += [
            f"{where}: an image does not load ({img['alt']})"
            for img in section["images"]
            if not img["loaded"]
        ]
        upright = _in(lang, BY_WEIGHT)  # (Hebrew's among them: no italic, bold emphasis)
        for em in section["emphasis"]:
            outer = em["within"]
            if upright and em["style"] != "normal":
                found.append(f"{where}: emphasis is {em['style']} in {lang}")
            if upright and em["tag"] == "em" and outer is None and not _bold(em):
                found.append(f"{where}: emphasis is not bold in {lang}")
            if outer is not None and _look(em) == _look(outer):
                found.append(f"{where}: {em['tag']} in {outer['tag']} looks like it in {lang}")
            if outer is not None and _in(lang, CJK) and em["marks"] in ("", "none"):
                found.append(f"{where}: {em['tag']} in {outer['tag']} has no emphasis dots")
    faces = {f["familyName"] for part in book["fonts"].values() for f in part}
    if not book["fonts"].get("paragraph"):
        found.append("no body paragraph found on the first page of the text")
    if _in(lang, ARABIC_SCRIPT) and ("Noto Naskh Arabic" not in faces or "DejaVu Sans" in faces):
        found.append(f"Arabic script drawn in {sorted(faces)}")
    # the book names no CJK face: Chromium's fallback picks the sans or the serif, as its
    # version decides, but a face of the language's region (a Japanese 直 is not a Chinese one)
    region = {"zh-Hans": "SC", "ja": "JP"}.get(lang)
    cjk = {f"Noto {kind} CJK {region}" for kind in ("Sans", "Serif")}
    if region is not None and not cjk & faces:
        found.append(f"{lang} drawn in {sorted(faces)}, not in {' or '.join(sorted(cjk))}")
    # and in no other region's: the faces Chromium lists are those of the glyphs it drew
    others = {face for face in faces if face.startswith(("Noto Sans CJK", "Noto Serif CJK"))}
    if region is not None and others - cjk:
        found.append(f"{lang} drawn in part in {sorted(others - cjk)}, another region's face")
    found += [f"console: {m}" for m in book["messages"]]
    return found


@pytest.mark.slow
def test_a_reader_finds_every_book_whole_in_a_reading_system(tmp_path: Path) -> None:
    found = books(REPO, tmp_path / "sample", FIXED_NOW, "all")
    lifecycle = shutil.copytree(FIXTURE, tmp_path / "lifecycle")
    found += books(lifecycle, tmp_path / "lifecycle-out", LIFECYCLE_NOW)
    found += books(hard_site(tmp_path / "hard"), tmp_path / "hard-out", HARD_NOW)
    names = {book.name for book in found}
    assert f"{SAMPLE_SLUG}.ar.epub" in names and "edition-zh-Hans.epub" in names
    assert "2026-01-21-ferry-timetable.en.epub" in names  # corrected
    assert not any(name.startswith(("2026-01-25-false-report", "ferry-sinks")) for name in names)
    assert {"edition-he.epub", "edition-fa.epub", "harbour.ja.epub", "edition-en.epub"} <= names
    facts = read(found)
    assert [Path(book["book"]) for book in facts] == found
    long = next(book for book in facts if book["book"].endswith("hard-out/epub/edition-en.epub"))
    assert sum(entry["depth"] == 1 for entry in long["toc"]) == 25  # its stories
    assert {book["turn"] is not None for book in facts} == {True, False}
    failed = {}
    for path, book in zip(found, facts, strict=True):
        wrong = problems(book, nav_entries(path))
        if wrong:
            failed[f"{path.parent.parent.name}/{path.name}"] = wrong
    assert failed == {}


def _arabic_book_with(
    tmp_path: Path, story: Story, config: SiteConfig, name: str, old: str, new: str
) -> Path:
    """The sample story's Arabic book, its chapter's first `old` replaced with `new`."""
    files, diags = export_stories([story], config, "epub", languages=["ar"])
    assert not diags.errors, [d.format_text() for d in diags]
    book = tmp_path / f"{name}.ar.epub"
    chapter = f"EPUB/story-{SAMPLE_SLUG}.xhtml"
    with (
        zipfile.ZipFile(io.BytesIO(files[f"epub/{SAMPLE_SLUG}.ar.epub"])) as source,
        zipfile.ZipFile(book, "w") as made,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == chapter:
                text = data.decode("utf-8")
                assert old in text, (old, chapter)
                data = text.replace(old, new, 1).encode("utf-8")
            made.writestr(info, data, compress_type=info.compress_type)
    return book


@pytest.mark.slow
def test_the_reader_reports_what_the_book_says_not_what_it_fills_in_nor_the_network(
    tmp_path: Path, sample_story: Story, site_config: SiteConfig
) -> None:
    """foliate-js sets a shown document's `lang` and `dir` from the book's metadata when the
    document has none: read from the shown document, a chapter that had lost `dir="rtl"` or
    `lang` passed. And a book's request off the book went to the network: on a machine with
    one it loaded, and the book passed though a reader offline would miss it."""
    html = '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
    cases = {
        "no-dir": (' dir="rtl"', ""),
        "no-lang": (f'{html} lang="ar"', html),
        "remote": ("<h1", '<img src="http://example.com/remote.png" alt="remote"/><h1'),
    }
    found = [
        _arabic_book_with(tmp_path, sample_story, site_config, k, *v) for k, v in cases.items()
    ]
    said = {}
    for path, book in zip(found, read(found), strict=True):
        said[path.name.split(".")[0]] = "\n".join(problems(book, nav_entries(path)))
    assert "says None/ar, not ar" in said["no-lang"], said["no-lang"]
    assert "says dir=None, laid out rtl, in ar" in said["no-dir"], said["no-dir"]
    assert "refused (outside the book): http://example.com/remote.png" in said["remote"]


@pytest.mark.slow
def test_a_book_not_read_in_time_fails_naming_it_rather_than_hang(
    tmp_path: Path, sample_story: Story, site_config: SiteConfig
) -> None:
    """A reading system that never answers (a book foliate-js cannot finish opening) ran
    until the test's 30 minutes were up, then failed with a traceback naming no book."""
    book = _arabic_book_with(tmp_path, sample_story, site_config, "slow", "<h1", "<h1")
    with pytest.raises(pytest.fail.Exception) as failed:
        read([book], READER_TIMEOUT="0.01")
    assert f"{book}: not read in 0.01 s (READER_TIMEOUT), stuck " in str(failed.value)


def _read_well(lang: str, faces: list[str]) -> dict[str, Any]:
    """reader.mjs's facts of a book of one page in `lang` that a reader finds whole, its text
    drawn in `faces`."""
    section = {"id": "c", "lang": lang, "xmlLang": lang, "dir": None, "direction": "ltr"}
    section |= {"images": [{"alt": "", "loaded": True}], "emphasis": []}
    return {
        "language": lang,
        "dir": "ltr",
        "turn": None,
        "cover": {"width": 1, "height": 1},
        "landmarks": [{"type": ["cover"], "href": "c"}],
        "sections": [section],
        "toc": [
            {
                "label": "T",
                "href": "c",
                "index": 0,
                "expected": 0,
                "found": True,
                "heading": "T",
                "shown": True,
            }
        ],
        "followed": [],
        "fonts": {"paragraph": [{"familyName": face, "glyphCount": 1} for face in faces]},
        "messages": [],
    }


def test_a_cjk_book_may_be_drawn_in_its_regions_sans_or_serif_not_anothers() -> None:
    """The books name no CJK face, so which of the region's Noto faces Chromium falls back to,
    the sans or the serif, is its version's choice (Debian's Chromium is not pinned): the test
    held the sans, and would have failed a right book on an upgrade. What a reader needs is the
    region's face: a Japanese book in a Chinese face draws some kanji as Chinese hanzi."""
    assert problems(_read_well("ja", ["Noto Sans CJK JP"]), ["T"]) == []
    assert problems(_read_well("ja", ["Noto Serif CJK JP"]), ["T"]) == []
    assert problems(_read_well("zh-Hans", ["Noto Serif CJK SC"]), ["T"]) == []
    wrong = problems(_read_well("ja", ["Noto Sans CJK SC"]), ["T"])
    assert wrong == [
        "ja drawn in ['Noto Sans CJK SC'], not in Noto Sans CJK JP or Noto Serif CJK JP",
        "ja drawn in part in ['Noto Sans CJK SC'], another region's face",
    ]
    # a book drawn in its region's face and, for some of its glyphs, another's passed
    wrong = problems(_read_well("ja", ["Noto Sans CJK JP", "Noto Serif CJK SC"]), ["T"])
    assert wrong == ["ja drawn in part in ['Noto Serif CJK SC'], another region's face"]


@pytest.mark.slow
def test_emphasis_within_emphasis_stands_out_in_every_script(tmp_path: Path) -> None:
    """Emphasis is bold in Arabic-script and CJK books (italics break joined letters; CJK
    has none), so `*a*` within `**b**`, or `**b**` within `*a*`, was bold on bold: nothing
    showed. The inner one must look unlike the outer, as a reader sees them, in Arabic,
    Persian, Chinese, Japanese, Hebrew and English books; in CJK with emphasis dots."""
    sample = tmp_path / "sample"
    shutil.copytree(REPO / "articles", sample / "articles")
    shutil.copy(REPO / "syndicate.yaml", sample / "syndicate.yaml")
    words = {"ar": ("الناتو", "العراق"), "zh-Hans": ("北约", "伊拉克")}
    for lang, pair in words.items():
        with (sample / "articles" / SAMPLE_SLUG / f"{lang}.md").open("a", encoding="utf-8") as md:
            md.write("\n" + NESTED.format(*pair) + "\n")
    found = books(sample, tmp_path / "sample-out", FIXED_NOW)
    found = [b for b in found if b.name in {f"{SAMPLE_SLUG}.{lang}.epub" for lang in words}]
    hard = books(hard_site(tmp_path / "hard"), tmp_path / "hard-out", HARD_NOW)
    found += [b for b in hard if b.name.startswith("harbour.")]
    assert len(found) == 2 + len(HARD)
    failed = {}
    for path, book in zip(found, read(found), strict=True):
        nested = [em for s in book["sections"] for em in s["emphasis"] if em["within"]]
        assert len(nested) == 2, (path.name, nested)  # the paragraph's two, read
        wrong = problems(book, nav_entries(path))
        if wrong:
            failed[path.name] = wrong
    assert failed == {}
