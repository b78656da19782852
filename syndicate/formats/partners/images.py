"""A story image as a profile publishes it: the original when it meets the profile's rules, else
a rendition made with Pillow (cropped to the allowed ratio, scaled down to the profile's width
or under its byte limit). Never scaled up: a larger copy of a small image invents no detail,
and partners ask for large images to get detail; an image too small is left out.

Renditions are PNG for PNG and GIF originals (the first frame) and WebP ones with transparency,
JPEG otherwise; the same original and rules give the same bytes."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image as Pil

from syndicate.formats.partners.rules import IMAGE_BYTES, Broken, Rules
from syndicate.model import Image
from syndicate.readers.images import exif_orientation

JPEG_QUALITY = 85
SHRINK = 0.9
"""Each try to fit under the byte limit scales by this much more than the sizes suggest."""
TRIES = 8
_UPRIGHT = {
    2: Pil.Transpose.FLIP_LEFT_RIGHT,
    3: Pil.Transpose.ROTATE_180,
    4: Pil.Transpose.FLIP_TOP_BOTTOM,
    5: Pil.Transpose.TRANSPOSE,
    6: Pil.Transpose.ROTATE_270,
    7: Pil.Transpose.TRANSVERSE,
    8: Pil.Transpose.ROTATE_90,
}
"""How each EXIF orientation is turned upright (as Pillow's `ImageOps.exif_transpose`)."""


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as one profile's items carry it."""

    image: Image
    width: int
    height: int
    size: int
    media_type: str
    data: bytes | None = None
    """The rendition's bytes; None when the original is used as it is."""
    name: str = ""
    """The rendition's file name."""


def fit(image: Image, read: Callable[[], bytes], rules: Rules) -> Picture | Broken:
    """`image` as the profile takes it, or the rule it cannot be made to meet. `read` gives
    the original's bytes, read only when a rendition is needed."""
    options = rules.options
    box = _crop(image.width, image.height, options.image_ratio_min, options.image_ratio_max)
    width, height = box[2] - box[0], box[3] - box[1]
    broken = rules.image_size(width, height)
    if broken is not None:
        if (width, height) != (image.width, image.height):
            cropped = f"; cropped to the ratio it requires, it would be {width}x{height} px"
            return Broken(broken.rule, broken.message + cropped)
        return broken
    scale = min(1.0, (options.image_width or width) / width)
    whole = box == (0, 0, image.width, image.height)
    if whole and scale == 1.0 and rules.image_bytes(image.size) is None:
        return Picture(image, image.width, image.height, image.size, image.media_type)
    return _rendition(image, read(), box, scale, rules)


def _crop(
    width: int, height: int, low: float | None, high: float | None
) -> tuple[int, int, int, int]:
    """The centred box of the largest part of the image within the allowed ratios."""
    ratio = round(width / height, 2)
    if high is not None and ratio > high:
        kept = max(1, math.floor(height * high))  # (never no pixel: a 1:20 ratio of a tiny image)
        left = (width - kept) // 2
        return left, 0, left + kept, height
    if low is not None and ratio < low:
        kept = max(1, math.floor(width / low))
        top = (height - kept) // 2
        return 0, top, width, top + kept
    return 0, 0, width, height


def _rendition(
    image: Image, read: bytes, box: tuple[int, int, int, int], scale: float, rules: Rules
) -> Picture | Broken:
    with Pil.open(io.BytesIO(read)) as source:
        source.seek(0)  # a GIF's first frame
        # A WebP with transparency too: a JPEG has none, and its clear pixels took the colour
        # stored under them (black: a chart's dark text vanished into a black picture).
        png = source.format in ("PNG", "GIF") or source.has_transparency_data
        picture = _eight_bit(source).convert("RGBA" if png else "RGB")
        # Turned as it is shown (a phone's photo, stored sideways with an EXIF orientation),
        # the way its width and height were read and `box` is measured: the rendition keeps
        # no EXIF, and cut from the stored pixels it was sideways and cropped off its edge.
        turn = _UPRIGHT.get(exif_orientation(source))
        if turn is not None:
            picture = picture.transpose(turn)
        picture = picture.crop(box)
        profile = _rgb_profile(source.info.get("icc_profile"))
    options = rules.options
    # The smallest scale the size rules allow: the last try to get under the byte limit.
    floor = max(
        (options.image_min_width or 0) / picture.width,
        (options.image_min_height or 0) / picture.height,
    )
    scale = max(scale, floor)
    for _ in range(TRIES):
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        data = _encode(picture.resize(size, Pil.Resampling.LANCZOS), png, profile)
        broken = rules.image_bytes(len(data))
        if broken is None:
            suffix = ".png" if png else ".jpg"
            name = f"{PurePosixPath(image.name).stem}-{size[0]}x{size[1]}{suffix}"
            media_type = "image/png" if png else "image/jpeg"
            return Picture(image, *size, len(data), media_type, data, name)
        if scale <= floor:
            smallest = f"at {size[0]}x{size[1]} px, the smallest {rules.label} takes"
            return Broken(IMAGE_BYTES, f"{broken.message.replace('image is', smallest + ' it is')}")
        limit = options.image_max_bytes or len(data)
        scale = max(floor, scale * math.sqrt(limit / len(data)) * SHRINK)
    return Broken(IMAGE_BYTES, f"image does not come under the byte limit in {TRIES} tries")


def _eight_bit(picture: Pil.Image) -> Pil.Image:
    """A 16-bit grey picture (a PNG of 16 bits a sample loads as `I;16`) as 8-bit grey:
    Pillow's conversion to RGB clips its values at 255 instead of scaling them, and every
    grey above the darkest 0.4 % came out white."""
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        return picture.convert("I").point(lambda value: value / 256).convert("L")
    return picture


def _rgb_profile(profile: object) -> bytes | None:
    """The original's ICC colour profile, for the rendition, when it describes RGB: a photo in
    Adobe RGB or Display P3 (a camera's, a phone's) shown without it takes sRGB's colours,
    dull or off. A CMYK or grey one cannot describe the RGB pixels made of it: none."""
    if isinstance(profile, bytes) and profile[16:20] == b"RGB ":
        return profile
    return None


def _encode(picture: Pil.Image, png: bool, profile: bytes | None = None) -> bytes:
    out = io.BytesIO()
    kept = {"icc_profile": profile} if profile else {}
    if png:
        picture.save(out, format="PNG", **kept)
    else:
        picture.save(out, format="JPEG", quality=JPEG_QUALITY, **kept)
    return out.getvalue()
