"""Facts about a story image read from its bytes: format, displayed dimensions, size, digest.
Pillow is used here only, and only on bytes already read within the budgets: its header gives
the pixel count, checked against an explicit budget before anything is decoded; then every
frame is decoded once, so a damaged image is refused here rather than published. Pillow's
warnings become problems of the image, never raw text on the user's terminal."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from syndicate.readers import budgets

# The raster formats every output can carry (EPUB core media types; browsers; feed readers).
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
CONVERT = "convert it to PNG or JPEG"
_EXIF_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}
"""EXIF orientations that turn the image a quarter: it displays with width and height swapped."""
_PILLOW_PIXELS = re.compile(r"\((\d+) pixels\)")


@dataclass(frozen=True, slots=True)
class ImageFacts:
    media_type: str
    width: int
    """As displayed (after the EXIF orientation)."""
    height: int
    size: int
    sha256: str
    pixels: int
    """Width x height x frames: what decoding it costs."""
    notes: tuple[str, ...] = ()
    """Oddities Pillow noticed in a usable image, in words, for warnings."""


class ImageProblem(Exception):
    pass


def inspect_image(data: bytes, max_pixels: int | None = None) -> ImageFacts:
    """The facts of an image's bytes; raise ImageProblem with a user-facing reason when it is
    unusable. `max_pixels` (default: the per-image budget) bounds what it may cost to decode."""
    from PIL import Image, UnidentifiedImageError

    limit = budgets.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    fmt = ""  # until the header is read: Pillow may refuse a damaged header itself
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                if fmt not in MEDIA_TYPES:
                    raise ImageProblem(_unsupported(fmt))
                width, height = img.size
                frames = int(getattr(img, "n_frames", 1) or 1)
                pixels = width * height * frames
                if pixels > limit:
                    raise ImageProblem(_too_many(width, height, frames, limit))
                _decode(img, frames)
                orientation = _orientation(img)
        except Image.DecompressionBombError as exc:
            raise ImageProblem(_too_many_declared(str(exc), limit)) from None
        except UnidentifiedImageError:
            raise ImageProblem(_unidentified(data)) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
            # Pillow's decoders report a damaged file with any of these.
            raise ImageProblem(
                f"the {fmt or 'image'} file is damaged ({_short(exc)}); export it again"
            ) from None
    if orientation in _TURNED:
        width, height = height, width
    notes = tuple(dict.fromkeys(_short(w.message) for w in caught))
    return ImageFacts(
        MEDIA_TYPES[fmt],
        width,
        height,
        len(data),
        hashlib.sha256(data).hexdigest(),
        pixels,
        notes,
    )


def _decode(img: object, frames: int) -> None:
    """Decode every frame once: a truncated or corrupt body fails here. A JPEG is decoded at
    an eighth of its size (libjpeg's DCT scaling, Pillow's draft mode): every block of the
    file is still read and entropy-decoded, so damage is found as in a full decode, but the
    pixels are not kept (`tests/test_fast_paths.py` checks both find the same)."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    if img.format == "JPEG" and frames == 1:
        width, height = img.size
        img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
    for index in range(frames):
        if index:
            img.seek(index)
        img.load()


def slow_decode(img: object, frames: int) -> None:
    """Every frame decoded whole (the reference `_decode` is tested on)."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    for index in range(frames):
        if index:
            img.seek(index)
        img.load()


def _orientation(img: object) -> int:
    from PIL import Image

    assert isinstance(img, Image.Image)
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        return 1  # unreadable EXIF: shown as stored
    return value if isinstance(value, int) else 1


def _unsupported(fmt: str) -> str:
    return f"unsupported format ({fmt or 'unknown'}): {CONVERT}"


def _unidentified(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--")) and b"<svg" in head):
        return _unsupported("SVG")
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return _unsupported("HEIC")
    if head.startswith((b"<!doctype html", b"<html")):
        return f"an HTML page, not an image; {CONVERT}"
    return f"not an image file (PNG, JPEG, GIF or WebP expected); {CONVERT}"


def _too_many(width: int, height: int, frames: int, limit: int) -> str:
    size = f"{width}x{height} pixels" + (f" in {frames} frames" if frames > 1 else "")
    return f"image is {size}, over the limit of {limit:,} pixels; make it smaller"


def _too_many_declared(message: str, limit: int) -> str:
    found = _PILLOW_PIXELS.search(message)
    count = f"{int(found.group(1)):,} pixels" if found else "more pixels than can be decoded"
    return f"image declares {count}, over the limit of {limit:,}; make it smaller"


def _short(exc: object) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if len(text) <= 80 else text[:77] + "..."
