"""Facts about a story image read from its bytes: format, displayed dimensions, size, digest.
Pillow is used here only, and only on bytes already read within the budgets: its header gives
the pixel count, checked against an explicit budget before anything is decoded; then every
frame is decoded once, so a damaged image is refused here rather than published. Pillow's
warnings become problems of the image, never raw text on the user's terminal."""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import warnings
from dataclasses import dataclass
from typing import Any, cast

from zlib_ng import zlib_ng

from syndicate.readers import budgets

_ZLIB_NG_ERROR = cast("type[Exception]", zlib_ng.error)
"""zlib-ng's exception class (its type stub calls it an instance)."""
# The raster formats every output can carry (EPUB core media types; browsers; feed readers).
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_MPO = "MPO"
"""A multi-picture JPEG (CIPA DC-007: a phone's or a 3D camera's `.jpg`): a JPEG whose first
image is what browsers, reading systems and partners show, followed by more (a second view, a
depth map), each with its own metadata. A JPEG (`image/jpeg`), published as it is: every image
is checked as decoding it would be (`_check_pictures`) and counts against the budget, and the
place any of them gives is said (`ImageFacts.location`)."""
CONVERT = "convert it to PNG or JPEG"
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)
"""What Pillow's decoders report a damaged file with."""
_EXIF_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}
"""EXIF orientations that turn the image a quarter: it displays with width and height swapped."""
_PILLOW_PIXELS = re.compile(r"\((\d+) pixels\)")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
"""Samples a pixel for each PNG colour type."""
_PNG_PIECE = 1 << 18
"""At most this many inflated bytes are held at once by the PNG check."""
_JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2})  # Huffman-coded: baseline, extended, progressive
_JPEG_TABLES = frozenset({0xC4, 0xDB, 0xDD, 0xFE, *range(0xE0, 0xF0)})  # DHT DQT DRI COM APPn
_JPEG_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
"""Where a scan's entropy-coded data ends: at the first 0xFF that is neither a stuffed zero,
nor a restart marker, nor a fill byte before a marker (as libjpeg reads it)."""


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
    location: str = ""
    """Where its metadata says it was taken (`50.85031, 4.35170`: EXIF's or XMP's GPS
    position, in decimal degrees), or "": every copy published as it is carries it."""
    pictures: int = 1
    """How many pictures a multi-picture JPEG (MPO) holds, each with its own metadata (a
    place in one of them is not removed by editing the first's)."""

    def remembered(self) -> str:
        """What `recalled` needs, as one word: the facts not read off the bytes themselves."""
        facts = f"{self.media_type},{self.width},{self.height},{self.pixels}"
        place = self.location.replace(", ", "/")
        if self.pictures > 1:
            return f"{facts},{place},{self.pictures}"
        return f"{facts},{place}" if place else facts

    @classmethod
    def recalled(cls, text: str, data: bytes, sha256: str) -> ImageFacts | None:
        """The facts `remembered` gave for these bytes (checked before without a problem or
        a note), or None when `text` is not such a word."""
        media_type, *numbers = text.split(",")
        if media_type not in MEDIA_TYPES.values() or len(numbers) not in (3, 4, 5):
            return None
        try:
            width, height, pixels = map(int, numbers[:3])
            pictures = int(numbers[4]) if len(numbers) == 5 else 1
        except ValueError:
            return None
        location = numbers[3].replace("/", ", ") if len(numbers) >= 4 else ""
        return cls(media_type, width, height, len(data), sha256, pixels, (), location, pictures)


class ImageProblem(Exception):
    pass


def inspect_image(
    data: bytes, max_pixels: int | None = None, *, sha256: str = "", decoded: bool = False
) -> ImageFacts:
    """The facts of an image's bytes; raise ImageProblem with a user-facing reason when it is
    unusable. `max_pixels` (default: the per-image budget) bounds what it may cost to decode.
    `sha256` is the bytes' digest when the caller has it. `decoded` says these very bytes
    were decoded before, by this code and this Pillow, without a problem or a note (see
    `syndicate.readers.config.SchemaVerdict`): a JPEG, GIF or WebP is then not decoded again
    (its header is read and its budget checked as always; a PNG goes its usual way, whose
    check without decoding reads what its EXIF needs)."""
    from PIL import Image, UnidentifiedImageError

    limit = budgets.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    fmt = ""  # until the header is read: Pillow may refuse a damaged header itself
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                if fmt == _MPO:
                    fmt = "JPEG"
                elif fmt not in MEDIA_TYPES:
                    raise ImageProblem(_unsupported(fmt))
                width, height = img.size
                _count_frames_up_to(img, budgets.MAX_IMAGE_FRAMES)
                frames = int(getattr(img, "n_frames", 1) or 1)
                if img.format == _MPO:
                    pixels = _mpo_pixels(img, frames)
                    if pixels > limit:
                        raise ImageProblem(_too_many_pictures(frames, pixels, limit))
                else:
                    pixels = width * height * frames
                    if pixels > limit:
                        raise ImageProblem(_too_many(width, height, frames, limit))
                loaded = True if decoded and fmt != "PNG" else _decode(img, frames, data)
                if img.format == _MPO:
                    location = _mpo_location(img, frames, loaded)
                else:
                    location = exif_location(img, loaded)
                orientation = exif_orientation(img, loaded)
        except Image.DecompressionBombError as exc:
            raise ImageProblem(_too_many_declared(str(exc), limit)) from None
        except UnidentifiedImageError:
            raise ImageProblem(_unidentified(data)) from None
        except _DAMAGED as exc:
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
        sha256 or hashlib.sha256(data).hexdigest(),
        pixels,
        notes,
        location,
        frames if fmt == "JPEG" else 1,
    )


def _mpo_pixels(img: Any, frames: int) -> int:
    """What decoding every picture of a multi-picture JPEG costs: the sum of their sizes, each
    read off its own frame header (no picture is decoded), back on the first image after. Its
    pictures need not be the size of the first (a depth map is smaller; a crafted one may be
    144 million pixels behind a 40x20 photo, decoded whole past the first's budget)."""
    try:
        total = 0
        for index in range(frames):
            img.seek(index)
            width, height = img.size
            total += width * height
        return total
    finally:
        img.seek(0)


def _mpo_location(img: Any, frames: int, loaded: bool) -> str:
    """The place the first of a multi-picture JPEG's images that gives one gives (a phone may
    write it in the second view's or the depth map's metadata only: published with the file,
    it is read as any other), back on the first image after."""
    try:
        for index in range(frames):
            img.seek(index)
            location = exif_location(img, loaded)
            if location:
                return location
        return ""
    finally:
        img.seek(0)


def _decode(img: object, frames: int, data: bytes) -> bool:
    """Decode every frame once: a truncated or corrupt body fails here. A JPEG is decoded at
    an eighth of its size (libjpeg's DCT scaling, Pillow's draft mode): every block of the
    file is still read and entropy-decoded, so damage is found as in a full decode, but the
    pixels are not kept. A PNG whose every chunk is whole (CRCs right) and whose zlib stream
    inflates to exactly its rows, each with a known filter, is not decoded at all (see
    `png_is_whole`); any other goes Pillow's way, which gives the messages
    (`tests/test_fast_paths.py` checks both find the same). A multi-picture JPEG's pictures
    are checked one by one (`_check_pictures`). False when the image was checked without
    being loaded."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    if img.format == "PNG" and frames == 1 and png_is_whole(data):
        return False
    if img.format == _MPO:
        _check_pictures(img, frames, data)
        return True
    if img.format == "JPEG" and frames == 1:
        if jpeg_is_whole(data):
            return True
        width, height = img.size
        img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
    for index in range(frames):
        if index:
            img.seek(index)
        img.load()
    return True


def _check_pictures(img: Any, frames: int, data: bytes) -> None:
    """Each picture of a multi-picture JPEG checked as decoding it would check it, its pixels
    decoded only when its layout is not the usual one: the MP index gives where each picture
    starts and its size, and `jpeg_is_whole` reads its bytes; any other picture is decoded
    at an eighth of its size where Pillow's own `seek` put it (see `_decode`). Each was
    decoded whole: a phone photo's three pictures cost three photos' time and memory. The
    index is the file's word: its sizes may lie and its pictures overlap, so no picture's
    bytes are copied (a copy of the rest of the file a picture made 4,000 entries of a 20 MB
    file a minute's work). Back on the first picture after."""
    entries = getattr(img, "mpinfo", {}).get(0xB002) or []
    view = memoryview(data)
    try:
        for index in range(frames):
            img.seek(index)  # (its header was read before: `_mpo_pixels`)
            start = getattr(img, "offset", None)
            size = entries[index].get("Size", 0) if index < len(entries) else 0
            if isinstance(start, int) and size and jpeg_is_whole(view[start : start + size]):
                continue
            img.decoderconfig = ()  # (Pillow drafts an image once: each picture anew)
            width, height = img.size
            img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
            img.load()
    finally:
        img.decoderconfig = ()
        img.seek(0)


def slow_decode(img: object, frames: int, data: bytes = b"") -> bool:
    """Every frame decoded whole (the reference `_decode` is tested on)."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    for index in range(frames):
        if index:
            img.seek(index)
        img.load()
    return True


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height as an image's header gives them (not turned by its EXIF), as Pillow's
    `Image.size`, of bytes checked before (`inspect_image`): a PNG's read off its IHDR chunk,
    which comes first, without Pillow (a publisher's logo is sized on every run); any other
    format's by Pillow."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
    return int(width), int(height)


def png_is_whole(data: bytes) -> bool:
    """True when Pillow would decode this PNG without a problem or a warning and learn
    nothing more from it than its header gave: one image, not interlaced, every chunk whole
    with its CRC right, the IDAT chunks in one run followed only by IEND and the end of the
    file, and their zlib stream ending exactly where the image's rows do, each row starting
    with a filter type Pillow knows (0 to 4). Stricter than Pillow (which checks no CRC and
    stops inflating once the rows are filled): what this refuses is decoded by Pillow. The
    inflated rows are looked at a piece at a time and not kept; zlib-ng inflates (the same
    DEFLATE format, several times faster than the system's zlib on a chart's long runs)."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    view = memoryview(data)
    chunks: list[tuple[bytes, int, int]] = []
    pos, end = 8, len(data)
    while True:
        if pos + 12 > end:
            return False
        length, kind = struct.unpack_from(">I4s", data, pos)
        stop = pos + 12 + length
        if stop > end or zlib_ng.crc32(view[pos + 4 : stop - 4]) != int.from_bytes(
            view[stop - 4 : stop]
        ):
            return False
        chunks.append((kind, pos + 8, length))
        pos = stop
        if kind == b"IEND":
            break
    kinds = [kind for kind, _, _ in chunks]
    if pos != end or kinds[0] != b"IHDR" or chunks[0][2] != 13 or b"acTL" in kinds:
        return False
    if kinds.count(b"IHDR") != 1 or b"IDAT" not in kinds:
        return False
    first = kinds.index(b"IDAT")
    if kinds[first:-1] != [b"IDAT"] * (len(kinds) - first - 1):
        return False
    width, height, depth, colour, method, filtering, interlace = struct.unpack_from(
        ">IIBBBBB", data, chunks[0][1]
    )
    if colour not in _PNG_CHANNELS or method or filtering or interlace:
        return False
    if not width or not height or depth not in (1, 2, 4, 8, 16):
        return False
    stride = (width * _PNG_CHANNELS[colour] * depth + 7) // 8 + 1
    expected = stride * height
    inflater = zlib_ng.decompressobj()
    done = 0

    def rows(piece: bytes) -> bool:
        nonlocal done
        if done + len(piece) > expected or max(piece[-done % stride :: stride], default=0) > 4:
            return False
        done += len(piece)
        return True

    try:
        for _, start, length in chunks[first:-1]:
            pending: bytes | memoryview = view[start : start + length]
            while pending:
                if inflater.eof or not rows(inflater.decompress(pending, _PNG_PIECE)):
                    return False
                pending = inflater.unconsumed_tail
        while not inflater.eof:
            piece = inflater.decompress(b"", _PNG_PIECE)
            if not piece or not rows(piece):
                return False
    except _ZLIB_NG_ERROR:
        return False
    return not inflater.unused_data and done == expected


def jpeg_is_whole(data: bytes | memoryview) -> bool:
    """True when Pillow would decode this JPEG without a problem, learned without decoding its
    pixels. What a decode finds wrong in a JPEG is of two kinds: a file that ends before its
    end-of-image marker ("image file is truncated"), and marker segments libjpeg refuses (a bad
    Huffman or quantization table, a frame or scan header that does not add up); damaged
    entropy-coded data only draws wrong pixels (libjpeg warns, Pillow says nothing). So the
    file is walked marker by marker (the usual layout only: one Huffman-coded frame, the usual
    tables, every scan's data running to the next marker, the end-of-image marker last), and
    its marker segments alone, without their scans' data, are decoded by Pillow in a frame of
    at most 16x16 (`_shrunk_frame`), which runs every check libjpeg makes of them in a fraction
    of a millisecond.
    Stricter than Pillow: any other layout, or a warning, is decoded the usual way
    (`tests/test_fast_paths.py` checks both find the same)."""
    hollow = _jpeg_markers(data)
    if hollow is None:
        return False
    from PIL import Image

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(io.BytesIO(hollow)) as img:
                if img.format != "JPEG":  # (a multi-picture one's picture: its MP index left out)
                    return False
                width, height = img.size
                img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
                img.load()
        except (Image.DecompressionBombError, *_DAMAGED):
            return False
    return not caught


def _jpeg_markers(data: bytes | memoryview) -> bytes | None:
    """The JPEG's marker segments in their order with every scan's entropy-coded data left
    out, or None when its layout is not the usual one (see `jpeg_is_whole`); `data` may be a
    view of a multi-picture JPEG's picture, not copied. An MP index (APP2 `MPF`) is left out
    too: decoding a picture never reads it (the file's is read once, when it is opened), and
    each picture may hold one of 4,000 entries (read again a picture, 1,000 pictures holding
    1,000 entries each took 72 s)."""
    if data[:2] != b"\xff\xd8":
        return None
    pieces: list[bytes | memoryview] = [b"\xff\xd8"]
    pos, end, frames, scans = 2, len(data), 0, 0
    while pos + 4 <= end and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xD9:
            break
        if marker != 0xDA and marker not in _JPEG_TABLES and marker not in _JPEG_FRAMES:
            return None
        stop = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4])
        if stop < pos + 4 or stop > end:
            return None
        if marker in _JPEG_FRAMES:
            pieces.append(_shrunk_frame(data[pos:stop]))
            frames += 1
        elif marker != 0xE2 or data[pos + 4 : pos + 8] != b"MPF\x00":
            pieces.append(data[pos:stop])
        pos = stop
        if marker == 0xDA:
            scans += 1
            found = _JPEG_SCAN_END.search(data, pos) if frames == 1 else None
            if found is None:
                return None
            pos = found.start()
    if pos + 2 != end or data[pos : pos + 2] != b"\xff\xd9" or frames != 1 or not scans:
        return None
    pieces.append(b"\xff\xd9")
    return b"".join(pieces)


_JPEG_MAX_DIMENSION = 65500
"""The largest width or height libjpeg decodes (its `JPEG_MAX_DIMENSION`): a frame past it is
refused whatever its data."""
_HOLLOW_SIDE = 16
"""The width and height a hollow JPEG's frame header is given (`_shrunk_frame`)."""


def _shrunk_frame(segment: bytes | memoryview) -> bytes | memoryview:
    """A frame header (SOF) with its width and height made at most `_HOLLOW_SIDE` for the
    hollow JPEG `jpeg_is_whole` decodes: what libjpeg checks of the file's marker segments
    (the tables, the frame's precision, components and sampling, the scans' headers, each
    table's use by a scan) does not depend on the image's size, but decoding a hollow file
    at its size filled every block of it with nothing at an eighth of its size: for a
    1600x900 photo 5.6 million instructions, where its marker segments take 0.2 million. A
    size libjpeg refuses is kept (zero, which asks for a DNL marker, or over
    `_JPEG_MAX_DIMENSION`), and a header too short to hold one is kept as it is: each fails as
    it failed. The image's pixels were counted against the budget off its own header
    before (`inspect_image`). The scale `jpeg_is_whole` drafts the frame at, on which
    libjpeg's upsampling (and what it refuses of the sampling factors) depends, is the one
    the whole frame gave: an eighth for a side of 16 or more, the same as before for a
    smaller one (a side under 8 would change it)."""
    if len(segment) < 9:
        return segment
    height, width = int.from_bytes(segment[5:7]), int.from_bytes(segment[7:9])
    sides = []
    for side in (height, width):
        if side == 0 or side > _JPEG_MAX_DIMENSION:
            return segment
        sides.append(min(side, _HOLLOW_SIDE))
    shrunk = bytearray(segment)
    shrunk[5:7] = sides[0].to_bytes(2)
    shrunk[7:9] = sides[1].to_bytes(2)
    return bytes(shrunk)


def exif_orientation(img: object, loaded: bool = True) -> int:
    """The EXIF orientation (1, as stored, when it has none or it cannot be read): what its
    width and height are read by, and the partner renditions turned by. An image checked
    without being loaded has read every chunk Pillow would (`png_is_whole`): the base
    class's `getexif` reads what loading would have given without decoding (PNG's own loads
    the pixels first)."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    try:
        exif = img.getexif() if loaded else Image.Image.getexif(img)
        value = exif.get(_EXIF_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        return 1  # unreadable EXIF: shown as stored
    return value if isinstance(value, int) else 1


_GPS_IFD = 0x8825
_XMP_GPS = re.compile(
    rb"[\w.-]+:GPS(Latitude|Longitude)\s*(?:=\s*[\"']|>)\s*"
    rb"(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])"
)
"""An XMP packet's GPS position (`exif:GPSLatitude="50,51.0186N"`, as an attribute or an
element): degrees, then minutes with their fraction (or minutes and seconds), then the
hemisphere. Its prefix is the packet's own (`exif:` is Adobe's, any other may name the EXIF
namespace)."""


def exif_location(img: object, loaded: bool = True) -> str:
    """Where the image's metadata says it was taken, in decimal degrees (`50.85031,
    4.35170`), or "" when it says nowhere, cannot be read, or gives the zeros a camera
    without a fix writes: the GPS position of its EXIF, else of its XMP packet. A phone's
    photo of a source's home would tell anyone who downloads it where that is."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    try:
        exif = img.getexif() if loaded else Image.Image.getexif(img)
        gps = exif.get_ifd(_GPS_IFD)
        found = [_degrees(gps.get(2), gps.get(1), "S"), _degrees(gps.get(4), gps.get(3), "W")]
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, ZeroDivisionError):
        found = [None, None]
    if None in found:
        xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
        if isinstance(xmp, str):
            xmp = xmp.encode("utf-8", "replace")
        parts = {
            name: _signed(
                float(deg) + float(mins) / 60 + float(secs or 0) / 3600, side in (b"S", b"W")
            )
            for name, deg, mins, secs, side in _XMP_GPS.findall(
                xmp if isinstance(xmp, bytes) else b""
            )
        }
        found = [parts.get(b"Latitude"), parts.get(b"Longitude")]
    lat, lon = found
    if lat is None or lon is None or (lat == 0 and lon == 0) or abs(lat) > 90 or abs(lon) > 180:
        return ""
    return f"{lat:.5f}, {lon:.5f}"


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """EXIF's degrees, minutes and seconds (three rationals) as decimal degrees, signed by
    their reference (`N` or `S`, `E` or `W`); None when it is not such a value."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    deg, mins, secs = (float(part) for part in value)
    if not all(math.isfinite(part) for part in (deg, mins, secs)):
        return None  # (0/0, a camera's without a fix, is NaN: no place)
    side = ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref or "")
    return _signed(deg + mins / 60 + secs / 3600, side.strip("\x00 ").upper() == negative)


def _signed(degrees: float, negative: bool) -> float:
    return -degrees if negative else degrees


def _unsupported(fmt: str) -> str:
    return f"unsupported format ({fmt or 'unknown'}): {CONVERT}"


def _unidentified(data: bytes) -> str:
    if not data:  # a copy or a sync stopped before its first byte
        return "the file is empty (0 bytes): copy or export the image again"
    if not data.strip(b"\x00"):
        return (
            f"the file holds only zero bytes ({len(data)}): a copy or a sync that never wrote"
            " it; copy or export the image again"
        )
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--")) and b"<svg" in head):
        return _unsupported("SVG")
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return _unsupported("HEIC")
    if head.startswith((b"<!doctype html", b"<html")):
        return f"an HTML page, not an image; {CONVERT}"
    return f"not an image file (PNG, JPEG, GIF or WebP expected); {CONVERT}"


def _count_frames_up_to(img: Any, limit: int) -> None:
    """Refuse an animated image of more than `limit` frames, looking no further than that. A
    WebP's or an APNG's count is declared in its header; a GIF's is found by walking its
    frames' headers, without decoding one (Pillow's `seek` decodes every frame it passes, on
    the whole canvas: a 6000x6000 GIF of 300 one-pixel frames took 47 s)."""
    if not getattr(img, "is_animated", False):
        return
    if img.format != "GIF":
        declared = int(getattr(img, "n_frames", 1) or 1)
        if declared > limit:
            raise ImageProblem(_too_many_frames(limit))
        return
    walk = getattr(img, "_seek", None)
    if walk is None:  # (another Pillow: its own count)
        if int(getattr(img, "n_frames", 1) or 1) > limit:
            raise ImageProblem(_too_many_frames(limit))
        return
    try:
        for frame in range(1, limit + 1):  # frame `limit` is the one past the limit
            walk(frame, False)
    except EOFError:
        pass
    else:
        raise ImageProblem(_too_many_frames(limit))
    finally:
        img.seek(0)  # back to the first frame (the only one decoded here), as Pillow's own count


def _too_many_frames(limit: int) -> str:
    return (
        f"image has more than {limit:,} frames, the most an image may have (each is decoded);"
        " make the animation shorter, or publish it as a video"
    )


def _too_many(width: int, height: int, frames: int, limit: int) -> str:
    size = f"{width}x{height} pixels" + (f" in {frames} frames" if frames > 1 else "")
    return f"image is {size}, over the limit of {limit:,} pixels; make it smaller"


def _too_many_pictures(pictures: int, pixels: int, limit: int) -> str:
    return (
        f"image holds {pictures} pictures (a multi-picture JPEG) of {pixels:,} pixels in all,"
        f" over the limit of {limit:,} pixels; make it smaller, or save its first picture"
        " alone as a JPEG"
    )


def _too_many_declared(message: str, limit: int) -> str:
    found = _PILLOW_PIXELS.search(message)
    count = f"{int(found.group(1)):,} pixels" if found else "more pixels than can be decoded"
    return f"image declares {count}, over the limit of {limit:,}; make it smaller"


def _short(exc: object) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if len(text) <= 80 else text[:77] + "..."
