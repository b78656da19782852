"""EPUB covers drawn with the real fonts: every script shaped, in the right order and in a font
that has each character (checked against the fonts' cmaps and against their .notdef box); a
character no font has is a warning, a missing font an error; long texts are cut; the same text
gives the same bytes; the PNGs decode to the drawing."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
import regex
from conftest import REPO, export_stories
from fontTools.ttLib import TTFont
from PIL import Image, ImageFont

from syndicate.formats.epub.cover import (
    HEIGHT,
    THUMBNAIL_WIDTH,
    WIDTH,
    Cover,
    CoverText,
    draw_cover,
    layout,
)
from syndicate.formats.epub.fontfiles import DEFAULT_FONT_DIRS, font_files
from syndicate.formats.epub.fonts import CoverError, FontSpec, charmap, locate
from syndicate.formats.epub.palette_png import _adler32_combine, band, png
from syndicate.formats.epub.typeset import (
    ELLIPSIS,
    MAX_GRAPHEME,
    Fit,
    Run,
    Style,
    bound,
    fit_paragraph,
    set_text,
)
from syndicate.formats.epub.typeset import (
    shaped as shape_run_in,
)
from syndicate.formats.epub.writer import EpubWriter, _describe
from syndicate.i18n.dates import date_pattern, format_human_date
from syndicate.i18n.locales import direction
from syndicate.model import SiteConfig, Story

DIRS = DEFAULT_FONT_DIRS
SERIF_BOLD, SANS = "NotoSerif-Bold.ttf", "NotoSans-Regular.ttf"
NASKH = "NotoNaskhArabic-Bold.ttf"
NO_FONT_HAS = "\U0010fffd"
"""A private-use character of the last plane: no font maps it."""

SCRIPTS = {
    "ar": ("سياسة", "حلف الناتو يعتزم زيادة انتشاره العسكري في العراق بشكل كبير", "18 فبراير 2021"),
    "he": ("פוליטיקה", "נאט״ו תגדיל את נוכחותה הצבאית בעיראק פי שמונה", "18 בפברואר 2021"),
    "fa": ("سیاست", "ناتو حضور نظامی خود در عراق را افزایش می‌دهد", "۱۸ فوریهٔ ۲۰۲۱"),
    "zh-Hans": ("政治", "北约将大幅增加在伊拉克的军事部署，人数从500增至4000。", "2021年2月18日"),
    "ja": ("政治", "NATO、イラクでの軍事的プレゼンスを大幅に拡大へ「8倍に」", "2021年2月18日"),
    "ko": ("정치", "나토, 이라크 주둔 병력 8배로 대폭 늘린다", "2021년 2월 18일"),
    "hi": ("राजनीति", "नाटो इराक़ में अपनी सैन्य उपस्थिति आठ गुना बढ़ाएगा", "18 फ़रवरी 2021"),
    "ru": (
        "Политика",
        "НАТО значительно расширит военное присутствие в Ираке",
        "18 февраля 2021 г.",
    ),
}


def runs(setting_lines: tuple[tuple[Run, ...], ...]) -> list[Run]:
    return [run for line in setting_lines for run in line]


@cache
def cmap(font: FontSpec) -> frozenset[int]:
    """The font's cmap, read here on its own (not through the code under test)."""
    where = locate(font, DIRS)
    assert where is not None, font
    path, index = where
    with TTFont(path, fontNumber=index, lazy=True) as ttf:
        return frozenset(ttf.getBestCmap())


@cache
def pil_font(font: FontSpec) -> ImageFont.FreeTypeFont:
    where = locate(font, DIRS)
    assert where is not None
    return ImageFont.truetype(str(where[0]), 40, index=where[1])


def drawn_as_notdef(text: str, font: FontSpec) -> bool:
    """Whether the text draws, in that font, exactly as a character the font lacks: its
    .notdef box."""
    face = pil_font(font)
    box = face.getmask(NO_FONT_HAS)
    mask = face.getmask(text)
    return mask.size == box.size and bytes(mask) == bytes(box)


def assert_covered(text: CoverText) -> dict[str, list[Run]]:
    """Every character of every run is in its font's cmap (joiners and bidi controls aside),
    no grapheme draws as a .notdef box, and nothing was left out."""
    laid = {name: runs(setting.lines) for name, setting in layout(text, DIRS).items()}
    for name, found in laid.items():
        assert found, name
        for run in found:
            drawn = {ord(c) for c in run.text if c not in "\u200c\u200d\u2068\u2069"}
            lacking = {hex(c) for c in drawn - cmap(run.font)}
            assert not lacking, (name, run.text, run.font.file, lacking)
            for grapheme in set(run.text) - {" "}:
                assert not drawn_as_notdef(grapheme, run.font), (name, grapheme, run.font)
    assert draw_cover(text, DIRS).missing == ()
    return laid


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_every_script_is_drawn_in_fonts_that_have_it(lang: str) -> None:
    kicker, title, date = SCRIPTS[lang]
    laid = assert_covered(CoverText(lang, "YCPress", kicker, title, date))
    assert [r.font.file for r in laid["publisher"]] == [SERIF_BOLD]
    cover = draw_cover(CoverText(lang, "YCPress", kicker, title, date), DIRS)
    with Image.open(io.BytesIO(cover.png)) as image:
        assert image.format == "PNG" and image.mode == "P" and image.size == (WIDTH, HEIGHT)
    with Image.open(io.BytesIO(cover.thumbnail)) as image:
        assert image.size == (THUMBNAIL_WIDTH, HEIGHT * THUMBNAIL_WIDTH // WIDTH)


def texts(found: list[Run]) -> list[str]:
    return [run.text.strip() for run in found if run.text.strip()]


def test_latin_acronym_and_digits_inside_an_arabic_headline() -> None:
    title = "قال الحلف إن NATO سيرسل 4000 جندي"
    laid = assert_covered(CoverText("ar", "YCPress", "سياسة", title, "18 فبراير 2021"))
    found = laid["title"]
    nato = next(r for r in found if "NATO" in r.text)
    assert nato.font.file == SERIF_BOLD and not nato.rtl
    digits = next(r for r in found if "4000" in r.text)
    assert not digits.rtl
    assert all(r.rtl for r in found if any("\u0600" <= c <= "\u06ff" for c in r.text))
    # Right to left: the words read from the right, so left to right they come last to first.
    order = texts(list(set_text(title, Style("ar", True, "rtl", DIRS)).runs()))
    assert order == ["جندي", "4000", "سيرسل", "NATO", "قال الحلف إن"]


def test_traditional_chinese_is_shaped_with_traditional_forms() -> None:
    """zh-Hant covers were shaped as `zh`, Simplified: HarfBuzz swapped in the SC glyphs of
    the TC face (the full stop and comma low at the left, not centred)."""
    text = "港口重開，船隻回來。"
    shaped = {
        lang: [r for r in set_text(text, Style(lang, False, "ltr", DIRS)).runs()]
        for lang in ("zh-Hans", "zh-Hant", "zh-TW")
    }
    assert all(r.font.file.startswith("NotoSansCJK") for rs in shaped.values() for r in rs)
    hans, hant, tw = (
        [g for r in shaped[lang] for g in shape_run_in(r, Style(lang, False, "ltr", DIRS)).glyphs]
        for lang in ("zh-Hans", "zh-Hant", "zh-TW")
    )
    assert hant == tw and hant != hans, "the Traditional forms, for every Traditional tag"


def test_hebrew_digits_and_latin_acronym_take_a_font_that_has_them() -> None:
    title = "הצבא של NATO יגדל ל-4,000 חיילים"
    laid = assert_covered(CoverText("he", "YCPress", "פוליטיקה", title, "18 בפברואר 2021"))
    date = laid["date"]
    assert [r.text for r in date if not r.rtl] == ["2021", "18"]
    assert all(r.font.file == SANS for r in date if not r.rtl)
    assert all(r.font.file == "NotoSansHebrew-Regular.ttf" for r in date if r.rtl)
    order = texts(list(set_text(title, Style("he", True, "rtl", DIRS)).runs()))
    assert order == ["חיילים", "4,000", "יגדל ל-", "NATO", "הצבא של"]


def test_persian_digits_stay_in_the_arabic_font_in_reading_order() -> None:
    laid = assert_covered(CoverText("fa", "YCPress", "سیاست", "۸ برابر", "۱۸ فوریهٔ ۲۰۲۱"))
    assert all(r.font.file == NASKH for r in laid["title"])
    assert texts(laid["title"]) == ["برابر", "۸"]


@dataclass
class Recorder:
    """The real cover renderer, keeping the texts it was asked to draw."""

    texts: list[CoverText] = field(default_factory=list)

    def __call__(self, text: CoverText, font_dirs: tuple[str, ...]) -> Cover:
        self.texts.append(text)
        return draw_cover(text, font_dirs)


def test_the_sample_arabic_edition_cover(sample_story: Story, site_config: SiteConfig) -> None:
    """Issue 17: "YCPress" was seven boxes and the title out of order. Now the publisher is in
    a Latin font, and the day stays with its month, not with the Latin name."""
    recorder = Recorder()
    files, diags = export_stories(
        [sample_story], site_config, EpubWriter(covers=recorder), languages=("ar",)
    )
    assert not list(diags), [d.format_text() for d in diags]
    edition = next(t for t in recorder.texts if t.kicker == "العدد")
    laid = assert_covered(edition)
    assert [(r.text, r.font.file) for r in laid["publisher"]] == [("YCPress", SERIF_BOLD)]
    lines = layout(edition, DIRS)["title"].lines
    name = next(r for r in runs(lines) if "YCPress" in r.text)
    assert name.font.file == SERIF_BOLD and not name.rtl
    # Each line read from the right, the lines from the top: "YCPress", ":", then the date, whole
    # on its line (it used to break before "2021"): "18", "فبراير", "2021".
    read = [text for line in lines for text in reversed(texts(list(line)))]
    assert read == ["YCPress", ":", "18", "فبراير", "2021"]
    assert [texts(list(line)) for line in lines][-1] == ["2021", "فبراير", "18"]
    with Image.open(io.BytesIO(files["opds/covers/edition-ar.png"])) as image:
        assert image.size == (WIDTH, HEIGHT)


def test_a_character_no_font_has_is_a_warning_at_the_story_file(
    sample_story: Story, site_config: SiteConfig
) -> None:
    arabic = sample_story.variant("ar")
    variant = dataclasses.replace(arabic, headline=f"{arabic.headline} {NO_FONT_HAS}")
    story = dataclasses.replace(sample_story, variants=(variant,))
    files, diags = export_stories([story], site_config, EpubWriter(), languages=("ar",))
    (warning,) = diags
    assert warning.severity == "warning" and warning.code == "epub.cover-glyph"
    assert warning.path == variant.source.path and "U+10FFFD" in warning.message
    assert "headline" in warning.message
    assert f"epub/{story.slug}.ar.epub" in files


def test_an_emoji_no_font_has_is_not_said_to_need_the_colour_emoji_font(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """Covers are drawn in outline fonts found by their Noto file names: Debian's
    fonts-noto-color-emoji (NotoColorEmoji.ttf, a colour font) is never used, so the warning
    of an emoji must not send the newsroom to install it (it did, and the warning stayed); a
    letter no font has still names the Noto packages."""
    english = sample_story.variant("en")
    variant = dataclasses.replace(english, headline=f"{english.headline} \U0001f389 {NO_FONT_HAS}")
    story = dataclasses.replace(sample_story, variants=(variant,))
    _, diags = export_stories([story], site_config, EpubWriter(), languages=("en",))
    said = {d.message.split(" of the headline")[0].split()[-1]: d.message for d in diags}
    assert set(said) == {"POPPER", "U+10FFFD"}, said
    assert "fonts-noto-color-emoji is a colour font, which they do not use" in said["POPPER"]
    assert "install the" not in said["POPPER"] and "font_dirs" not in said["POPPER"]
    assert "fonts-noto-core" in said["U+10FFFD"]
    assert "color-emoji" not in said["U+10FFFD"]


def test_a_pictograph_without_the_symbols_fonts_is_told_to_install_them(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """Many pictographs (U+2708 AIRPLANE, U+2665 BLACK HEART SUIT) have an outline glyph in
    Noto Sans Symbols 2, of fonts-noto-core, which covers use: with font folders that lack it,
    the warning said no cover font draws the emoji and to leave it out of the text, while
    installing fonts-noto-core draws it. With the symbols fonts found, it says so still."""
    import shutil

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSerif-Bold.ttf"):
        shutil.copy(font_files(DEFAULT_FONT_DIRS)[name], fonts / name)
    english = sample_story.variant("en")
    variant = dataclasses.replace(english, headline=f"{english.headline} \u2708")
    story = dataclasses.replace(sample_story, variants=(variant,))

    def said(dirs: list[str]) -> str:
        options = {"epub": {"font_dirs": dirs}}
        _, diags = export_stories(
            [story], site_config, EpubWriter(), languages=("en",), options=options
        )
        (warning,) = [d for d in diags if d.code == "epub.cover-glyph"]
        return warning.message

    alone = said([str(fonts)])
    assert "AIRPLANE" in alone and "fonts-noto-core" in alone, alone
    assert "leave it out of the text" not in alone
    assert "NotoSansSymbols2-Regular.ttf" in alone
    _, diags = export_stories(
        [story],
        site_config,
        EpubWriter(),
        languages=("en",),
        options={"epub": {"font_dirs": list(DEFAULT_FONT_DIRS)}},
    )
    assert not [d for d in diags if d.code == "epub.cover-glyph"], "Symbols 2 draws it"


def test_a_character_no_font_has_is_named_at_the_headline_line(site: Path) -> None:
    """The warning is at the headline's own line (it was line 1 of the file), names each
    character by its code point and Unicode name, never as a Python repr, and leaves out the
    space a combining mark sits on (the covers draw no glyph for a space)."""
    en = site / "articles" / "2021-02-18-nato-iraq-deployment" / "en.md"
    text = en.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("headline:"))
    assert line > 1
    en.write_text(
        text.replace("\nheadline: NATO will", "\nheadline: NATO \U0001e030 will \U00011f00", 1),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "syndicate", "export", "--dry-run", "--format=epub", "--lang=en"],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    warned = [w for w in done.stderr.splitlines() if "[epub.cover-glyph]" in w]
    shown = [
        f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in ("\U0001e030", "\U00011f00")
    ]
    where = f"articles/2021-02-18-nato-iraq-deployment/en.md:{line}: warning:"
    assert [w.split(" of the headline:")[0] for w in warned] == [
        f"{where} no installed font has {name}" for name in shown
    ], done.stderr


def test_a_character_is_described_by_code_point_and_name() -> None:
    assert _describe("\U0001f600") == "U+1F600 GRINNING FACE"
    assert _describe("\U0010fffd") == "U+10FFFD"  # no name: the code point alone
    assert _describe(" \u0301") == "U+0301 COMBINING ACUTE ACCENT"  # the space needs no glyph
    assert _describe("\U0001f468\u200d\U0001f467") == "U+1F468 MAN + U+1F467 GIRL"


def test_a_missing_latin_font_is_an_error_naming_its_package(tmp_path: Path) -> None:
    where = locate(FontSpec(NASKH, "Noto Naskh Arabic", ""), DIRS)
    assert where is not None
    (tmp_path / NASKH).symlink_to(where[0])
    text = CoverText("ar", "YCPress", "سياسة", "حلف الناتو", "18 فبراير 2021")
    with pytest.raises(
        CoverError, match=r"NotoSerif-Bold\.ttf \(Noto Serif, Debian package fonts-noto-core\)"
    ):
        draw_cover(text, (str(tmp_path),))


def test_a_huge_headline_is_cut_at_a_grapheme_boundary() -> None:
    """Issue 18: 100 KB of combining accents made Pillow refuse the drawing as a bomb."""
    accents = "a" + "\u0301" * 100_000
    cover = draw_cover(CoverText("en", "YCPress", "Politics", accents, "May 1, 2026"), DIRS)
    with Image.open(io.BytesIO(cover.png)) as image:
        assert image.size == (WIDTH, HEIGHT)
    words = "word " * 20_000
    title = layout(CoverText("en", "YCPress", "Politics", words, "May 1, 2026"), DIRS)["title"]
    drawn = "".join(r.text for r in runs(title.lines))
    assert drawn.endswith(ELLIPSIS) and len(drawn) < 300
    assert bound("e\u0301" * 300, 100) == "e\u0301" * 100 + ELLIPSIS
    assert bound("x" + "\u0301" * (MAX_GRAPHEME + 1) + "y", 100) == ELLIPSIS


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("de", "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetzesänderung" * 2),
        ("th", "กระทรวงการคลังประกาศมาตรการกระตุ้นเศรษฐกิจครั้งใหญ่ที่สุดในประวัติศาสตร์ของประเทศ"),
    ],
    ids=["german-compound", "thai"],
)
def test_a_word_wider_than_the_cover_is_broken_not_clipped(lang: str, title: str) -> None:
    """A German compound or a Thai headline (no spaces) longer than a line at the smallest
    size ran off both edges of the cover; it is broken between graphemes, and cut with an
    ellipsis when the lines run out: the edges of the cover are those of a short title's."""

    def edges(text: str) -> tuple[bytes, bytes]:
        cover = draw_cover(CoverText(lang, "YCPress", "Politics", text, "May 1, 2026"), DIRS)
        with Image.open(io.BytesIO(cover.png)) as image:
            rgb = image.convert("RGB")
            return (
                rgb.crop((0, 0, 2, HEIGHT)).tobytes(),
                rgb.crop((WIDTH - 2, 0, WIDTH, HEIGHT)).tobytes(),
            )

    assert edges(title) == edges("Short"), "the title stays inside the cover"
    lines = layout(CoverText(lang, "YCPress", "Politics", title, "May 1, 2026"), DIRS)["title"]
    assert len(lines.lines) > 1
    assert "".join(r.text for r in runs(lines.lines)).replace(ELLIPSIS, "") in title


def test_cjk_lines_never_start_with_closing_punctuation() -> None:
    title = "北约将大幅增加在伊拉克的军事部署，人数从约五百人增至约四千人。" * 3
    lines = layout(CoverText("zh-Hans", "YCPress", "政治", title, "2021年2月18日"), DIRS)
    for line in lines["title"].lines:
        assert line[0].text[0] not in "，。、"


SMALL_KANA = "".join(
    chr(c) for c in range(0x3000, 0x10000) if regex.match(r"\p{Line_Break=CJ}", chr(c))
)
"""Japanese small kana and ー (UAX #14 class CJ), from the Unicode data of `regex`."""


def test_japanese_lines_never_start_with_a_small_kana() -> None:
    """QA: a Japanese cover split syllables, "…セキュリテ / ィーの…", "でシ / ョッピング": a small
    kana (ィ, ョ, ッ) started a line, which JIS X 4051 and CSS `line-break: strict` forbid."""
    title = "ネットワークセキュリティーのアップデートでショッピングモールがチェックインについて"
    for width in WIDTHS:
        lines = lines_at("ja", title, width)
        assert "".join(lines) == title, (width, lines)
        for line in lines[1:]:
            assert line[0] not in SMALL_KANA, (width, lines)
    assert len(SMALL_KANA) > 50
    style = Style("ja", True, "ltr", DIRS)
    for kana in SMALL_KANA:  # every one of them, halfwidth ｯ too, and in Chinese text
        for lang in ("ja", "zh-Hans"):
            par = set_text(f"テ{kana}テ", dataclasses.replace(style, lang=lang))
            assert [word for _, word, _, _ in par.tokens(lang)] == [0, 2], (lang, kana)


TIBETAN = "ནེ་ཊོ་ཡིས་ཨི་རག་ལ་དམག་མི་སྟོང་ཕྲག་བཞི་གཏོང་། ནེ་ཊོ་ཡིས་ཨི་རག་ལ་དམག་མི་སྟོང་ཕྲག་བཞི་གཏོང་།ནེ་ཊོ་ཡིས་ཨི་རག"


def test_tibetan_breaks_after_its_syllables() -> None:
    """QA: a Tibetan title, which has no spaces between words, broke only between graphemes,
    inside a syllable ("…ལ་དམ / ག་མི…"). It breaks after the tsheg ་ that ends a syllable or a
    shad ། (UAX #14 classes BA and EX), never before them: where ICU's line breaker does."""
    from syndicate.formats.epub.icu_adapter import line_breaks

    for width in WIDTHS:
        lines = lines_at("bo", TIBETAN, width)
        assert "".join(lines).replace(" ", "") == TIBETAN.replace(" ", ""), (width, lines)
        for line in lines[:-1]:
            assert line[-1] in "་།", (width, lines)
        for line in lines[1:]:
            assert line[0] not in "་།", (width, lines)
    par = set_text(TIBETAN, Style("bo", True, "ltr", DIRS))
    starts = [len("".join(par.clusters[:word])) for _, word, _, _ in par.tokens("bo")]
    assert frozenset(starts[1:]) == line_breaks(TIBETAN, "bo"), "ICU is installed by .ci/setup"
    laid = layout(CoverText("bo", "YCPress", "World", TIBETAN, "2021"), DIRS)
    assert laid["title"].size > laid["date"].size, "set large, not shrunk to fit a syllable"


SHY, ZWSP = "\u00ad", "\u200b"
COMPOUND = ["Donau", "dampf", "schiff", "fahrts", "gesellschafts", "kapitäns", "mützen", "fabrik"]


@pytest.mark.parametrize("mark", [SHY, ZWSP], ids=["soft-hyphen", "zero-width-space"])
def test_a_long_word_breaks_where_its_editor_allowed(mark: str) -> None:
    """QA: a German compound was split between graphemes ("…mützenf / abrik…") though its
    editor had put soft hyphens (or zero-width spaces) in it. A line breaks there; at a soft
    hyphen taken, a hyphen is drawn at the end of the line; elsewhere neither draws anything,
    never a box."""
    title = mark.join(COMPOUND * 2)
    style = Style("de", True, "ltr", DIRS)
    for size in (96, 48):
        fit = Fit(size, size, 6, 1000, 9999, graphemes=200)
        setting = fit_paragraph(title, style, fit)
        lines = ["".join(run.text for run in line) for line in setting.lines]
        assert len(lines) > 1
        for line in lines[:-1]:
            assert line.endswith("-" if mark == SHY else mark), lines
            assert line[-2].isalpha() and line.count("-") == (mark == SHY), lines
        assert "".join(line[:-1] + mark for line in lines[:-1]) + lines[-1] == title
        for line in setting.lines:
            assert sum(shape_run_in(run, style).width for run in line) * size <= fit.width
            for run in line:
                assert 0 not in shape_run_in(run, style).glyphs, (run.text, "drawn as .notdef")
    whole = set_text(mark.join(COMPOUND[:2]), style)
    assert [shape_run_in(r, style).width for r in whole.runs()] == [
        shape_run_in(r, style).width for r in set_text("".join(COMPOUND[:2]), style).runs()
    ], "drawn as nothing where the line does not break"
    assert [r.text for r in set_text(f"a{SHY} b", style).line(0, 2)] == [f"a{SHY}"]


def lines_at(lang: str, title: str, width: float) -> list[str]:
    """The title set by `fit_paragraph` at 48 px in a box `width` wide: the text of each line."""
    setting = fit_paragraph(
        title, Style(lang, True, direction(lang), DIRS), Fit(48, 48, 6, width, 9999)
    )
    return ["".join(run.text for run in line) for line in setting.lines]


ISOLATED = "\u2068YCPress\u2069"
WIDTHS = range(500, 1001, 25)
"""Boxes from 10.4 em (the cover at its largest size) to 21 em: the title breaks at every place
a reader could meet."""


@pytest.mark.parametrize(
    ("lang", "title", "date"),
    [
        ("zh-Hans", f"{ISOLATED}：2021年2月18日", "2021年2月18日"),
        ("ja", f"{ISOLATED}：2021年2月18日", "2021年2月18日"),
        ("fr", f"{ISOLATED} : 18 février 2021", "18 février 2021"),
        ("en", f"{ISOLATED}: February 18, 2021", "February 18, 2021"),
        ("es", f"{ISOLATED}: 18 de febrero de 2021", "18 de febrero de 2021"),
        ("ko", f"{ISOLATED}: 2021년 2월 18일", "2021년 2월 18일"),
        ("fr", "Le 18 février 2021, l’OTAN a décidé de renforcer sa présence", "18 février 2021"),
    ],
)
def test_a_date_stays_on_one_line(lang: str, title: str, date: str) -> None:
    """QA: the Chinese edition's title broke as "2021年2月 / 18日", the French one's as
    "18 février / 2021". A date that fits on a line is set on one."""
    for width in WIDTHS:
        if lines_at(lang, date, width) != [date]:
            continue  # a date wider than the line breaks where it must
        lines = lines_at(lang, title, width)
        assert any(date in line for line in lines), (width, lines)


@pytest.mark.parametrize(
    ("lang", "title", "words"),
    [
        (
            "th",
            "พิพิธภัณฑ์แห่งชาติเปิดนิทรรศการใหม่ครั้งยิ่งใหญ่ที่สุดแห่งปีณกรุงเทพมหานครโดยมีผู้เข้าชม"
            "จำนวนมากจากทั่วประเทศไทย",
            ["กรุงเทพมหานคร", "พิพิธภัณฑ์", "นิทรรศการ", "ประเทศไทย"],
        ),
        ("km", "ព្រះរាជាណាចក្រកម្ពុជាបើកសារមន្ទីរជាតិថ្មីនៅរាជធានីភ្នំពេញ", ["ភ្នំពេញ"]),
    ],
)
def test_a_script_without_spaces_breaks_between_its_words(
    lang: str, title: str, words: list[str]
) -> None:
    """Thai broke only at spaces: a headline was one word, set smaller than the date, and a
    longer one was cut inside กรุงเทพ (Bangkok), its preposed vowel alone at a line's end.
    Lines break between the words ICU's dictionaries find."""
    from syndicate.formats.epub.icu_adapter import available

    assert available(), "ICU (libicuuc) is installed by .ci/setup"
    sets = layout(CoverText(lang, "YCPress", "x", title, "3 2026"))
    lines = ["".join(run.text for run in line).strip() for line in sets["title"].lines]
    assert len(lines) > 1 and "".join(lines) == title
    assert sets["title"].size > sets["date"].size
    for word in words:
        assert any(word in line for line in lines), (word, lines)


@pytest.mark.parametrize(
    ("lang", "kicker", "title", "lines"),
    [
        ("zh-Hans", "合辑", f"{ISOLATED}：2021年2月18日", ["YCPress：", "2021年2月18日"]),
        ("fr", "Édition", f"{ISOLATED} : 18 février 2021", ["YCPress :", "18 février 2021"]),
    ],
)
def test_the_edition_covers_of_the_qa_review(
    lang: str, kicker: str, title: str, lines: list[str]
) -> None:
    date = title.split("\u2069")[1].lstrip(" ：:")
    laid = layout(CoverText(lang, "YCPress", kicker, title, date), DIRS)["title"]
    assert ["".join(r.text for r in line) for line in laid.lines] == lines


def test_a_number_keeps_its_unit_and_never_ends_the_title_alone() -> None:
    for width in WIDTHS:
        zh = lines_at("zh-Hans", "北约将大幅增加在伊拉克的军事部署人数从500人增至4000人", width)
        assert not any(line.endswith(tuple("0123456789")) for line in zh), (width, zh)
        fr = lines_at("fr", "L’OTAN enverra 4000 soldats de plus en Irak en 2021", width)
        assert not any(line.endswith("4000") or line == "2021" for line in fr), (width, fr)


FRENCH = "Les cafés <Paris> & « Co » rouvrent : « ]]> » et disent « oui » ; « pourquoi » ?"


def test_a_spaced_guillemet_stays_with_its_word() -> None:
    """QA: "« Co » rouvrent : «" ended a line, its word on the next. An opening mark stays with
    the word after it, a closing one (and French `:`, `;`, `?` after a space) with the word
    before it, whatever the width."""
    for width in WIDTHS:
        lines = lines_at("fr", FRENCH, width)
        assert " ".join(lines) == FRENCH, (width, lines)
        for line in lines:
            assert not line.endswith("«"), (width, lines)
            assert not line.startswith(("»", ":", ";", "?")), (width, lines)
    cafe = "Les cafés <Paris> & « Co » rouvrent : \U0010fffd « ]]> »"
    laid = layout(CoverText("fr", "YCPress", "Société", cafe, "18 février 2021"), DIRS)["title"]
    texts = ["".join(r.text for r in line) for line in laid.lines]
    assert texts == ["Les cafés <Paris> &", "« Co » rouvrent :", "« ]]> »"]


def test_no_break_spaces_are_kept_and_never_broken() -> None:
    title = "Les cafés\u00a0rouvrent et disent «\u202foui\u202f» à la terrasse\u00a0ouverte"
    for width in WIDTHS:
        lines = lines_at("fr", title, width)
        assert " ".join(lines) == title, (width, lines)
    assert bound("a\u202fb  c\u00a0\td", 100) == "a\u202fb c\u00a0 d"


def test_a_character_left_out_leaves_no_double_space() -> None:
    """QA: a dropped emoji (warned) left two spaces in the line."""
    style = Style("en", True, "ltr", DIRS)
    for text, kept in [
        (f"a {NO_FONT_HAS} b", "a b"),
        (f"{NO_FONT_HAS} a", "a"),
        (f"a {NO_FONT_HAS}", "a"),
        (f"a {NO_FONT_HAS} {NO_FONT_HAS} b", "a b"),
        (f"a{NO_FONT_HAS}b", "ab"),
    ]:
        par = set_text(text, style)
        assert "".join(par.clusters) == kept and par.missing == (NO_FONT_HAS,)
    title = f"NATO to expand {NO_FONT_HAS} its presence in Iraq eightfold"
    laid = layout(CoverText("en", "YCPress", "Politics", title, "May 1"), DIRS)["title"]
    assert all("  " not in r.text for r in runs(laid.lines))


def test_the_dates_of_every_language_are_found() -> None:
    day = datetime(2021, 2, 18, 12, tzinfo=UTC)
    for lang in [*SCRIPTS, "en", "fr", "de", "es", "th"]:
        for fmt in ("long", "medium"):
            text = format_human_date(day, lang, "UTC", fmt)
            assert [m.group() for m in date_pattern(lang).finditer(f"x {text} x")] == [text]


def test_runs_of_an_isolate_keep_their_own_direction() -> None:
    style = Style("ar", True, "rtl", DIRS)
    visual = [r.text for r in set_text("\u2068ABC\u2069: 18 مارس", style).runs()]
    assert visual == [" مارس", "18", ": ", "ABC"]


def test_the_same_text_gives_the_same_bytes_in_another_process() -> None:
    text = CoverText("ar", "YCPress", "سياسة", "حلف NATO يعتزم زيادة انتشاره 8 مرات", "18 فبراير")
    script = (
        "import sys; from syndicate.formats.epub.cover import CoverText, draw_cover;"
        f"c = draw_cover(CoverText(*{dataclasses.astuple(text)!r}));"
        "sys.stdout.buffer.write(c.png + c.thumbnail)"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, check=True, capture_output=True
    ).stdout
    cover = draw_cover(text, DIRS)
    assert other == cover.png + cover.thumbnail


def test_the_thumbnail_is_the_cover_reduced() -> None:
    cover = draw_cover(CoverText("en", "YCPress", "Politics", "NATO in Iraq", "May 1"), DIRS)
    with Image.open(io.BytesIO(cover.png)) as big, Image.open(io.BytesIO(cover.thumbnail)) as small:
        assert big.getpalette() == small.getpalette()
        expected = big.convert("RGB").reduce(WIDTH // THUMBNAIL_WIDTH)
        difference = [
            abs(a - b)
            for a, b in zip(expected.tobytes(), small.convert("RGB").tobytes(), strict=True)
        ]
        assert max(difference) <= 24 and sum(difference) / len(difference) < 1


def bands() -> Iterator[Image.Image]:
    yield Image.effect_noise((61, 9), 80).convert("L")
    yield Image.new("L", (61, 4), 7)
    yield Image.linear_gradient("L").resize((61, 13))


def test_palette_pngs_from_bands_decode_to_the_bands() -> None:
    images = list(bands())
    palette = [v for i in range(256) for v in (i, 255 - i, i // 2)]
    data = png([band(image) for image in images], palette)
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
        assert decoded.mode == "P" and decoded.size == (61, 26)
        expected = Image.new("L", (61, 26))
        top = 0
        for image in images:
            expected.paste(image, (0, top))
            top += image.height
        assert decoded.tobytes() == expected.tobytes()
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    zlib.decompress(data[start : start + length])  # checks the Adler-32 of the whole stream
    assert _adler32_combine(zlib.adler32(b"ab"), zlib.adler32(b"cde"), 3) == zlib.adler32(b"abcde")


def test_the_python_example_of_the_docs_runs() -> None:
    doc = (REPO / "docs" / "covers.md").read_text(encoding="utf-8")
    (example,) = [block.split("```", 1)[0] for block in doc.split("```python\n")[1:]]
    exec(compile(example, "docs/covers.md", "exec"), {})


@pytest.mark.parametrize(
    "font",
    [
        FontSpec("NotoSansCJK-Regular.ttc", "Noto Sans CJK KR", "fonts-noto-cjk"),
        FontSpec("NotoSansSymbols2-Regular.ttf", "Noto Sans Symbols 2", "fonts-noto-core"),
        FontSpec(NASKH, "Noto Naskh Arabic", "fonts-noto-core"),
    ],
)
def test_the_coverage_of_a_font_is_its_cmap(font: FontSpec) -> None:
    assert charmap(font, DIRS) == cmap(font)


def _clear_cover_caches() -> None:
    """Every cache of the cover code: glyphs, shapes, settings, bands, drawings."""
    from syndicate.formats.epub import cover, fonts, freetype_adapter, harfbuzz_adapter, typeset

    for module in (cover, typeset, fonts, harfbuzz_adapter, freetype_adapter):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def test_the_bytes_do_not_depend_on_what_the_caches_hold() -> None:
    """Glyphs, shapes and bands are cached per process: drawn in another order after every
    cache is emptied, each cover is the same bytes, and so in threads drawing at once."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [CoverText(lang, "YCPress", *SCRIPTS[lang]) for lang in sorted(SCRIPTS)]
    texts += [dataclasses.replace(t, title=t.title[: len(t.title) // 2]) for t in texts]
    first = [draw_cover(text, DIRS) for text in texts]
    _clear_cover_caches()
    again = [draw_cover(text, DIRS) for text in reversed(texts)][::-1]
    assert again == first
    _clear_cover_caches()
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda text: draw_cover(text, DIRS), texts * 2))
    assert threaded == first * 2


def test_a_font_added_to_a_font_folder_draws_the_covers_again(tmp_path: Path) -> None:
    """The covers depend on the fonts installed: a font added (or upgraded by the package
    manager) under `epub.font_dirs` made no export draw them again ("0 written"), even with
    a changed font, until `--force`. The folders' times are in the configuration's key."""
    import shutil

    def main(args: list[str]) -> int:  # a process each, as cron runs them: fonts are
        # listed once a process
        run = [sys.executable, "-m", "syndicate", *args]
        return subprocess.run(run, cwd=site, check=False).returncode

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config += f"epub:\n  font_dirs: [{fonts}, {DEFAULT_FONT_DIRS[0]}]\n"
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    args = ["export", "-q", "-f", "epub", "--now", "2026-01-01T00:00:00Z", "--jobs", "1"]
    assert main([*args, "--out", "out"]) == 0
    before = (site / "out/opds/covers/2021-02-18-nato-iraq-deployment.en.png").read_bytes()
    bold = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))
    shutil.copy(bold, fonts / "NotoSerif-Bold.ttf")  # the headline's face, another drawing
    assert main([*args, "--out", "out"]) == 0
    after = (site / "out/opds/covers/2021-02-18-nato-iraq-deployment.en.png").read_bytes()
    assert after != before
    assert main([*args, "--out", "fresh"]) == 0
    for path in (site / "fresh").rglob("*"):
        if path.is_file():
            assert (
                site / "out" / path.relative_to(site / "fresh")
            ).read_bytes() == path.read_bytes()


def test_a_long_running_process_draws_with_a_font_added_since_it_started(tmp_path: Path) -> None:
    """`syndicate serve`, or a CMS calling the API's `export` again, is one process for many
    builds: it listed the fonts once, for its life, so a font added under `epub.font_dirs`
    since its first build was not drawn with (the folders' times, in the key, made it draw
    every cover again, with the old fonts, and keep those). Each build looks at the folders'
    times again: the second build draws with the new font, as a process started now does."""
    import shutil

    from syndicate.build import export

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config += f"epub:\n  font_dirs: [{fonts}, {DEFAULT_FONT_DIRS[0]}]\n"
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cover = site / "out/opds/covers/2021-02-18-nato-iraq-deployment.en.png"

    def build(out: str, force: bool = False) -> None:
        result = export(
            formats=["epub"],
            config=site / "syndicate.yaml",
            articles=site / "articles",
            out=site / out,
            now=now,
            force=force,
        )
        assert result.status == "exported", result.status

    build("out")
    before = cover.read_bytes()
    build("out", force=True)  # nothing installed: the same covers
    assert cover.read_bytes() == before
    bold = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))
    shutil.copy(bold, fonts / "NotoSerif-Bold.ttf")  # the headline's face, another drawing
    build("out")
    assert cover.read_bytes() != before
    run = [sys.executable, "-m", "syndicate", "export", "-q", "-f", "epub", "--out", "fresh"]
    run += ["--now", "2026-01-01T00:00:00Z", "--jobs", "1"]
    assert subprocess.run(run, cwd=site, check=False).returncode == 0  # a process of its own
    for path in (site / "fresh").rglob("*"):
        if path.is_file():
            assert (site / "out" / path.relative_to(site / "fresh")).read_bytes() == (
                path.read_bytes()
            ), path


def test_an_export_given_a_loaded_configuration_draws_with_a_font_added_since(
    tmp_path: Path,
) -> None:
    """A program calling the API's `export` with a loaded configuration (a `SiteConfig`, not
    its file) found the fonts again after a font was installed, but its key did not take the
    folders' times as a file's does: the next export found every cover made already and kept
    those of the old fonts, where `--force` drew the new ones (incremental != --force)."""
    import shutil

    from syndicate.build import export
    from syndicate.diagnostics import Diagnostics
    from syndicate.readers.config import load_config

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    text = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    text += f"epub:\n  font_dirs: [{fonts}, {DEFAULT_FONT_DIRS[0]}]\n"
    (site / "syndicate.yaml").write_text(text, encoding="utf-8")
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    cover = Path("opds/covers/2021-02-18-nato-iraq-deployment.en.png")

    def build(out: str, force: bool = False) -> bytes:
        result = export(
            formats=["epub"],
            config=config,
            articles=site / "articles",
            out=site / out,
            now=datetime(2026, 1, 1, tzinfo=UTC),
            force=force,
        )
        assert result.status == "exported", result.status
        return (site / out / cover).read_bytes()

    before = build("out")
    bold = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))
    shutil.copy(bold, fonts / "NotoSerif-Bold.ttf")  # the headline's face, another drawing
    after = build("out")
    assert after != before
    assert after == build("forced", force=True)


def test_fonts_listed_by_one_build_as_another_finds_them_changed_are_not_kept(
    tmp_path: Path,
) -> None:
    """Builds in threads (`serve`'s, an API's) share the font caches: one build's font
    listing, under way when a font was installed and another build emptied the caches, was
    stored after, and every later build found that listing of the old fonts, the folders'
    times as they were listed: the new font was never drawn with, for the life of the
    process. The first build is paused as its walk ends (a profile hook; the real listing
    runs), the other starts then."""
    import shutil
    import threading

    from syndicate.formats.epub import fontfiles
    from syndicate.formats.epub.fontfiles import fonts_now

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    dirs = (str(fonts),)
    walked, go = threading.Event(), threading.Event()

    def pause(frame: object, event: str, arg: object) -> None:
        if event == "return" and getattr(frame, "f_code", None) is fontfiles.fonts_on_disk.__code__:
            walked.set()
            go.wait(30)

    def first_build() -> None:
        sys.setprofile(pause)
        try:
            font_files(dirs)
        finally:
            sys.setprofile(None)

    first = threading.Thread(target=first_build)
    first.start()
    assert walked.wait(30)
    bold = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))
    shutil.copy(bold, fonts / "NotoSerif-Bold.ttf")  # installed as the first build lists
    os.utime(fonts, ns=(0, fonts.stat().st_mtime_ns + 10**9))  # (however coarse the clock)
    fonts_now(dirs)  # the other build starts
    go.set()
    first.join()
    fonts_now(dirs)  # a later build
    assert "NotoSerif-Bold.ttf" in font_files(dirs)


def test_fonts_listed_by_a_build_as_another_forgets_them_are_looked_at_again(
    tmp_path: Path,
) -> None:
    """`fonts_now` bumped the fonts' generation, then emptied its record of when the fonts
    were listed: a build starting in between listed them under the new generation and noted
    when, the note then emptied, and fonts_now never looked again: a font installed after was
    never drawn with, for the life of the process. The first build is paused between the two
    (a trace hook), the second as its walk ends (the real listing runs)."""
    import inspect
    import shutil
    import threading
    from types import FrameType

    from syndicate.formats.epub.fontfiles import fonts_now

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    dirs = (str(fonts),)
    noto = next(Path(DEFAULT_FONT_DIRS[0]).rglob("NotoSans-Bold.ttf"))

    def install(name: str) -> None:
        shutil.copy(noto, fonts / name)
        os.utime(fonts, ns=(0, fonts.stat().st_mtime_ns + 10**9))  # (however coarse the clock)

    fonts_now(dirs)
    font_files(dirs)
    install("NotoSerif-Bold.ttf")
    lines, start = inspect.getsourcelines(fonts_now)
    (forget,) = [start + i for i, line in enumerate(lines) if "_found_at.clear()" in line]
    at_forget, forgotten, walked, stored = (threading.Event() for _ in range(4))

    def first_build() -> None:
        def line(frame: FrameType, event: str, arg: object) -> object:
            if event == "line" and frame.f_lineno == forget:
                at_forget.set()
                forgotten.wait(30)
            return line

        sys.settrace(lambda frame, event, arg: line if frame.f_code is code else None)
        try:
            fonts_now(dirs)
        finally:
            sys.settrace(None)

    def second_build() -> None:
        def pause(frame: object, event: str, arg: object) -> None:
            if event == "return" and getattr(frame, "f_code", None) is on_disk:
                walked.set()
                stored.wait(30)

        sys.setprofile(pause)
        try:
            font_files(dirs)
        finally:
            sys.setprofile(None)
            walked.set()  # (a build finding the listing made already walks nothing)

    from syndicate.formats.epub import fontfiles

    code, on_disk = fonts_now.__code__, fontfiles.fonts_on_disk.__code__
    first, second = threading.Thread(target=first_build), threading.Thread(target=second_build)
    first.start()
    assert at_forget.wait(30)
    second.start()
    assert walked.wait(30)
    forgotten.set()
    first.join()
    stored.set()
    second.join()
    install("NotoSerifDisplay-Bold.ttf")  # once both builds are done
    fonts_now(dirs)  # the next build
    assert "NotoSerifDisplay-Bold.ttf" in font_files(dirs)


def test_the_whole_machine_is_not_a_font_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`font_dirs: [/]` walked every file of the machine and failed on one of /proc with
    `OSError(22)`, as "the epub writer failed"; it is refused at its line."""
    from syndicate.cli import main

    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    lines = config.count("\n")
    config += "epub:\n  font_dirs: [/, /usr/share/fonts, /proc/self]\n"
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    status = main(["validate", "--config", str(tmp_path / "syndicate.yaml"), "--articles", "x"])
    assert status == 2
    err = capsys.readouterr().err
    where = f"syndicate.yaml:{lines + 2}: error: epub: font_dirs"
    assert f"{where}[0]: / is not a folder of fonts" in err
    assert f"{where}[2]: /proc/self is not a folder of fonts" in err
    assert "font_dirs[1]" not in err


@pytest.mark.parametrize("dirs", ["[]", "[/nonexistent, /nowhere]"])
def test_font_folders_that_do_not_exist_are_refused_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dirs: str
) -> None:
    """validate said OK, then every export failed drawing covers, "fonts not found under "
    (an empty list) with no line of syndicate.yaml."""
    from syndicate.cli import main

    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    lines = config.count("\n")
    (tmp_path / "syndicate.yaml").write_text(config + f"epub: {{font_dirs: {dirs}}}\n")
    status = main(["validate", "--config", str(tmp_path / "syndicate.yaml"), "--articles", "x"])
    assert status == 2
    assert (
        f"syndicate.yaml:{lines + 1}: error: epub: font_dirs: no folder listed exists"
        in capsys.readouterr().err
    )


def test_fribidi_is_found_without_asking_ldconfig_when_pillows_name_loads(
    monkeypatch: pytest.MonkeyPatch, library_lookups: list[str]
) -> None:
    """libfribidi is loaded by the name Pillow looks for; `ctypes.util.find_library`, which on
    Linux runs `ldconfig -p` in a process of its own, is asked only when that name does not
    load (then it is, and its answer is tried)."""
    from syndicate.formats.epub import fribidi_adapter

    asked = library_lookups
    fribidi_adapter._library.cache_clear()
    try:
        assert fribidi_adapter.embedding_levels("abc \u05d0\u05d1", "auto") == [0, 0, 0, 0, 1, 1]
        assert asked == []
        fribidi_adapter._library.cache_clear()
        monkeypatch.setattr(fribidi_adapter, "_NAMES", {sys.platform: ("libnot-fribidi.so.9",)})
        assert fribidi_adapter.embedding_levels("abc", "ltr") == [0, 0, 0]
        assert asked == ["fribidi"]
    finally:
        fribidi_adapter._library.cache_clear()
