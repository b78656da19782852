"""Whether an image plays by itself: read off its container's chunks and blocks.

A book's accessibility metadata says its hazards are unknown when it holds an animated image
(`formats.epub.book`), and the reader says an `animation: checked` given to a still image is
one nobody needed (`readers.articles`). The story's images were checked whole when they were
read (Pillow decoded every frame, within budgets); here the question is only how many frames
a file holds, asked of every image of every book a run makes. An edit of a story's text makes its
books again, and opens no image with Pillow (`tests/test_incremental.py`): these few lines
walk the file's structure without decoding a pixel, and say what Pillow's `is_animated`
says (`tests/test_fast_paths.py` checks them against it).
"""

from __future__ import annotations

import struct

__all__ = ["is_animated"]


def is_animated(data: bytes) -> bool:
    """Whether the image holds more than one frame: an animated GIF, APNG or WebP. A JPEG
    (a multi-picture one too, whose first picture alone is shown) and a still PNG, GIF or
    WebP are not."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_frames(data) > 1
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _apng_frames(data) > 1
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_frames(data) > 1
    return False


def _gif_frames(data: bytes) -> int:
    """Image descriptors (0x2C) among the GIF's blocks, counting no further than two; a
    file cut short counts the descriptors it holds whole, as Pillow's seek does."""
    if len(data) < 13:
        return 0
    at = 13
    if data[10] & 0x80:  # the global colour table
        at += 3 << ((data[10] & 0x07) + 1)
    frames = 0
    while at < len(data) and frames < 2:
        kind = data[at]
        if kind == 0x2C:  # an image: its descriptor, its colour table, then its data
            if at + 10 > len(data):
                break
            frames += 1  # (a frame once its descriptor is whole: its data is read later)
            packed = data[at + 9]
            at += 10
            if packed & 0x80:
                at += 3 << ((packed & 0x07) + 1)
            at += 1  # the LZW minimum code size
            end = _sub_blocks(data, at)
            if end is None:
                break
            at = end
        elif kind == 0x21:  # an extension: its label, then its sub-blocks
            end = _sub_blocks(data, at + 2)
            if end is None:
                break
            at = end
        elif kind == 0x3B:  # the trailer
            break
        else:  # a stray byte between blocks (an encoder's extra 0): skipped, as Pillow does
            at += 1
    return frames


def _sub_blocks(data: bytes, at: int) -> int | None:
    """Where the run of sub-blocks starting at `at` ends (after its empty block), or None
    when the file ends first."""
    while at < len(data):
        size = data[at]
        at += 1 + size
        if size == 0:
            return at
    return None


def _apng_frames(data: bytes) -> int:
    """The frames Pillow counts in an APNG: those its animation control chunk (`acTL`,
    before the image data) says, and one more when the image data is a default image
    outside the animation (no frame control chunk, `fcTL`, before it); 1 for a PNG without
    an acTL, or with one Pillow takes for invalid (a count of 0 or over 2**31, or a second
    acTL, which undoes the one before as in Pillow's reader) and shows as a still image."""
    at = 8
    frames: int | None = None
    framed = False  # an fcTL before the image data: the first frame is the IDAT's image
    while at + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"IEND":
            break
        if kind == b"IDAT":
            if frames is not None and not framed:
                frames += 1  # the default image, a frame of Pillow's count
            break
        if kind == b"fcTL":
            framed = True
        if kind == b"acTL":
            if length < 8 or at + 12 > len(data):
                return 1
            if frames is not None:
                frames = None
            else:
                count = struct.unpack_from(">I", data, at + 8)[0]
                frames = count if 0 < count <= 0x80000000 else None
        at += 12 + length
    return frames or 1


def _webp_frames(data: bytes) -> int:
    """The animation frames (`ANMF` chunks) of a WebP whose extended header (`VP8X`) says it
    is animated, counting no further than two and no further than the RIFF's own size (bytes
    after it are none of the image's, as libwebp reads it); 1 for any other WebP."""
    if data[12:16] != b"VP8X" or len(data) < 21 or not data[20] & 0x02:
        return 1
    end = min(len(data), 8 + struct.unpack_from("<I", data, 4)[0])  # the RIFF's own size
    at = 12
    frames = 0
    while at + 8 <= end and frames < 2:
        kind, size = struct.unpack_from("<4sI", data, at)
        if kind == b"ANMF":
            frames += 1
        at += 8 + size + (size & 1)
    return max(frames, 1)
