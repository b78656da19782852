"""Cover images for EPUBs, drawn with Pillow: publication name, kicker, title and date, with
Arabic and CJK text shaped by libraqm and set in Noto fonts found on this machine."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from syndicate.i18n.locales import locale_for

WIDTH, HEIGHT = 1200, 1600
MARGIN = 100
THUMBNAIL_WIDTH = 300
BAND = (16, 42, 67)
PAPER = (250, 248, 243)
INK = (20, 20, 20)
ACCENT = (170, 28, 36)
WHITE = (255, 255, 255)
DEFAULT_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


class CoverError(Exception):
    """A cover cannot be drawn on this machine (a font or the text shaper is missing)."""


@dataclass(frozen=True, slots=True)
class CoverText:
    lang: str
    publisher: str
    kicker: str
    """Section name or "Edition", above the title."""
    title: str
    date: str


@dataclass(frozen=True, slots=True)
class FontSpec:
    file: str
    family: str
    package: str
    """The Debian package that ships the file, for the error message."""


# Scripts the covers can set, each with its Noto font; anything else uses the Latin fonts, which
# also cover Greek and Cyrillic.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile("[\u0590-\u05ff]")
_CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
_CJK_FAMILY = {"zh-Hans": "SC", "zh": "SC", "zh-Hant": "TC", "ja": "JP", "ko": "KR"}


def _font_spec(text: str, lang: str, bold: bool) -> FontSpec:
    weight = "Bold" if bold else "Regular"
    if _ARABIC.search(text):
        return FontSpec(f"NotoNaskhArabic-{weight}.ttf", "Noto Naskh Arabic", "fonts-noto-core")
    if _HEBREW.search(text):
        return FontSpec(f"NotoSansHebrew-{weight}.ttf", "Noto Sans Hebrew", "fonts-noto-core")
    if _CJK.search(text):
        region = _CJK_FAMILY.get(lang) or _CJK_FAMILY.get(lang.split("-")[0], "SC")
        return FontSpec(f"NotoSansCJK-{weight}.ttc", f"Noto Sans CJK {region}", "fonts-noto-cjk")
    if bold:
        return FontSpec("NotoSerif-Bold.ttf", "Noto Serif", "fonts-noto-core")
    return FontSpec("NotoSans-Regular.ttf", "Noto Sans", "fonts-noto-core")


@cache
def _find_file(name: str, dirs: tuple[str, ...]) -> Path | None:
    for folder in dirs:
        found = sorted(Path(folder).rglob(name)) if Path(folder).is_dir() else []
        if found:
            return found[0]
    return None


@cache
def _face_index(path: Path, family: str) -> int:
    """The face of a font collection (.ttc) whose family is `family`, e.g. "Noto Sans CJK SC"."""
    index = 0
    while True:
        try:
            name = ImageFont.truetype(str(path), 10, index=index).getname()[0]
        except OSError:
            raise CoverError(f"{path} holds no face of the family {family!r}") from None
        if name == family:
            return index
        index += 1


def check_fonts(text: CoverText, dirs: Sequence[str]) -> None:
    """Every font the cover needs is installed; the error names all that are missing."""
    needed = [
        _font_spec(t, text.lang, bold)
        for t, bold in (
            (text.publisher, True),
            (text.kicker, False),
            (text.title, True),
            (text.date, False),
        )
    ]
    missing = sorted(
        {s for s in needed if _find_file(s.file, tuple(dirs)) is None}, key=lambda s: s.file
    )
    if missing:
        names = ", ".join(f"{s.file} ({s.family}, Debian package {s.package})" for s in missing)
        raise CoverError(
            f"cover fonts not found under {', '.join(dirs)}: {names}; install"
            " the packages or set epub.font_dirs"
        )


def load_font(spec: FontSpec, size: int, dirs: Sequence[str]) -> ImageFont.FreeTypeFont:
    path = _find_file(spec.file, tuple(dirs))
    if path is None:
        raise CoverError(f"font {spec.file} not found under {', '.join(dirs)}")
    index = _face_index(path, spec.family) if path.suffix == ".ttc" else 0
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.RAQM)


def check_shaper() -> None:
    """Arabic joins and bidi need libraqm (bundled with Pillow) and FriBiDi (from the system)."""
    if not features.check("raqm"):
        raise CoverError(
            "Pillow cannot shape text: libraqm or FriBiDi is missing; install the Debian"
            " package libfribidi0 (Pillow's wheels bundle libraqm and load FriBiDi at run time)"
        )


@dataclass(frozen=True, slots=True)
class Cover:
    png: bytes
    thumbnail: bytes


def draw_cover(text: CoverText, font_dirs: Sequence[str] = DEFAULT_FONT_DIRS) -> Cover:
    """The cover and its thumbnail, drawn once: the thumbnail is scaled from the drawing
    rather than from the cover's PNG decoded again (the same pixels, at less cost)."""
    image = _cover_image(text, font_dirs)
    return Cover(_png(image), _png(_small(image)))


def _cover_image(text: CoverText, font_dirs: Sequence[str]) -> Image.Image:
    check_shaper()
    check_fonts(text, font_dirs)
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 260), fill=BAND)
    _Block(draw, text.lang, font_dirs).line(text.publisher, 84, True, WHITE, 130)
    block = _Block(draw, text.lang, font_dirs)
    block.line(text.kicker, 48, False, ACCENT, 420)
    draw.rectangle((MARGIN, 500, WIDTH - MARGIN, 506), fill=ACCENT)
    block.paragraph(text.title, 600, 1250)
    draw.rectangle((MARGIN, 1330, WIDTH - MARGIN, 1333), fill=INK)
    block.line(text.date, 48, False, INK, 1440)
    return image


def _small(image: Image.Image) -> Image.Image:
    """A small copy of a cover for catalogs (OPDS thumbnails)."""
    height = round(image.height * THUMBNAIL_WIDTH / image.width)
    return image.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # zlib level 6 is about a third of level 9's time for a cover 5% larger: covers were the
    # largest single cost of an export.
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


class _Block:
    """Centred lines of text in one language."""

    def __init__(self, draw: ImageDraw.ImageDraw, lang: str, dirs: Sequence[str]) -> None:
        self.draw = draw
        self.lang = lang
        self.dirs = dirs

    def _font(self, text: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
        return load_font(_font_spec(text, self.lang, bold), size, self.dirs)

    def _width(self, text: str, font: ImageFont.FreeTypeFont) -> float:
        return float(
            font.getlength(text, direction=self._direction(text), language=self._language())
        )

    def _direction(self, text: str) -> str:
        """The base direction of a line: its script's, whatever the book's language."""
        return "rtl" if _ARABIC.search(text) or _HEBREW.search(text) else "ltr"

    def _language(self) -> str:
        return str(locale_for(self.lang).language)

    def line(self, text: str, size: int, bold: bool, fill: tuple[int, int, int], y: int) -> None:
        """One line centred at `y`, shrunk until it fits the width."""
        font = self._font(text, size, bold)
        while self._width(text, font) > WIDTH - 2 * MARGIN and size > 20:
            size -= 4
            font = self._font(text, size, bold)
        self._draw(text, font, fill, y, self._direction(text))

    def paragraph(self, text: str, top: int, bottom: int) -> None:
        """The title, wrapped and as large as fits between `top` and `bottom`."""
        size = 96
        while True:
            font = self._font(text, size, True)
            lines = self._wrap(text, font)
            leading = round(size * 1.35)
            if len(lines) * leading <= bottom - top or size <= 32:
                break
            size -= 6
        y = top + (bottom - top - len(lines) * leading) // 2 + leading // 2
        for line in lines:
            self._draw(line, font, INK, y, self._direction(text))
            y += leading

    def _draw(
        self,
        text: str,
        font: ImageFont.FreeTypeFont,
        fill: tuple[int, int, int],
        y: int,
        base: str,
    ) -> None:
        """Centred at `y`; `base` is the paragraph's direction, which a line of it keeps."""
        self.draw.text(
            (WIDTH // 2, y),
            text,
            font=font,
            fill=fill,
            anchor="mm",
            direction=base,
            language=self._language(),
        )

    def _wrap(self, text: str, font: ImageFont.FreeTypeFont) -> list[str]:
        lines: list[str] = []
        current = ""
        for token in _tokens(text):
            candidate = current + token if current else token.lstrip()
            if current and self._width(candidate, font) > WIDTH - 2 * MARGIN:
                lines.append(current)
                candidate = token.lstrip()
            current = candidate
        return [*lines, current] if current else lines


# CJK text has no spaces: it may break between any two characters, except before closing
# punctuation, which stays on the line of the character it follows.
_TOKEN = re.compile(
    r"\s*[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af][，。、：；！？）」』》]*"
    r"|\s*[^\s\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]+"
)


def _tokens(text: str) -> list[str]:
    """Words with their leading space, or single CJK characters with trailing punctuation."""
    return _TOKEN.findall(text)
