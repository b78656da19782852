"""The image a feed announces, made from the publisher's logo and icon to the size each format
allows: RSS 2.0 `<image>` at most 144 pixels wide and 400 high (RSS 2.0 specification), Atom
`<logo>` twice as wide as high (RFC 4287, 4.2.8). The same files give the same bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported when a feed image is made, not when the writers load
    from PIL import Image

ATOM_LOGO = (240, 120)
"""2:1, and large enough for a readable banner."""
ATOM_MARGIN = 8
RSS_MAX = (144, 400)
RSS_READABLE_HEIGHT = 31
"""RSS's default image height: a banner scaled below it is unreadable; the icon then serves."""


@dataclass(frozen=True, slots=True)
class FeedImage:
    data: bytes
    width: int
    height: int


def atom_logo(logo: bytes, icon: bytes | None = None) -> FeedImage:
    """The logo, scaled to fit a 2:1 transparent canvas and centred on it (the icon is the
    feed's `icon`, already square)."""
    from PIL import Image

    width, height = ATOM_LOGO
    with Image.open(io.BytesIO(logo)) as source:
        picture = _fitted(source, width - 2 * ATOM_MARGIN, height - 2 * ATOM_MARGIN)
    canvas = Image.new("RGBA", ATOM_LOGO, (0, 0, 0, 0))
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return FeedImage(_png(canvas), width, height)


def rss_image(logo: bytes, icon: bytes | None) -> FeedImage:
    """The logo at most 144x400; the square icon instead when the logo would be too flat to
    read at that width."""
    from PIL import Image

    with Image.open(io.BytesIO(logo)) as source:
        picture = _fitted(source, *RSS_MAX)
    if picture.height < RSS_READABLE_HEIGHT and icon is not None:
        with Image.open(io.BytesIO(icon)) as source:
            picture = _fitted(source, *RSS_MAX)
    return FeedImage(_png(picture), picture.width, picture.height)


def _fitted(image: Image.Image, width: int, height: int) -> Image.Image:
    """`image` in RGBA, scaled down (never up) to fit `width` x `height`, keeping its ratio."""
    scale = min(width / image.width, height / image.height, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    from PIL import Image

    return image.convert("RGBA").resize(size, Image.Resampling.LANCZOS)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
