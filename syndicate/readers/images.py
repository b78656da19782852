"""Facts about a story image read from the file itself: format, dimensions, size, digest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

# The raster formats every output can carry (EPUB core media types; browsers; feed readers).
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageFacts:
    media_type: str
    width: int
    height: int
    size: int
    sha256: str


class ImageProblem(Exception):
    pass


def inspect_image(path: Path) -> ImageFacts:
    """Read the image header; raise ImageProblem with a user-facing reason when unusable."""
    from PIL import Image, UnidentifiedImageError

    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:  # checked before reading: the limit also bounds memory
            raise ImageProblem(f"image is {size} bytes; the limit is {MAX_IMAGE_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise ImageProblem(f"cannot read image: {exc.strerror or exc}") from None
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = img.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageProblem(f"not a readable image ({exc.__class__.__name__})") from None
    if fmt not in MEDIA_TYPES:
        supported = ", ".join(sorted(MEDIA_TYPES))
        raise ImageProblem(f"image format {fmt or 'unknown'} is not supported; use {supported}")
    return ImageFacts(MEDIA_TYPES[fmt], width, height, len(data), hashlib.sha256(data).hexdigest())
