"""Cover images for EPUBs: publication name, kicker, title and date, set in the Noto fonts of
every script they hold (`typeset`) and drawn with Pillow. The cover and its thumbnail come from
one layout, each drawn at its own size, and are encoded as palette PNGs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, features

from syndicate.formats.epub import fribidi_adapter
from syndicate.formats.epub.fonts import CoverError, face
from syndicate.formats.epub.options import DEFAULT_FONT_DIRS
from syndicate.formats.epub.palette_png import Band, band, png
from syndicate.formats.epub.typeset import (
    Fit,
    Setting,
    Style,
    fit_line,
    fit_paragraph,
    run_width,
    shaping,
)
from syndicate.i18n.locales import direction

WIDTH, HEIGHT = 1200, 1600
MARGIN = 100
THUMBNAIL_WIDTH = 300
_REDUCTION = WIDTH // THUMBNAIL_WIDTH
BAND = (16, 42, 67)
PAPER = (250, 248, 243)
INK = (20, 20, 20)
ACCENT = (170, 28, 36)
WHITE = (255, 255, 255)

# The image is drawn in palette indices: each of the three colour pairs (text on its ground) is a
# ramp of 16 indices from the ground to the text colour, so that text drawn on a grayscale
# canvas with the ramp's last index on its first blends into exactly the index of the right
# intermediate colour. 16 steps of anti-aliasing look the same as 256 and make the PNG a third
# of the size and of the encoding time of a full-colour one.
_STEPS = 16
_RAMPS = ((PAPER, INK), (BAND, WHITE), (PAPER, ACCENT))
_ON_INK, _ON_BAND, _ON_ACCENT = range(len(_RAMPS))
"""The title's ground is index 0, so that its blank rows are found as those without ink."""
_PALETTE = [
    round(ground[c] + (text[c] - ground[c]) * step / (_STEPS - 1))
    for ground, text in _RAMPS
    for step in range(_STEPS)
    for c in range(3)
]


@dataclass(frozen=True, slots=True)
class CoverText:
    lang: str
    publisher: str
    kicker: str
    """Section name or "Edition", above the title."""
    title: str
    date: str


@dataclass(frozen=True, slots=True)
class Cover:
    png: bytes
    thumbnail: bytes
    missing: tuple[tuple[str, str], ...] = ()
    """(field of CoverText, grapheme) for every grapheme no installed font has: it is left out
    of the drawing, and reported."""


@cache
def check_shaper() -> None:
    """Arabic joins and bidi need libraqm (bundled with Pillow) and FriBiDi (from the system)."""
    try:
        fribidi_adapter.check()
        ready = features.check("raqm")
    except OSError:
        ready = False
    if not ready:
        raise CoverError(
            "Pillow cannot shape text: libraqm or FriBiDi is missing; install the Debian"
            " package libfribidi0 (Pillow's wheels bundle libraqm and load FriBiDi at run time)"
        )


def draw_cover(text: CoverText, font_dirs: Sequence[str] = DEFAULT_FONT_DIRS) -> Cover:
    """The cover (WIDTH x HEIGHT) and its thumbnail (THUMBNAIL_WIDTH wide), as PNG. The same
    text and fonts give the same bytes; a process draws each distinct cover once."""
    return _draw(text, tuple(font_dirs))


def layout(text: CoverText, font_dirs: Sequence[str] = DEFAULT_FONT_DIRS) -> dict[str, Setting]:
    """Each text of a cover as it is drawn (`publisher`, `kicker`, `title`, `date`): its size
    and its lines, each a list of runs of one font and direction, left to right."""
    check_shaper()
    strips = _layout(text, tuple(font_dirs))
    return {block.field: block.setting for strip in strips for block in strip.blocks}


@lru_cache(maxsize=64)
def _draw(text: CoverText, dirs: tuple[str, ...]) -> Cover:
    check_shaper()
    strips = _layout(text, dirs)
    bands = [band for s in strips for band in (_shared_bands(s) if s.shared else _title(s))]
    missing = tuple(
        dict.fromkeys((b.field, g) for s in strips for b in s.blocks for g in b.missing)
    )
    return Cover(
        png([full for full, _ in bands], _PALETTE),
        png([small for _, small in bands], _PALETTE),
        missing,
    )


def _bands(image: Image.Image) -> tuple[Band, Band]:
    """Rows of a drawing compressed for the cover and, reduced by 4 (each thumbnail pixel the
    mean of 4 x 4 cover pixels), for the thumbnail. The mean of indices of one ramp is the index
    of the mean colour: the reduction is exact, and costs a tenth of drawing the text again."""
    return band(image), band(image.reduce(_REDUCTION))


@lru_cache(maxsize=256)
def _shared_bands(strip: _Strip) -> tuple[tuple[Band, Band]]:
    """The strips many covers share (publisher, section, date), compressed once per process."""
    return (_bands(_paint(strip)),)


def _title(strip: _Strip) -> list[tuple[Band, Band]]:
    """The title strip: only its rows with ink are compressed, the blank rows above and below
    come compressed already."""
    image = _paint(strip)
    box = image.getbbox()
    if box is None:
        return [_blank(image.height)]
    top = box[1] // _REDUCTION * _REDUCTION
    bottom = -(-box[3] // _REDUCTION) * _REDUCTION
    ink = _bands(image.crop((0, top, WIDTH, bottom)))
    return [b for b in (_blank(top), ink, _blank(image.height - bottom)) if b[0].height]


@lru_cache(maxsize=64)
def _blank(height: int) -> tuple[Band, Band]:
    """Rows of the title strip's ground."""
    return _bands(Image.new("L", (WIDTH, height), _ON_INK * _STEPS))


@dataclass(frozen=True, slots=True)
class _Block:
    """Lines of one text, centred; `middle` is the middle of the first line."""

    field: str
    setting: Setting
    style: Style
    middle: float
    line_height: float

    @property
    def missing(self) -> tuple[str, ...]:
        return self.setting.missing


@dataclass(frozen=True, slots=True)
class _Strip:
    """A horizontal band of the cover, drawn on its own: nothing drawn in it spills into the
    next, and the bands every cover of a site or a day shares are drawn once."""

    top: int
    bottom: int
    ramp: int
    blocks: tuple[_Block, ...]
    rules: tuple[tuple[int, int], ...] = ()
    """Horizontal rules between the margins: (top, bottom) rows, inclusive."""
    shared: bool = True
    """Drawn the same on many covers (all but the title's)."""


# The cover's bands, top to bottom; their edges are multiples of 4 so that the thumbnail's
# are whole pixels.
_TITLE_TOP, _TITLE_BOTTOM = 600, 1250
_TITLE = Fit(96, 32, 6, WIDTH - 2 * MARGIN, _TITLE_BOTTOM - _TITLE_TOP, graphemes=200)


def _layout(text: CoverText, dirs: tuple[str, ...]) -> tuple[_Strip, ...]:
    """Where everything goes. The book's texts take its language's direction; the publisher's
    name, in whatever language it is, that of its first letter."""
    base = direction(text.lang)
    bold, regular = Style(text.lang, True, base, dirs), Style(text.lang, False, base, dirs)
    name = Style(text.lang, True, "auto", dirs, own=True)
    title = fit_paragraph(text.title, bold, _TITLE)
    height = _TITLE.line_height(title.size)
    first = _TITLE_TOP + (_TITLE.height - len(title.lines) * height) / 2 + height / 2
    return (
        _Strip(0, 260, _ON_BAND, (_line("publisher", text.publisher, 84, name, 130),)),
        _Strip(260, 560, _ON_ACCENT, (_line("kicker", text.kicker, 48, regular, 420),), _RULE),
        _Strip(560, 1292, _ON_INK, (_Block("title", title, bold, first, height),), shared=False),
        _Strip(1292, HEIGHT, _ON_INK, (_line("date", text.date, 48, regular, 1440),), _LINE),
    )


_RULE, _LINE = ((500, 506),), ((1330, 1333),)


def _line(field: str, text: str, size: int, style: Style, middle: float) -> _Block:
    """One line of text as large as `size`, shrunk (then cut) to fit between the margins."""
    return _Block(
        field, fit_line(text, style, Fit(size, 20, 4, WIDTH - 2 * MARGIN)), style, middle, 0
    )


def _paint(strip: _Strip) -> Image.Image:
    """One strip, in palette indices."""
    ground = strip.ramp * _STEPS
    ink = ground + _STEPS - 1
    image = Image.new("L", (WIDTH, strip.bottom - strip.top), ground)
    draw = ImageDraw.Draw(image)
    for top, bottom in strip.rules:
        draw.rectangle((MARGIN, top - strip.top, WIDTH - MARGIN, bottom - strip.top), fill=ink)
    for block in strip.blocks:
        _write(draw, block, block.middle - strip.top, ink)
    return image


def _write(draw: ImageDraw.ImageDraw, block: _Block, middle: float, ink: int) -> None:
    """A block's lines centred on the canvas, the first line's middle at `middle`."""
    size = block.setting.size
    style = block.style
    fonts = {run.font for line in block.setting.lines for run in line}
    metrics = [face(f, size, style.dirs).getmetrics() for f in sorted(fonts)]
    ascent = max((m[0] for m in metrics), default=0)
    descent = max((m[1] for m in metrics), default=0)
    for number, runs in enumerate(block.setting.lines):
        baseline = middle + number * block.line_height + (ascent - descent) / 2
        widths = [run_width(run, size, style) for run in runs]
        x = (WIDTH - sum(widths)) / 2
        for run, advance in zip(runs, widths, strict=True):
            draw.text(
                (x, baseline),
                run.text,
                font=face(run.font, size, style.dirs),
                fill=ink,
                anchor="ls",
                direction="rtl" if run.rtl else "ltr",
                language=shaping(style.lang),
            )
            x += advance
