"""The image a feed announces, made from the publisher's logo and icon to the size each format
allows: RSS 2.0 `<image>` at most 144 pixels wide and 400 high (RSS 2.0 specification), Atom
`<logo>` twice as wide as high (RFC 4287, 4.2.8). The same files give the same bytes; the size
is known before the bytes are made (`FeedImage.make`)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syndicate.readers.images import image_size

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
    width: int
    height: int
    make: Callable[[], bytes]
    """Its PNG bytes, made when asked for: its size is known from the logo's and the icon's
    headers alone, so a run that keeps the published file needs no drawing."""
    from_icon: bool = False
    """Drawn from the icon, not the logo: its URL carries the icon's digest."""


def atom_logo(logo: bytes, icon: bytes | None = None) -> FeedImage:
    """The logo, scaled to fit a 2:1 transparent canvas and centred on it (the icon is the
    feed's `icon`, already square)."""
    return FeedImage(*ATOM_LOGO, functools.partial(_atom_png, logo))


def _atom_png(logo: bytes) -> bytes:
    from PIL import Image

    width, height = ATOM_LOGO
    with Image.open(io.BytesIO(logo)) as source:
        picture = _fitted(source, width - 2 * ATOM_MARGIN, height - 2 * ATOM_MARGIN)
    canvas = Image.new("RGBA", ATOM_LOGO, (0, 0, 0, 0))
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return _png(canvas)


def rss_image(logo: bytes, icon: bytes | None) -> FeedImage:
    """The logo at most 144x400; the square icon instead when the logo would be too flat to
    read at that width."""
    source, size = logo, _fitted_size(image_size(logo), *RSS_MAX)
    from_icon = size[1] < RSS_READABLE_HEIGHT and icon is not None
    if from_icon and icon is not None:
        source, size = icon, _fitted_size(image_size(icon), *RSS_MAX)
    return FeedImage(*size, functools.partial(_rss_png, source, *RSS_MAX), from_icon)


def _rss_png(data: bytes, width: int, height: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as source:
        return _png(_fitted(source, width, height))


def _fitted_size(size: tuple[int, int], width: int, height: int) -> tuple[int, int]:
    """`size` scaled down (never up) to fit `width` x `height`, keeping its ratio."""
    scale = min(width / size[0], height / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _fitted(image: Image.Image, width: int, height: int) -> Image.Image:
    """`image` in RGBA, scaled down (never up) to fit `width` x `height`, keeping its ratio."""
    from PIL import Image

    size = _fitted_size(image.size, width, height)
    return image.convert("RGBA").resize(size, Image.Resampling.LANCZOS)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
