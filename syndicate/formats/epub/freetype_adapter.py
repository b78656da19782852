"""Glyphs rasterised by FreeType (freetype-py), hinted as Pillow would draw them, one at a time,
for a cache of glyphs (drawn once per font and size, reused wherever they recur)."""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import freetype
from PIL import Image

from syndicate.formats.epub.fontfiles import fonts_cache

_LOAD = freetype.FT_LOAD_DEFAULT | freetype.FT_LOAD_NO_BITMAP
"""Outlines only, hinted by the font's own program (what Pillow loads for its text)."""
_LOCK = threading.Lock()
"""A FreeType face draws one glyph at a time: threads of one process take turns."""


@dataclass(frozen=True, slots=True)
class Bitmap:
    """A glyph's coverage (mode L, 0 to 255) and where its top left corner is from the pen on
    the baseline: `left` pixels right, `top` pixels up."""

    image: Image.Image
    left: int
    top: int


def version() -> str:
    """The FreeType library's version (it draws every cover's glyphs)."""
    return ".".join(str(part) for part in freetype.version())


@fonts_cache()
def _face(path: str, index: int) -> freetype.Face:
    return freetype.Face(path, index)


def _sized(path: str, index: int, size: float) -> freetype.Face:
    face = _face(path, index)
    height = round(size * 64)
    face.set_char_size(height, height, 72, 72)
    return face


def glyph(path: str, index: int, size: float, glyph_id: int) -> Bitmap:
    """One glyph of the face `index` of the font file at a pixel size."""
    with _LOCK:
        face = _sized(path, index, size)
        face.load_glyph(glyph_id, _LOAD)
        face.glyph.render(freetype.FT_RENDER_MODE_NORMAL)
        slot = face.glyph
        bitmap = slot.bitmap
        width, rows, pitch = bitmap.width, bitmap.rows, bitmap.pitch
        data = ctypes.string_at(bitmap._FT_Bitmap.buffer, abs(pitch) * rows) if rows else b""
        left, top = slot.bitmap_left, slot.bitmap_top
    if not width or not rows:
        return Bitmap(Image.new("L", (0, 0)), left, top)
    image = Image.frombytes("L", (width, rows), data, "raw", "L", pitch)
    return Bitmap(image, left, top)


@fonts_cache(1024)
def metrics(path: str, index: int, size: float) -> tuple[int, int]:
    """Ascent and descent in whole pixels at a size (as Pillow's `getmetrics`)."""
    with _LOCK:
        face = _sized(path, index, size)
        ascender, descender = face.size.ascender, face.size.descender
    return (ascender + 32) >> 6, -((descender + 32) >> 6)
