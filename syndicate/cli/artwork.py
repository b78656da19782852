"""The placeholder logo and icon of a new site, drawn with Pillow: a mark in the shape of a
front page (a headline over lines of text) and, in the logo, the publisher's name."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

INK = (31, 78, 121, 255)
PAPER = (255, 255, 255, 255)
ICON_SIZE = 512
LOGO_HEIGHT = 60
LOGO_MAX_WIDTH = 600
"""Google's rule for a publisher logo: it fits in 600x60."""


def icon_png() -> bytes:
    """A square icon: the front-page mark on the site's colour."""
    return _png(_mark(ICON_SIZE))


def logo_png(name: str) -> bytes:
    """A 60-pixel-high logo: the mark, then the name in Pillow's built-in font when that font
    has every character of it (it covers Latin only); otherwise the mark alone, never boxes
    for missing glyphs."""
    mark = _mark(LOGO_HEIGHT)
    font = ImageFont.load_default(size=34)
    if not name or not _covers(font, name):
        return _png(mark)
    gap = LOGO_HEIGHT // 4
    width = min(LOGO_MAX_WIDTH, LOGO_HEIGHT + gap + int(font.getlength(name)) + gap)
    logo = Image.new("RGBA", (width, LOGO_HEIGHT), (0, 0, 0, 0))
    logo.paste(mark, (0, 0))
    draw = ImageDraw.Draw(logo)
    draw.text((LOGO_HEIGHT + gap, LOGO_HEIGHT // 2), name, font=font, fill=INK, anchor="lm")
    return _png(logo)


def _mark(size: int) -> Image.Image:
    """A front page: a bold headline bar over three lines of text, white on the ink colour."""
    image = Image.new("RGBA", (size, size), INK)
    draw = ImageDraw.Draw(image)
    left, right = size * 3 // 16, size * 13 // 16
    draw.rectangle((left, size * 4 // 16, right, size * 6 // 16), fill=PAPER)
    for top in (8, 10, 12):
        end = right if top < 12 else (left + right) // 2
        draw.rectangle((left, size * top // 16, end, size * top // 16 + size // 20), fill=PAPER)
    return image


def _covers(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> bool:
    if not isinstance(font, ImageFont.FreeTypeFont):
        return False  # Pillow without FreeType: a bitmap font of ASCII only
    return all(ord(c) in _charmap(font) or c.isspace() for c in text)


def _charmap(font: ImageFont.FreeTypeFont) -> frozenset[int]:
    data: bytes = getattr(font, "font_bytes", b"")
    return frozenset(TTFont(io.BytesIO(data)).getBestCmap()) if data else frozenset()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
