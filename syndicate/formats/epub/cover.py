"""Cover images for EPUBs: publication name, kicker, title and date, set in the Noto fonts of
every script they hold (`typeset`, shaped by HarfBuzz) and drawn from a cache of glyphs that
FreeType rasterises once per font and size (the same glyphs recur across thousands of covers).
The thumbnail is the cover reduced; both are encoded as palette PNGs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from PIL import Image

from syndicate.formats.epub import freetype_adapter, fribidi_adapter
from syndicate.formats.epub.coverdata import Cover, CoverText
from syndicate.formats.epub.fontfiles import DEFAULT_FONT_DIRS, fonts_cache
from syndicate.formats.epub.fonts import CoverError, font_file
from syndicate.formats.epub.palette_png import Band, band, png
from syndicate.formats.epub.typeset import (
    Fit,
    Setting,
    Style,
    fit_line,
    fit_paragraph,
    shaped,
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


@cache
def check_shaper() -> None:
    """Bidi needs FriBiDi (from the system); HarfBuzz and FreeType come with their wheels."""
    try:
        fribidi_adapter.check()
    except OSError:
        raise CoverError(
            "covers cannot order right-to-left text: GNU FriBiDi is missing; install the Debian"
            " package libfribidi0"
        ) from None


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


@fonts_cache(64)
def _draw(text: CoverText, dirs: tuple[str, ...]) -> Cover:
    check_shaper()
    strips = _layout(text, dirs)
    bands = [band for s in strips for band in (_shared_bands(s) if s.shared else _bands(s))]
    missing = tuple(
        dict.fromkeys((b.field, g) for s in strips for b in s.blocks for g in b.missing)
    )
    return Cover(
        png([full for full, _ in bands], _PALETTE),
        png([small for _, small in bands], _PALETTE),
        missing,
    )


@fonts_cache(256)
def _shared_bands(strip: _Strip) -> tuple[tuple[Band, Band], ...]:
    """The strips many covers share (publisher, section, date), compressed once per process."""
    return tuple(_bands(strip))


def _bands(strip: _Strip) -> list[tuple[Band, Band]]:
    """A strip's rows compressed for the cover and, reduced by 4 (each thumbnail pixel the mean
    of 4 x 4 cover pixels), for the thumbnail. The mean of indices of one ramp is the index of
    the mean colour: the reduction is exact, and costs a tenth of drawing the text again.

    Only the rows where a rule or a glyph was drawn are compressed; the blank rows above,
    between and below them come compressed already. Every cut is on a multiple of 4 rows, so
    the thumbnail's bands are whole rows too."""
    steps, inked = _paint(strip)
    width, height = steps.size
    bands: list[tuple[Band, Band]] = []
    done = 0
    for top, bottom in _spans(inked, height):
        if top > done:
            bands.append(_blank(strip.ramp, top - done))
        rows = steps.crop((_LEFT - 1, top, width, bottom))
        if strip.ramp:
            rows = rows.point(_GROUND[strip.ramp])
            rows.paste(0, (0, 0, 1, rows.height))  # the filter bytes
            small = band(rows.reduce(_REDUCTION, (1, 0, rows.width, rows.height)))
        else:  # the left margin's mean is the thumbnail's filter bytes
            small = band(steps.reduce(_REDUCTION, (0, top, width, bottom)), rows=True)
        bands.append((band(rows, rows=True), small))
        done = bottom
    if height > done:
        bands.append(_blank(strip.ramp, height - done))
    return bands


def _spans(inked: list[tuple[int, int]], height: int) -> list[tuple[int, int]]:
    """Rows drawn on, widened to multiples of 4 rows, those that touch merged, top to bottom."""
    spans: list[tuple[int, int]] = []
    for top, bottom in sorted(inked):
        top, bottom = max(_whole(top), 0), min(_whole(bottom + _REDUCTION - 1), height)
        if top >= bottom:
            continue
        if spans and top <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(bottom, spans[-1][1]))
        else:
            spans.append((top, bottom))
    return spans


def _whole(row: float) -> int:
    """A row rounded down to a multiple of the thumbnail's reduction."""
    return int(row // _REDUCTION) * _REDUCTION


@lru_cache(maxsize=256)
def _blank(ramp: int, height: int) -> tuple[Band, Band]:
    """Rows of a ramp's ground."""
    rows = Image.new("L", (WIDTH, height), ramp * _STEPS)
    return band(rows), band(rows.reduce(_REDUCTION))


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


_LEFT = _REDUCTION
"""Columns of zeros left of a strip's drawing: its last is PNG's filter byte of each row, and
their mean the thumbnail's, so that rows on the ground of index 0 are compressed as they are."""


def _paint(strip: _Strip) -> tuple[Image.Image, list[tuple[int, int]]]:
    """One strip's text and rules in steps of its ramp (0 to _STEPS - 1, 0 its ground), right
    of _LEFT columns of zeros, and the rows (top, bottom) each rule and line of text was drawn
    on: every other row is blank."""
    image = Image.new("L", (_LEFT + WIDTH, strip.bottom - strip.top), 0)
    inked = []
    for top, bottom in strip.rules:
        box = (_LEFT + MARGIN, top - strip.top, _LEFT + WIDTH - MARGIN + 1, bottom - strip.top + 1)
        image.paste(_STEPS - 1, box)
        inked.append((box[1], box[3]))
    for block in strip.blocks:
        inked += _write(image, block, block.middle - strip.top, _LEFT)
    return image, inked


_GROUND = [[min(step + ramp * _STEPS, 255) for step in range(256)] for ramp in range(len(_RAMPS))]
"""Steps of a ramp to the palette indices of that ramp."""
_LEVELS = [((t >> 8) + t) >> 8 for t in ((_STEPS - 1) * v + 128 for v in range(256))]
"""Coverage (0 to 255) to steps of a ramp, rounded as Pillow blends text onto its ground."""


@fonts_cache(4096)
def _glyph(path: str, index: int, size: float, glyph_id: int) -> _Glyph:
    """A glyph in steps of the ramp. A few thousand glyphs (a few megabytes) hold every
    alphabet's at every size; CJK covers draw the rarer characters again."""
    bitmap = freetype_adapter.glyph(path, index, size, glyph_id)
    image = bitmap.image
    return _Glyph(image.im.point(_LEVELS, None), image.width, image.height, bitmap.left, bitmap.top)


@dataclass(frozen=True, slots=True)
class _Glyph:
    core: Any
    """Steps of the ramp (0 to _STEPS - 1), as Pillow's core image: a glyph is composited with
    three calls into Pillow's C core, a fifth of the time of the same calls through `Image`."""
    width: int
    height: int
    left: int
    top: int


def _write(image: Image.Image, block: _Block, middle: float, margin: int) -> list[tuple[int, int]]:
    """A block's lines centred on the canvas right of `margin`, the first line's middle at
    `middle`: each glyph at its whole-pixel position, overlaps keeping the darker (as Pillow
    draws a text); what would fall outside is cut off. The rows each line's glyphs cover."""
    size = block.setting.size
    style = block.style
    fonts = {run.font for line in block.setting.lines for run in line}
    metrics = [freetype_adapter.metrics(*font_file(f, style.dirs), size) for f in sorted(fonts)]
    ascent = max((m[0] for m in metrics), default=0)
    descent = max((m[1] for m in metrics), default=0)
    canvas = image.im
    width, height = image.size
    inked = []
    for number, runs in enumerate(block.setting.lines):
        highest, lowest = height, 0
        baseline = round(middle + number * block.line_height + (ascent - descent) / 2)
        placed = [shaped(run, style) for run in runs]
        x = margin + (width - margin - sum(p.width for p in placed) * size) / 2
        for run, shape in zip(runs, placed, strict=True):
            path, index = font_file(run.font, style.dirs)
            for glyph_id, pen, dx, dy in zip(
                shape.glyphs, shape.x, shape.dx, shape.dy, strict=True
            ):
                glyph = _glyph(path, index, size, glyph_id)
                left = round(x + (pen + dx) * size) + glyph.left
                top = baseline - round(dy * size) - glyph.top
                box = (left, top, left + glyph.width, top + glyph.height)
                if not glyph.width or not glyph.height:
                    continue
                highest, lowest = min(highest, top), max(lowest, box[3])
                if left < margin or top < 0 or box[2] > width or box[3] > height:
                    _clipped(canvas, glyph, box, (margin, 0, width, height))
                else:
                    canvas.paste(canvas.crop(box).chop_lighter(glyph.core), box)
            x += shape.width * size
        inked.append((max(highest, 0), min(lowest, height)))
    return inked


def _clipped(
    canvas: Any, glyph: _Glyph, box: tuple[int, int, int, int], area: tuple[int, int, int, int]
) -> None:
    """A glyph that falls partly outside the area: only its part inside is drawn."""
    left, top = box[:2]
    inside = (
        max(left, area[0]),
        max(top, area[1]),
        min(box[2], area[2]),
        min(box[3], area[3]),
    )
    if inside[0] >= inside[2] or inside[1] >= inside[3]:
        return
    part = glyph.core.crop((inside[0] - left, inside[1] - top, inside[2] - left, inside[3] - top))
    canvas.paste(canvas.crop(inside).chop_lighter(part), inside)
