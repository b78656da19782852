"""Text shaping with HarfBuzz (uharfbuzz): the glyphs of a run of one font and one direction and
where each goes, in ems, so that a run shaped once is measured and placed at any size."""

from __future__ import annotations

from dataclasses import dataclass

import uharfbuzz as hb

from syndicate.formats.epub.fontfiles import fonts_cache


@dataclass(frozen=True, slots=True)
class Shaped:
    """A run's glyphs in visual order (left to right), each with its pen position before it and
    its offset from there, in ems (font units over units per em)."""

    glyphs: tuple[int, ...]
    x: tuple[float, ...]
    """The pen's position of each glyph, from the run's start."""
    dx: tuple[float, ...]
    dy: tuple[float, ...]
    """Offsets from the pen, up positive (as in the font)."""
    width: float
    """The run's advance."""


def version() -> str:
    """The HarfBuzz library's version (it shapes every cover's text)."""
    return str(hb.version_string())


@fonts_cache()
def _blob(path: str) -> hb.Blob:
    """A font file, mapped into memory once."""
    return hb.Blob.from_file_path(path)


@fonts_cache()
def _font(path: str, index: int) -> hb.Font:
    return hb.Font(hb.Face(_blob(path), index))


def family(path: str, index: int) -> str | None:
    """The family name (name ID 1) of the face `index` of a font file; None past its last face
    (or when the file holds no font)."""
    face = hb.Face(_blob(path), index)
    if not face.glyph_count:
        return None
    return str(face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) or "")


def unicodes(path: str, index: int) -> frozenset[int]:
    """The code points the face's cmap maps to a glyph (not to .notdef)."""
    return frozenset(hb.Face(_blob(path), index).unicodes)


@fonts_cache(16384)
def shape(path: str, index: int, text: str, rtl: bool, language: str) -> Shaped:
    """A run shaped in the face `index` of the font file, in its direction and language (which
    picks language-specific forms, e.g. Persian digits); its script is its first letter's."""
    font = _font(path, index)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.language = language
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    upem = font.face.upem
    glyphs, xs, dxs, dys = [], [], [], []
    pen = 0
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyphs.append(info.codepoint)
        xs.append(pen / upem)
        dxs.append(position.x_offset / upem)
        dys.append(position.y_offset / upem)
        pen += position.x_advance
    return Shaped(tuple(glyphs), tuple(xs), tuple(dxs), tuple(dys), pen / upem)
